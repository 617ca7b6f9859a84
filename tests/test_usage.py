"""Usage spread across lines: closed-form expected overage against independent methods."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import gammaincc, ndtr

from scoring import evaluate, load_tender
from scoring.usage import GAMMA, LOGNORMAL, expected_excess, sample


def _by_quadrature(mean, cv, dist, a):
    """E[max(0, U − a)] by numerical integration of the density (scipy.stats), sharing no
    formula with the closed form."""
    if dist == "lognormal":
        s2 = np.log1p(cv * cv)
        law = stats.lognorm(s=np.sqrt(s2), scale=np.exp(np.log(mean) - s2 / 2))
    else:
        law = stats.gamma(a=1 / cv**2, scale=mean * cv**2)
    value, _ = integrate.quad(lambda x: (x - a) * law.pdf(x), a, np.inf, limit=200)
    return value


CASES = [(6.0, 1.2, "lognormal", 5.0), (6.0, 1.2, "lognormal", 20.0), (20.0, 0.5, "lognormal", 25.0),
         (6.0, 1.2, "gamma", 5.0), (2.0, 0.3, "gamma", 1.0), (20.0, 2.0, "gamma", 50.0)]


@pytest.mark.parametrize(("mean", "cv", "dist", "a"), CASES)
def test_closed_form_matches_quadrature(mean, cv, dist, a):
    code = {"lognormal": LOGNORMAL, "gamma": GAMMA}[dist]
    assert expected_excess(mean, cv, code, a) == pytest.approx(_by_quadrature(mean, cv, dist, a), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(("mean", "cv", "dist", "a"), CASES)
def test_closed_form_matches_a_plain_monte_carlo(mean, cv, dist, a):
    """400,000 simulated lines: the closed form lies within 4 standard errors of the mean."""
    draws = np.maximum(0.0, sample(mean, cv, dist, 400_000, np.random.default_rng(11)) - a)
    se = draws.std() / np.sqrt(len(draws))
    code = {"lognormal": LOGNORMAL, "gamma": GAMMA}[dist]
    assert abs(expected_excess(mean, cv, code, a) - draws.mean()) <= 4 * se


def test_edges():
    """cv 0: max(0, mean − a); allowance 0: the mean; unlimited: 0."""
    assert expected_excess(6.0, 0.0, 0, 5.0) == 1.0
    assert expected_excess(6.0, 1.2, LOGNORMAL, 0.0) == 6.0
    assert expected_excess(6.0, 1.2, GAMMA, np.inf) == 0.0
    assert expected_excess(0.0, 1.2, LOGNORMAL, 5.0) == 0.0


def _tender(usage, rates=None):
    return ({"term_months": 12, "entities": [{"id": "hq"}],
             "profiles": [{"id": "std", "lines": {"hq": 100}, "usage": {"data_gb": usage}}],
             "evaluation": {"price": {"weight": 100, "formula": "linear"}}},
            {"x": {"plans": [{"id": "p", "monthly_fee": 0.0, "allowances": {"data_gb": 10},
                              "rates": rates if rates is not None else {"data_gb": 2}}], "offer": {"std": "p"}}})


def test_tender_with_a_usage_distribution_costs_the_expected_overage(make_tender):
    """100 lines, data lognormal mean 6 GB, cv 1.2; 10 GB included, €2/GB beyond, 12 months.
    The average line (6 GB) never pays; the expected bill is 100 × 12 × 2 × E[max(0, U−10)]
    with E from numerical integration. A spreadsheet DQE on the average line says 0."""
    tender, bids = _tender({"mean": 6, "cv": 1.2, "dist": "lognormal"})
    out = evaluate(load_tender(make_tender(tender, bids))).to_dict()["bids"][0]
    expected = 100 * 12 * 2 * _by_quadrature(6, 1.2, "lognormal", 10)
    assert out["cost_breakdown"]["usage"] == pytest.approx(expected, abs=0.01)
    assert expected > 1000  # the heavy users the average hides


def test_spread_usage_needs_a_rate_beyond_a_finite_allowance(make_tender):
    """Without a data rate, a mean of 6 GB under a 10 GB allowance is fine for a fixed usage
    but not for a spread one: some lines exceed 10 GB and nothing prices them."""
    fixed, bids = _tender(6, rates={})
    assert evaluate(load_tender(make_tender(fixed, bids))).to_dict()["bids"][0]["compliant"]
    spread, bids = _tender({"mean": 6, "cv": 1.2}, rates={})
    out = evaluate(load_tender(make_tender(spread, bids))).to_dict()["bids"][0]
    assert not out["compliant"] and "varies across lines" in out["knockouts"][0]


def test_hidden_service_cost_by_hand(make_tender):
    """100 lines for 12 months; defaults: 2 support calls and 0.15 incidents per line-year,
    2 working hours lost per replacement day, €37.3 an hour.
    Bid a: answers in 5 min, replaces in 2 days:
      per line-year 37.3 × (2 × 5/60 + 0.15 × 2 × 2) = 37.3 × 0.766667 = 28.5967
      × 100 line-years = 2,859.67.
    Bid b: 15 min, 5 days: 37.3 × (0.5 + 1.5) = 74.6 → 7,460.
    With basis tco_service the price compares TCO + hidden cost: a 1,200 + 2,859.67 = 4,059.67
    vs b 1,000 + 7,460 = 8,460 → a gets the full price points although b is cheaper."""
    tender = {"term_months": 12, "entities": [{"id": "hq"}],
              "profiles": [{"id": "std", "lines": {"hq": 100}, "usage": {"voice_min": 1}}],
              "service_costs": {}, "evaluation": {"price": {"weight": 100, "basis": "tco_service"}}}
    def bid(fee, minutes, days):
        return {"plans": [{"id": "p", "monthly_fee": fee, "allowances": {"voice_min": "unlimited"}}],
                "offer": {"std": "p"}, "service": {"support_answer_minutes": minutes, "sim_replacement_days": days}}
    out = {b["id"]: b for b in evaluate(load_tender(make_tender(tender, {"a": bid(1.0, 5, 2),
                                                                         "b": bid(1000 / 1200, 15, 5)}))).to_dict()["bids"]}
    assert out["a"]["service_cost"] == pytest.approx(2859.6667, abs=0.01)
    assert out["b"]["service_cost"] == pytest.approx(7460, abs=0.01)
    assert out["a"]["tco_service"] == pytest.approx(4059.6667, abs=0.01)
    assert out["a"]["price_score"] == pytest.approx(100) and out["b"]["price_score"] == pytest.approx(100 * 4059.6667 / 8460, abs=1e-3)


def test_missing_commitment_cannot_be_priced_under_tco_service(make_tender):
    tender = {"term_months": 12, "entities": [{"id": "hq"}],
              "profiles": [{"id": "std", "lines": {"hq": 10}, "usage": {"voice_min": 1}}],
              "service_costs": {}, "evaluation": {"price": {"weight": 100, "basis": "tco_service"}}}
    plan = {"id": "p", "monthly_fee": 1, "allowances": {"voice_min": "unlimited"}}
    bids = {"a": {"plans": [plan], "offer": {"std": "p"}, "service": {"support_answer_minutes": 5}}}
    out = evaluate(load_tender(make_tender(tender, bids))).to_dict()
    assert out["bids"][0]["service_cost"] is None and not out["bids"][0]["compliant"]
    assert "service commitment is missing" in out["bids"][0]["knockouts"][0]
    assert any("sim_replacement_days" in w for w in out["warnings"])


# --------------------------------------------------------------------------- tiny and huge spreads (issue 12)

TINY = (1e-16, 1e-100, 1e-155, 1e-160, 1e-200, 1e-300, 5e-324)


@pytest.mark.parametrize("cv", TINY)
@pytest.mark.parametrize("code", [LOGNORMAL, GAMMA])
def test_a_vanishing_spread_is_the_fixed_usage_without_a_warning(cv, code):
    """As cv → 0 the expected excess tends to max(0, mean − a): a cv whose square underflows
    (or whose gamma shape 1/cv² overflows) gives that limit, never NaN, and NumPy warns of
    nothing (every warning is an error here, as with ``python -W error``)."""
    means = np.array([20.0, 20.0, 20.0, 1e-300, 1e12, 6.0])
    allowances = np.array([25.0, 15.0, 20.0, 5.0, 1.0, 5.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = expected_excess(means, cv, code, allowances)
    assert np.all(np.isfinite(got))
    assert got == pytest.approx(np.maximum(0.0, means - allowances), rel=1e-9, abs=1e-6)


@pytest.mark.parametrize("cv", [1e-8, 1.0, 50.0, 1e6, 1e12])
@pytest.mark.parametrize("code", [LOGNORMAL, GAMMA])
def test_any_spread_stays_between_the_fixed_usage_and_the_mean_without_a_warning(cv, code):
    """E[max(0, U − a)] lies in [max(0, mean − a), mean] for every cv up to the 10¹² cap,
    tiny means and huge allowances included."""
    means = np.array([20.0, 20.0, 1e-300, 1e12, 6.0, 1e-3])
    allowances = np.array([25.0, 15.0, 5.0, 1.0, 1e12, 1e-300])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = expected_excess(means, cv, code, allowances)
    assert np.all(np.isfinite(got))
    assert np.all(got >= np.maximum(0.0, means - allowances) * (1 - 1e-9) - 1e-6)
    assert np.all(got <= means * (1 + 1e-9) + 1e-6)


@pytest.mark.parametrize("dist", ["lognormal", "gamma"])
def test_sampling_with_a_vanishing_spread_gives_the_mean(dist):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sample(6.0, 1e-300, dist, 5, np.random.default_rng(1))
    assert got == pytest.approx(np.full(5, 6.0), rel=1e-12)


def test_a_tender_with_cv_1e_300_is_evaluated_like_fixed_usage_without_warnings(tmp_path):
    """The bundled example with its two spread usages given cv 1.0e-300 (as typed in YAML):
    every command runs with ``python -W error`` (a NumPy warning would be a traceback), exit 0,
    nothing on stderr — it used to print NumPy warnings and a misleading "costs overflow" — and
    the TCOs are those of the same usages with no spread."""
    import json
    import shutil
    import subprocess
    import sys

    from conftest import ROOT

    def variant(name, cv):
        folder = tmp_path / name
        shutil.copytree(ROOT / "tenders" / "conseil-2027", folder)
        text = (folder / "tender.yaml").read_text()
        for old in ("{mean: 20, cv: 0.35, dist: lognormal}", "{mean: 5, cv: 0.8, dist: gamma}",
                    "{mean: 1.0, cv: 2.0, dist: gamma}"):
            assert old in text
            text = text.replace(old, old.replace(old.split("cv: ")[1].split(",")[0], cv))
        (folder / "tender.yaml").write_text(text)
        return folder

    tiny, fixed = variant("tiny", "1.0e-300"), variant("fixed", "0")
    env = {"PATH": "/usr/bin:/bin", "FLEETBID_PSEUDONYM_KEY": "k"}
    runs = {}
    for name, args in {"evaluate": ["-m", "scoring", "evaluate", "--json"],
                       "montecarlo": ["-m", "scenarios", "montecarlo", "--draws", "200", "--json"],
                       "dqe": ["-m", "scenarios", "dqe", "--json"],
                       "sensitivity": ["-m", "scenarios", "sensitivity", "--json"]}.items():
        for folder in (tiny, fixed) if name == "evaluate" else (tiny,):
            run = subprocess.run([sys.executable, "-W", "error", *args, str(folder)], cwd=ROOT, env=env,
                                 capture_output=True, text=True, timeout=300)
            assert (run.returncode, run.stderr) == (0, ""), (name, folder.name, run.stderr[-2000:])
            runs[name, folder.name] = json.loads(run.stdout)
    tco = {name: {b["id"]: b["tco"] for b in runs["evaluate", name]["bids"]} for name in ("tiny", "fixed")}
    assert tco["tiny"].keys() == tco["fixed"].keys()
    for bid_id, value in tco["fixed"].items():
        if value is not None and tco["tiny"][bid_id] is not None:
            assert tco["tiny"][bid_id] == pytest.approx(value, rel=1e-12), bid_id


def _closed_form_as_first_written(mean, cv, dist, a):
    """The closed forms as they were before the narrow-spread guard (for ordinary spreads)."""
    mean, cv, dist, a = (np.atleast_1d(np.asarray(x, float)) for x in (mean, cv, dist, a))
    out = np.maximum(0.0, mean - a)
    for code in (LOGNORMAL, GAMMA):
        cells = (cv > 0) & (mean > 0) & (a > 0) & np.isfinite(a) & (dist == code)
        m, x_a, c = mean[cells], a[cells], cv[cells]
        if code == LOGNORMAL:
            s2 = np.log1p(c * c)
            s = np.sqrt(s2)
            d1 = (np.log(m / x_a) + s2 / 2) / s
            out[cells] = m * ndtr(d1) - x_a * ndtr(d1 - s)
        else:
            k = 1.0 / (c * c)
            x = x_a / (m * c * c)
            out[cells] = m * gammaincc(k + 1.0, x) - x_a * gammaincc(k, x)
    return np.maximum(out, 0.0)


def test_ordinary_spreads_give_the_same_bits_as_before():
    rng = np.random.default_rng(3)
    n = 20_000
    mean, a = rng.uniform(0, 50, n), rng.uniform(0, 60, n)
    cv = np.where(rng.uniform(size=n) < 0.1, 0.0, rng.uniform(0.01, 3.0, n))
    dist = rng.integers(1, 3, n)
    assert np.array_equal(expected_excess(mean, cv, dist, a), _closed_form_as_first_written(mean, cv, dist, a))
