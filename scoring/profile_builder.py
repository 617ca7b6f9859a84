"""Build tender usage profiles from a billing export (line × month usage).

Input: the normalised long table the billing-export reader returns — columns ``line`` (id),
``entity``, optional ``profile``, ``month`` (Period or string) and one float column per usage
component in the tender format's units (GB, minutes, messages). A usage that is infinite or
beyond ±10¹² (`scoring.model.MAX_AMOUNT`, the bound on every amount) is a ValueError naming
the component.

Method
------
1. **Per-line level.** Rows are summed per (line, month) (an export may split a month), missing
   values count as 0, and each line's mean monthly usage is taken over the months it appears in.
   A line's entity is the one of its latest month.
2. **Segmentation.** Features are ``log1p`` of the per-line means, standardised per component
   (components that never vary are dropped), so minutes and gigabytes weigh alike and a
   heavy tail does not grab a segment for itself. k-means (``scipy.cluster.vq.kmeans2``,
   k-means++ start, 8 restarts from a fixed seed, the lowest within-segment sum of squares
   kept) runs for k = 1..``max_profiles``. The elbow rule picks k: the smallest k for which one
   more segment would explain less than ``ELBOW`` (5 %) of the total sum of squares.
   Segments are ordered by line count (largest first, ties by centroid) and named
   ``seg1``…; ``name`` describes their mean usage.
3. **Distributions.** Per segment and component, the profile's ``mean`` is the mean of the
   per-line means (so the segment's total volume is kept exactly). The spread describes what
   an operator bills: by default (``spread="line_months"``) the cv is that of the segment's
   line-month values, i.e. the lines' spread plus their month-to-month variation; with
   ``spread="lines"`` it is the cv of the per-line means only (which understates overage
   when lines vary from month to month). Lognormal and gamma with that mean and cv are
   compared by log-likelihood on the same values (zeros floored at half the smallest
   positive value) and the better one is kept. A cv under ``MIN_CV`` gives a plain number;
   a component the segment never uses is left out.
4. **Reproduction check** (the ``report``). A reference price per segment and component: an
   allowance at the segment's median per-line usage and a rate per unit (``rates``, or a
   default by unit: 5 €/GB, 0.10 €/min, 0.05 €/SMS; roaming world ×10). The billed overage
   ``Σ_lines mean_months max(0, u − a) × rate`` is compared with what the profiles say,
   ``lines × scoring.usage.expected_excess(mean, cv, dist, a) × rate``; the ratio
   profiles / billed should be close to 1. The same ratio for the average-line DQE,
   ``lines × max(0, mean − a) × rate``, shows what a price schedule built on the average line
   misses. Figures are given per component and in total, and for the other ``spread`` too.

Output profiles have no growth; ``lines`` are counts per entity (entities with none left out).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy import stats
from scipy.cluster.vq import kmeans2

from scoring.model import MAX_AMOUNT
from scoring.usage import DIST_CODES, expected_excess

ELBOW = 0.05
MIN_CV = 0.01
RESTARTS = 8
BASE_COLUMNS = ("line", "entity", "profile", "month")


def _sig(x: float, digits: int = 4) -> float:
    """Round to significant digits (readable YAML; the report uses the rounded values)."""
    return 0.0 if x == 0 or not math.isfinite(x) else float(f"{x:.{digits}g}")


def default_rate(component: str) -> float:
    """A simple reference rate per unit, guessed from the component's name."""
    name = component.lower()
    rate = 5.0 if ("gb" in name or "data" in name) else 0.05 if "sms" in name else 0.10
    return rate * 10 if "world" in name else rate


