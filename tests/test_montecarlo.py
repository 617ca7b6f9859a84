"""Monte Carlo over the uncertainty block (scenarios.montecarlo) and the vectorised cost over
draws it rests on (scoring.cost.cost_draws).

What is checked, and against what:
- probabilities add up: each bid's rank probabilities to its P(compliant); over bids, P(rank r)
  to the share of draws with at least r compliant bids; P(cheapest) to the share of draws
  with a compliant bid (counts recomputed draw by draw);
- with no uncertainty the result is the engine's: one-hot ranks, every TCO percentile the
  engine's TCO;
- the same seed gives the same bytes (also through the CLI), another seed other numbers;
- ``cost_draws`` against the full engine on a tender edited by hand for each draw (usage
  means × m, lines × λ, switching × m with shares capped at 1, every offer pinned to the
  baseline plan assignment), volume tiers crossed on purpose; and each Monte Carlo draw ranks
  like the engine ranks that hand-edited tender, under several price formulas and bases;
- an independent plain-loop Monte Carlo (numpy pseudo-random draws, one full engine run per
  draw through a scenario overlay) agrees within 4 standard errors;
- Dirichlet weights: a huge concentration changes nothing, a small one lets the runner-up win;
- usage outgrowing an allowance that has no rate knocks the bid out of that draw only.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import scenarios.montecarlo as mc_module
from scenarios.montecarlo import draw_multipliers, monte_carlo
from scenarios.overlay import apply, scenario_from_dict
from scoring import evaluate, load_tender
from scoring.cost import Draws, cost_draws, unit_draws, volume_discount
from scoring.model import Switching, Uncertainty

from conftest import DATA, ROOT

EXAMPLE = ROOT / "tenders" / "conseil-2027"
C1 = DATA / "c1-sample"
SHARES = ("port_share", "porting_failure_rate")


@functools.cache
def _load(path):
    return load_tender(path)


def _scenario(tender, **spec):
    return apply(tender, scenario_from_dict({"name": "test", **spec}))


def _uncertainty(**block) -> Uncertainty:
    return Uncertainty.model_validate(block)


def _pinned(ev) -> dict:
    """Every costed bid's offer replaced by its baseline plan assignment (one plan per
    profile): cost_draws holds the mix fixed, so the hand-edited tender must too."""
    return {b: {"offer": dict(a)} for b, a in ev.costs.plan_assignment.items() if a is not None}


def _hand_edited(tender, ev, usage: dict[str, float], lines: float, switching: dict[str, float]):
    """The tender edited as one draw prescribes: usage means × m_c, lines × λ, switching
    fields × m (shares capped at 1), offers pinned to the baseline mix."""
    base = tender.spec.switching or Switching()
    values = {f: getattr(base, f) * m for f, m in switching.items()}
    values = {f: float(min(1.0, v) if f in SHARES else v) for f, v in values.items()}
    return _scenario(tender, scale={"usage": usage, "lines": lines}, set={"switching": values} if values else {},
                     bids=_pinned(ev))


def _compliant_counts(ev, uncertainty, n, seed) -> np.ndarray:
    """Compliant bids in each draw, recomputed: the same draws, cost_draws' usability and the
    static knock-outs."""
    draws, _ = draw_multipliers(ev, uncertainty, n, seed)
    count = np.zeros(n, dtype=int)
    for bid in ev.tender.bids:
        if ev.costs.costed(bid.id) and ev.ranking.compliant[bid.id]:
            count += cost_draws(ev.tender, ev.costs.fleet, bid, ev.costs.plan_assignment[bid.id], draws).usable
    return count


# --------------------------------------------------------------------------- small tenders

def _capped_tender(make_tender, reference: str = "compliant", only_capped: bool = False, capped12: bool = True):
    """One profile using 8 GB a month, data uncertain (lognormal, cv 0.3). `capped10` and
    `capped12` include 10 and 12 GB and price nothing beyond: a draw with usage over the cap
    knocks them out. `metered` bills beyond 10 GB; `premium` is unlimited with the best support.
    At the baseline `capped10` wins (cheapest, same support as the other two)."""
    tender = {
        "name": "capped", "term_months": 12, "entities": [{"id": "hq"}],
        "profiles": [{"id": "staff", "lines": {"hq": 100}, "usage": {"data_gb": 8}}],
        "evaluation": {"price": {"weight": 60, "reference": reference}, "criteria": [
            {"id": "support", "weight": 40, "from": "service.support", "better": "lower", "best": 1, "worst": 10}]},
        "uncertainty": {"usage": {"data_gb": {"dist": "lognormal", "cv": 0.3}}},
    }

    def bid(fee, allowance, rate=None, support=5):
        plan = {"id": "p", "monthly_fee": fee, "allowances": {"data_gb": allowance}}
        if rate is not None:
            plan["rates"] = {"data_gb": rate}
        return {"plans": [plan], "offer": {"staff": "p"}, "service": {"support": support}}

    bids = {"capped10": bid(10, 10)} | ({"capped12": bid(10.5, 12)} if capped12 else {})
    if not only_capped:
        bids |= {"metered": bid(11, 10, rate=1), "premium": bid(16, "unlimited", support=1)}
    return load_tender(make_tender(tender, bids))


def _c1_close():
    """The C1 sample with Cobalt's recurring prices × 0.75: Boréal (pooled data, so it pays
    for every extra GB) and Cobalt (per-line 15 GB bundles) swap places as data usage moves
    around its mean, and Cobalt's 10 GB tablet plan without a rate fails above ×1.67."""
    return _scenario(_load(C1), scale={"prices": {"cobalt": 0.75}})


