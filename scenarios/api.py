"""The one object the app and the command lines ask: a tender opened once — a folder, or the
files of an upload — evaluated as written or under a scenario, and the questions the pages
and the commands put to it (costs per line, stay or switch, sensitivity, Monte Carlo, DQE,
the billing export's summary, the inputs of the downloads).

As `ptxboa/api.py` in agoenergy/ptx-boa: the app builds a `Fleetbid` once per tender (cached
by `ui/api.py`, which adds nothing but caching), the command lines build one per run. It
lives in ``scenarios`` because it applies scenarios and runs the what-if analyses; it
imports only the model below it. Answers are the model's frozen objects, or the small frozen
views below; bad input raises `TenderError` (file, field, message per problem). `Outcome`
holds an answer or the problems that prevented it, for a caller that keeps both (the app's
cache: a broken upload is not re-read on every rerun).

Opening is lazy: `read`/`read_files` parse the files (structural problems raise at once),
`tender` validates them on first use; `open`/`open_files` do both.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import pandas as pd

from scoring import archive
from scoring.errors import Problem, TenderError
from scoring.evaluate import Evaluation, evaluate
from scoring.load import RawTender, build_tender, measured_lines, read_files, read_folder
from scoring.model import Tender
from scoring.unit_prices import UnitPrices, unit_prices
from scoring.yamlio import parse_yaml_mapping

from .award import AwardResult, award_split
from .dqe import dqe_gap
from .overlay import Scenario, apply, evaluate_scenario, scenario_from_dict, tender_scenarios
from .sensitivity import Sensitivity, sensitivity
from .switch import StayOrSwitch, stay_or_switch

if TYPE_CHECKING:  # scipy.stats and the draws are imported when a simulation is asked for, not at start-up
    from .montecarlo import MonteCarlo

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """An answer (``value``), or the problems that prevented it (``value`` None)."""

    value: T | None
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @classmethod
    def of(cls, ask: Callable[..., T], *args: Any) -> Outcome[T]:
        """``ask(*args)``, its `TenderError` kept as problems."""
        try:
            return cls(ask(*args))
        except TenderError as exc:
            return cls(None, tuple(exc.problems))

    def then(self, ask: Callable[[T], Outcome[U]]) -> Outcome[U]:
        """``ask(value)`` (itself an Outcome) when this one is an answer; else these problems."""
        return ask(self.value) if self.ok else Outcome(None, self.problems)

    def get(self) -> T:
        """The answer; its problems raised again as a `TenderError`."""
        if not self.ok:
            raise TenderError(list(self.problems))
        return self.value


@dataclass(frozen=True)
class TenderFiles:
    """A tender as in-memory files keyed by their path in the tender folder (the bundled
    example read from disk, or an upload), identified by the SHA-256 of their content."""

    name: str
    files: dict[str, bytes]

    @cached_property
    def digest(self) -> str:
        """SHA-256 over the paths and contents, computed once (a billing export may be
        hundreds of MB, and the app asks for the digest on every page run)."""
        h = hashlib.sha256()
        for path in sorted(self.files):
            h.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        return h.hexdigest()

    @classmethod
    def of_folder(cls, folder: str | Path) -> TenderFiles:
        return cls(Path(folder).name, archive.files_of_folder(folder))

    @classmethod
    def of_uploads(cls, uploads: Sequence[tuple[str, bytes]]) -> TenderFiles:
        """Uploaded files (name, bytes) — loose files or a zip — as a tender folder
        (`scoring.archive.files_of_uploads`), named after the one file uploaded, else "upload"."""
        files = archive.files_of_uploads(list(uploads))
        return cls(PurePosixPath(uploads[0][0]).stem if len(uploads) == 1 else "upload", files)


# --------------------------------------------------------------------------- what-if scenarios
# The app's What-if page builds a scenario (a mapping as in a scenario file) from its controls.
# Everything but the evaluation weights changes costs; the weights only re-rank them.


def split_weights(scenario: dict) -> tuple[dict, dict | None]:
    """(the scenario without its evaluation weights, the evaluation overlay or None)."""
    rest = json.loads(json.dumps(scenario))
    weights = (rest.get("set") or {}).pop("evaluation", None)
    return rest, weights


def cost_key(scenario: dict | None) -> str:
    """What identifies a scenario's costs: the scenario without its weights (JSON), or ""
    when it changes no cost (the tender as written)."""
    if not scenario:
        return ""
    cost_part, _ = split_weights(scenario)
    if not cost_part.get("set") and not cost_part.get("scale") and not cost_part.get("bids"):
        return ""
    return json.dumps(cost_part, sort_keys=True)


def on_lines(scenario: dict | None) -> bool:
    """The scenario (a mapping as in a scenario file) costs every line on its billed usage:
    ``set: {usage_file: {evaluate_on: lines}}``."""
    settings = (scenario or {}).get("set")
    usage_file = settings.get("usage_file") if isinstance(settings, dict) else None
    return isinstance(usage_file, dict) and usage_file.get("evaluate_on") == "lines"


# --------------------------------------------------------------------------- views
# Only aggregates and pseudonyms leave the views: the export's lines (and their phone numbers,
# which the model pseudonymises on reading) stay in the model's objects.


@dataclass(frozen=True)
class UsageView:
    """The billing export: its size and `scoring.lines.usage_summary` (per profile ×
    component: lines, mean, p5 … p99, max, zero_share)."""

    file: str
    lines: int
    months: int
    components: tuple[str, ...]
    summary: pd.DataFrame


TOP_LINES = 20


@dataclass(frozen=True)
class LineCostView:
    """The most expensive lines under one bid and how concentrated its line costs are.

    ``top``: the most expensive lines (`scoring.per_line.line_costs` columns: line pseudonym,
    profile and entity ids, subscriptions, usage, pool_overage, devices, total); ``median``:
    the median line's total. ``top_share``: share of the bid's line costs carried by the
    1 % most expensive lines (``top_count`` lines, at least one; None when the total is not
    positive); ``usage_share``: share of its usage charges (usage beyond allowances + pooled
    overage share) carried by the 1 % of lines with the highest usage charges (None when
    there are none)."""

    bid: str
    lines: int
    total: float
    usage_total: float
    median: float
    top_count: int
    top_share: float | None
    usage_share: float | None
    top: pd.DataFrame


NOT_PER_LINE = ("costs are not per line: needs a usage_file with evaluate_on: lines (or a scenario setting it, such as "
                "scenarios/billed-usage.yaml)")


class Fleetbid:
    """One tender, opened once: its evaluation as written or under a scenario, and every
    question the app and the command lines ask of it."""

    def __init__(self, raw: RawTender, source: TenderFiles | None = None):
        self.raw = raw
        self.source = source  # the in-memory files, when opened from them

    # ----------------------------------------------------------------------- opening
    @classmethod
    def read(cls, folder: str | Path) -> Fleetbid:
        """A tender folder parsed, not yet validated (structural problems raise at once)."""
        return cls(read_folder(folder))

    @classmethod
    def read_files(cls, source: TenderFiles) -> Fleetbid:
        """In-memory files (an upload, the app's bundled example) parsed, not yet validated."""
        return cls(read_files(source.name, source.files), source)

    @classmethod
    def open(cls, folder: str | Path) -> Fleetbid:
        """A tender folder read and validated; a `TenderError` lists every defect."""
        return cls.read(folder).validated()

    @classmethod
    def open_files(cls, source: TenderFiles) -> Fleetbid:
        """In-memory files read and validated; a `TenderError` lists every defect."""
        return cls.read_files(source).validated()

    def validated(self) -> Fleetbid:
        _ = self.tender
        return self

    @cached_property
    def tender(self) -> Tender:
        """The validated tender (`scoring.load.build_tender`)."""
        return build_tender(self.raw)

    # ----------------------------------------------------------------------- evaluating
    @cached_property
    def _evaluation(self) -> Evaluation:
        return evaluate(self.tender)

    def evaluation(self, scenario: Scenario | None = None) -> Evaluation:
        """The tender as written, or under ``scenario`` (`scenarios.overlay.evaluate_scenario`:
        validated from scratch, problems named in the scenario file; the tender as written is
        not validated first)."""
        return self._evaluation if scenario is None else evaluate_scenario(self.raw, scenario)

    def costs_under(self, key: str) -> Evaluation:
        """The evaluation under a what-if scenario's cost part (`cost_key`; "" the tender as
        written). As the app has always done, a problem found while evaluating (rather than
        validating) names the tender's file, not the scenario."""
        if not key:
            return self.evaluation()
        return evaluate(apply(self.tender, scenario_from_dict(json.loads(key))))

    def reweighted(self, ev: Evaluation, scenario: dict) -> Evaluation:
        """``ev`` re-ranked under the scenario's evaluation weights (the costs unchanged)."""
        _, weights = split_weights(scenario)
        if weights is None:
            return ev
        spec = ev.tender.spec.evaluation
        merged = scenario_from_dict({"name": "weights", "set": {"evaluation": weights}})
        weighted = apply(ev.tender, merged).spec.evaluation
        return ev if weighted == spec else ev.rerank(weighted)

    def whatif(self, scenario: dict, costs: Callable[[str], Evaluation] | None = None) -> Evaluation:
        """The tender under a what-if scenario (a mapping as in a scenario file): the costs of
        its cost part (``costs(cost_key(scenario))``: `costs_under`, or the caller's cache of
        it) re-ranked under its weights; the tender's own problems first."""
        base = self.evaluation()
        key = cost_key(scenario)
        return self.reweighted((costs or self.costs_under)(key) if key else base, scenario)

    # ----------------------------------------------------------------------- scenarios shipped
    def scenario_paths(self) -> list[Path]:
        """The scenario files of a tender folder on disk, in name order."""
        return tender_scenarios(self.raw.root) if self.raw.root is not None else []

    def scenario_files(self) -> dict[str, bytes]:
        """The tender's scenario files by their path in the folder (``scenarios/…``)."""
        if self.source is not None:
            return {p: data for p, data in self.source.files.items() if p.startswith("scenarios/")}
        return {f"scenarios/{p.name}": p.read_bytes() for p in self.scenario_paths()}

    def lines_scenario(self) -> tuple[str, str] | None:
        """(path, name) of the tender's first scenario that evaluates every line on its billed
        usage (``set: {usage_file: {evaluate_on: lines}}``), or None."""
        files = self.scenario_files()
        for path in sorted(files):
            try:
                data = parse_yaml_mapping(files[path], path)
            except TenderError:
                continue
            if on_lines(data):
                return path, str(data.get("name") or path.split("/")[-1])
        return None

    # ----------------------------------------------------------------------- questions
    def usage(self) -> UsageView | None:
        """The billing export, summarised; None without a usage_file."""
        from scoring.lines import usage_summary

        lines = measured_lines(self.tender)
        if lines is None:
            return None
        return UsageView(file=self.tender.spec.usage_file.path, lines=int(lines.n), months=int(lines.months),
                         components=tuple(lines.components), summary=usage_summary(lines))

    # Questions on an evaluation of the tender (as written, or under a scenario).
    @staticmethod
    def require_per_line(ev: Evaluation) -> Evaluation:
        """``ev``, when its costs are per line of the billing export; a `TenderError` otherwise."""
        if ev.costs.fleet.measured is None:
            raise TenderError.at(f"{ev.tender.folder}/tender.yaml", "usage_file.evaluate_on", NOT_PER_LINE)
        return ev

    @staticmethod
    def line_costs(ev: Evaluation, bid: str, top: int = TOP_LINES) -> LineCostView:
        """The ``top`` most expensive lines under ``bid`` (costed) in ``ev`` (per line) and the
        concentration figures. Every line stays in here."""
        from scoring.lines import top_share
        from scoring.per_line import line_costs

        table = line_costs(Fleetbid.require_per_line(ev).costs, ev.tender, bid)
        charges = table["usage"] + table["pool_overage"]
        count, cost_share = top_share(table["total"])
        head = table.head(top).copy()
        head["profile"] = head["profile"].astype(str)
        head["entity"] = head["entity"].astype(str)
        return LineCostView(
            bid=bid, lines=len(table), total=float(table["total"].sum()), usage_total=float(charges.sum()),
            median=float(table["total"].median()), top_count=count, top_share=cost_share,
            usage_share=top_share(charges)[1], top=head.reset_index(drop=True))

    @staticmethod
    def unit_prices(ev: Evaluation) -> UnitPrices:
        """Each costed bid's cost per line per month by profile, and what is not per line
        (`scoring.unit_prices`), from ``ev``'s cost table."""
        return unit_prices(ev.costs, ev.tender)

    @staticmethod
    def stay_or_switch(ev: Evaluation) -> StayOrSwitch:
        return stay_or_switch(ev)

    @staticmethod
    def sensitivity(ev: Evaluation) -> Sensitivity:
        return sensitivity(ev)

    @staticmethod
    def monte_carlo(ev: Evaluation, draws: int, seed: int) -> MonteCarlo:
        from .montecarlo import monte_carlo  # lazily: scipy.stats is slow to import

        return monte_carlo(ev, draws, seed)

    def award(self, scenario: Scenario | None = None) -> AwardResult:
        """The award split of the tender as written, or under ``scenario``
        (`scenarios.award.award_split`); a `TenderError` when the tender has no award block."""
        return award_split(self.evaluation(scenario))

    @staticmethod
    def award_of(ev: Evaluation) -> AwardResult:
        """The award split of an evaluation already made (the tender's award block in ``ev``)."""
        return award_split(ev)

    @staticmethod
    def dqe(ev: Evaluation) -> list[dict]:
        """Per bid: the expected TCO against a DQE's (`scenarios.dqe.dqe_gap`)."""
        return dqe_gap(ev)

    def template_bytes(self) -> bytes:
        """The price-schedule template (xlsx) operators fill in."""
        from scoring.excel import write_template

        buffer = io.BytesIO()
        write_template(self.tender, buffer)
        return buffer.getvalue()


__all__ = ["TOP_LINES", "Fleetbid", "LineCostView", "Outcome", "TenderFiles", "UsageView", "cost_key", "on_lines",
           "split_weights"]