def _per_line(table: pd.DataFrame, components: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(line-month usage, per-line summary with entity, profile and mean usage)."""
    missing = [c for c in ("line", "entity", "month", *components) if c not in table.columns]
    if missing:
        raise ValueError(f"usage table lacks column(s): {', '.join(missing)}")
    if table.empty:
        raise ValueError("usage table is empty")
    data = table.copy()
    data["month"] = data["month"].astype(str)
    data[components] = data[components].apply(pd.to_numeric, errors="coerce").fillna(0.0).astype(float)
    _check_magnitudes(data, components)
    monthly = data.groupby(["line", "month"], sort=True)[components].sum().reset_index()
    last = data.sort_values(["line", "month"], kind="mergesort").groupby("line", sort=True).last()
    lines = monthly.groupby("line", sort=True)[components].mean()
    lines.insert(0, "entity", last["entity"].astype(str))
    if "profile" in data.columns:
        lines.insert(1, "profile", last["profile"].astype(str))
    return monthly, lines


def _check_magnitudes(data: pd.DataFrame, components: list[str]) -> None:
    """ValueError when a usage is infinite or beyond ±`MAX_AMOUNT` (10¹², the model's bound on
    every amount, which the billing-export reader enforces too): the spread of a 1e200 would
    overflow (its cv infinite, then rounded to 0 and divided by)."""
    for component in components:
        values = data[component].to_numpy(float)
        bad = ~(np.abs(values) <= MAX_AMOUNT)
        if bad.any():
            raise ValueError(
                f"usage table: {int(bad.sum()):,} value(s) of {component} beyond the maximum of 10^12 a line and "
                f"month or not finite (the first: {values[bad][0]:g})"
            )


def _kmeans(x: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Best of RESTARTS k-means++ runs: (centroids, labels, within sum of squares)."""
    if k == 1:
        c = x.mean(axis=0, keepdims=True)
        return c, np.zeros(len(x), int), float(((x - c) ** 2).sum())
    best = None
    for r in range(RESTARTS):
        rng = np.random.default_rng([seed, k, r])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            c, labels = kmeans2(x, k, iter=50, minit="++", missing="warn", rng=rng)
        if len(np.unique(labels)) < k:
            continue
        wss = float(((x - c[labels]) ** 2).sum())
        if best is None or wss < best[2] - 1e-12:
            best = (c, labels, wss)
    if best is None:  # never k non-empty segments (too few distinct lines)
        return _kmeans(x, 1, seed)
    return best


def _segment(features: np.ndarray, max_profiles: int, seed: int) -> tuple[np.ndarray, list[float]]:
    n_distinct = len(np.unique(features, axis=0)) if features.shape[1] else 1
    k_max = max(1, min(max_profiles, n_distinct))
    runs = [_kmeans(features, k, seed) for k in range(1, k_max + 1)] if features.shape[1] else [
        (None, np.zeros(len(features), int), 0.0)]
    wss = [r[2] for r in runs]
    total = wss[0]
    k = 1
    while k < len(runs) and total > 0 and (wss[k - 1] - wss[k]) / total >= ELBOW:
        k += 1
    return runs[k - 1][1], wss


def _loglik(values: np.ndarray, mean: float, cv: float, dist: str) -> float:
    if dist == "lognormal":
        s2 = math.log1p(cv * cv)
        return float(stats.lognorm.logpdf(values, math.sqrt(s2), scale=mean * math.exp(-s2 / 2)).sum())
    return float(stats.gamma.logpdf(values, 1 / (cv * cv), scale=mean * cv * cv).sum())


def fit_distribution(values: np.ndarray, mean: float | None = None) -> float | dict:
    """``{mean, cv, dist}`` (moments; lognormal or gamma by log-likelihood), or a number."""
    values = np.sort(np.asarray(values, float))  # sums in a fixed order, whatever the lines' order
    mean = float(values.mean()) if mean is None else float(mean)
    if mean <= 0 or len(values) < 2:
        return _sig(max(mean, 0.0))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing spread is handled below
        cv = float(values.std(ddof=1)) / float(values.mean()) if values.mean() > 0 else 0.0
    if cv < MIN_CV:
        return _sig(mean)
    positive = values[values > 0]
    scored = np.maximum(values, positive.min() / 2)
    cv_r = _sig(cv, 3)
    if not cv_r > 0:  # an overflowing spread: never with amounts within MAX_AMOUNT (checked on input)
        return _sig(mean)
    best = max(("lognormal", "gamma"), key=lambda d: (_loglik(scored, mean, cv_r, d), d == "lognormal"))
    return {"mean": _sig(mean), "cv": cv_r, "dist": best}


def _params(spec: float | dict) -> tuple[float, float, int]:
    if isinstance(spec, dict):
        return spec["mean"], spec["cv"], DIST_CODES[spec["dist"]]
    return float(spec), 0.0, 0


def _describe(usage: dict[str, Any], n: int) -> str:
    parts = []
    for component, spec in usage.items():
        mean = spec["mean"] if isinstance(spec, dict) else spec
        parts.append(f"{component} {mean:.3g}")
    return f"{n} line{'s' if n != 1 else ''}: " + (", ".join(parts) if parts else "no usage")


def build_profiles(
    table: pd.DataFrame,
    components: list[str],
    max_profiles: int = 5,
    seed: int = 0,
    *,
    spread: str = "line_months",
    rates: dict[str, float] | None = None,
) -> tuple[list[dict], dict]:
    """Segment the lines of a usage table into at most ``max_profiles`` tender profiles.

    Returns ``(profiles, report)``: profiles as tender-format dicts (``id``, ``name``,
    ``lines``, ``usage``), the report with the segmentation and the cost-reproduction figures
    (see the module docstring).
    """
    if spread not in ("line_months", "lines"):
        raise ValueError(f"spread must be 'line_months' or 'lines', got {spread!r}")
    if max_profiles < 1:
        raise ValueError("max_profiles must be at least 1")
    components = list(components)
    entity = table["entity"] if "entity" in table.columns else None
    monthly, lines = _per_line(table, components)
    rates = {c: (rates or {}).get(c, default_rate(c)) for c in components}
    # Lines in order of usage, not of their ids (pseudonyms differ from one key to another):
    # the same export gives the same profiles on every machine.
    lines = lines.iloc[np.lexsort(lines[components].to_numpy(float).T[::-1])] if components else lines

    logs = np.log1p(np.clip(lines[components].to_numpy(float), 0, None))
    sd = logs.std(axis=0)
    keep = sd > 1e-9
    features = (logs[:, keep] - logs[:, keep].mean(axis=0)) / sd[keep]
    labels, wss = _segment(features, max_profiles, seed)

    # Stable order: largest segment first, ties by centroid in feature space.
    groups = sorted(
        np.unique(labels),
        key=lambda g: (-(labels == g).sum(), tuple(logs[labels == g].mean(axis=0).round(9))),
    )
    # Entities in the table's order (the tender's list, when it gave the categories), else sorted.
    entity_order = ([str(e) for e in entity.cat.categories] if isinstance(entity.dtype, pd.CategoricalDtype)
                    else sorted(map(str, lines["entity"].unique())))
    line_segment = pd.Series(0, index=lines.index)
    for i, g in enumerate(groups):
        line_segment[labels == g] = i
    monthly_seg = line_segment.reindex(monthly["line"]).to_numpy()

    profiles: list[dict] = []
    alt_profiles: list[dict] = []
    segments: list[dict] = []
    totals = {"billed": 0.0, "profiles": 0.0, "average_line": 0.0, "other_spread": 0.0}
    per_component = {c: {"billed": 0.0, "profiles": 0.0, "average_line": 0.0, "other_spread": 0.0}
                     for c in components}
    for i in range(len(groups)):
        in_seg = (line_segment == i).to_numpy()
        seg_lines = lines[in_seg]
        seg_months = monthly[monthly_seg == i]
        n = int(in_seg.sum())
        counts = seg_lines["entity"].value_counts()
        usage, alt_usage, summary, cost = {}, {}, {}, {}
        for c in components:
            per_line = seg_lines[c].to_numpy(float)
            mean = math.fsum(per_line) / len(per_line)  # exact sum: independent of the lines' order
            if mean <= 0:
                continue
            by_spread = {"line_months": seg_months[c].to_numpy(float), "lines": per_line}
            other = "lines" if spread == "line_months" else "line_months"
            usage[c] = fit_distribution(by_spread[spread], mean)
            alt_usage[c] = fit_distribution(by_spread[other], mean)
            allowance = float(np.median(per_line))
            # Billed: each line's own months, overage month by month.
            excess = np.maximum(0.0, seg_months[c].to_numpy(float) - allowance)
            billed = float(pd.Series(excess).groupby(seg_months["line"].to_numpy()).mean().sum()) * rates[c]
            m, cv, d = _params(usage[c])
            modelled = n * float(expected_excess(m, cv, d, allowance)) * rates[c]
            m2, cv2, d2 = _params(alt_usage[c])
            other_cost = n * float(expected_excess(m2, cv2, d2, allowance)) * rates[c]
            naive = n * max(0.0, m - allowance) * rates[c]
            for key, value in (("billed", billed), ("profiles", modelled), ("average_line", naive),
                               ("other_spread", other_cost)):
                totals[key] += value
                per_component[c][key] += value
            summary[c] = {
                "mean": _sig(mean), "median": _sig(allowance), "p90": _sig(float(np.quantile(per_line, 0.9))),
                "cv_lines": _sig(float(per_line.std(ddof=1) / mean) if n > 1 else 0.0, 3),
            }
            cost[c] = {"allowance": _sig(allowance), "rate": rates[c], "billed_overage": round(billed, 2),
                       "profile_overage": round(modelled, 2), "average_line_overage": round(naive, 2)}
        profile = {
            "id": f"seg{i + 1}",
            "name": _describe(usage, n),
            "lines": {e: int(counts[e]) for e in entity_order if counts.get(e, 0) > 0},
            "usage": usage,
        }
        profiles.append(profile)
        alt_profiles.append({**profile, "usage": alt_usage})
        segment = {"id": profile["id"], "lines": n, "usage": summary, "reference_price": cost}
        if "profile" in seg_lines.columns:
            segment["from_profiles"] = {str(k): int(v) for k, v in seg_lines["profile"].value_counts().sort_index().items()}
        segments.append(segment)

    def ratio(part: float, whole: float) -> float | None:
        return round(part / whole, 4) if whole > 0 else None

    report = {
        "lines": int(len(lines)),
        "months": int(monthly["month"].nunique()),
        "k": len(groups),
        "within_ss": [round(w, 3) for w in wss],
        "features": [c for c, k in zip(components, keep) if k],
        "spread": spread,
        "segments": segments,
        "reproduction": {
            "billed_overage": round(totals["billed"], 2),
            "profile_overage": round(totals["profiles"], 2),
            "ratio": ratio(totals["profiles"], totals["billed"]),
            "average_line_overage": round(totals["average_line"], 2),
            "average_line_ratio": ratio(totals["average_line"], totals["billed"]),
            "other_spread_ratio": ratio(totals["other_spread"], totals["billed"]),
            "other_spread_overage": round(totals["other_spread"], 2),
            "by_component": {
                c: {"billed_overage": round(v["billed"], 2), "profile_overage": round(v["profiles"], 2),
                    "average_line_overage": round(v["average_line"], 2),
                    "other_spread_overage": round(v["other_spread"], 2),
                    "ratio": ratio(v["profiles"], v["billed"]),
                    "average_line_ratio": ratio(v["average_line"], v["billed"]),
                    "other_spread_ratio": ratio(v["other_spread"], v["billed"])}
                for c, v in per_component.items()
            },
        },
    }
    return profiles, report


def profiles_yaml(profiles: list[dict]) -> str:
    """The profiles as a tender.yaml ``profiles:`` block."""
    return yaml.safe_dump({"profiles": profiles}, sort_keys=False, allow_unicode=True)


def _percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{100 * ratio:.1f} %"


def report_text(report: dict, *, source: str, max_profiles: int, seed: int) -> str:
    """The report of `build_profiles` as readable text (what ``python -m scoring profiles``
    prints): the segments, then how much of the overage billed line by line the profiles
    reproduce, next to the average-line figure."""
    rep = report["reproduction"]
    other = "lines" if report["spread"] == "line_months" else "line_months"
    lines = [
        f"Profiles from {source}: {report['lines']:,} lines × {report['months']} months → {report['k']} "
        f"segment{'s' if report['k'] != 1 else ''} (elbow rule, at most {max_profiles}; seed {seed}; "
        f"spread {report['spread']})",
    ]
    for segment in report["segments"]:
        means = ", ".join(f"{c} {u['mean']:g}" for c, u in segment["usage"].items()) or "no usage"
        text = f"  {segment['id']:<6} {segment['lines']:>9,} lines  mean per line and month: {means}"
        if "from_profiles" in segment:
            text += "\n         from profiles: " + ", ".join(
                f"{k} {v:,}" for k, v in sorted(segment["from_profiles"].items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(text)
    lines += [
        "",
        "Cost reproduction: overage above a reference allowance (each segment's median line), priced at",
        "the reference rates, billed line by line and month by month vs what the profiles and the average",
        "line predict (rates: " + ", ".join(
            f"{c} {v['rate']:g}" for c, v in _first_prices(report).items()) + " per unit).",
    ]
    head = ("component", "billed", "profiles", "ratio", "average line", "ratio")
    rows = [head]
    for c, v in rep["by_component"].items():
        rows.append((c, f"{v['billed_overage']:,.2f}", f"{v['profile_overage']:,.2f}", _percent(v["ratio"]),
                     f"{v['average_line_overage']:,.2f}", _percent(v["average_line_ratio"])))
    rows.append(("total", f"{rep['billed_overage']:,.2f}", f"{rep['profile_overage']:,.2f}", _percent(rep["ratio"]),
                 f"{rep['average_line_overage']:,.2f}", _percent(rep["average_line_ratio"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        lines.append("  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                                       for i, (cell, w) in enumerate(zip(r, widths))).rstrip())
    lines += [
        "",
        f"The profiles reproduce {_percent(rep['ratio'])} of the billed overage; a price schedule built on the "
        f"average line sees {_percent(rep['average_line_ratio'])}.",
        f"With spread {other} instead: {_percent(rep['other_spread_ratio'])}.",
    ]
    return "\n".join(lines)


def _first_prices(report: dict) -> dict[str, dict]:
    """Per component, its reference price in the first segment that uses it (rates are the
    same in every segment; allowances differ)."""
    out: dict[str, dict] = {}
    for segment in report["segments"]:
        for c, price in segment["reference_price"].items():
            out.setdefault(c, price)
    return out
