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

import pandas as pd
import streamlit as st

from scenarios.montecarlo import monte_carlo
from scenarios.overlay import apply, scenario_from_dict
from scenarios.sensitivity import sensitivity
from scenarios.switch import stay_or_switch
from scoring import EXAMPLE_TENDER, Evaluation, TenderError, evaluate
from scoring.archive import files_of_folder
from scoring.load import build_tender, read_files
from scoring.model import Tender


@dataclass(frozen=True)
class Source:
    name: str
    files: dict[str, bytes]

    @property
    def digest(self) -> str:
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
    from ui.whatif_page import reset_whatif

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


def whatif(scenario: dict) -> Evaluation | pd.DataFrame:
    """Evaluate the tender in use under a what-if scenario. Everything but the weights is
    cost-relevant and cached; the weights only re-rank the cached costs."""
    base = evaluation()
    if isinstance(base, pd.DataFrame):
        return base
    cost_part, weights = split_weights(scenario)
    key = json.dumps(cost_part, sort_keys=True)
    ev = base if not cost_part.get("set") and not cost_part.get("scale") and not cost_part.get("bids") else \
        _scenario_costs(source().digest, key, base.tender)
    if isinstance(ev, pd.DataFrame) or weights is None:
        return ev
    spec = ev.tender.spec.evaluation
    merged = scenario_from_dict({"name": "weights", "set": {"evaluation": weights}})
    try:
        weighted = apply(ev.tender, merged).spec.evaluation
    except TenderError as exc:
        return problems_frame(exc)
    return ev if weighted == spec else ev.rerank(weighted)


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

    from scoring.export import write_evaluation_workbook

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