C1_UNCERTAINTY = {"usage": {"data_gb": {"dist": "lognormal", "cv": 0.3}},
                  "switching": {"porting_failure_rate": {"dist": "triangular", "low": 0.5, "high": 4}}}


def _case(name, make_tender):
    """(evaluation, uncertainty or None for the tender's block) of the property cases."""
    if name == "example":
        return evaluate(_load(EXAMPLE)), None
    if name == "c1-close":
        return evaluate(_c1_close()), _uncertainty(**C1_UNCERTAINTY, weights={"concentration": 50})
    if name == "c1-close-topsis":
        return (evaluate(_scenario(_c1_close(), set={"evaluation": {"method": "topsis"}})),
                _uncertainty(**C1_UNCERTAINTY, weights={"concentration": 50}))
    if name == "capped":
        return evaluate(_capped_tender(make_tender)), None
    if name == "only-capped":
        return evaluate(_capped_tender(make_tender, only_capped=True)), None
    raise AssertionError(name)


# --------------------------------------------------------------------------- 1. probabilities add up

@pytest.mark.parametrize("case", ["example", "c1-close", "c1-close-topsis", "capped", "only-capped"])
def test_probabilities_add_up(case, make_tender):
    ev, uncertainty = _case(case, make_tender)
    n, seed = 3000, 5
    out = monte_carlo(ev, n, seed, uncertainty).to_dict()
    bids = out["bids"]
    B = len(bids)
    assert [b["id"] for b in bids] == list(ev.costs.bids)
    for b in bids:
        assert len(b["rank_probabilities"]) == B
        assert sum(b["rank_probabilities"]) == pytest.approx(b["p_compliant"], abs=1e-12)
        assert 0.0 <= b["p_cheapest"] <= b["p_compliant"] + 1e-12
        assert (b["expected_regret"] is None) == (b["p_compliant"] == 0)
        if b["expected_regret"] is not None:
            assert b["expected_regret"] >= -1e-6
    count = _compliant_counts(ev, uncertainty if uncertainty is not None else ev.tender.spec.uncertainty, n, seed)
    for r in range(1, B + 1):
        assert sum(b["rank_probabilities"][r - 1] for b in bids) == pytest.approx((count >= r).mean(), abs=1e-12)
    assert sum(b["p_cheapest"] for b in bids) == pytest.approx((count >= 1).mean(), abs=1e-12)
    if case in ("capped", "only-capped", "c1-close"):
        assert len(set(count)) > 1, "the case is meant to knock bids out of some draws"
    if case == "only-capped":
        assert (count == 0).any() and (count == 2).any()
        assert sum(b["p_cheapest"] for b in bids) < 1


