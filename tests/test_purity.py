"""`scoring` and `scenarios` are the pure model: they never import streamlit or plotly.

Which package may import which (the layers of docs/architecture.md) is the import contract's
job (.importlinter, run by CI as `lint-imports`); this file checks the third-party side, by
importing every module, and that the contract's import graph sees imports inside functions."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_the_import_contract_counts_imports_inside_functions():
    """lint-imports (grimp) reads every import statement, not only the module-level ones: the
    command line imports the workbook writer inside a function, and the graph has that edge."""
    grimp = pytest.importorskip("grimp")
    graph = grimp.build_graph("cli", "reports", "scenarios", "scoring")
    assert graph.direct_import_exists(importer="cli.scoring", imported="reports.workbook")
    line = graph.get_import_details(importer="cli.scoring", imported="reports.workbook")[0]["line_contents"]
    assert line.startswith("from reports.workbook import")
    assert (ROOT / "cli" / "scoring.py").read_text().count("\n    from reports.workbook import") == 1  # in a function
