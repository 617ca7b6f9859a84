"""Write a synthetic 12-month billing export for the bundled example tender.

    python scripts/make_billing_export.py [--seed 2026] [--out tenders/conseil-2027/usage.csv]

One row per line and month (2026-01..2026-12) for the example's 2,000 lines, in the shape an
operator's billing export usually takes: ``msisdn, cost_centre, category, period,
voice_minutes, sms_count, data_mb, roam_eu_data_mb, roam_world_voice_minutes,
roam_world_data_mb``. ``cost_centre`` is the tender's entity id and ``category`` its profile id.

How a line's monthly usage is made, per component:
- a persistent per-line level drawn from the profile's distribution with
  ``scoring.usage.sample`` (a fixed usage gets a modest spread, gamma cv 0.3, so the export
  looks real);
- times month-to-month noise (lognormal, mean 1, cv 0.15);
- times a seasonality normalised to a yearly mean of 1 (less domestic use in August, more
  roaming in the summer, for executives above all);
- roaming is intermittent: a line roams in a month with some probability (trips), and the
  amount is scaled up by 1/probability so the line's mean is kept.
Data is written in MB (GB × 1000, one decimal), voice in minutes (one decimal, per-second
billing), SMS as integers (Poisson around the level).

Numbers come from the ARCEP range reserved for fiction (06 39 98 xx xx, written
+336 3998 xxxx), so no real subscriber is ever named. The same seed gives a byte-identical file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.usage import sample  # noqa: E402

TENDER = ROOT / "tenders" / "conseil-2027" / "tender.yaml"
DEFAULT_OUT = ROOT / "tenders" / "conseil-2027" / "usage.csv"
PERIODS = [f"2026-{m:02d}" for m in range(1, 13)]
FIXED_SPREAD_CV = 0.3
MONTH_NOISE_CV = 0.15
FICTION_PREFIX = "+3363998"  # ARCEP: 06 39 98 00 00 … 06 39 98 99 99 is reserved for fiction

# tender component -> (export column, multiplier from the tender's unit, decimals or None = integer)
COLUMNS = {
    "voice_min": ("voice_minutes", 1.0, 1),
    "sms": ("sms_count", 1.0, None),
    "data_gb": ("data_mb", 1000.0, 1),
    "roam_eu_data_gb": ("roam_eu_data_mb", 1000.0, 1),
    "roam_world_voice_min": ("roam_world_voice_minutes", 1.0, 1),
    "roam_world_data_gb": ("roam_world_data_mb", 1000.0, 1),
}
HEADER = ["msisdn", "cost_centre", "category", "period"] + [col for col, _, _ in COLUMNS.values()]

# Chance that a line roams at all in a given month (trips are occasional).
ROAM_PROBABILITY = {"roam_eu_data_gb": 0.45, "roam_world_voice_min": 0.2, "roam_world_data_gb": 0.2}


def _seasonality(component: str, profile: str) -> np.ndarray:
    """Twelve monthly factors with mean 1."""
    f = np.ones(12)
    if component.startswith("roam"):
        summer = 1.8 if profile == "executives" else 1.3
        f[[5, 6, 7]] *= summer  # June to August
        f[[0, 11]] *= 0.8       # fewer trips around the new year
    else:
        f[7] *= 0.65            # August holidays
        f[11] *= 0.9            # Christmas
        f[8] *= 1.05            # back to work
    return f / f.mean()


def generate(seed: int = 2026, tender_path: Path = TENDER) -> list[list[str]]:
    """The export's rows (header excluded), as strings."""
    tender = yaml.safe_load(tender_path.read_text(encoding="utf-8"))
    entities = [e["id"] for e in tender["entities"]]
    rng = np.random.default_rng(seed)
    total = sum(int(n) for p in tender["profiles"] for n in p["lines"].values())
    numbers = rng.choice(10_000, size=total, replace=False)
    rows: list[list[str]] = []
    k = 0
    for profile in tender["profiles"]:
        usage = profile["usage"]
        for entity in entities:
            n = int(profile["lines"].get(entity, 0))
            if n == 0:
                continue
            values: dict[str, np.ndarray] = {}
            for component in COLUMNS:
                spec = usage.get(component, 0)
                if isinstance(spec, dict):
                    mean, cv, dist = float(spec["mean"]), float(spec.get("cv", 0)), spec.get("dist", "lognormal")
                else:
                    mean, cv, dist = float(spec), FIXED_SPREAD_CV, "gamma"
                if mean == 0:
                    values[component] = np.zeros((n, 12))
                    continue
                level = sample(mean, cv, dist, n, rng)[:, None]
                s2 = np.log1p(MONTH_NOISE_CV**2)
                noise = rng.lognormal(-s2 / 2, np.sqrt(s2), (n, 12))
                monthly = level * noise * _seasonality(component, profile["id"])[None, :]
                p = ROAM_PROBABILITY.get(component)
                if p is not None:
                    monthly = monthly * (rng.random((n, 12)) < p) / p
                if component == "sms":
                    monthly = rng.poisson(monthly).astype(float)
                values[component] = monthly
            for i in range(n):
                msisdn = f"{FICTION_PREFIX}{numbers[k]:04d}"
                k += 1
                for m, period in enumerate(PERIODS):
                    row = [msisdn, entity, profile["id"], period]
                    for component, (_, factor, decimals) in COLUMNS.items():
                        v = values[component][i, m] * factor
                        text = str(int(round(v))) if decimals is None else f"{v:.{decimals}f}"
                        row.append("0" if float(text) == 0 else text)  # shorter file
                    rows.append(row)
    return rows


def write(rows: list[list[str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(HEADER)] + [",".join(r) for r in rows]
    out.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--tender", type=Path, default=TENDER)
    args = parser.parse_args(argv)
    rows = generate(args.seed, args.tender)
    write(rows, args.out)
    print(f"wrote {len(rows)} rows ({len(rows) // 12} lines × 12 months) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
