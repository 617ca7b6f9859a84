"""The contract v1.1 defects: each is an error naming the file and the exact dotted field.

Each case copies the v1.1 conformance sample (tests/data/c2-real-offers, valid) into tmp_path,
breaks one thing in one file and checks the `TenderError` load_tender raises (helpers of
tests/test_validation.py). In the sample: nordic's plan n-std has per-unit rates on data_gb and
roam_world_data_gb, both capped; pooly pools data_gb; sudo's plan s-5 has block rates.
"""

from __future__ import annotations

import shutil

import pytest
from test_validation import assert_problem, chain, edit_yaml, load_error, put

from conftest import DATA

SAMPLE = DATA / "c2-real-offers"
NORDIC, POOLY, SUDO, TENDER = "bids/nordic.yaml", "bids/pooly.yaml", "bids/sudo.yaml", "tender.yaml"

CASES = [
    # id, file, edit, field, words
    ("cap-on-block-rate", SUDO, put("plans.0.caps", {"data_gb": 20}), "plans.0.caps.data_gb", ("block rate",)),
    ("cap-on-pooled", POOLY, put("plans.0.caps", {"data_gb": 20}), "plans.0.caps.data_gb", ("pooled",)),
    ("cap-without-rate", NORDIC, put("plans.0.caps.voice_min", 5), "plans.0.caps.voice_min", ("no rate",)),
    ("block-zero", SUDO, put("plans.0.rates.data_gb.block", 0), "plans.0.rates.data_gb.block", ("greater than 0",)),
    ("block-negative", SUDO, put("plans.0.rates.data_gb.block", -2), "plans.0.rates.data_gb.block",
     ("greater than 0",)),
    ("block-price-negative", SUDO, put("plans.0.rates.data_gb.price", -4), "plans.0.rates.data_gb.price",
     ("greater than or equal to 0",)),
    ("block-without-price", SUDO, put("plans.0.rates.data_gb", {"block": 2}), "plans.0.rates.data_gb.price",
     ("required",)),
    ("block-unknown-field", SUDO, put("plans.0.rates.data_gb", {"block": 2, "price": 4, "per": "GB"}),
     "plans.0.rates.data_gb.per", ("unknown field",)),
    ("rate-not-a-number", NORDIC, put("plans.0.rates.data_gb", "1.5 EUR"), "plans.0.rates.data_gb", ("number",)),
    ("cap-negative", NORDIC, put("plans.0.caps.data_gb", -1), "plans.0.caps.data_gb", ("greater than or equal to 0",)),
    ("per-line-monthly-negative", NORDIC, put("fees.per_line_monthly", -0.35), "fees.per_line_monthly",
     ("greater than or equal to 0",)),
    ("minimum-spend-negative", SUDO, put("fees.minimum_monthly_spend", -1), "fees.minimum_monthly_spend",
     ("greater than or equal to 0",)),
    ("tax-above-100", TENDER, put("non_recoverable_tax_percent", 120), "non_recoverable_tax_percent",
     ("less than or equal to 100",)),
    ("tax-negative", TENDER, put("non_recoverable_tax_percent", -5), "non_recoverable_tax_percent",
     ("greater than or equal to 0",)),
    ("tax-not-a-number", TENDER, put("non_recoverable_tax_percent", "18%"), "non_recoverable_tax_percent",
     ("number",)),
]


@pytest.mark.parametrize(("file", "edit", "field", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_v11_defect_names_file_and_field(tmp_path, file, edit, field, words):
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    edit_yaml(folder, file, chain(edit))
    assert_problem(load_error(folder), file, field, *words)


def test_block_rate_on_a_pooled_component_is_not_an_error(tmp_path):
    """Like any per-plan rate, a block rate on a pooled component is simply not used."""
    from scoring import evaluate
    from scoring.load import load_tender

    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    before = evaluate(load_tender(folder)).to_dict()["bids"][1]["tco"]
    edit_yaml(folder, POOLY, put("plans.0.rates.data_gb", {"block": 1, "price": 50}))
    assert evaluate(load_tender(folder)).to_dict()["bids"][1]["tco"] == pytest.approx(before, abs=1e-9)
