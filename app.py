"""Fleetbid — Streamlit entry point. Routes pages only; everything shown is computed in
`scoring`/`scenarios` (asked through the facade `scenarios/api.py`) and cached for the UI in `ui/api.py`."""

import streamlit as st

from ui import (
    audit_page,
    award_page,
    compare_page,
    costs_page,
    service_page,
    state,
    summary_page,
    switching_page,
    tender_page,
    whatif_page,
)
from ui.common import tr
from ui.gate import require_access

st.set_page_config(page_title="Fleetbid", page_icon="📶", layout="wide")
with st.sidebar:
    # Options are the labels so the shared address reads ?lang=FR (a bound widget puts its
    # displayed label in the URL).
    st.segmented_control("Language · Langue", ["EN", "FR"], key=state.LANG, default="EN", bind="query-params")
# Off unless .streamlit/secrets.toml has an [access] section; then nothing below runs
# before the password is right (after the language switch, so the form can be in French).
require_access()
pages = [
    st.Page(tender_page.render, title=tr("page.tender"), url_path="tender", default=True),
    st.Page(compare_page.render, title=tr("page.compare"), url_path="compare"),
    st.Page(costs_page.render, title=tr("page.costs"), url_path="costs"),
    st.Page(switching_page.render, title=tr("page.switching"), url_path="switching"),
    st.Page(whatif_page.render, title=tr("page.whatif"), url_path="what-if"),
    st.Page(award_page.render, title=tr("page.award"), url_path="award-split"),
    st.Page(summary_page.render, title=tr("page.summary"), url_path="summary"),
    st.Page(audit_page.render, title=tr("page.audit"), url_path="invoice-audit"),
    st.Page(service_page.render, title=tr("page.service"), url_path="service-review"),
]
st.navigation(pages).run()
