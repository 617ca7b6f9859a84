"""Sensitivity: which assumptions move the TCOs and the winner's margin, and how far each
weight can move before the winner changes.

Tornado: every driver — usage of each component, line counts, line growth, usage growth,
each bid's recurring prices, each switching assumption — is moved to ×(1 − δ) and
×(1 + δ) (δ = 20 % by default; shares capped at 1) through a scenario overlay, and the tender
is evaluated again: every bid's TCO and the baseline winner's margin (its total minus the
best other total; negative when it no longer wins, None when it is knocked out).

Weight stability: for each weight (price and each criterion), the range of values over which
the winner does not change, the other weights rescaled to keep 100, and who wins beyond each
end. Under the weighted sum every total is linear in the weight, so each boundary is found
exactly (a scan then bisection to 1e-9); under TOPSIS the same scan and bisection apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scoring.evaluate import Evaluation, evaluate
from scoring.model import Evaluation as EvaluationSpec
from scoring.model import Switching
from scoring.rank import rank_bids

from .overlay import apply, scenario_from_dict

DELTA = 0.2
SHARES = ("port_share", "porting_failure_rate")


def _profile_growth(ev: Evaluation, factor: float, field: str) -> dict:
    profiles = []
    for p in ev.tender.spec.profiles:
        if field == "line_growth":
            profiles.append({"id": p.id, "line_growth": p.line_growth * factor})
        else:
            profiles.append({"id": p.id, "usage_growth": {c: g * factor for c, g in p.usage_growth.items()}})
    return {"profiles": profiles}


def drivers(ev: Evaluation) -> list[tuple[str, Callable[[float], dict]]]:
    """(name, factor → scenario dict) for every driver that exists in this tender."""
    spec = ev.tender.spec
    out: list[tuple[str, Callable[[float], dict]]] = []
    used = [c for c in ev.costs.fleet.components if ev.costs.fleet.used[:, ev.costs.fleet.components.index(c)].any()]
    for c in used:
        out.append((f"usage: {c}", lambda f, c=c: {"scale": {"usage": {c: f}}}))
    out.append(("lines", lambda f: {"scale": {"lines": f}}))
    if any(p.line_growth for p in spec.profiles):
        out.append(("line growth", lambda f: {"set": _profile_growth(ev, f, "line_growth")}))
    if any(p.usage_growth for p in spec.profiles):
        out.append(("usage growth", lambda f: {"set": _profile_growth(ev, f, "usage_growth")}))
    for bid in ev.tender.bids:
        out.append((f"prices: {bid.id}", lambda f, b=bid.id: {"scale": {"prices": {b: f}}}))
    if spec.switching is not None:
        for field in Switching.model_fields:
            value = getattr(spec.switching, field)
            if value:
                cap = 1.0 if field in SHARES else np.inf
                out.append((f"switching: {field}",
                            lambda f, k=field, v=value, cap=cap: {"set": {"switching": {k: float(min(cap, v * f))}}}))
    return out


def _margin(ev: Evaluation, winner: str | None) -> float | None:
    r = ev.ranking
    if winner is None or r.total.get(winner) is None:
        return None
    others = [t for b, t in r.total.items() if b != winner and t is not None]
    return r.total[winner] - max(others) if others else None  # type: ignore[operator]


def tornado(ev: Evaluation, delta: float = DELTA) -> list[dict]:
    """Each driver at ×(1−δ) and ×(1+δ): TCO per bid, winner and the baseline winner's margin,
    sorted by how far the driver swings that margin."""
    rows = []
    base_winner = ev.winner
    for name, make in drivers(ev):
        row: dict = {"driver": name}
        for side, factor in (("low", 1 - delta), ("high", 1 + delta)):
            scenario = scenario_from_dict({"name": f"{name} ×{factor:g}", **make(factor)})
            moved = evaluate(apply(ev.tender, scenario))
            if moved.spec != ev.spec:  # keep the weights in use (a what-if may have re-weighted)
                moved = moved.rerank(ev.spec)
            row[side] = {
                "factor": factor,
                "tco": {b: moved.figures[b].tco for b in moved.costs.bids},
                "winner": moved.winner,
                "margin": _margin(moved, base_winner),
            }
        rows.append(row)
    base = _margin(ev, base_winner) or 0.0

    def swing(row: dict) -> float:
        return max(abs((row[s]["margin"] if row[s]["margin"] is not None else -1e9) - base) for s in ("low", "high"))

    return sorted(rows, key=lambda r: (-swing(r), r["driver"]))


def with_weight(spec: EvaluationSpec, key: str, weight: float) -> EvaluationSpec:
    """The evaluation block with one weight set and the others rescaled to keep 100."""
    current = spec.price.weight if key == "price" else next(c.weight for c in spec.criteria if c.id == key)
    rest = 100.0 - current
    factor = (100.0 - weight) / rest if rest > 0 else 0.0
    price_w = weight if key == "price" else spec.price.weight * factor
    criteria = [c.model_copy(update={"weight": weight if c.id == key else c.weight * factor}) for c in spec.criteria]
    return spec.model_copy(update={"price": spec.price.model_copy(update={"weight": price_w}), "criteria": criteria})


def weight_stability(ev: Evaluation, steps: int = 200) -> list[dict]:
    spec = ev.spec  # the evaluation block in use (a what-if may have re-weighted it)
    keys = ["price", *(c.id for c in spec.criteria)]
    stated = {"price": spec.price.weight, **{c.id: c.weight for c in spec.criteria}}

    def winner_at(key: str, w: float) -> str | None:
        return rank_bids(ev.tender, ev.figures, ev.criteria, ev.costs.knockouts, with_weight(spec, key, w)).winner

    out = []
    for key in keys:
        w0 = stated[key]
        if w0 >= 100.0 or ev.winner is None:
            out.append({"weight": key, "stated": w0, "winner": ev.winner, "stable_from": None, "stable_to": None,
                        "below": None, "above": None})
            continue
        grid = np.unique(np.concatenate([np.linspace(0.0, 100.0, steps + 1), [w0]]))
        winners = [winner_at(key, float(w)) for w in grid]
        i0 = int(np.flatnonzero(grid == w0)[0])
        lo_i, hi_i = i0, i0
        while lo_i > 0 and winners[lo_i - 1] == ev.winner:
            lo_i -= 1
        while hi_i < len(grid) - 1 and winners[hi_i + 1] == ev.winner:
            hi_i += 1
        lo = float(grid[lo_i]) if lo_i == 0 else _boundary(winner_at, key, grid[lo_i - 1], grid[lo_i], ev.winner)
        hi = float(grid[hi_i]) if hi_i == len(grid) - 1 else _boundary(winner_at, key, grid[hi_i + 1], grid[hi_i], ev.winner)
        out.append({
            "weight": key, "stated": w0, "winner": ev.winner, "stable_from": lo, "stable_to": hi,
            "below": winners[lo_i - 1] if lo_i > 0 else None,
            "above": winners[hi_i + 1] if hi_i < len(grid) - 1 else None,
        })
    return out


def _boundary(winner_at, key: str, outside: float, inside: float, winner: str | None) -> float:
    """Bisection between a weight where another bid wins and one where ``winner`` does;
    returns the last weight (to 1e-9) at which ``winner`` still wins."""
    a, b = float(outside), float(inside)
    while abs(b - a) > 1e-9:
        mid = (a + b) / 2
        if winner_at(key, mid) == winner:
            b = mid
        else:
            a = mid
    return b


@dataclass(frozen=True)
class Sensitivity:
    tornado: list[dict]
    weights: list[dict]

    def to_dict(self) -> dict:
        return {"tornado": self.tornado, "weight_stability": self.weights}


def sensitivity(ev: Evaluation, delta: float = DELTA) -> Sensitivity:
    return Sensitivity(tornado(ev, delta), weight_stability(ev))
