"""Generate a large synthetic tender folder in the v1 tender format.

Used by the benchmarks (``bench/bench_core.py``) to size-test loading and evaluation.
The output is deterministic: the same parameters and seed give byte-identical files.
Money is in EUR excluding VAT, usage per line per month (see
``shared/design/tender-format.md``).

Usage::

    python bench/make_synthetic.py OUT_DIR [--lines 100000] [--profiles 200]
        [--entities 5] [--bids 12] [--plans 4] [--months 36] [--seed 7]
        [--list-share 0.2] [--list-plans 2] [--force]

``--list-share 1 --list-plans 4`` offers every profile a list of all four plans: with half
the bids pooled, the plan mix of those bids needs the MILP (``bench/bench_solver.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

import numpy as np
import yaml

COMPONENTS = ("voice_min", "sms", "data_gb", "roam_eu_data_gb", "roam_world_voice_min")

# Per component: share of profiles using it, median usage per line per month, lognormal
# sigma (the heavy-ish tail), decimals kept, and a cap so one draw cannot dominate.
USAGE_SPEC: dict[str, tuple[float, float, float, int, float]] = {
    "voice_min": (0.85, 250.0, 0.8, 0, 5000.0),
    "sms": (0.75, 40.0, 1.0, 0, 2000.0),
    "data_gb": (1.0, 5.0, 0.9, 2, 300.0),
    "roam_eu_data_gb": (0.35, 0.5, 1.2, 2, 50.0),
    "roam_world_voice_min": (0.2, 3.0, 1.3, 1, 600.0),
}

DEVICE_TIERS = ("standard", "premium", "rugged")
DEVICE_TIER_WEIGHTS = (0.6, 0.25, 0.15)
REFRESH_MONTHS = (24, 36, 48)

# Shares of profiles carrying the optional features the engine must handle.
SHARE_LINE_GROWTH = 0.3
SHARE_DATA_GROWTH = 0.5
SHARE_DEVICE = 0.4
SHARE_LIST_OFFER = 0.2

AWARD_DATE = dt.date(2027, 1, 15)


def _rounded(value: float, decimals: int) -> int | float:
    """Round for readable YAML; integers stay ints, never rounding a used value to 0."""
    if decimals == 0:
        return max(1, round(value))
    return max(10.0**-decimals, round(float(value), decimals))


def _ids(prefix: str, count: int) -> list[str]:
    """Zero-padded ids so that file order, bid-id order and creation order agree."""
    width = max(2, len(str(count - 1)))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


def _fleet(
    rng: np.random.Generator, n_lines: int, entity_ids: list[str], n_profiles: int
):
    """Integer lines per profile and entity: exact total, every profile >= 1 line."""
    # One line reserved per profile, the rest spread with lognormal weights so a few
    # profiles are large (as in real fleets) and many are small.
    weights = rng.lognormal(0.0, 1.3, n_profiles)
    per_profile = 1 + rng.multinomial(n_lines - n_profiles, weights / weights.sum())
    # Dirichlet shares with alpha < 1 leave some entities empty for a profile, which
    # exercises the "missing entity means 0 lines" rule.
    shares = rng.dirichlet(np.full(len(entity_ids), 0.7), size=n_profiles)
    return rng.multinomial(
        per_profile, shares
    )  # (profiles, entities), rows sum exactly


def _profiles(
    rng, n_lines, entity_ids, n_profiles, profile_ids
) -> list[dict[str, Any]]:
    """Usage profiles with optional growth and devices."""
    lines = _fleet(rng, n_lines, entity_ids, n_profiles)
    profiles = []
    for i, pid in enumerate(profile_ids):
        usage: dict[str, int | float] = {}
        for comp, (share, median, sigma, decimals, cap) in USAGE_SPEC.items():
            if rng.random() < share:
                value = min(cap, median * rng.lognormal(0.0, sigma))
                usage[comp] = _rounded(value, decimals)
        profile: dict[str, Any] = {
            "id": pid,
            "name": f"Synthetic profile {i}",
            "lines": {
                e: int(n) for e, n in zip(entity_ids, lines[i], strict=True) if n > 0
            },
            "usage": usage,
        }
        if rng.random() < SHARE_LINE_GROWTH:
            profile["line_growth"] = round(float(rng.uniform(-0.05, 0.12)), 3)
        if rng.random() < SHARE_DATA_GROWTH:
            profile["usage_growth"] = {
                "data_gb": round(float(rng.uniform(0.05, 0.3)), 3)
            }
        if rng.random() < SHARE_DEVICE:
            tier = DEVICE_TIERS[rng.choice(len(DEVICE_TIERS), p=DEVICE_TIER_WEIGHTS)]
            profile["device"] = {
                "tier": tier,
                "refresh_months": int(rng.choice(REFRESH_MONTHS)),
            }
        profiles.append(profile)
    return profiles


def _plans(
    rng, bid_index: int, n_plans: int
) -> tuple[list[dict[str, Any]], list[float]]:
    """A ladder of plans, and their data allowances (inf = unlimited)."""
    price_level = rng.uniform(0.85, 1.15)
    # Some non-pooled bids top their ladder with unlimited data (a pooled bid with it
    # would make its whole pool unlimited, which is legal but uninteresting here).
    unlimited_top = bid_index % 4 == 3 and n_plans >= 3
    plans, data_allowances = [], []
    for j in range(n_plans):
        top = j == n_plans - 1
        data: float | str = round(2.0 * 2.7**j * rng.uniform(0.8, 1.2))
        if top and unlimited_top:
            data = "unlimited"
        allowances: dict[str, Any] = {
            "voice_min": 300 if j == 0 else "unlimited",
            "sms": 100 if j == 0 else "unlimited",
            "data_gb": data,
        }
        if j > 0:
            allowances["roam_eu_data_gb"] = 5 * j
        if top:
            allowances["roam_world_voice_min"] = 60
        # Every plan prices every component, so no plan is ever unusable for a profile.
        rates = {
            "voice_min": round(float(rng.uniform(0.05, 0.15)), 3),
            "sms": round(float(rng.uniform(0.05, 0.10)), 3),
            "data_gb": round(float(rng.uniform(1.0, 5.0)), 2),
            "roam_eu_data_gb": round(float(rng.uniform(1.0, 4.0)), 2),
            "roam_world_voice_min": round(float(rng.uniform(0.2, 1.7)), 2),
        }
        fee = price_level * (8.0 + 5.5 * j + rng.uniform(0.0, 2.0))
        plans.append(
            {
                "id": f"p{j + 1}",
                "name": f"Plan {j + 1}",
                "monthly_fee": round(float(fee), 2),
                "allowances": allowances,
                "rates": rates,
            }
        )
        data_allowances.append(float("inf") if data == "unlimited" else float(data))
    return plans, data_allowances


def _offer(
    rng, profiles, plans, data_allowances, list_share=SHARE_LIST_OFFER, list_plans=2
) -> dict[str, str | list[str]]:
    """Offer each profile the plan fitting its data use (noisy); a share ``list_share`` of
    them (1 in 5 by default) get a list of ``list_plans`` plans: the fit and its neighbours
    on the ladder, in a random order."""
    n_plans = len(plans)
    offer: dict[str, str | list[str]] = {}
    for profile in profiles:
        fit = int(np.searchsorted(data_allowances, profile["usage"]["data_gb"]))
        fit = min(n_plans - 1, max(0, fit + int(rng.integers(-1, 2))))
        if n_plans >= 2 and list_plans >= 2 and rng.random() < list_share:
            if list_plans == 2:  # the original draws, so the default tender is unchanged
                other = fit + 1 if fit + 1 < n_plans else fit - 1
                pair = [fit, other] if rng.random() < 0.5 else [other, fit]
            else:
                near = sorted(range(n_plans), key=lambda k: (abs(k - fit), k))
                pair = [near[k] for k in rng.permutation(min(list_plans, n_plans))]
            offer[profile["id"]] = [plans[k]["id"] for k in pair]
        else:
            offer[profile["id"]] = plans[fit]["id"]
    return offer


def _bid(
    rng,
    index: int,
    bid_id: str,
    profiles,
    n_lines: int,
    n_plans: int,
    list_share: float = SHARE_LIST_OFFER,
    list_plans: int = 2,
) -> dict[str, Any]:
    """One operator bid with every optional block filled in."""
    plans, data_allowances = _plans(rng, index, n_plans)
    # Tiers relative to the fleet, so some are reached and the top one may not be.
    tiers = sorted(rng.choice([0.05, 0.2, 0.5, 0.9, 1.2], size=3, replace=False))
    volume = [
        {
            "min_lines": round(n_lines * t),
            "percent": round(float(3 + 4 * k + rng.uniform(0, 2)), 1),
        }
        for k, t in enumerate(tiers)
    ]
    bid: dict[str, Any] = {
        "operator": f"Synthetic Operator {index:02d}",
        "id": bid_id,
        # A couple of bids expire before the award date, to exercise the flag.
        "valid_until": AWARD_DATE - dt.timedelta(days=10)
        if index % 5 == 4
        else dt.date(2027, 3, 31),
        "plans": plans,
        "offer": _offer(rng, profiles, plans, data_allowances, list_share, list_plans),
    }
    if index % 2 == 0:
        bid["pool"] = {
            "data_gb": {"overage_rate": round(float(rng.uniform(1.0, 3.0)), 2)}
        }
    bid["fees"] = {
        "setup": round(float(rng.uniform(0, 20_000))),
        "per_line_activation": round(float(rng.uniform(0, 10)), 2),
        "sim_card": round(float(rng.uniform(0, 5)), 2),
        "account_monthly": round(float(rng.uniform(0, 500))),
    }
    bid["discounts"] = {
        "volume": volume,
        "welcome_credit": round(float(n_lines * rng.uniform(0, 5))),
    }
    bid["indexation_percent"] = round(float(rng.uniform(0, 3)), 1)
    bid["devices"] = {
        "prices": {
            "standard": round(float(rng.uniform(200, 300))),
            "premium": round(float(rng.uniform(700, 900))),
            "rugged": round(float(rng.uniform(300, 450))),
        },
        "fund": round(float(n_lines * rng.uniform(0, 20))),
    }
    bid["portability"] = {
        "fee_per_number": round(float(rng.uniform(0, 3)), 2),
        "exit_fee_refund": round(float(rng.uniform(0, 1)), 2),
        "migration_credit": round(float(n_lines * rng.uniform(0, 2))),
    }
    bid["service"] = {
        "support_answer_minutes": int(rng.integers(1, 13)),
        "sim_replacement_days": int(rng.integers(1, 6)),
        "dedicated_account_manager": bool(rng.random() < 0.7),
        "cost_centre_billing": bool(rng.random() < 0.85),
    }
    return bid


def generate(
    *,
    lines: int = 100_000,
    profiles: int = 200,
    entities: int = 5,
    bids: int = 12,
    plans: int = 4,
    months: int = 36,
    seed: int = 7,
    list_share: float = SHARE_LIST_OFFER,
    list_plans: int = 2,
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Build the tender and bids as plain data: ``(tender, {bid_id: bid})``."""
    if not 1 <= profiles <= lines:
        raise ValueError(
            f"need 1 <= profiles <= lines, got profiles={profiles}, lines={lines}"
        )
    for name, value in (
        ("entities", entities),
        ("bids", bids),
        ("plans", plans),
        ("months", months),
    ):
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    if not 0.0 <= list_share <= 1.0:
        raise ValueError(f"list_share must be between 0 and 1, got {list_share}")

    rng = np.random.default_rng(seed)
    entity_ids = _ids("ent", entities)
    profile_ids = _ids("pr", profiles)
    bid_ids = _ids("op", bids)

    profile_list = _profiles(rng, lines, entity_ids, profiles, profile_ids)
    bid_map = {
        bid_id: _bid(
            rng, i, bid_id, profile_list, lines, plans, list_share, list_plans
        )
        for i, bid_id in enumerate(bid_ids)
    }
    tender: dict[str, Any] = {
        "name": f"Synthetic fleet ({lines} lines, seed {seed})",
        "buyer": "Synthetic Buyer SA",
        "currency": "EUR",
        "term_months": months,
        "discount_rate": 0.04,
        "incumbent": bid_ids[0],
        "award_date": AWARD_DATE,
        "entities": [{"id": e, "name": f"Entity {e}"} for e in entity_ids],
        "profiles": profile_list,
        "switching": {
            "project_eur": 50_000,
            "per_line_eur": 12,
            "current_monthly_eur": round(lines * 22.5),
            "parallel_months": 1,
            "incumbent_exit_fee_eur": round(lines * 3.0),
            "port_share": 0.9,
            "porting_failure_rate": 0.02,
            "lost_number_eur": 300,
        },
        "evaluation": {
            "method": "weighted_sum",
            "abnormally_low": 0.2,
            "price": {"weight": 60, "basis": "tco", "formula": "ratio"},
            "criteria": [
                {
                    "id": "support",
                    "name": "Support answer time (min)",
                    "weight": 15,
                    "from": "service.support_answer_minutes",
                    "better": "lower",
                    "best": 1,
                    "worst": 15,
                    "limit": 12,
                },
                {
                    "id": "sim_swap",
                    "name": "SIM replacement (working days)",
                    "weight": 10,
                    "from": "service.sim_replacement_days",
                    "better": "lower",
                    "best": 1,
                    "worst": 5,
                },
                {
                    "id": "billing_split",
                    "name": "Invoices split by entity",
                    "weight": 15,
                    "from": "service.cost_centre_billing",
                },
            ],
        },
    }
    return tender, bid_map


