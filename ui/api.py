"""The facade (`scenarios.api.Fleetbid`) cached for Streamlit — nothing else: every answer
comes from the facade, and this module only decides what is kept between reruns.

The tender in use is a set of in-memory files (the bundled example read from disk, or an
upload: `scenarios.api.TenderFiles`) identified by the SHA-256 of their content; every
cached answer is keyed on that digest plus the what-if settings, so nothing is recomputed on
a rerun or a page switch, and a weight change re-ranks without re-running the cost
simulation. An answer that failed is cached too, as an `Outcome` carrying its problems
(a broken upload is not re-read on every rerun); ``ui.common`` shows them.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import streamlit as st

from monitoring.api import SHOWN, AuditSummary, ContractAudit, ContractFiles, bundled_contracts, open_contract, summary
from monitoring.rio import RioCheck, inventory_pseudonyms, rio_bytes
from monitoring.service_levels import ServiceLevels, service_levels
from reports.claims import ClaimTotals, claim_totals, ordered_claims
from scenarios.api import TOP_LINES, Fleetbid, LineCostView, Outcome, TenderFiles, UsageView, cost_key
from scenarios.overlay import scenario_from_dict
from scoring import EXAMPLE_TENDER, Evaluation, Problem, TenderError
from scoring.usage_file.pseudonyms import pseudonym_key
from ui.state import AUDIT_BUNDLED, AUDIT_SOURCE, SOURCE, reset_award, reset_whatif

Source = TenderFiles  # the name the pages and tests know the tender in use by


@st.cache_resource(show_spinner=False)
def _example_source() -> TenderFiles:
    return TenderFiles.of_folder(EXAMPLE_TENDER)


def source() -> TenderFiles:
    """The tender in use: an upload kept in the session, else the bundled example."""
    return st.session_state.get(SOURCE) or _example_source()


def use_source(new: TenderFiles | None) -> None:
    """Switch the tender in use; what-if settings belong to the previous one, so they go."""
    st.session_state[SOURCE] = new
    reset_whatif()
    reset_award()


def problems_frame(problems: TenderError | Iterable[Problem]) -> pd.DataFrame:
    """The error table's rows: file, field, problem."""
    if isinstance(problems, TenderError):
        problems = problems.problems
    return pd.DataFrame([{"file": p.file, "field": p.field, "problem": p.message} for p in problems])


@st.cache_resource(show_spinner=False, max_entries=8)
def _tender(digest: str, _src: TenderFiles) -> Outcome[Fleetbid]:
    return Outcome.of(Fleetbid.open_files, _src)


@st.cache_resource(show_spinner=False, max_entries=8)
def _evaluation(digest: str, _session: Fleetbid) -> Outcome[Evaluation]:
    return Outcome.of(_session.evaluation)


def opened() -> Outcome[Fleetbid]:
    """The tender in use, opened and validated, or its input errors."""
    src = source()
    return _tender(src.digest, src)


def session() -> Fleetbid:
    """The tender in use, for a page past `ui.common.evaluation_or_stop` (a TenderError otherwise)."""
    return opened().get()


def evaluation() -> Outcome[Evaluation]:
    """The evaluation of the tender in use, or its input errors."""
    src = source()
    return opened().then(lambda s: _evaluation(src.digest, s))


@st.cache_resource(show_spinner=False, max_entries=32)
def _scenario_costs(digest: str, key: str, _session: Fleetbid) -> Outcome[Evaluation]:
    return Outcome.of(_session.costs_under, key)


def whatif(scenario: dict) -> Outcome[Evaluation]:
    """The tender in use under a what-if scenario (`Fleetbid.whatif`); its cost part cached."""
    src = source()
    return opened().then(lambda s: Outcome.of(
        s.whatif, scenario, lambda key: _scenario_costs(src.digest, key, s).get()))


@st.cache_resource(show_spinner=False, max_entries=8)
def _usage(digest: str, _session: Fleetbid) -> Outcome[UsageView | None]:
    return Outcome.of(_session.usage)


def usage() -> Outcome[UsageView | None]:
    """The billing export of the tender in use, summarised (`Fleetbid.usage`; None without a
    usage_file), or why it cannot be read."""
    src = source()
    return opened().then(lambda s: _usage(src.digest, s))


@st.cache_resource(show_spinner=False, max_entries=8)
def _lines_scenario(digest: str, _session: Fleetbid) -> tuple[str, str] | None:
    return _session.lines_scenario()


def lines_scenario() -> tuple[str, str] | None:
    """`Fleetbid.lines_scenario` of the tender in use."""
    return _lines_scenario(source().digest, session())


def scenario_files() -> dict[str, bytes]:
    """The scenario files shipped with the tender in use (`Fleetbid.scenario_files`)."""
    return session().scenario_files()


