"""The session-state keys pages share, in one place.

The What-if page keeps its controls in ``st.session_state`` under these keys; switching the
tender in use (`ui.api.use_source`) drops them, as they belong to the previous tender.
"""

from __future__ import annotations

import streamlit as st

WHATIF_PREFIXES = ("w_", "u_", "p_")  # weights, usage scales, price changes: one key per criterion/component/bid
WHATIF_SINGLE = ("lines", "growth", "porting")
WHATIF_OTHER = ("whatif_extra", "whatif_scenario", "whatif_loaded")


def reset_whatif() -> None:
    """Forget the What-if page's settings."""
    for key in list(st.session_state):
        if isinstance(key, str) and (key.startswith(WHATIF_PREFIXES) or key in (*WHATIF_SINGLE, *WHATIF_OTHER)):
            del st.session_state[key]


__all__ = ["WHATIF_OTHER", "WHATIF_PREFIXES", "WHATIF_SINGLE", "reset_whatif"]