def _dump(data: dict[str, Any], path: Path) -> None:
    """Write YAML the way the contract's loader reads it (safe, key order kept)."""
    # default_flow_style=None puts leaf mappings/lists (usage, lines, rates) on one
    # line, which keeps 200-profile files readable without changing what they load to.
    text = yaml.safe_dump(
        data, sort_keys=False, default_flow_style=None, allow_unicode=True, width=120
    )
    path.write_text(text, encoding="utf-8")


def write_tender(
    out_dir: str | Path,
    tender: dict[str, Any],
    bids: dict[str, dict[str, Any]],
    *,
    force: bool = False,
) -> Path:
    """Write ``tender.yaml`` and ``bids/<id>.yaml`` under ``out_dir``."""
    out = Path(out_dir)
    bids_dir = out / "bids"
    existing = [out / "tender.yaml", *bids_dir.glob("*.y*ml")] if out.exists() else []
    existing = [p for p in existing if p.exists()]
    if existing:
        if not force:
            raise FileExistsError(
                f"{out} already holds a tender (use --force to replace it)"
            )
        # Stale bid files from a run with more --bids would silently join the tender.
        for path in existing:
            path.unlink()
    bids_dir.mkdir(parents=True, exist_ok=True)
    _dump(tender, out / "tender.yaml")
    for bid_id, bid in bids.items():
        _dump(bid, bids_dir / f"{bid_id}.yaml")
    return out


