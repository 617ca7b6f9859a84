"""Write the bundled contract folder: the line inventory and 12 months of the operator's
detailed invoices for the bundled tender's winner, with realistic billing errors seeded.

    python scripts/make_contract.py [--seed 2027] [--lines 2000] [--bid ID] [--out DIR]

Default: ``contracts/conseil-2027-<winner>/`` for ``tenders/conseil-2027``, the winner being the
bid the tender evaluation ranks first (`scoring.evaluate.evaluate`), contract month 1 the month
after the tender's ``award_date``. ``--lines`` scales the tender's fleet (each profile × entity
cell in proportion; 2,000 lines as published); bench/bench_audit.py uses ``--lines 50000``.

What is written (docs/invoice-audit.md):
- ``contract.yaml``: the tender (a path relative to the folder: the bundled tender is
  referenced, not copied), the bid, the start, the mappings of the operator's layout;
- ``inventory.csv``: the buyer's lines (``;`` delimited, French headers): the fleet's lines,
  active before the start, about 3 % terminated during the year and 2 % activated during it;
- ``invoices/facture_YYYY-MM.csv``: one file a month, one invoice per entity (the bid bills
  per cost centre) and one account-level invoice; French labels, operator plan codes and usage
  labels, ``;`` delimiter, decimal commas, data in MB (Mo), voice in minutes, amounts excl. and
  incl. VAT. Every amount is the contract's price, rounded to the cent as operators bill
  (prices from the engine: `scoring.pricing`), except the seeded errors;
- ``seeded.json``: what was seeded, machine-readable — per error, its finding category, and
  per period the number of rows, their row references and the sum of their differences; the
  unused lines. tests/test_bundled_contract.py audits the folder and compares.

The seeded errors (each on rows no other error touches, so each row has one category):
1. ``negotiated_rate_not_applied``: from contract month 4, the subscriptions of one plan in one
   entity are billed at the plan's list price (1.2 × the bid's fee, rounded up to x.90), with
   no volume discount → ``rate_not_applied``;
2. ``pooled_data_billed_per_line``: in contract months 6–7 the data of the smallest other
   entity's lines is billed per line — at the pool's overage rate when the bid pools data
   (``pooled_usage_billed``); when it does not (the bundled winner's bid has no pool), the data
   allowance is ignored instead, every GB billed at the bid's data rate, → ``rate_not_applied``;
3. ``billed_after_termination``: some terminated lines keep their subscription 1–2 months;
4. ``duplicate``: one handset row billed twice → ``duplicate_charge``;
5. ``missing_welcome_credit``: the month-1 welcome credit is not on the invoice (when the bid
   has none — the bundled winner's case —, the migration credit, the month-1 credit it has)
   → ``missing_credit``;
6. ``management_fee_not_in_contract``: a monthly "Frais de gestion" from contract month 7
   → ``fee_not_in_contract``.
And a few lines (0.5 %) with no usage for six months: unused lines, not findings.

Usage is drawn as scripts/make_billing_export.py draws it (its distributions, month noise,
seasonality and intermittent roaming). Numbers are fictional: 06 01 xx xx xx and 07 01 xx xx xx.
The same arguments give byte-identical files.

The service-level logs (issue 17, docs/service-levels.md), drawn with their own generator so
that the invoices' draws are unchanged: ``tickets.csv`` (a bad quarter for SIM replacement, the
support hotline swamped in the migration quarter), ``ports.csv`` (the migration's ports, six
rejected with their reason and asked again, one number lost), ``actions.yaml``, contract.yaml's
``service_levels`` blocks (targets: the awarded bid's ``service:`` commitments), and the
service credits the operator paid as ``sla_credit`` rows (a credit note at the end of a later
month's file: existing rows keep their row numbers). ``seeded.json``'s ``service_levels``
records the values the logs were built with, the rejected and lost ports, the credits due and
paid.

This file: the arguments, contract.yaml, the lines (inventory.csv) and their usage, seeded.json;
the invoice rows, seeded errors and invoice files are scripts/contract_invoices.py's, the
service-level logs and credits scripts/contract_logs.py's (imported from scripts/, put on
sys.path below).
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "scripts"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from contract_invoices import (  # noqa: E402  (the invoices: layout, rows, seeded errors, files)
    DEVICES,
    HEADER,
    LABELS,
    MONTHS,
    USAGE,
    _clean_rows,
    _month_add,
    _order,
    _seed_errors,
    _write,
)
from contract_logs import _service_levels, _service_levels_yaml  # noqa: E402  (the issue-17 logs)
from make_billing_export import (  # noqa: E402  (its usage model, reused)
    FIXED_SPREAD_CV,
    MONTH_NOISE_CV,
    ROAM_PROBABILITY,
    _seasonality,
)

from monitoring.contract import read_contract  # noqa: E402
from scoring.evaluate import evaluate  # noqa: E402
from scoring.load import load_tender  # noqa: E402
from scoring.pricing import indexation  # noqa: E402
from scoring.usage import sample  # noqa: E402

TENDER = ROOT / "tenders" / "conseil-2027"
NEW_SHARE, END_SHARE, UNUSED_SHARE = 0.02, 0.03, 0.005
UNUSED_MONTHS = range(3, 9)
INVENTORY_HEADER = ["Numéro de ligne", "Centre de coût", "Catégorie", "Date d'activation", "Date de résiliation"]


def _fleet(tender_yaml: dict, lines: int | None) -> list[tuple[int, int, int]]:
    """(profile index, entity index, lines) per cell, scaled to ``lines`` (largest remainder)."""
    entities = [e["id"] for e in tender_yaml["entities"]]
    cells = [(p, entities.index(e), int(n)) for p, prof in enumerate(tender_yaml["profiles"])
             for e, n in prof["lines"].items() if int(n) > 0]
    total = sum(n for _, _, n in cells)
    if lines is None or lines == total:
        return cells
    exact = np.array([n * lines / total for _, _, n in cells])
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[: lines - counts.sum()]] += 1
    return [(p, e, int(c)) for (p, e, _), c in zip(cells, counts) if c > 0]


def _usage(profile: dict, n: int, calendar_months: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """(n, 12) usage per component in the tender's units, as scripts/make_billing_export.py
    draws it: a per-line level, month noise, seasonality, intermittent roaming."""
    out = {}
    for component in USAGE:
        spec = profile["usage"].get(component, 0)
        if isinstance(spec, dict):
            mean, cv, dist = float(spec["mean"]), float(spec.get("cv", 0)), spec.get("dist", "lognormal")
        else:
            mean, cv, dist = float(spec), FIXED_SPREAD_CV, "gamma"
        if mean == 0:
            out[component] = np.zeros((n, MONTHS))
            continue
        level = sample(mean, cv, dist, n, rng)[:, None]
        s2 = np.log1p(MONTH_NOISE_CV**2)
        noise = rng.lognormal(-s2 / 2, np.sqrt(s2), (n, MONTHS))
        monthly = level * noise * _seasonality(component, profile["id"])[calendar_months][None, :]
        p = ROAM_PROBABILITY.get(component)
        if p is not None:
            monthly = monthly * (rng.random((n, MONTHS)) < p) / p
        if component == "sms":
            monthly = rng.poisson(monthly).astype(float)
        out[component] = monthly
    return out


def generate(out: Path, tender_dir: Path = TENDER, bid_id: str | None = None, lines: int | None = None,
             seed: int = 2027) -> dict:
    """Write the contract folder ``out``; return the seeded record (also seeded.json)."""
    tender_dir = Path(tender_dir).resolve()
    out = Path(out)
    tender = load_tender(tender_dir)
    if bid_id is None:
        bid_id = evaluate(tender).winner
    raw = yaml.safe_load((tender_dir / "tender.yaml").read_text(encoding="utf-8"))
    award = dt.date.fromisoformat(str(raw.get("award_date", "2027-01-01")))
    y0, m0 = _month_add(award.year, award.month, 1)
    periods = [f"{y:04d}-{m:02d}" for y, m in (_month_add(y0, m0, i) for i in range(MONTHS))]
    entities = [e["id"] for e in raw["entities"]]
    profiles = raw["profiles"]
    rng = np.random.default_rng(seed)

    # ---------------------------------------------------------------- contract.yaml
    bid = tender.bid(bid_id)
    brand = bid.operator.split()[0].upper() + " "  # operator plan codes: the plan's name, brand dropped
    plan_code = {p.id: (p.name or p.id).upper().removeprefix(brand) for p in bid.spec.plans}
    if len(set(plan_code.values())) < len(plan_code):
        plan_code = {p: p.upper() for p in plan_code}
    components = {label: c for c, (label, _, _, _) in USAGE.items()}
    components.update({label: tier for tier, label in DEVICES.items()})
    contract_yaml = {
        "tender": os.path.relpath(tender_dir, out.resolve()).replace(os.sep, "/"),
        "bid": bid_id,
        "start": periods[0],
        "invoice_file": {
            "columns": {"invoice": HEADER[0], "date": HEADER[1], "period": HEADER[2], "line": HEADER[3],
                        "charge": HEADER[5], "component": HEADER[6], "plan": HEADER[7], "quantity": HEADER[8],
                        "amount": HEADER[10]},
            "charges": {label: charge for label, _, charge, _ in LABELS.values()},
            "plans": {code: pid for pid, code in plan_code.items()},
            "components": components,
            "units": {c: "MB" for c, (_, unit, _, _) in USAGE.items() if unit == "Mo"},
            "decimal": ",", "delimiter": ";",
        },
        "inventory_file": {
            "columns": {"line": INVENTORY_HEADER[0], "entity": INVENTORY_HEADER[1], "profile": INVENTORY_HEADER[2],
                        "activated": INVENTORY_HEADER[3], "terminated": INVENTORY_HEADER[4]},
            "delimiter": ";",
        },
    }
    service_blocks, kpi_defs = _service_levels_yaml(bid, raw.get("switching") or {})
    contract_yaml.update(service_blocks)
    (out / "invoices").mkdir(parents=True, exist_ok=True)
    for old in (out / "invoices").glob("facture_*.csv"):
        old.unlink()
    head = (f"# Contract folder generated by scripts/make_contract.py (seed {seed}, fictional data):\n"
            f"# the {raw['name']!s} tender awarded to {bid.operator} ({bid_id}). Regenerate, do not edit.\n")
    (out / "contract.yaml").write_bytes((head + yaml.safe_dump(contract_yaml, allow_unicode=True, sort_keys=False,
                                                               width=100)).encode("utf-8"))
    contract = read_contract(out)
    plans, C = contract.plans, list(contract.components)
    k = indexation(bid, np.arange(MONTHS) // 12)

    # ---------------------------------------------------------------- lines and usage
    cells = _fleet(raw, lines)
    n0 = sum(c for _, _, c in cells)
    n_new = max(1, round(NEW_SHARE * n0))
    cal = (np.arange(MONTHS) + m0 - 1) % 12
    prof, ent, use = [], [], {c: [] for c in USAGE}
    for p, e, count in cells:
        prof.append(np.full(count, p))
        ent.append(np.full(count, e))
        for c, v in _usage(profiles[p], count, cal, rng).items():
            use[c].append(v)
    # new lines during the year: drawn from the fleet's cells in proportion
    weights = np.array([c for _, _, c in cells], float)
    new_cell = rng.choice(len(cells), size=n_new, p=weights / weights.sum())
    for i, (p, e, _) in enumerate(cells):
        count = int((new_cell == i).sum())
        if count:
            prof.append(np.full(count, p))
            ent.append(np.full(count, e))
            for c, v in _usage(profiles[p], count, cal, rng).items():
                use[c].append(v)
    profile = np.concatenate(prof)
    entity = np.concatenate(ent)
    usage = {c: np.concatenate(v) for c, v in use.items()}
    n = len(profile)
    is_new = np.zeros(n, bool)
    is_new[n0:] = True
    numbers = rng.choice(2_000_000, size=n, replace=False)
    number = np.array([f"0{6 + x // 1_000_000}01{x % 1_000_000:06d}" for x in numbers.tolist()])

    first_day = dt.date(y0, m0, 1)
    ordinal0 = first_day.toordinal()
    days = np.array([calendar.monthrange(*_month_add(y0, m0, i))[1] for i in range(MONTHS)])
    month_start = ordinal0 + np.concatenate([[0], np.cumsum(days)[:-1]])
    # activation: before the start (2018 … the eve of the start) or, for new lines, in months 1–11
    act_m = np.full(n, -1)
    act_m[is_new] = rng.integers(1, MONTHS, n_new)
    act_day = np.where(is_new, rng.integers(0, 28, n), 0)
    before = rng.integers(dt.date(2018, 1, 1).toordinal(), ordinal0, n)
    act_ord = np.where(is_new, month_start[np.maximum(act_m, 0)] + act_day, before)
    # terminations among the lines active at the start
    ended = np.zeros(n, bool)
    ended[rng.choice(n0, size=max(1, round(END_SHARE * n0)), replace=False)] = True
    end_m = np.where(ended, rng.integers(0, MONTHS, n), MONTHS)
    end_ord = np.where(ended, month_start[np.minimum(end_m, MONTHS - 1)] + rng.integers(0, 28, n), 0)
    months = np.arange(MONTHS)
    active = (months[None, :] >= act_m[:, None]) & (months[None, :] <= end_m[:, None])
    # unused lines: a few lines active all year with no usage for six months
    candidates = np.flatnonzero(~is_new & ~ended)
    unused = np.sort(rng.choice(candidates, size=max(1, round(UNUSED_SHARE * n0)), replace=False))
    for c in usage:
        usage[c] = np.where(active, usage[c], 0.0)
        usage[c][np.ix_(unused, np.array(UNUSED_MONTHS))] = 0.0

    # ---------------------------------------------------------------- invoice rows (scripts/contract_invoices.py)
    rows, jp, device_tier, credits = _clean_rows(contract, bid, profiles, profile, usage, active, is_new, act_m,
                                                 act_ord, month_start, days, k, rng)
    built = _seed_errors(rows, device_tier, credits, contract, profiles, profile, entity, entities, jp, ended,
                         end_m, k, rng)
    frame, rate_plan, rate_entity = built["frame"], built["rate_plan"], built["rate_entity"]

    # ---------------------------------------------------------------- files
    frame = _order(frame, number)
    seeded = _write(out, frame, contract, periods, number, entity, entities, plan_code, C, built["errors"],
                    built["category"])
    if built["missing"] is not None:
        kind, value = built["missing"]
        seeded["errors"].append({"error": "missing_welcome_credit", "category": "missing_credit",
                                 "credit": LABELS[kind][0], "periods": {periods[0]: {
                                     "count": 1, "difference": float(value), "rows": []}}})
    _write_inventory(out, number, entity, profile, entities, profiles, act_ord, end_ord, ended)
    # Issue 17: the service-level logs (tickets.csv, ports.csv, actions.yaml; contract.yaml's
    # service_levels blocks above; scripts/contract_logs.py), what they were built with recorded
    # beside "errors".
    service_levels = _service_levels(out, seed, raw, bid, kpi_defs, contract, frame, periods, number, entity,
                                     entities, is_new, ended, act_ord, rate_entity)
    seeded["rows"] += len(service_levels["credits"]["received"])
    seeded["service_levels"] = service_levels
    seeded.update({
        "generator": "scripts/make_contract.py", "seed": seed, "lines": int(n0), "new_lines": int(n_new),
        "terminated_lines": int(ended.sum()), "bid": bid_id, "start": periods[0],
        "unused_lines": {"count": int(len(unused)), "months": len(UNUSED_MONTHS)},
        "rate": {"plan": plans.ids[rate_plan], "entity": entities[rate_entity], "contract_fee": float(
            plans.fee[rate_plan]), "list_price": float(built["list_price"])},
        "data_entity": entities[built["data_entity"]],
    })
    text = json.dumps(seeded, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    (out / "seeded.json").write_bytes(text.encode("utf-8"))
    return seeded


def _write_inventory(out: Path, number, entity, profile, entities, profiles, act_ord, end_ord, ended) -> None:
    order = np.argsort(number, kind="stable")
    iso = np.vectorize(lambda o: dt.date.fromordinal(int(o)).isoformat(), otypes=[object])
    table = pd.DataFrame({
        "line": number[order], "entity": np.array(entities, object)[entity[order]],
        "profile": np.array([p["id"] for p in profiles], object)[profile[order]],
        "activated": iso(act_ord[order]), "terminated": np.where(ended[order], iso(np.where(ended, end_ord, 1)[order]),
                                                                 "")})
    text = table.to_csv(sep=";", header=INVENTORY_HEADER, index=False, lineterminator="\n")
    (out / "inventory.csv").write_bytes(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--lines", type=int, default=None, help="lines at the start (default: the tender's fleet)")
    parser.add_argument("--bid", default=None, help="the awarded bid (default: the evaluation's winner)")
    parser.add_argument("--tender", type=Path, default=TENDER)
    parser.add_argument("--out", type=Path, default=None, help="default: contracts/<tender>-<bid>")
    args = parser.parse_args(argv)
    bid = args.bid or evaluate(load_tender(args.tender)).winner
    out = args.out or ROOT / "contracts" / f"{args.tender.resolve().name}-{bid}"
    seeded = generate(out, args.tender, bid, args.lines, args.seed)
    print(f"wrote {out}: {seeded['lines']} lines (+{seeded['new_lines']} activated, {seeded['terminated_lines']} "
          f"terminated), {seeded['rows']} invoice rows over {MONTHS} months")
    return 0


if __name__ == "__main__":
    sys.exit(main())
