"""Tender page: the tender in use, uploads with their errors, the fleet, the zip download."""

from __future__ import annotations

from pathlib import PurePosixPath

import pandas as pd
import streamlit as st

from scoring import TenderError
from scoring.archive import MAX_FILE_BYTES, files_from_zip, yaml_bytes, zip_of
from scoring.model import UsageDistribution
from ui import api
from ui.common import component_name, evaluation_or_stop, number, show_errors, tr

KNOWN = {"tender.yaml", "evaluations.yaml", "consensus.yaml"}


def files_from_upload(uploads) -> dict[str, bytes]:
    """Uploaded YAML files (by name: tender, evaluations, consensus, else a bid) or a zip."""
    files: dict[str, bytes] = {}
    for up in uploads:
        data = up.getvalue()
        if up.name.lower().endswith(".zip"):
            files.update(files_from_zip(data, up.name))
            continue
        if len(data) > MAX_FILE_BYTES:
            raise TenderError.at(up.name, "", f"{len(data):,} bytes: over the {MAX_FILE_BYTES:,}-byte limit")
        name = PurePosixPath(up.name).name
        files[name if name in KNOWN else f"bids/{name}"] = data
    return files


def _on_upload() -> None:
    uploads = st.session_state.get("upload") or []
    if not uploads:
        return
    try:
        files = files_from_upload(uploads)
    except TenderError as exc:
        st.session_state["upload_errors"] = api.problems_frame(exc)
        return
    st.session_state.pop("upload_errors", None)
    name = PurePosixPath(uploads[0].name).stem if len(uploads) == 1 else "upload"
    api.use_source(api.Source(name, files))


def _whatif_file() -> dict[str, bytes]:
    settings = st.session_state.get("whatif_scenario")
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


def render() -> None:
    src = api.source()
    ev = api.evaluation()
    if not isinstance(ev, pd.DataFrame):
        spec = ev.tender.spec
        st.title(ev.tender.name)
        incumbent = ev.tender.bid(spec.incumbent).operator if spec.incumbent in ev.costs.bids else (spec.incumbent or "—")
        st.caption(tr("tender.caption", buyer=spec.buyer or "", term=spec.term_months, incumbent=incumbent,
                      currency=spec.currency))
        cols = st.columns(4)
        cols[0].metric(tr("tender.lines"), number(ev.costs.fleet.lines0.sum(), 0))
        cols[1].metric(tr("tender.entities"), len(spec.entities))
        cols[2].metric(tr("tender.bids"), len(ev.tender.bids))
        cols[3].metric(tr("tender.term"), tr("tender.months", n=spec.term_months))
    else:
        st.title(tr("page.tender"))
    with st.expander(tr("tender.in_use", name=src.name), expanded=isinstance(ev, pd.DataFrame)):
        st.file_uploader(tr("tender.upload"), type=["yaml", "yml", "xlsx", "zip"], accept_multiple_files=True,
                         key="upload", on_change=_on_upload, help=tr("tender.upload_help"))
        if st.session_state.get("source") is not None and st.button(tr("tender.example"), key="use_example"):
            api.use_source(None)
            st.rerun()
        if not isinstance(ev, pd.DataFrame):
            st.download_button(tr("download.template"), data=lambda: api.template_bytes(ev),
                               file_name=f"{src.name}-price-schedule.xlsx", key="download_template", on_click="ignore",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        files = {**src.files, **_whatif_file()}
        # Zipped on click only: the page reruns on every widget change.
        st.download_button(tr("tender.download"), data=lambda: zip_of(files, src.name), file_name=f"{src.name}.zip",
                           mime="application/zip", key="download_zip", on_click="ignore")
    if st.session_state.get("upload_errors") is not None:
        show_errors(st.session_state["upload_errors"])
    ev = evaluation_or_stop()
    st.subheader(tr("tender.fleet"))
    st.dataframe(fleet_table(ev), width="stretch")
    st.subheader(tr("tender.usage"))
    st.dataframe(usage_table(ev), width="stretch")
    if ev.warnings:
        with st.expander(f"{tr('tender.warnings')} ({len(ev.warnings)})"):
            for w in ev.warnings:
                st.markdown(f"- {w}")
