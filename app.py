"""Fleetbid — Streamlit entry point. Routes pages only; everything shown is computed in
`scoring`/`scenarios` and wrapped for the UI in `ui/api.py`."""

import streamlit as st

from ui import tender_page

st.set_page_config(page_title="Fleetbid", page_icon="📶", layout="wide")
page = st.navigation([st.Page(tender_page.render, title="Tender", url_path="tender", default=True)])
page.run()
