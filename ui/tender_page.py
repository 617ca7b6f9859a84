"""Tender page: the tender in use, uploads with their errors, the fleet, the zip download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reports import charts
from reports.names import amounts_basis
from scenarios.api import Outcome, TenderFiles
from scoring.archive import yaml_bytes, zip_of
from scoring.model import Profile, UsageDistribution, usage_mean
from ui import api
from ui.common import chart, component_name, evaluation_or_stop, lang, number, percent, show_errors, tr
from ui.state import SOURCE, UPLOAD, UPLOAD_PROBLEMS, whatif_scenario


def uploaded(uploads) -> TenderFiles:
    """The uploaded files (Streamlit's UploadedFile) as a tender folder (`TenderFiles.of_uploads`)."""
    return TenderFiles.of_uploads([(up.name, up.getvalue()) for up in uploads])


def files_from_upload(uploads) -> dict[str, bytes]:
    return uploaded(uploads).files


def _on_upload() -> None:
    uploads = st.session_state.get(UPLOAD) or []
    if not uploads:
        return
    read = Outcome.of(uploaded, uploads)
    if not read.ok:
        st.session_state[UPLOAD_PROBLEMS] = read.problems
        return
    st.session_state.pop(UPLOAD_PROBLEMS, None)
    api.use_source(read.value)


def _whatif_file() -> dict[str, bytes]:
    settings = whatif_scenario()
    return {"scenarios/whatif.yaml": yaml_bytes(settings)} if settings else {}


def fleet_table(ev) -> pd.DataFrame:
    fleet = ev.costs.fleet
    names = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    frame = pd.DataFrame(fleet.lines0, index=[p.name or p.id for p in ev.tender.spec.profiles],
                         columns=[names[e] for e in fleet.entities])
    frame[tr("tender.total")] = frame.sum(axis=1)
    frame.index.name = tr("tender.profile")
    return frame.map(lambda x: number(x, 0))


def usage_table(ev) -> pd.DataFrame:
    rows = {}
    for p in ev.tender.spec.profiles:
        cells = {}
        for c, u in p.usage.items():
            if isinstance(u, UsageDistribution):
                cells[component_name(c)] = f"{number(u.mean, 1)} (cv {number(u.cv, 2)}, {u.dist})"
            else:
                cells[component_name(c)] = number(u, 1)
        rows[p.name or p.id] = cells
    frame = pd.DataFrame.from_dict(rows, orient="index").fillna("—")
    frame.index.name = tr("tender.profile")
    return frame


def published_usage(tender) -> dict[str, dict[str, float]]:
    """Each profile's usage as tender.yaml publishes it (mean per line per month), read from
    the file as written: with ``evaluate_on: lines`` the model's profiles carry the export's
    means instead, and a profile that publishes no usage takes the export's."""
    raw = tender.source.tender.data if tender.source is not None else None
    out: dict[str, dict[str, float]] = {}
    for entry in (raw or {}).get("profiles") or []:
        try:
            profile = Profile.model_validate(entry)
        except ValueError:
            continue
        if profile.usage is not None:
            out[profile.id] = {c: usage_mean(u) for c, u in profile.usage.items()}
    return out


def billed_table(summary: pd.DataFrame, component: str, names: dict[str, str],
                 published: dict[str, float]) -> pd.DataFrame:
    """One row per profile: the export's lines and the spread of their mean monthly usage of
    ``component`` (`usage_summary`), and the published profile's mean; units in the headers."""
    rows = summary[summary["component"] == component]
    unit = charts.usage_unit(component, lang())
    decimals = charts.usage_decimals(component)

    def head(key: str) -> str:
        return f"{tr(key)} ({unit})" if unit else tr(key)

    frame = pd.DataFrame({
        tr("billed.col.lines"): [number(v, 0) for v in rows["lines"]],
        head("billed.col.mean"): [number(v, decimals) for v in rows["mean"]],
        head("billed.col.median"): [number(v, decimals) for v in rows["p50"]],
        head("billed.col.p95"): [number(v, decimals) for v in rows["p95"]],
        head("billed.col.p99"): [number(v, decimals) for v in rows["p99"]],
        head("billed.col.max"): [number(v, decimals) for v in rows["max"]],
        tr("billed.col.zero"): [percent(v, 1) for v in rows["zero_share"]],
        head("billed.col.published"): [number(published.get(p), decimals) for p in rows["profile"]],
    }, index=[names.get(p, p) for p in rows["profile"]])
    frame.index.name = tr("tender.profile")
    return frame


def billed_usage(ev) -> None:
    """The billing export's usage per profile (aggregates only), beside the published profiles."""
    read = api.usage()
    if read.ok and read.value is None:
        return
    st.subheader(tr("billed.title"))
    if not read.ok:
        show_errors(read.problems, "billed.errors")
        return
    view = read.value
    st.caption(tr("billed.size", file=view.file, lines=number(view.lines, 0), months=number(view.months, 0),
                  components=len(view.components)))
    components = list(view.components)
    if not components:
        return
    default = "data_gb" if "data_gb" in components else components[0]
    # One widget per language, its labels bound to it: a choice sent back in the other
    # language's label would match no option.
    language = lang()
    component = st.selectbox(tr("billed.component"), components, index=components.index(default),
                             format_func=lambda c: component_name(c, language),
                             key=f"billed_component_{language}", persist_state="session")
    names = {p.id: p.name or p.id for p in ev.tender.spec.profiles}
    published = {p: usage.get(component) for p, usage in published_usage(ev.tender).items()}
    chart(charts.usage_chart(view.summary, component, lang(), names=names, published=published), "billed_chart")
    st.caption(tr("billed.table"))
    st.dataframe(billed_table(view.summary, component, names, published), width="stretch")


def render() -> None:
    src = api.source()
    outcome = api.evaluation()
    ev = outcome.value
    if outcome.ok:
        spec = ev.tender.spec
        st.title(ev.tender.name)
        incumbent = ev.tender.bid(spec.incumbent).operator if spec.incumbent in ev.costs.bids else (spec.incumbent or "—")
        st.caption(tr("tender.caption", buyer=spec.buyer or "", term=spec.term_months, incumbent=incumbent,
                      currency=spec.currency, basis=amounts_basis(ev.tender, lang())))
        cols = st.columns(4)
        cols[0].metric(tr("tender.lines"), number(ev.costs.fleet.lines0.sum(), 0))
        cols[1].metric(tr("tender.entities"), len(spec.entities))
        cols[2].metric(tr("tender.bids"), len(ev.tender.bids))
        cols[3].metric(tr("tender.term"), tr("tender.months", n=spec.term_months))
    else:
        st.title(tr("page.tender"))
    with st.expander(tr("tender.in_use", name=src.name), expanded=not outcome.ok):
        st.file_uploader(tr("tender.upload"), type=["yaml", "yml", "xlsx", "csv", "zip"], accept_multiple_files=True,
                         key=UPLOAD, on_change=_on_upload, help=tr("tender.upload_help"))
        if st.session_state.get(SOURCE) is not None and st.button(tr("tender.example"), key="use_example"):
            api.use_source(None)
            st.rerun()
        if outcome.ok:
            st.download_button(tr("download.template"), data=api.template_bytes,
                               file_name=f"{src.name}-price-schedule.xlsx", key="download_template", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        files = {**src.files, **_whatif_file()}
        # Zipped on click only: the page reruns on every widget change.
        st.download_button(tr("tender.download"), data=lambda: zip_of(files, src.name), file_name=f"{src.name}.zip",
                           mime="application/zip", key="download_zip", on_click="ignore")
    if st.session_state.get(UPLOAD_PROBLEMS) is not None:
        show_errors(st.session_state[UPLOAD_PROBLEMS])
    ev = evaluation_or_stop()
    st.subheader(tr("tender.fleet"))
    st.dataframe(fleet_table(ev), width="stretch")
    st.subheader(tr("tender.usage"))
    st.dataframe(usage_table(ev), width="stretch")
    billed_usage(ev)
    if ev.warnings:
        with st.expander(f"{tr('tender.warnings')} ({len(ev.warnings)})"):
            for w in ev.warnings:
                st.markdown(f"- {w}")