@st.cache_resource(show_spinner=False, max_entries=32)
def _line_costs(digest: str, key: str, bid: str, n: int, _session: Fleetbid, _ev: Evaluation) -> LineCostView:
    return _session.line_costs(_ev, bid, n)


def line_costs_of(ev: Evaluation, scenario: dict | None, bid: str, n: int = TOP_LINES) -> LineCostView:
    """`Fleetbid.line_costs` for ``ev``: the evaluation of the tender in use, or of
    ``scenario`` (its weights do not change costs)."""
    return _line_costs(source().digest, cost_key(scenario), bid, n, session(), ev)


@st.cache_resource(show_spinner=False, max_entries=16)
def _monte_carlo(digest: str, key: str, draws: int, seed: int, _session: Fleetbid, _ev: Evaluation) -> dict:
    return _session.monte_carlo(_ev, draws, seed).to_dict()


def monte_carlo_of(ev: Evaluation, key: str, draws: int, seed: int) -> dict:
    return _monte_carlo(source().digest, key, draws, seed, session(), ev)


@st.cache_resource(show_spinner=False, max_entries=16)
def _sensitivity(digest: str, key: str, _session: Fleetbid, _ev: Evaluation):
    return _session.sensitivity(_ev)


def sensitivity_of(ev: Evaluation, key: str):
    return _sensitivity(source().digest, key, session(), ev)


@st.cache_resource(show_spinner=False, max_entries=16)
def _award(digest: str, key: str, _session: Fleetbid) -> Outcome:
    return Outcome.of(lambda: _session.award(scenario_from_dict(json.loads(key)) if key else None))


def award(scenario: dict | None) -> Outcome:
    """The best split of the tender in use across operators (`Fleetbid.award`), as written or
    under ``scenario`` (a mapping as in a scenario file: the Award split page's rules), or
    its problems; cached per tender and scenario."""
    src = source()
    key = json.dumps(scenario, sort_keys=True) if scenario else ""
    return opened().then(lambda s: _award(src.digest, key, s))


# --------------------------------------------------------------------------- the invoice audit
# The contract in use (the Invoice audit page): an uploaded zip kept in the session, else a
# bundled contract folder; every answer keyed on its digest (monitoring/api.py).


@st.cache_resource(show_spinner=False)
def _bundled_contract(folder: str) -> ContractFiles:
    path = Path(folder)
    return ContractFiles(f"{path.parent.name}/{path.name}", folder=path)  # named as the repository names it


def contract_source() -> ContractFiles | None:
    """The contract in use: an upload kept in the session, else the bundled contract picked
    (the first of `monitoring.api.bundled_contracts`), None when there is neither."""
    upload = st.session_state.get(AUDIT_SOURCE)
    if upload is not None:
        return upload
    folders = bundled_contracts()
    if not folders:
        return None
    picked = st.session_state.get(AUDIT_BUNDLED)
    return _bundled_contract(str(next((f for f in folders if f.name == picked), folders[0])))


def use_contract(new: ContractFiles | None) -> None:
    """Switch the contract in use (None: back to the bundled one)."""
    st.session_state[AUDIT_SOURCE] = new


@st.cache_resource(show_spinner=False, max_entries=4)
def _contract_audit(digest: str, _src: ContractFiles) -> Outcome[ContractAudit]:
    return Outcome.of(open_contract, _src)


def contract_audit() -> Outcome[ContractAudit] | None:
    """The contract in use audited (`monitoring.api.open_contract`), or its input errors;
    None without a contract."""
    src = contract_source()
    return None if src is None else _contract_audit(src.digest, src)


@st.cache_resource(show_spinner=False, max_entries=4)
def _audit_summary(digest: str, _result: ContractAudit) -> AuditSummary:
    return summary(_result)


def audit_summary(result: ContractAudit) -> AuditSummary:
    """The Invoice audit page's aggregates (`monitoring.api.summary`) of the contract in use."""
    return _audit_summary(contract_source().digest, result)


@st.cache_resource(show_spinner=False, max_entries=4)
def _audit_claims(digest: str, _result: ContractAudit) -> tuple[tuple, ClaimTotals]:
    claims = ordered_claims(_result.audit)
    return claims[:SHOWN], claim_totals(claims)


def audit_claims(result: ContractAudit) -> tuple[tuple, ClaimTotals]:
    """The first `monitoring.api.SHOWN` claims, nearest deadline first, and the totals of all
    (the claim workbook's order and sums, `reports.claims`), of the contract in use."""
    return _audit_claims(contract_source().digest, result)


def claims_workbook_bytes(result: ContractAudit, lang: str) -> bytes:
    """The claim workbook (xlsx), built when the user asks for it."""
    from reports.claims import claims_workbook

    return claims_workbook(result.audit, result.contract, lang)


