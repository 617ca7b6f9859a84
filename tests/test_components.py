"""The cost-component registry (scoring.components) and the cost rules written once
(scoring.pricing, scoring.switching)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from scoring import components
from scoring.cost import COMPONENTS, K, compute_costs
from scoring.fleet import fleet_of
from scoring.load import load_tender
from scoring.pricing import ONE, fund_used, pool_overage, terms_of
from scoring.switching import lost_numbers, parts_of, ported_numbers, switching_parts

from conftest import DATA

EXAMPLE = "tenders/conseil-2027"


def test_the_cube_is_ordered_as_the_registry():
    assert COMPONENTS == components.COMPONENTS == tuple(c.key for c in components.REGISTRY)
    assert dict(K) == {key: k for k, key in enumerate(COMPONENTS)}


@pytest.mark.parametrize("c", components.REGISTRY, ids=lambda c: c.key)
def test_every_component_is_fully_declared(c):
    for lang in ("en", "fr"):
        assert components.label(c.key, lang).strip() and components.rule(c.key, lang).strip()
    assert c.workbook_label.strip()
    assert re.fullmatch(r"#[0-9A-F]{6}", components.colour(c.key))


def test_colours_labels_and_rules_are_distinct_and_the_catalogue_has_them_all():
    assert len(set(components.colours().values())) == len(COMPONENTS)
    for lang in ("en", "fr"):
        assert len({components.label(k, lang) for k in COMPONENTS}) == len(COMPONENTS)
    cat = components.catalogue()
    assert set(cat) == {f"component.{k}" for k in COMPONENTS} | {f"rule.{k}" for k in COMPONENTS}
    assert list(components.workbook_labels()) == list(COMPONENTS)
    with pytest.raises(KeyError):
        components.label("subscriptions", "de")
    with pytest.raises(KeyError):
        components.colour("nope")


def test_pool_overage_one_draw_of_one_is_the_cost_table_rule():
    """The cube's pooled overage is the one-draw case of the draws' rule, to the bit, and
    doubling the line count doubles it."""
    tender = load_tender(EXAMPLE)
    fleet = fleet_of(tender)
    seen = 0
    for bid in tender.bids:
        terms = terms_of(bid, fleet)
        for c in np.flatnonzero(terms.pooled):
            allowance = terms.plans.allowance[0, c] * np.ones(len(fleet.profiles))
            one = pool_overage(fleet, allowance, c, terms.pool_rate[c], terms.kq)
            many = pool_overage(fleet, allowance, c, terms.pool_rate[c], terms.kq, np.ones(3), np.array([1.0, 2.0, 1.0]))
            assert one.shape == (1, len(fleet.period_year))
            assert one.tobytes() == many[0].tobytes() == many[2].tobytes() == pool_overage(
                fleet, allowance, c, terms.pool_rate[c], terms.kq, ONE, ONE)[0].tobytes()
            assert np.array_equal(many[1], 2.0 * one[0])
            seen += 1
    assert seen


def test_fund_used_never_exceeds_spend_nor_fund():
    spend = np.array([[10.0, 10.0, 10.0, 10.0], [0.0, 5.0, 50.0, 5.0]])
    used = fund_used(spend, 25.0)
    assert np.array_equal(used, [[10.0, 10.0, 5.0, 0.0], [0.0, 5.0, 20.0, 0.0]])
    assert np.array_equal(fund_used(spend[1], 25.0), used[1])  # one draw, no draw axis


def test_lost_numbers_is_the_switching_part_and_takes_draws():
    tender = load_tender(EXAMPLE)
    s = tender.spec.switching
    assert s is not None
    assert switching_parts(tender)["lost_numbers"] == lost_numbers(ported_numbers(tender), s.porting_failure_rate,
                                                                   s.lost_number_eur)
    rates = np.array([0.0, s.porting_failure_rate, 0.2])
    drawn = lost_numbers(ported_numbers(tender), rates, s.lost_number_eur)
    assert drawn[0] == 0.0 and drawn[1] == switching_parts(tender)["lost_numbers"]


def test_switching_parts_of_arrays_are_the_tenders_parts_in_each_draw():
    tender = load_tender(EXAMPLE)
    s = tender.spec.switching
    lines = np.array([100.0, 250.0])
    parts = parts_of(s, lines)
    for i, n in enumerate(lines):
        assert {k: float(np.broadcast_to(v, lines.shape)[i]) for k, v in parts.items()} == parts_of(s, float(n))


def test_cost_table_components_are_the_registrys():
    """A v1 tender's cube holds the v1 components (the registry's first ones); one using a
    contract v1.1 addition holds all, and publishes the additions it uses."""
    costs = compute_costs(load_tender(EXAMPLE))
    assert costs.cube.shape[-1] == len(components.V1_COMPONENTS)
    assert COMPONENTS[:len(components.V1_COMPONENTS)] == components.V1_COMPONENTS
    assert set(costs.frame()["component"].cat.categories) == set(components.V1_COMPONENTS)
    assert costs.components == components.V1_COMPONENTS
    v11 = compute_costs(load_tender(DATA / "c2-real-offers"))
    assert v11.cube.shape[-1] == len(components.REGISTRY)
    assert v11.components == COMPONENTS
