"""The one place where the pure API is wrapped for Streamlit: the tender in use, cached
evaluations and analyses, and input errors turned into a table.

The tender in use is a set of in-memory files (the bundled example read from disk, or an
upload) identified by the SHA-256 of their content; every cached result is keyed on that
digest plus the what-if settings, so nothing is recomputed on a rerun or a page switch,
and a weight change re-ranks without re-running the cost simulation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import streamlit as st

from scenarios.montecarlo import monte_carlo
from scenarios.overlay import apply, scenario_from_dict
from scenarios.sensitivity import sensitivity
from scenarios.switch import stay_or_switch
from scoring import EXAMPLE_TENDER, Evaluation, TenderError, evaluate
from scoring.archive import files_of_folder
from scoring.load import build_tender, measured_lines, read_files
from scoring.model import Tender
from scoring.yamlio import parse_yaml_mapping
from ui.state import reset_whatif


@dataclass(frozen=True)
class Source:
    name: str
    files: dict[str, bytes]

    @cached_property
    def digest(self) -> str:
        """SHA-256 over the paths and contents, computed once per Source (a billing export
        may be hundreds of MB, and every page run asks for the digest several times)."""
        h = hashlib.sha256()
        for path in sorted(self.files):
            h.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        return h.hexdigest()


@st.cache_resource(show_spinner=False)
def _example_source() -> Source:
    return Source(EXAMPLE_TENDER.name, files_of_folder(EXAMPLE_TENDER))


def source() -> Source:
    """The tender in use: an upload kept in the session, else the bundled example."""
    return st.session_state.get("source") or _example_source()


def use_source(new: Source | None) -> None:
    """Switch the tender in use; what-if settings belong to the previous one, so they go."""
    st.session_state["source"] = new
    reset_whatif()


def problems_frame(exc: TenderError) -> pd.DataFrame:
    return pd.DataFrame([{"file": p.file, "field": p.field, "problem": p.message} for p in exc.problems])


@st.cache_resource(show_spinner=False, max_entries=8)
def _tender(digest: str, _src: Source) -> Tender | pd.DataFrame:
    try:
        return build_tender(read_files(_src.name, _src.files))
    except TenderError as exc:
        return problems_frame(exc)


@st.cache_resource(show_spinner=False, max_entries=8)
def _evaluation(digest: str, _tender: Tender) -> Evaluation | pd.DataFrame:
    try:
        return evaluate(_tender)
    except TenderError as exc:
        return problems_frame(exc)


def tender() -> Tender | pd.DataFrame:
    src = source()
    return _tender(src.digest, src)


def evaluation() -> Evaluation | pd.DataFrame:
    """The evaluation of the tender in use, or a table of its input errors."""
    src = source()
    t = _tender(src.digest, src)
    return t if isinstance(t, pd.DataFrame) else _evaluation(src.digest, t)


def split_weights(scenario: dict) -> tuple[dict, dict | None]:
    """(the scenario without its evaluation weights, the evaluation overlay or None)."""
    rest = json.loads(json.dumps(scenario))
    evaluation = (rest.get("set") or {}).pop("evaluation", None)
    return rest, evaluation


@st.cache_resource(show_spinner=False, max_entries=32)
def _scenario_costs(digest: str, key: str, _base: Tender) -> Evaluation | pd.DataFrame:
    try:
        return evaluate(apply(_base, scenario_from_dict(json.loads(key))))
    except TenderError as exc:
        return problems_frame(exc)


def cost_key(scenario: dict | None) -> str:
    """What identifies a scenario's costs: the scenario without its weights (JSON), or ""
    when it changes no cost (the tender as written)."""
    if not scenario:
        return ""
    cost_part, _ = split_weights(scenario)
    if not cost_part.get("set") and not cost_part.get("scale") and not cost_part.get("bids"):
        return ""
    return json.dumps(cost_part, sort_keys=True)


def whatif(scenario: dict) -> Evaluation | pd.DataFrame:
    """Evaluate the tender in use under a what-if scenario. Everything but the weights is
    cost-relevant and cached; the weights only re-rank the cached costs."""
    base = evaluation()
    if isinstance(base, pd.DataFrame):
        return base
    _, weights = split_weights(scenario)
    key = cost_key(scenario)
    ev = base if not key else _scenario_costs(source().digest, key, base.tender)
    if isinstance(ev, pd.DataFrame) or weights is None:
        return ev
    spec = ev.tender.spec.evaluation
    merged = scenario_from_dict({"name": "weights", "set": {"evaluation": weights}})
    try:
        weighted = apply(ev.tender, merged).spec.evaluation
    except TenderError as exc:
        return problems_frame(exc)
    return ev if weighted == spec else ev.rerank(weighted)


# --------------------------------------------------------------------------- billing export
# Only aggregates and pseudonyms leave these functions: the export's lines (and their phone
# numbers, which the model pseudonymises on reading) stay in the model's objects on the server.


@dataclass(frozen=True)
class UsageView:
    """What the Tender page shows of the billing export: its size and `usage_summary`
    (per profile × component: lines, mean, p5 … p99, max, zero_share)."""

    file: str
    lines: int
    months: int
    components: tuple[str, ...]
    summary: pd.DataFrame


@st.cache_resource(show_spinner=False, max_entries=8)
def _usage(digest: str, _tender: Tender) -> UsageView | pd.DataFrame | None:
    from scoring.lines import usage_summary

    try:
        lines = measured_lines(_tender)
    except TenderError as exc:
        return problems_frame(exc)
    if lines is None:
        return None
    return UsageView(file=_tender.spec.usage_file.path, lines=int(lines.n), months=int(lines.months),
                     components=tuple(lines.components), summary=usage_summary(lines))


def usage() -> UsageView | pd.DataFrame | None:
    """The billing export of the tender in use, summarised; a table of its errors when it
    cannot be read; None without a usage_file (or when the tender itself has errors)."""
    src = source()
    t = _tender(src.digest, src)
    return None if isinstance(t, pd.DataFrame) else _usage(src.digest, t)


def on_lines(scenario: dict | None) -> bool:
    """The scenario (a mapping as in a scenario file) costs every line on its billed usage:
    ``set: {usage_file: {evaluate_on: lines}}``."""
    settings = (scenario or {}).get("set")
    usage_file = settings.get("usage_file") if isinstance(settings, dict) else None
    return isinstance(usage_file, dict) and usage_file.get("evaluate_on") == "lines"


@st.cache_resource(show_spinner=False, max_entries=8)
def _lines_scenario(digest: str, _src: Source) -> tuple[str, str] | None:
    for path in sorted(p for p in _src.files if p.startswith("scenarios/")):
        try:
            data = parse_yaml_mapping(_src.files[path], path)
        except TenderError:
            continue
        if on_lines(data):
            return path, str(data.get("name") or path.split("/")[-1])
    return None


def lines_scenario() -> tuple[str, str] | None:
    """(path, name) of the tender's first scenario that evaluates every line on its billed
    usage (``set: {usage_file: {evaluate_on: lines}}``), or None."""
    src = source()
    return _lines_scenario(src.digest, src)


TOP_LINES = 20


@dataclass(frozen=True)
class LineCostView:
    """The most expensive lines under one bid and how concentrated its line costs are.

    ``top``: the ``TOP_LINES`` most expensive lines (`scoring.cost.line_costs` columns: line
    pseudonym, profile and entity ids, subscriptions, usage, pool_overage, devices, total).
    ``top_share``: share of the bid's line costs carried by the 1 % most expensive lines
    (``top_count`` lines, at least one); ``usage_share``: share of its usage charges (usage
    beyond allowances + pooled overage share) carried by the 1 % of lines with the highest
    usage charges (None when there are none)."""

    bid: str
    lines: int
    total: float
    usage_total: float
    top_count: int
    top_share: float | None
    usage_share: float | None
    top: pd.DataFrame


@st.cache_resource(show_spinner=False, max_entries=32)
def _line_costs(digest: str, key: str, bid: str, n: int, _ev: Evaluation) -> LineCostView:
    from scoring.cost import line_costs
    from scoring.lines import top_share

    table = line_costs(_ev.costs, _ev.tender, bid)  # every line: stays in this function
    charges = table["usage"] + table["pool_overage"]
    count, cost_share = top_share(table["total"])
    top = table.head(n).copy()
    top["profile"] = top["profile"].astype(str)
    top["entity"] = top["entity"].astype(str)
    return LineCostView(
        bid=bid, lines=len(table), total=float(table["total"].sum()), usage_total=float(charges.sum()),
        top_count=count, top_share=cost_share, usage_share=top_share(charges)[1], top=top.reset_index(drop=True))


def line_costs_of(ev: Evaluation, scenario: dict | None, bid: str, n: int = TOP_LINES) -> LineCostView:
    """The ``n`` most expensive lines under ``bid`` and the concentration figures, for ``ev``:
    the evaluation of the tender in use, or of ``scenario`` (its weights do not change costs).
    ``ev`` must be on lines (``ev.costs.fleet.measured`` set) and ``bid`` costed."""
    return _line_costs(source().digest, cost_key(scenario), bid, n, ev)


@st.cache_resource(show_spinner=False, max_entries=16)
def _monte_carlo(digest: str, key: str, draws: int, seed: int, _ev: Evaluation) -> dict:
    return monte_carlo(_ev, draws, seed).to_dict()


def monte_carlo_of(ev: Evaluation, key: str, draws: int, seed: int) -> dict:
    return _monte_carlo(source().digest, key, draws, seed, ev)


@st.cache_resource(show_spinner=False, max_entries=16)
def _sensitivity(digest: str, key: str, _ev: Evaluation):
    return sensitivity(_ev)


def sensitivity_of(ev: Evaluation, key: str):
    return _sensitivity(source().digest, key, ev)


def stay_or_switch_of(ev: Evaluation):
    return stay_or_switch(ev)


def template_bytes(ev: Evaluation) -> bytes:
    """The price-schedule template (xlsx) for operators, built when the user asks for it."""
    import io

    from scoring.excel import write_template

    buffer = io.BytesIO()
    write_template(ev.tender, buffer)
    return buffer.getvalue()


def workbook_bytes(ev: Evaluation) -> bytes:
    """The evaluation workbook (xlsx), built when the user asks for it."""
    import io

    from reports.workbook import write_evaluation_workbook

    buffer = io.BytesIO()
    write_evaluation_workbook(ev, buffer)
    return buffer.getvalue()


def report_bytes(ev: Evaluation, lang: str) -> bytes:
    """The management report (PDF), built when the user asks for it."""
    import tempfile
    from pathlib import Path

    from reports import build_report

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.pdf"
        build_report(ev, out, lang=lang, sources=source().files)
        return out.read_bytes()