def make_synthetic(
    out_dir: str | Path, *, force: bool = False, **params: float
) -> Path:
    """Generate and write a synthetic tender; ``params`` as for :func:`generate`."""
    tender, bids = generate(**params)
    return write_tender(out_dir, tender, bids, force=force)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_arguments(parser)
    parser.add_argument("out_dir", type=Path, help="folder to write the tender into")
    parser.add_argument(
        "--force", action="store_true", help="replace a tender already there"
    )
    return parser.parse_args(argv)


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    """The generator's size options, shared with the benchmark's command line."""
    parser.add_argument(
        "--lines", type=int, default=100_000, help="initial lines in the fleet"
    )
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--entities", type=int, default=5)
    parser.add_argument("--bids", type=int, default=12)
    parser.add_argument("--plans", type=int, default=4, help="plans per bid")
    parser.add_argument("--months", type=int, default=36, help="term in months")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--list-share",
        type=float,
        default=SHARE_LIST_OFFER,
        help="share of profiles offered a list of plans",
    )
    parser.add_argument(
        "--list-plans", type=int, default=2, help="plans in each such list"
    )


def size_params(args: argparse.Namespace) -> dict[str, float]:
    """Pick the generator's keyword arguments out of parsed options."""
    keys = ("lines", "profiles", "entities", "bids", "plans", "months", "seed")
    keys += ("list_share", "list_plans")
    return {k: getattr(args, k) for k in keys}


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        out = make_synthetic(args.out_dir, force=args.force, **size_params(args))
    except (ValueError, FileExistsError) as exc:
        print(f"make_synthetic: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
