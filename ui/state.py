"""The session-state keys pages share, in one place.

Pages read and write ``st.session_state`` only through these names (a widget's own key,
used by its page alone, stays beside the widget). The What-if page keeps its controls under
the ``WHATIF_*`` keys; switching the tender in use (`ui.api.use_source`) drops them, as they
belong to the previous tender.
"""

from __future__ import annotations

import streamlit as st

LANG = "lang"  # the sidebar's language switch (app.py): "EN" or "FR"
CURRENCY = "currency"  # the tender's currency, set by ui.common.evaluation_or_stop for the money format
SOURCE = "source"  # the tender in use: an uploaded scenarios.api.TenderFiles, None for the bundled example
UPLOAD = "upload"  # the Tender page's file uploader
UPLOAD_PROBLEMS = "upload_errors"  # why the last upload could not be read (Problems), shown on the Tender page
SCENARIO_PROBLEMS = "scenario_errors"  # why the last scenario file could not be loaded (What-if page)
WHATIF_SCENARIO = "whatif_scenario"  # the What-if settings as a scenario mapping (None: the tender as written)
WHATIF_LOADED = "whatif_loaded"  # the name of the scenario file loaded into the What-if controls
WHATIF_EXTRA = "whatif_extra"  # the loaded scenario's parts no control shows, applied as they are
RIO_APPLIED = "rio_applied"  # Switching page: the porting scenario of the RIO check last applied to the What-if settings

WHATIF_PREFIXES = ("w_", "u_", "p_")  # weights, usage scales, price changes: one key per criterion/component/bid
WHATIF_SINGLE = ("lines", "growth", "porting")
WHATIF_OTHER = (WHATIF_EXTRA, WHATIF_SCENARIO, WHATIF_LOADED, RIO_APPLIED)
AWARD_PREFIX = "award_"  # the Award split page's rules (ui/award_page.py): award_unit, award_fix_<unit>, …
AUDIT_SOURCE = "audit_source"  # the contract in use on the Invoice audit page: an uploaded monitoring.api.ContractFiles
AUDIT_UPLOAD = "audit_upload"  # the Invoice audit page's file uploader (a zip of a contract folder)
AUDIT_UPLOAD_PROBLEMS = "audit_upload_errors"  # why the last contract upload could not be read (Problems)
AUDIT_BUNDLED = "audit_bundled"  # the bundled contract picked (a folder name under contracts/)
SERVICE_SECOND = "service_second"  # Service & review page: a second bundled contract beside the one in use (split award)


def whatif_scenario() -> dict | None:
    """The What-if page's settings as a scenario, None when they leave the tender as written."""
    return st.session_state.get(WHATIF_SCENARIO)


def whatif_name(scenario: dict) -> str:
    """How the What-if settings are named: the scenario file loaded, else the scenario's name."""
    return st.session_state.get(WHATIF_LOADED) or scenario.get("name")


def reset_award() -> None:
    """Forget the Award split page's rules (they belong to the tender in use)."""
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith(AWARD_PREFIX):
            del st.session_state[key]


def reset_whatif() -> None:
    """Forget the What-if page's settings."""
    for key in list(st.session_state):
        if isinstance(key, str) and (key.startswith(WHATIF_PREFIXES) or key in (*WHATIF_SINGLE, *WHATIF_OTHER)):
            del st.session_state[key]


__all__ = ["AUDIT_BUNDLED", "AUDIT_SOURCE", "AUDIT_UPLOAD", "AUDIT_UPLOAD_PROBLEMS", "AWARD_PREFIX", "CURRENCY", "LANG", "RIO_APPLIED", "SCENARIO_PROBLEMS", "SERVICE_SECOND", "SOURCE", "UPLOAD", "UPLOAD_PROBLEMS", "WHATIF_EXTRA",
           "WHATIF_LOADED", "WHATIF_OTHER", "WHATIF_PREFIXES", "WHATIF_SCENARIO", "WHATIF_SINGLE", "reset_award", "reset_whatif",
           "whatif_name", "whatif_scenario"]
