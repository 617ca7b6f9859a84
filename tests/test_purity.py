"""`scoring` and `scenarios` are the pure model: they never import streamlit or plotly."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

CHECK = """
import importlib, pkgutil, sys
for package in ("scoring", "scenarios"):
    mod = importlib.import_module(package)
    for info in pkgutil.walk_packages(mod.__path__, package + "."):
        if info.name.endswith("__main__"):
            continue
        importlib.import_module(info.name)
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("streamlit", "plotly"))
print(",".join(bad))
"""


def test_pure_packages_import_neither_streamlit_nor_plotly():
    run = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "", f"imported: {run.stdout.strip()}"


def test_the_check_would_catch_an_import():
    """Guard against a check that cannot fail: importing plotly shows up in sys.modules."""
    probe = CHECK.replace('for package in ("scoring", "scenarios"):', 'import plotly\nfor package in ("scoring",):')
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "plotly" in run.stdout
