"""Printable reports of an evaluation (PDF). Lives outside `scoring` because the charts
need plotly, which the pure model never imports."""

from .pdf import ReportError, build_report, input_files

__all__ = ["ReportError", "build_report", "input_files"]
