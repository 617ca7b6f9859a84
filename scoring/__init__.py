"""Fleetbid's pure model: load a tender, cost every bid, score and rank them.

Never imports streamlit or plotly (a test asserts it).
"""

from pathlib import Path

from .errors import Problem, TenderError
from .evaluate import Evaluation, evaluate
from .load import load_tender

EXAMPLE_TENDER = Path(__file__).resolve().parent.parent / "tenders" / "conseil-2027"

__all__ = ["EXAMPLE_TENDER", "Evaluation", "Problem", "TenderError", "evaluate", "load_tender"]