# --------------------------------------------------------------------------- 2. no uncertainty

VARIANTS = {
    "c1 as given": (C1, {}),
    "example without its block": (EXAMPLE, {"uncertainty": None}),
    "c1 linear on bid cost": (C1, {"evaluation": {"price": {"formula": "linear", "basis": "bid"}}}),
    "c1 deviation on npv": (C1, {"evaluation": {"price": {"formula": "deviation", "basis": "npv"}}}),
    "c1 bounded": (C1, {"evaluation": {"price": {"formula": "bounded", "bounds": {"best": 600000, "worst": 800000}}}}),
    "c1 topsis": (C1, {"evaluation": {"method": "topsis"}}),
    "example reference all": (EXAMPLE, {"uncertainty": None, "evaluation": {"price": {"reference": "all"}}}),
    "example tco_service": (EXAMPLE, {"uncertainty": None, "evaluation": {"price": {"basis": "tco_service"}}}),
}


def _assert_matches_engine(out: dict, ev) -> None:
    """A Monte Carlo result whose draws are all the baseline: the engine's ranks and TCOs."""
    r = ev.ranking
    compliant_tco = {b: ev.figures[b].tco for b in ev.costs.bids if r.compliant[b]}
    cheapest = min(compliant_tco, key=lambda b: (compliant_tco[b], b)) if compliant_tco else None
    for b in out["bids"]:
        bid_id = b["id"]
        expected_ranks = [1.0 if r.rank[bid_id] == k else 0.0 for k in range(1, len(out["bids"]) + 1)]
        assert b["rank_probabilities"] == expected_ranks, bid_id
        assert b["p_compliant"] == (1.0 if r.compliant[bid_id] else 0.0)
        assert b["p_cheapest"] == (1.0 if bid_id == cheapest else 0.0)
        tco = ev.figures[bid_id].tco
        for q in ("tco_p5", "tco_p50", "tco_p95"):
            assert b[q] == (None if tco is None else pytest.approx(tco, rel=1e-12)), (bid_id, q)
        if r.compliant[bid_id]:
            assert b["expected_regret"] == pytest.approx(tco - compliant_tco[cheapest], rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_without_uncertainty_the_engine_result_comes_back(variant):
    path, edit = VARIANTS[variant]
    tender = _scenario(_load(path), set=edit) if edit else _load(path)
    assert tender.spec.uncertainty is None
    ev = evaluate(tender)
    out = monte_carlo(ev, 50, 3, None).to_dict()
    assert out["draws"] == 50 and out["seed"] == 3
    winner = next(b for b in out["bids"] if b["id"] == ev.winner)
    assert winner["rank_probabilities"][0] == 1.0
    _assert_matches_engine(out, ev)


# --------------------------------------------------------------------------- 3. reproducibility

def test_same_seed_same_bytes_other_seed_other_numbers():
    ev = evaluate(_load(EXAMPLE))
    first = json.dumps(monte_carlo(ev, 2000, 7).to_dict())
    assert json.dumps(monte_carlo(evaluate(load_tender(EXAMPLE)), 2000, 7).to_dict()) == first
    other = monte_carlo(ev, 2000, 8).to_dict()
    assert other["seed"] == 8 and other["draws"] == 2000
    # Every bid's TCO median moves with the draws (the ranks may well not).
    assert all(o["tco_p50"] != f["tco_p50"] for o, f in zip(other["bids"], json.loads(first)["bids"], strict=True))


def test_cli_is_byte_for_byte_reproducible():
    cmd = [sys.executable, "-m", "scenarios", "montecarlo", "tenders/conseil-2027", "--draws", "2000", "--seed", "7",
           "--json"]
    runs = [subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert json.loads(runs[0].stdout) == monte_carlo(evaluate(_load(EXAMPLE)), 2000, 7).to_dict()


# --------------------------------------------------------------------------- 4. cost_draws = the engine

@pytest.mark.parametrize("path", [EXAMPLE, C1], ids=["example", "c1"])
def test_cost_draws_at_unit_multipliers_is_the_engine(path):
    tender = _load(path)
    ev = evaluate(tender)
    monthly = ev.costs.monthly()
    costed = [b for b in tender.bids if ev.costs.costed(b.id)]
    assert len(costed) >= 3
    for bid in costed:
        result = cost_draws(tender, ev.costs.fleet, bid, ev.costs.plan_assignment[bid.id], unit_draws(ev.costs.fleet, 3))
        b = ev.costs.index(bid.id)
        assert result.usable.all()
        assert np.abs(result.monthly - monthly[b]).max() <= 1e-6, bid.id
        assert result.switching == pytest.approx(ev.figures[bid.id].tco - ev.figures[bid.id].bid_cost, abs=1e-6)


# Line multipliers chosen to cross volume tiers: the example's Telvia (500 / 1,500 lines, the
# fleet has 2,000) and the C1 sample's Boréal (500 / 1,000 lines, the fleet has 670); 0.75
# and 500/670 land exactly on a threshold (reached: `initial lines ≥ min_lines`).
LINES = {"example": [0.7, 0.75, 0.9, 1.2, 0.74], "c1": [0.7, 500 / 670, 1.2, 1.6, 1.45]}


def _random_draws(fleet, lines, rng, usage=(0.6, 1.5)) -> Draws:
    n = len(lines)
    return Draws(usage=rng.uniform(*usage, (n, len(fleet.components))), lines=np.array(lines, dtype=float),
                 switching={f: rng.uniform(0.5, 2.0, n) for f in Switching.model_fields})


def _draw_edit(tender, ev, draws: Draws, i: int):
    fleet = ev.costs.fleet
    return _hand_edited(tender, ev, dict(zip(fleet.components, map(float, draws.usage[i]))), float(draws.lines[i]),
                        {f: float(m[i]) for f, m in draws.switching.items()})


@pytest.mark.parametrize("name", ["example", "c1"])
def test_cost_draws_at_random_multipliers_is_the_hand_edited_tender(name):
    tender = _load({"example": EXAMPLE, "c1": C1}[name])
    ev = evaluate(tender)
    fleet = ev.costs.fleet
    draws = _random_draws(fleet, LINES[name], np.random.default_rng(2027))
    costed = [b for b in tender.bids if ev.costs.costed(b.id)]
    results = {b.id: cost_draws(tender, fleet, b, ev.costs.plan_assignment[b.id], draws) for b in costed}
    # The tiers really are crossed: some bid gets different discounts across these draws.
    assert any(len({volume_discount(b, lam * fleet.lines0.sum()) for lam in draws.lines}) > 1 for b in costed)
    compared = knocked_out = 0
    for i in range(draws.n):
        edited = evaluate(_draw_edit(tender, ev, draws, i))
        for bid_id, result in results.items():
            k = edited.costs.index(bid_id)
            assert bool(result.usable[i]) == edited.costs.costed(bid_id), (i, bid_id, edited.costs.knockouts[bid_id])
            if not edited.costs.costed(bid_id):
                knocked_out += 1
                continue
            compared += 1
            assert np.abs(result.monthly[i] - edited.costs.monthly()[k]).max() <= 1e-6, (i, bid_id)
            assert result.monthly[i].sum() == pytest.approx(edited.figures[bid_id].tco, rel=1e-12)
            fig = edited.figures[bid_id]
            assert result.switching[i] == pytest.approx(fig.tco - fig.bid_cost, abs=1e-6), (i, bid_id)
    assert compared >= 2 * draws.n
    if name == "c1":  # usage × 1.5 outgrows some allowances without a rate: both sides agree on it
        assert knocked_out > 0


RANK_VARIANTS = {
    "example as given": (EXAMPLE, {}),
    "example reference all": (EXAMPLE, {"evaluation": {"price": {"reference": "all"}}}),
    "example tco_service": (EXAMPLE, {"evaluation": {"price": {"basis": "tco_service"}}}),
    "c1 ratio": (C1, {}),
    "c1 linear on bid cost": (C1, {"evaluation": {"price": {"formula": "linear", "basis": "bid"}}}),
    "c1 deviation on npv": (C1, {"evaluation": {"price": {"formula": "deviation", "basis": "npv"}}}),
    "c1 topsis": (C1, {"evaluation": {"method": "topsis"}}),
}


@pytest.mark.parametrize("variant", list(RANK_VARIANTS))
def test_each_draw_ranks_like_the_engine_on_the_hand_edited_tender(variant, monkeypatch):
    """One draw at a time fed to monte_carlo (draw_multipliers replaced): its ranks, cheapest
    bid and TCOs are the engine's on that draw's hand-edited tender. Multipliers stay within
    every plan's allowances here (knock-outs in a draw: see the capped-tender tests)."""
    path, edit = RANK_VARIANTS[variant]
    tender = _scenario(_load(path), set=edit) if edit else _load(path)
    ev = evaluate(tender)
    fleet = ev.costs.fleet
    lines = LINES["example" if path == EXAMPLE else "c1"]
    draws = _random_draws(fleet, lines, np.random.default_rng(99), usage=(0.8, 1.25))
    for i in range(draws.n):
        one = Draws(usage=draws.usage[i : i + 1], lines=draws.lines[i : i + 1],
                    switching={f: m[i : i + 1] for f, m in draws.switching.items()})
        monkeypatch.setattr(mc_module, "draw_multipliers", lambda *args, one=one: (one, None))
        out = monte_carlo(ev, 1, 0).to_dict()
        edited = evaluate(_draw_edit(tender, ev, draws, i))
        assert all(edited.costs.costed(b) == ev.costs.costed(b) for b in ev.costs.bids)
        _assert_matches_engine(out, edited)


# --------------------------------------------------------------------------- 5. against a plain loop

def test_agrees_with_an_independent_plain_loop_monte_carlo():
    """400 pseudo-random draws (numpy default_rng, the laws written out independently: a
    lognormal of mean 1 and cv 0.3 on data usage, a triangular 0.5–1–4 on the porting failure
    rate), each draw one full engine run on the C1 sample edited by a scenario overlay (offers
    pinned to the baseline mix). monte_carlo's P(rank 1), P(compliant), mean TCO and TCO
    percentiles lie within 4 standard errors of the loop's, plus a small QMC allowance."""
    base = _c1_close()
    ev = evaluate(base)
    uncertainty = _uncertainty(**C1_UNCERTAINTY)
    n_mc, seed = 4096, 11
    result = monte_carlo(ev, n_mc, seed, uncertainty)
    out = {b["id"]: b for b in result.to_dict()["bids"]}

    rng = np.random.default_rng(2027)
    n = 400
    s = np.sqrt(np.log1p(0.3**2))
    m_data = rng.lognormal(-s * s / 2, s, n)
    m_fail = rng.triangular(0.5, 1.0, 4.0, n)
    failure0 = base.spec.switching.porting_failure_rate
    ids = list(ev.costs.bids)
    winners, tco = [], {b: np.full(n, np.nan) for b in ids}
    for i in range(n):
        edited = evaluate(_scenario(base, scale={"usage": {"data_gb": float(m_data[i])}},
                                    set={"switching": {"porting_failure_rate": float(min(1.0, failure0 * m_fail[i]))}},
                                    bids=_pinned(ev)))
        winners.append(edited.winner)
        for b in ids:
            if edited.costs.costed(b):
                tco[b][i] = edited.figures[b].tco
    winners = np.array(winners, dtype=object)

    # The uncertainty is chosen to matter: the winner flips, and Cobalt is knocked out sometimes.
    assert 0.1 < out["cobalt"]["rank_probabilities"][0] < 0.9
    assert 0.1 < out["boreal"]["rank_probabilities"][0] < 0.9
    assert 0.0 < out["cobalt"]["p_compliant"] < 1.0

    def close(p_loop, p_mc):
        return abs(p_loop - p_mc) <= 4 * np.sqrt(p_mc * (1 - p_mc) / n) + 0.01

    for b in ids:
        assert close((winners == b).mean(), out[b]["rank_probabilities"][0]), b
        assert close((~np.isnan(tco[b])).mean(), out[b]["p_compliant"]), b

    # Mean TCO: over every draw for bids never knocked out; for Cobalt over the draws where it
    # can be costed (monte_carlo's own TCO array masked by its draws' usability).
    draws, _ = draw_multipliers(ev, uncertainty, n_mc, seed)
    for b in ids:
        costed = ~np.isnan(tco[b])
        if costed.all():
            mc_tco = result.tco[b]
        else:
            usable = cost_draws(base, ev.costs.fleet, base.bid(b), ev.costs.plan_assignment[b], draws).usable
            assert 0 < (~usable).sum() < n_mc
            mc_tco = result.tco[b][usable]
        loop = tco[b][costed]
        se = loop.std(ddof=1) / np.sqrt(len(loop))
        assert abs(loop.mean() - mc_tco.mean()) <= 4 * se + 1e-3 * loop.mean(), b
        if costed.all():
            # Distribution-free: the share of loop TCOs below monte_carlo's P-th percentile.
            for q, key in ((0.05, "tco_p5"), (0.5, "tco_p50"), (0.95, "tco_p95")):
                share = (loop <= out[b][key]).mean()
                assert abs(share - q) <= 4 * np.sqrt(q * (1 - q) / n) + 0.01, (b, key)


def test_draws_follow_their_laws():
    """The quasi-random multipliers have each law's moments: lognormal mean 1 and cv,
    triangular mean (low + 1 + high) / 3, uniform mean (low + high) / 2."""
    ev = evaluate(_load(C1))
    u = _uncertainty(usage={"data_gb": {"dist": "lognormal", "cv": 0.4}, "*": {"dist": "uniform", "low": 0.8,
                                                                                 "high": 1.4}},
                     lines={"dist": "triangular", "low": 0.9, "high": 1.5},
                     switching={"project_eur": {"dist": "lognormal", "cv": 0.0}})
    draws, weights = draw_multipliers(ev, u, 8192, 4)
    assert weights is None
    c = list(ev.costs.fleet.components)
    data = draws.usage[:, c.index("data_gb")]
    assert data.mean() == pytest.approx(1.0, abs=0.005) and data.std() == pytest.approx(0.4, rel=0.03)
    voice = draws.usage[:, c.index("voice_min")]
    assert voice.mean() == pytest.approx(1.1, abs=0.003) and voice.min() >= 0.8 and voice.max() <= 1.4
    assert stats.kstest(voice, stats.uniform(0.8, 0.6).cdf).statistic < 0.01
    assert draws.lines.mean() == pytest.approx((0.9 + 1 + 1.5) / 3, abs=0.003)
    assert stats.kstest(draws.lines, stats.triang(c=0.1 / 0.6, loc=0.9, scale=0.6).cdf).statistic < 0.01
    assert np.array_equal(draws.switching["project_eur"], np.ones(8192))


# --------------------------------------------------------------------------- 6. Dirichlet weights

def _without_weights(u: Uncertainty, concentration: float | None) -> Uncertainty:
    block = u.model_dump(exclude_none=True)
    block.pop("weights", None)
    if concentration is not None:
        block["weights"] = {"concentration": concentration}
    return _uncertainty(**block)


def test_huge_concentration_is_no_weight_uncertainty():
    ev = evaluate(_load(EXAMPLE))
    u = ev.tender.spec.uncertainty
    assert u is not None and u.weights is not None
    fixed = monte_carlo(ev, 3000, 2, _without_weights(u, None)).to_dict()
    assert monte_carlo(ev, 3000, 2, _without_weights(u, 1e9)).to_dict() == fixed


def test_small_concentration_lets_the_runner_up_win():
    """The example: Novacom wins by 4.4 points over Telvia. The usage, line and switching
    uncertainty alone never changes that; weights drawn around the stated ones do sometimes."""
    ev = evaluate(_load(EXAMPLE))
    u = ev.tender.spec.uncertainty
    winner, runner_up = ev.winner, ev.explanation.runner_up
    assert (winner, runner_up) == ("novacom", "telvia") and ev.explanation.margin < 5
    p1 = lambda out, b: next(x for x in out["bids"] if x["id"] == b)["rank_probabilities"][0]  # noqa: E731
    fixed = monte_carlo(ev, 3000, 2, _without_weights(u, None)).to_dict()
    assert p1(fixed, winner) == 1.0 and p1(fixed, runner_up) == 0.0
    loose = monte_carlo(ev, 3000, 2, _without_weights(u, 5)).to_dict()
    assert 0.05 < p1(loose, runner_up) < 0.5 < p1(loose, winner)


def test_dirichlet_weights_have_the_stated_mean_and_spread():
    """Dirichlet(c × w / 100): mean w, sd 100 × √(p(1 − p)/(c + 1)) with p = w / 100."""
    ev = evaluate(_load(EXAMPLE))
    spec = ev.tender.spec.evaluation
    stated = np.array([spec.price.weight, *(c.weight for c in spec.criteria)])
    for concentration in (5.0, 200.0):
        _, weights = draw_multipliers(ev, _uncertainty(weights={"concentration": concentration}), 8192, 9)
        assert weights.shape == (8192, len(stated))
        assert np.allclose(weights.sum(axis=1), 100.0)
        p = stated / 100
        sd = 100 * np.sqrt(p * (1 - p) / (concentration + 1))
        assert np.all(np.abs(weights.mean(axis=0) - stated) <= 4 * sd / np.sqrt(8192) + 0.02)
        assert weights.std(axis=0) == pytest.approx(sd, rel=0.05)


# --------------------------------------------------------------------------- 7. knock-out in a draw

def test_usage_over_an_allowance_without_rate_knocks_the_bid_out_of_that_draw(make_tender):
    tender = _capped_tender(make_tender)
    ev = evaluate(tender)
    assert ev.winner == "capped10" and all(ev.ranking.compliant.values())
    out = {b["id"]: b for b in monte_carlo(ev, 4000, 3).to_dict()["bids"]}
    # 8 GB × m over 10 GB when m > 1.25; over 12 GB when m > 1.5 (m lognormal, mean 1, cv 0.3).
    s = np.sqrt(np.log1p(0.09))
    for bid_id, cap in (("capped10", 1.25), ("capped12", 1.5)):
        p = stats.norm.cdf((np.log(cap) + s * s / 2) / s)
        b = out[bid_id]
        assert 0 < b["p_compliant"] < 1
        assert b["p_compliant"] == pytest.approx(p, abs=0.01)
        assert sum(b["rank_probabilities"]) == pytest.approx(b["p_compliant"], abs=1e-12)
    # capped10 wins whenever it is in; once it is out, someone else wins.
    assert out["capped10"]["rank_probabilities"][0] == out["capped10"]["p_compliant"]
    assert out["capped10"]["expected_regret"] == 0.0
    others = sum(out[b]["rank_probabilities"][0] for b in ("capped12", "metered", "premium"))
    assert others == pytest.approx(1 - out["capped10"]["p_compliant"], abs=1e-12)
    assert out["metered"]["p_compliant"] == out["premium"]["p_compliant"] == 1.0


def test_reference_all_ignores_bids_knocked_out_in_the_draw(make_tender, monkeypatch):
    """At usage × 1.27 `capped10` and nothing else is knocked out; the engine on that
    hand-edited tender leaves it out of the price pool, so `metered` wins."""
    tender = _capped_tender(make_tender, reference="all", capped12=False)
    ev = evaluate(tender)
    one = Draws(usage=np.array([[1.27]]), lines=np.ones(1), switching={})
    monkeypatch.setattr(mc_module, "draw_multipliers", lambda *args: (one, None))
    out = monte_carlo(ev, 1, 0).to_dict()
    edited = evaluate(_hand_edited(tender, ev, {"data_gb": 1.27}, 1.0, {}))
    assert not edited.costs.costed("capped10") and edited.winner == "metered"
    ranks = {b["id"]: b["rank_probabilities"] for b in out["bids"]}
    assert ranks == {b: [1.0 if edited.ranking.rank[b] == r else 0.0 for r in range(1, 4)] for b in ranks}


# --------------------------------------------------------------------------- 7. limits (issue 12)

def test_too_many_draws_is_one_clean_error_before_anything_is_drawn(monkeypatch):
    """Over FLEETBID_MAX_DRAWS (lowered here to 1,000) the run is refused at once — no
    MemoryError traceback after minutes of drawing — with one problem naming --draws."""
    from scoring.errors import TenderError

    monkeypatch.setattr(mc_module, "MAX_DRAWS", 1000, raising=False)
    ev = evaluate(_load(EXAMPLE))
    assert monte_carlo(ev, 1000, 1).draws == 1000
    with pytest.raises(TenderError) as caught:
        monte_carlo(ev, 1001, 1)
    [problem] = caught.value.problems
    assert str(problem).startswith("--draws: 1001: more than the 1,000 draws allowed"), str(problem)
    assert "FLEETBID_MAX_DRAWS" in problem.message


def test_too_many_draws_on_the_command_line_exits_2_with_one_line():
    env = {"PATH": "/usr/bin:/bin", "FLEETBID_MAX_DRAWS": "5_000", "FLEETBID_PSEUDONYM_KEY": "k"}
    run = subprocess.run([sys.executable, "-m", "scenarios", "montecarlo", "--draws", "10000000"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines() == [
        "error: --draws: 10000000: more than the 5,000 draws allowed (environment variable FLEETBID_MAX_DRAWS)"]


def test_the_default_maximum_is_refused_quickly_and_in_little_memory():
    """10,000,000 draws (the issue's MemoryError) against the default maximum of 1,000,000."""
    import time
    import tracemalloc

    from scoring.errors import TenderError

    ev = evaluate(_load(EXAMPLE))
    start = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(TenderError, match="more than the 1,000,000 draws allowed"):
            monte_carlo(ev, 10_000_000, 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - start < 5 and peak < 2**20


def test_monthly_costs_are_computed_a_chunk_of_draws_at_a_time(monkeypatch, make_tender):
    """Draws × months × 8 bytes per array no longer grows with the draws: 4,000 draws of a
    100-year term (38 MB per such array, several of them at once: 229 MB before) stay under 48 MB."""
    import tracemalloc

    monkeypatch.setattr(mc_module, "CHUNK_BYTES", 4 * 2**20, raising=False)
    plan = {"id": "p", "monthly_fee": 10.0, "allowances": {"data_gb": 5}, "rates": {"data_gb": 2.0}}
    folder = make_tender(
        {"name": "long", "term_months": 1200, "entities": [{"id": "e"}],
         "profiles": [{"id": "a", "lines": {"e": 100}, "usage": {"data_gb": 4.0}}],
         "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                        "criteria": []},
         "uncertainty": {"usage": {"*": {"dist": "lognormal", "cv": 0.2}},
                         "lines": {"dist": "uniform", "low": 0.9, "high": 1.1}}},
        {"x": {"plans": [plan], "offer": {"a": "p"}}, "y": {"plans": [{**plan, "monthly_fee": 10.5}], "offer": {"a": "p"}}})
    ev = evaluate(load_tender(folder))
    tracemalloc.start()
    try:
        out = monte_carlo(ev, 4000, 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.bids[0]["tco_p5"] < out.bids[0]["tco_p95"]
    assert peak < 48 * 2**20, f"peak {peak / 2**20:.0f} MiB"


@pytest.mark.parametrize("basis", ["tco", "npv", "tco_service"])
def test_chunks_of_draws_are_deterministic_and_agree_with_one_chunk(monkeypatch, basis):
    """A run of up to CHUNK_BYTES / (8 × months) draws (116,508 over 36 months) is one chunk,
    computed as before. A longer run in chunks is deterministic, and agrees with one chunk to
    the last bits (vectorised log/exp and BLAS may round a last bit differently with the
    number of rows), with the same probabilities."""
    tender = _scenario(_load(EXAMPLE), set={"evaluation": {"price": {"basis": basis}}})
    ev = evaluate(tender)
    whole = monte_carlo(ev, 300, 5).to_dict()
    monkeypatch.setattr(mc_module, "CHUNK_BYTES", 8 * 36 * 7)  # 7 draws a chunk
    chunked = monte_carlo(ev, 300, 5).to_dict()
    assert json.dumps(monte_carlo(ev, 300, 5).to_dict()) == json.dumps(chunked)
    for one, many in zip(whole["bids"], chunked["bids"], strict=True):
        for key, value in one.items():
            if isinstance(value, float):
                assert many[key] == pytest.approx(value, rel=1e-12, abs=1e-6), key
            else:
                assert many[key] == value, key
