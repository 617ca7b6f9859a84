"""The volume discount off plan fees is one rule, `scoring.pricing.discounted_fee`, that the
cost table, the draws, the per-line view and the invoice audit all call."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from scoring.pricing import discounted_fee

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scoring", "scenarios", "reports", "monitoring", "cli", "ui")
# ``1 - discount`` / ``1.0 - contract.discount`` written anywhere (not an NPV discount_rate)
REIMPLEMENTED = re.compile(r"1(\.0)?\s*-\s*[\w.\[\]]*discount(?!_rate)")


def test_discounted_fee_by_hand():
    """Telvia's pro20 plan (docs/tender-format.md): 14.50 a month, 10 % off → 14.50 × 0.9 =
    13.05; 1,050 lines × 13.05 × 12 months = 164,430. Arrays broadcast: fees 10 and 20 with
    discounts 0 and 25 % → 10 and 20 × 0.75 = 15."""
    assert discounted_fee(14.50, 0.10) == pytest.approx(13.05, abs=1e-12)
    assert 1_050 * discounted_fee(14.50, 0.10) * 12 == pytest.approx(164_430.0, abs=1e-6)
    assert discounted_fee(np.array([10.0, 20.0]), np.array([0.0, 0.25])).tolist() == [10.0, 15.0]
    assert discounted_fee(np.array([10.0, 20.0]), 0.0).tolist() == [10.0, 20.0]


@pytest.mark.parametrize("package", PACKAGES)
def test_discount_written_once(package):
    """No module but scoring/pricing.py multiplies by ``(1 − discount)`` itself."""
    hits = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != ROOT / "scoring" / "pricing.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if REIMPLEMENTED.search(line)
    ]
    assert not hits, "volume discount re-implemented; call scoring.pricing.discounted_fee:\n" + "\n".join(hits)