def claims_letter_bytes(result: ContractAudit, lang: str) -> bytes:
    """The claim letter (PDF), built when the user asks for it."""
    from reports.claims_letter import claims_letter

    return claims_letter(result.audit, result.contract, lang)


# --------------------------------------------------------------------------- service levels
# The Service & review page (docs/service-levels.md): the contract in use (above) measured,
# a second bundled contract beside it for a split award, and RIO checks of uploaded lists.


def bundled_contract(name: str) -> ContractFiles | None:
    """The bundled contract folder ``contracts/<name>`` (None when there is none of that name)."""
    folder = next((f for f in bundled_contracts() if f.name == name), None)
    return None if folder is None else _bundled_contract(str(folder))


@st.cache_resource(show_spinner=False, max_entries=4)
def _service_levels(digest: str, _src: ContractFiles) -> Outcome[ServiceLevels]:
    return Outcome.of(service_levels, _src)


def service_levels_of(src: ContractFiles) -> Outcome[ServiceLevels]:
    """A contract's service levels (`monitoring.service_levels.service_levels`), or its input
    errors, cached per contract digest."""
    return _service_levels(src.digest, src)


@st.cache_resource(show_spinner=False, max_entries=8)
def _rio_headers(digest: str, _data: bytes, name: str) -> tuple[str, ...]:
    try:  # a peek for the column choice only: reading the list (below) says what is wrong with it
        if name.lower().endswith(".xlsx"):
            frame = pd.read_excel(io.BytesIO(_data), nrows=0, engine="openpyxl")
        else:
            frame = pd.read_csv(io.BytesIO(_data), nrows=0, sep=None, engine="python", encoding="utf-8-sig")
    except Exception:  # noqa: BLE001 - any unreadable file: no header to offer
        return ()
    return tuple(dict.fromkeys(str(h).strip() for h in frame.columns if str(h).strip()))


def rio_headers_of(data: bytes, name: str) -> tuple[str, ...]:
    """The header row of an uploaded RIO list, for the column choice (() when unreadable)."""
    return _rio_headers(hashlib.sha256(data).hexdigest(), data, name)


def _check_rio_bytes(data: bytes, name: str, columns: dict[str, str], contract: ContractFiles | None) -> RioCheck:
    # `monitoring.rio.rio_bytes` against the inventory of the contract in use (on disk or in memory).
    key = pseudonym_key()
    inventory = None if contract is None else inventory_pseudonyms(contract.root, key)
    return rio_bytes(data, name, columns, inventory, key)


@st.cache_resource(show_spinner=False, max_entries=8)
def _rio(digest: str, columns: tuple[tuple[str, str], ...], contract: str, _data: bytes, name: str,
         _contract: ContractFiles | None) -> Outcome[RioCheck]:
    return Outcome.of(_check_rio_bytes, _data, name, dict(columns), _contract)


def rio_check_of(data: bytes, name: str, columns: dict[str, str], contract: ContractFiles | None) -> Outcome[RioCheck]:
    """An uploaded list of lines checked as ``python -m monitoring rio`` checks a file
    (`monitoring.rio.check_rio`), against the inventory of ``contract`` (None: none), or why
    it cannot be read; cached per file, columns and contract."""
    return _rio(hashlib.sha256(data).hexdigest(), tuple(sorted(columns.items())),
                "" if contract is None else contract.digest, data, name, contract)


def review_bytes(src: ContractFiles, period: str, lang: str, kind: str) -> bytes:
    """The review minutes of ``period`` of a contract (``kind`` "pdf": `reports.review_pdf`,
    "docx": `reports.review_docx`), built when the user asks for them."""
    if kind == "pdf":
        from reports.review_pdf import review_pdf

        return review_pdf(src, period, lang)
    from reports.review_docx import review_docx

    return review_docx(src, period, lang)


def stay_or_switch_of(ev: Evaluation):
    return session().stay_or_switch(ev)


def unit_prices_of(ev: Evaluation):
    """Each bid's cost per line per month by profile (`Fleetbid.unit_prices`: read from the
    evaluation's cost table, about 1 ms, so not cached)."""
    return session().unit_prices(ev)


def template_bytes() -> bytes:
    """The price-schedule template (xlsx) of the tender in use, built when the user asks for it."""
    return session().template_bytes()


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


__all__ = ["Source", "audit_claims", "audit_summary", "award", "bundled_contract", "claims_letter_bytes", "claims_workbook_bytes",
           "contract_audit", "contract_source", "evaluation", "line_costs_of", "lines_scenario", "monte_carlo_of", "opened",
           "problems_frame", "report_bytes", "review_bytes", "rio_check_of", "rio_headers_of", "scenario_files", "sensitivity_of",
           "service_levels_of", "session", "source", "stay_or_switch_of", "template_bytes", "use_contract", "use_source", "usage", "whatif", "workbook_bytes"]
