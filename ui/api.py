"""The one place where the pure API is wrapped for Streamlit (caching, error capture).

Pages import from here, never call `scoring` loaders directly, so every page shares one
cached evaluation per tender folder (keyed on the files' modification times, so an edit
on disk is picked up).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from scoring import EXAMPLE_TENDER, Evaluation, TenderError, evaluate, load_tender


def _fingerprint(folder: str) -> tuple:
    root = Path(folder)
    if not root.is_dir():
        return ()
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*.y*ml")))


@st.cache_resource(show_spinner=False, max_entries=16)
def _evaluate(folder: str, fingerprint: tuple) -> Evaluation | pd.DataFrame:
    # An Evaluation is immutable, so the cached object is shared rather than copied.
    try:
        return evaluate(load_tender(folder))
    except TenderError as exc:
        return problems_frame(exc)


def problems_frame(exc: TenderError) -> pd.DataFrame:
    return pd.DataFrame([{"file": p.file, "field": p.field, "problem": p.message} for p in exc.problems])


def evaluation(folder: str | None = None) -> Evaluation | pd.DataFrame:
    """The evaluation of a tender folder, or a table of its input errors."""
    folder = str(folder or st.session_state.get("tender_dir") or EXAMPLE_TENDER)
    return _evaluate(folder, _fingerprint(folder))
