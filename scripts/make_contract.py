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
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import json
import math
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

from make_billing_export import (  # noqa: E402  (its usage model, reused)
    FIXED_SPREAD_CV,
    MONTH_NOISE_CV,
    ROAM_PROBABILITY,
    _seasonality,
)

from monitoring.contract import read_contract  # noqa: E402
from monitoring.rio import ALPHABET as RIO_ALPHABET  # noqa: E402
from monitoring.rio import rio_keys  # noqa: E402
from monitoring.service_levels import (  # noqa: E402
    capped_credits,
    credit_percent,
    judge,
    period_codes,
    period_label,
)
from monitoring.workdays import business_calendar  # noqa: E402
from scoring.criteria import _MISSING, resolve  # noqa: E402
from scoring.evaluate import evaluate  # noqa: E402
from scoring.load import load_tender  # noqa: E402
from scoring.pricing import indexation, measured_units, pool_charge  # noqa: E402
from scoring.usage import sample  # noqa: E402

TENDER = ROOT / "tenders" / "conseil-2027"
MONTHS = 12
VAT = 0.20
NEW_SHARE, END_SHARE, UNUSED_SHARE, AFTER_END_SHARE = 0.02, 0.03, 0.005, 0.4
RATE_FROM, DATA_MONTHS, FEE_FROM, DUPLICATE_MONTH = 3, (5, 6), 6, 4  # contract month − 1
UNUSED_MONTHS = range(3, 9)
MANAGEMENT_FEE = 150.0

# The operator's layout: usage labels and units, charge labels, device labels.
USAGE = {  # component -> (label, unit shown, quantity factor from the tender's unit, decimals)
    "voice_min": ("VOIX NATIONALE", "min", 1.0, 1),
    "sms": ("SMS NATIONAUX", "SMS", 1.0, 0),
    "data_gb": ("DATA NATIONALE", "Mo", 1000.0, 0),
    "roam_eu_data_gb": ("DATA ROAMING UE", "Mo", 1000.0, 0),
    "roam_world_voice_min": ("APPELS ROAMING MONDE", "min", 1.0, 1),
    "roam_world_data_gb": ("DATA ROAMING MONDE", "Mo", 1000.0, 0),
}
DEVICES = {"standard": "SMARTPHONE STANDARD", "premium": "SMARTPHONE PREMIUM", "rugged": "SMARTPHONE DURCI"}
# label, rubric, charge type (the contract's mapping), unit
LABELS = {
    "sub": ("Abonnement mensuel", "Abonnements", "subscription", "mois"),
    "prorata": ("Abonnement prorata temporis", "Abonnements", "subscription", "mois"),
    "usage": ("Détail des consommations", "Consommations", "usage", None),
    "pool": ("Dépassement pool data", "Consommations", "pool_overage", "Go"),
    "account": ("Frais de gestion de compte", "Services", "account_fee", "u"),
    "activation": ("Frais de mise en service", "Services", "activation", "u"),
    "sim": ("Carte SIM", "Services", "sim_card", "u"),
    "setup": ("Frais de mise en place du contrat", "Services", "setup", "u"),
    "device": ("Terminal", "Équipements", "device", "u"),
    "welcome": ("Remise de bienvenue", "Remises", "credit", "u"),
    "migration": ("Crédit de migration", "Remises", "credit", "u"),
    "management": ("Frais de gestion", "Services", "other", "u"),
    "sla": ("Pénalité qualité de service", "Remises", "sla_credit", "u"),
}
KINDS = list(LABELS)
HEADER = ["N° facture", "Date facture", "Période facturée", "Numéro d'appel", "Rubrique", "Libellé",
          "Type d'usage", "Code offre", "Quantité", "Unité", "Montant HT", "Montant TTC"]
INVENTORY_HEADER = ["Numéro de ligne", "Centre de coût", "Catégorie", "Date d'activation", "Date de résiliation"]


def _month_add(year: int, month: int, add: int) -> tuple[int, int]:
    y, m = divmod(month - 1 + add, 12)
    return year + y, m + 1


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


def _text(values: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Numbers written with a decimal comma and ``decimals`` digits (per value), as object strings."""
    values = np.asarray(values, float)
    out = np.empty(len(values), object)
    for d in np.unique(decimals):
        at = np.flatnonzero(decimals == d)
        scaled = np.round(np.abs(values[at]) * 10**int(d)).astype(np.int64)
        sign = pd.Series(np.where((values[at] < 0) & (scaled > 0), "-", ""))
        whole = pd.Series(scaled // 10**int(d)).astype(str)
        text = sign + whole
        if d > 0:
            text = text + "," + pd.Series(scaled % 10**int(d)).astype(str).str.zfill(int(d))
        out[at] = text.to_numpy(object)
    return out


class Rows:
    """The invoice rows as columns, appended in blocks (no loop over rows)."""

    FIELDS = ("month", "line", "kind", "component", "plan", "quantity", "qdec", "amount", "expected", "error", "dup")

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, month, line, kind, quantity, amount, expected=None, component=-1, plan=-1, qdec=0, error=-1):
        month = np.atleast_1d(np.asarray(month, np.int64))
        n = len(month)

        def full(v, dtype):
            return np.broadcast_to(np.asarray(v, dtype), (n,)).copy()

        amount = full(amount, float)
        self.parts.append({
            "month": month, "line": full(line, np.int64), "kind": full(KINDS.index(kind), np.int64),
            "component": full(component, np.int64), "plan": full(plan, np.int64),
            "quantity": full(quantity, float), "qdec": full(qdec, np.int64), "amount": amount,
            "expected": amount.copy() if expected is None else full(expected, float),
            "error": full(error, np.int64), "dup": np.zeros(n, bool)})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({f: np.concatenate([p[f] for p in self.parts]) for f in self.FIELDS})


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
    d = contract.discount
    fees = bid.spec.fees

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

    # ---------------------------------------------------------------- clean rows, priced by the engine
    rows = Rows()
    jp = np.array([plans.ids.index(contract.profile_plan[p["id"]]) for p in profiles])[profile]
    li, mi = np.nonzero(active)
    prorata = (mi == act_m[li]) & is_new[li]
    q = np.where(prorata, np.round((month_start[mi] + days[mi] - act_ord[li]) / days[mi], 4), 1.0)
    sub_exp = q * plans.fee[jp[li]] * k[mi] * (1 - d)
    rows.add(mi, li, "sub", q, np.round(sub_exp, 2), sub_exp, plan=jp[li], qdec=np.where(prorata, 4, 0))
    rows.parts[-1]["kind"][prorata] = KINDS.index("prorata")
    for c, (_, _, factor, dec) in USAGE.items():
        if c not in C:
            continue
        ci = C.index(c)
        written = np.round(usage[c] * factor, dec)  # what the operator prints
        li, mi = np.nonzero(active & (written > 0))
        qty = written[li, mi] / factor
        j = jp[li]
        if contract.pooled[ci]:
            exp = np.zeros(len(li))
        else:
            units = measured_units(qty, 1.0, plans.allowance[j, ci], plans.block[j, ci], plans.limit[j, ci])
            exp = units * plans.rate[j, ci] * k[mi]
        rows.add(mi, li, "usage", written[li, mi], np.round(exp, 2), exp, component=ci, qdec=dec)
    # one-offs: activation and SIM fees (for a challenger, every line in month 1; new lines in
    # their month), setup in month 1
    owed = is_new | contract.challenger
    due_m = np.where(is_new, act_m, 0)
    for kind, fee in (("activation", fees.per_line_activation), ("sim", fees.sim_card)):
        if fee > 0:
            li = np.flatnonzero(owed)
            rows.add(due_m[li], li, kind, 1.0, fee)
    if fees.setup > 0:
        rows.add(0, -1, "setup", 1.0, fees.setup)
    if fees.account_monthly > 0:
        rows.add(months, -1, "account", 1.0, np.round(fees.account_monthly * k, 2), fees.account_monthly * k)
    # handsets: a profile's tier, renewed every refresh_months on average; new lines get one
    tiers = [(p.get("device") or {}).get("tier") for p in profiles]
    refresh = np.array([float((p.get("device") or {}).get("refresh_months", 0) or 0) for p in profiles])
    prices = bid.spec.devices.prices
    has_tier = np.array([t is not None and t in prices for t in tiers])[profile]
    chance = np.where(refresh[profile] > 0, 1.0 / np.maximum(refresh[profile], 1.0), 0.0)
    renew = active & has_tier[:, None] & (rng.random((n, MONTHS)) < chance[:, None])
    renew[is_new, :] = False
    renew[np.flatnonzero(is_new & has_tier), act_m[is_new & has_tier]] = True
    li, mi = np.nonzero(renew)
    tier_of = np.array([t or "" for t in tiers])[profile]
    price = np.array([prices.get(t, 0.0) for t in tier_of])
    rows.add(mi, li, "device", 1.0, price[li], component=-2, qdec=0)
    rows.parts[-1]["plan"][:] = -1
    device_tier = tier_of[li]
    # month-1 credits
    welcome = bid.spec.discounts.welcome_credit
    migration = bid.spec.portability.migration_credit if contract.challenger else 0.0
    credits = [(kind, v) for kind, v in (("welcome", welcome), ("migration", migration)) if v > 0]

    # ---------------------------------------------------------------- seeded errors
    errors = ["negotiated_rate_not_applied", "pooled_data_billed_per_line", "billed_after_termination",
              "duplicate", "missing_welcome_credit", "management_fee_not_in_contract"]
    category = {}
    frame = rows.frame()
    frame["tier"] = ""
    frame.loc[frame["kind"] == KINDS.index("device"), "tier"] = device_tier
    E = errors.index
    # 3. billed after termination: subscriptions 1–2 months after the termination month
    late = np.flatnonzero(ended & (end_m <= MONTHS - 2))
    late = np.sort(rng.choice(late, size=max(1, round(AFTER_END_SHARE * len(late))), replace=False))
    extra = rng.integers(1, 3, len(late))
    li = np.repeat(late, extra)
    mi = end_m[li] + (np.arange(len(li)) - np.repeat(np.cumsum(extra) - extra, extra)) + 1
    keep = mi < MONTHS
    li, mi = li[keep], mi[keep]
    price_sub = plans.fee[jp[li]] * k[mi] * (1 - d)
    late_rows = Rows()
    late_rows.add(mi, li, "sub", 1.0, np.round(price_sub, 2), 0.0, plan=jp[li], error=E("billed_after_termination"))
    category[E("billed_after_termination")] = "billed_after_termination"
    frame = pd.concat([frame, late_rows.frame().assign(tier="")], ignore_index=True)
    # 1. the negotiated rate not applied from month 4: one plan of one entity at list price
    target_profile = next((i for i, p in enumerate(profiles) if p["id"] == "standard"), 0)
    rate_plan = int(np.array([plans.ids.index(contract.profile_plan[p["id"]]) for p in profiles])[target_profile])
    rate_entity = _pick_entity(profile, entity, target_profile, len(entities))
    list_price = np.ceil(plans.fee[rate_plan] * 1.2) - 0.10
    sub = (frame["kind"].isin([KINDS.index("sub"), KINDS.index("prorata")]) & (frame["error"] < 0)
           & (frame["plan"] == rate_plan) & (frame["month"] >= RATE_FROM)).to_numpy().copy()
    sub &= entity[np.maximum(frame["line"].to_numpy(), 0)] == rate_entity
    frame.loc[sub, "amount"] = np.round(frame.loc[sub, "quantity"] * list_price * k[frame.loc[sub, "month"]], 2)
    frame.loc[sub, "error"] = E("negotiated_rate_not_applied")
    category[E("negotiated_rate_not_applied")] = "rate_not_applied"
    # 2. data billed per line in months 6–7 for another entity
    size = np.bincount(entity, minlength=len(entities)).astype(float)
    size[rate_entity] = np.inf
    data_entity = int(np.argmin(np.where(size > 0, size, np.inf)))  # the smallest other entity
    ci = C.index("data_gb")
    rows_data = ((frame["kind"] == KINDS.index("usage")) & (frame["component"] == ci) & (frame["error"] < 0)
                 & frame["month"].isin(DATA_MONTHS)).to_numpy().copy()
    rows_data &= entity[np.maximum(frame["line"].to_numpy(), 0)] == data_entity
    at = np.flatnonzero(rows_data)
    gb = frame["quantity"].to_numpy()[at] / USAGE["data_gb"][2]
    km = k[frame["month"].to_numpy()[at]]
    if contract.pooled[ci]:
        billed = np.round(gb * contract.pool_rate[ci] * km, 2)
        hit = billed != 0
        category[E("pooled_data_billed_per_line")] = "pooled_usage_billed"
    else:
        rate = np.where(plans.rate[:, ci] > 0, plans.rate[:, ci], plans.rate[:, ci].max())
        billed = np.round(gb * rate[jp[frame["line"].to_numpy()[at]]] * km, 2)
        hit = billed - frame["expected"].to_numpy()[at] > 0.05  # clearly above the contract price
        category[E("pooled_data_billed_per_line")] = "rate_not_applied"
    frame.loc[at[hit], "amount"] = billed[hit]
    frame.loc[at[hit], "error"] = E("pooled_data_billed_per_line")
    # 4. one handset billed twice (in month 5)
    devices = np.flatnonzero(((frame["kind"] == KINDS.index("device")) & (frame["error"] < 0)
                              & (frame["month"] == DUPLICATE_MONTH)).to_numpy())
    if not len(devices):
        devices = np.flatnonzero(((frame["kind"] == KINDS.index("sub")) & (frame["error"] < 0)
                                  & (frame["month"] == DUPLICATE_MONTH)).to_numpy())
    original = int(devices[rng.integers(len(devices))])
    twin = frame.iloc[[original]].copy()
    twin["error"], twin["dup"], twin["expected"] = E("duplicate"), True, 0.0
    frame = pd.concat([frame, twin], ignore_index=True)
    category[E("duplicate")] = "duplicate_charge"
    # 6. a management fee the contract does not have, from month 7
    fee_rows = Rows()
    fee_rows.add(np.arange(FEE_FROM, MONTHS), -1, "management", 1.0, MANAGEMENT_FEE, 0.0,
                 error=E("management_fee_not_in_contract"))
    frame = pd.concat([frame, fee_rows.frame().assign(tier="")], ignore_index=True)
    category[E("management_fee_not_in_contract")] = "fee_not_in_contract"
    # 5. the welcome credit (or, without one, the migration credit) missing from month 1
    missing = None
    if credits:
        missing = credits[0]
        kept = Rows()
        for kind, value in credits[1:]:
            kept.add(0, -1, kind, 1.0, -value)
        if kept.parts:
            frame = pd.concat([frame, kept.frame().assign(tier="")], ignore_index=True)
        category[E("missing_welcome_credit")] = "missing_credit"
    # the pool's overage (account level), on the rows as billed (duplicates aside)
    for c in np.flatnonzero(contract.pooled):
        frame = _pool_rows(frame, contract, c, k)

    # ---------------------------------------------------------------- files
    frame = _order(frame, number)
    seeded = _write(out, frame, contract, periods, number, entity, entities, plan_code, C, errors, category)
    if missing is not None:
        kind, value = missing
        seeded["errors"].append({"error": "missing_welcome_credit", "category": "missing_credit",
                                 "credit": LABELS[kind][0], "periods": {periods[0]: {
                                     "count": 1, "difference": float(value), "rows": []}}})
    _write_inventory(out, number, entity, profile, entities, profiles, act_ord, end_ord, ended)
    # Issue 17: the service-level logs (tickets.csv, ports.csv, actions.yaml; contract.yaml's
    # service_levels blocks above), what they were built with recorded beside "errors".
    switching = raw.get("switching") or {}
    built = _service_logs(out, seed, periods, number, entity, entities, is_new, ended, act_ord,
                          float(switching.get("port_share", 1.0)))
    codes = sorted(set(period_codes(np.array([f"{p}-01" for p in periods], dtype="datetime64[D]"), "quarter").tolist()))
    values = _constructed(kpi_defs, built, codes)
    accuracy = _accuracy(frame, periods, codes)
    targets = {i: float(x["target"]) if "target" in x else float(resolve(bid.raw, x["commitment"]))
               for i, x in kpi_defs.items()}
    credits = _credits_paid(out, frame, contract, kpi_defs, targets, values, accuracy, periods, codes)
    _actions(out, periods, entities[rate_entity])
    seeded["rows"] += len(credits["received"])
    seeded["service_levels"] = {
        "targets": targets, "kpis": values, "billing_accuracy": accuracy,
        "sim_bad_quarter": period_label(codes[SIM_BAD_QUARTER], "quarter") if len(codes) > SIM_BAD_QUARTER else None,
        "migration_quarter": period_label(codes[0], "quarter"),
        "ports": {"rejected": built["rejected"], "lost": built["lost"]},
        "credits": credits,
    }
    seeded.update({
        "generator": "scripts/make_contract.py", "seed": seed, "lines": int(n0), "new_lines": int(n_new),
        "terminated_lines": int(ended.sum()), "bid": bid_id, "start": periods[0],
        "unused_lines": {"count": int(len(unused)), "months": len(UNUSED_MONTHS)},
        "rate": {"plan": plans.ids[rate_plan], "entity": entities[rate_entity], "contract_fee": float(
            plans.fee[rate_plan]), "list_price": float(list_price)},
        "data_entity": entities[data_entity],
    })
    text = json.dumps(seeded, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    (out / "seeded.json").write_bytes(text.encode("utf-8"))
    return seeded


def _pick_entity(profile: np.ndarray, entity: np.ndarray, target: int, n_entities: int) -> int:
    """The entity with the fewest (but some) lines of the target profile: a billing account."""
    counts = np.bincount(entity[profile == target], minlength=n_entities)
    counts = np.where(counts > 0, counts, np.iinfo(np.int64).max)
    return int(np.argmin(counts))


def _pool_rows(frame: pd.DataFrame, contract, c: int, k: np.ndarray) -> pd.DataFrame:
    plans = contract.plans
    live = ~frame["dup"].to_numpy()
    kind, month = frame["kind"].to_numpy(), frame["month"].to_numpy()
    subs = live & np.isin(kind, [KINDS.index("sub"), KINDS.index("prorata")])
    allow = plans.allowance[frame["plan"].to_numpy()[subs], c]
    supply = np.bincount(month[subs], weights=np.where(np.isinf(allow), 0.0, allow * frame["quantity"].to_numpy()[subs]),
                         minlength=MONTHS)
    unlimited = np.bincount(month[subs][np.isinf(allow)], minlength=MONTHS) > 0
    line = frame["line"].to_numpy()
    has_sub = np.zeros((int(line.max()) + 1, MONTHS), bool)
    has_sub[line[subs], month[subs]] = True
    used = live & (kind == KINDS.index("usage")) & (frame["component"].to_numpy() == c) & (line >= 0)
    used &= has_sub[np.maximum(line, 0), month]
    factor = USAGE[contract.components[c]][2]
    demand = np.bincount(month[used], weights=frame["quantity"].to_numpy()[used] / factor, minlength=MONTHS)
    charge = pool_charge(demand, supply, unlimited, contract.pool_rate[c], k)
    over = np.flatnonzero(charge > 0)
    pool = Rows()
    pool.add(over, -1, "pool", np.round(np.maximum(0.0, demand - supply)[over], 2), np.round(charge[over], 2),
             charge[over], component=c, qdec=2)
    return pd.concat([frame, pool.frame().assign(tier="")], ignore_index=True)


def _order(frame: pd.DataFrame, number: np.ndarray) -> pd.DataFrame:
    """Each month: the lines' invoices by entity, each line's rows together (subscription,
    usage by component, one-offs, handset; a duplicate right after its original), then the
    account-level invoice."""
    line = frame["line"].to_numpy()
    account = line < 0
    num = np.where(account, "", number[np.maximum(line, 0)])
    keys = (frame["dup"].to_numpy(), frame["component"].to_numpy(), frame["kind"].to_numpy(), num, account,
            frame["month"].to_numpy())
    order = np.lexsort(keys)
    return frame.iloc[order].reset_index(drop=True)


def _write(out: Path, frame: pd.DataFrame, contract, periods: list[str], number: np.ndarray, entity: np.ndarray,
           entities: list[str], plan_code: dict[str, str], C: list[str], errors: list[str], category: dict) -> dict:
    line = frame["line"].to_numpy()
    account = line < 0
    month = frame["month"].to_numpy()
    kind = frame["kind"].to_numpy()
    ent = np.where(account, 0, entity[np.maximum(line, 0)] + 1)
    # the entity's invoice (sorted: lines by entity) — re-sort so each invoice is contiguous
    order = np.lexsort((np.arange(len(frame)), ent, month))
    frame = frame.iloc[order].reset_index(drop=True)
    line, account, month, kind, ent = (line[order], account[order], month[order], kind[order], ent[order])
    ym = np.array([p[2:4] + p[5:7] for p in periods])
    dates = np.array([f"{y:04d}-{m:02d}-05" for y, m in
                      (_month_add(int(p[:4]), int(p[5:]), 1) for p in periods)])
    labels = np.array([LABELS[x][0] for x in KINDS], object)
    rubrics = np.array([LABELS[x][1] for x in KINDS], object)
    units = np.array([LABELS[x][3] or "" for x in KINDS], object)
    usage_label = np.array([USAGE[c][0] if c in USAGE else c for c in C] + [""], object)
    usage_unit = np.array([USAGE[c][1] if c in USAGE else "" for c in C] + [""], object)
    codes = np.array([plan_code[p] for p in contract.plans.ids] + [""], object)
    comp, plan = frame["component"].to_numpy(), frame["plan"].to_numpy()
    amount, quantity, qdec = frame["amount"].to_numpy(), frame["quantity"].to_numpy(), frame["qdec"].to_numpy()
    tier = frame["tier"].to_numpy(object)
    files = np.array([f"invoices/facture_{p}.csv" for p in periods])
    row_no = np.zeros(len(frame), np.int64)
    for m in range(len(periods)):  # one file a month, its text built for its rows only (memory)
        at = np.flatnonzero(month == m)
        row_no[at] = np.arange(len(at)) + 2
        k, c, j = kind[at], comp[at], plan[at]
        table = pd.DataFrame({
            "invoice": (pd.Series(ent[at]).astype(str).str.zfill(2).radd(f"NC{ym[m]}-")).to_numpy(object),
            "date": np.full(len(at), dates[m], object), "period": np.full(len(at), periods[m], object),
            "line": np.where(account[at], "", number[np.maximum(line[at], 0)]),
            "rubric": rubrics[k], "label": labels[k],
            "type": np.where(k == KINDS.index("device"), pd.Series(tier[at]).map(DEVICES).fillna("").to_numpy(object),
                             np.where(c >= 0, usage_label[np.where(c >= 0, c, -1)], "")),
            "plan": np.where(j >= 0, codes[np.where(j >= 0, j, -1)], ""),
            "quantity": _text(quantity[at], qdec[at]),
            "unit": np.where(k == KINDS.index("usage"), usage_unit[np.where(c >= 0, c, -1)], units[k]),
            "ht": _text(amount[at], np.full(len(at), 2)),
            "ttc": _text(np.round(amount[at] * (1 + VAT), 2), np.full(len(at), 2))})
        text = table.to_csv(sep=";", header=HEADER, index=False, lineterminator="\n")
        (out / files[m]).write_bytes(text.encode("utf-8"))
    seeded: dict = {"errors": []}
    error = frame["error"].to_numpy()
    difference = amount - frame["expected"].to_numpy()
    for e, name in enumerate(errors):
        if e not in category or category[e] == "missing_credit":
            continue
        at = np.flatnonzero(error == e)
        per = {}
        for m in np.unique(month[at]):
            rows_m = at[month[at] == m]
            per[periods[m]] = {"count": int(len(rows_m)), "difference": round(float(difference[rows_m].sum()), 6),
                               "rows": [f"{files[m]}:{r}" for r in row_no[rows_m]]}
        seeded["errors"].append({"error": name, "category": category[e], "periods": per})
    seeded["rows"] = int(len(frame))
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


# ---------------------------------------------------------------------------- service-level logs
# Issue 17 (docs/service-levels.md): the buyer's ticket, port and action logs, drawn with their
# own generator (the invoices' draws are unchanged), and the service credits the operator paid.
TICKET_HEADER = ["N° ticket", "Catégorie", "Centre de coût", "Ligne", "Ouvert le", "Première réponse", "Résolu le",
                 "Canal"]
PORT_HEADER = ["Numéro", "RIO", "Demandé le", "Porté le", "Statut", "Motif"]
CATEGORIES = ("Incident", "Demande", "Remplacement SIM")
CATEGORY_SHARE = (0.45, 0.40, 0.15)
CHANNELS = ("Téléphone", "E-mail", "Portail")
TICKETS_PER_LINE = 0.04  # tickets a month per line; the migration quarter has 1.5 times as many
# resolution in working days: (values, probabilities) per category; the SIM replacement's bad quarter
RESOLUTION = {"Incident": ((0, 1, 2, 3, 4), (0.55, 0.3, 0.1, 0.03, 0.02)),
              "Demande": ((0, 1, 2, 3, 5), (0.6, 0.2, 0.1, 0.05, 0.05)),
              "Remplacement SIM": ((0, 1, 2), (0.35, 0.55, 0.10))}
SIM_BAD = ((1, 2, 3, 4, 5), (0.1, 0.3, 0.35, 0.15, 0.1))  # a SIM card shortage at the operator
SIM_BAD_QUARTER = 2  # the contract's third quarter (2027Q3 for the bundled contract)
ANSWER_MEDIAN = 1.0  # minutes to the first answer (incidents, SIM), lognormal, sigma 0.45
ANSWER_MEDIAN_MIGRATION = 4.0  # the migration quarter: the hotline swamped
PORT_DAYS = ((1, 2, 3), (0.55, 0.35, 0.10))
PORT_WAVE_DAYS = 15  # the migration's requests over the contract's first 15 working days
NEW_LINE_PORT_SHARE = 0.4  # new lines bringing their number (a subsidiary's lines moved in)
INCUMBENT_RIO_OPERATOR = "02"
REJECTIONS = (("RIO erroné", "key"), ("RIO erroné", "key"), ("RIO erroné", "key"),
              ("Titulaire différent", "holder"), ("Titulaire différent", "holder"),
              ("Contrat personnel (RIO particulier)", "personal"))
LOST_REASON = "Numéro résilié par l'opérateur cédant avant le portage"
CREDIT_CAP_PERCENT = 8
PORTING_DELAY_TARGET = 3  # working days: the usual French mobile porting delay, given (not in the bid)
TICKET_KPIS = ("support_answer", "sim_replacement", "incident_fix_2d")  # the credits the operator pays


def _service_levels_yaml(bid, switching: dict) -> tuple[dict, dict]:
    """contract.yaml's service-level blocks: each KPI's target is the awarded bid's commitment
    (its ``service:`` values; billing accuracy given as a share, the bid stating a percent)."""
    service = bid.raw.get("service") or {}
    kpis = [
        {"id": "support_answer", "name": "Temps de réponse du support (minutes, p90)", "source": "tickets",
         "measure": "answer_minutes", "filter": {"type": "Incident"}, "statistic": "p90",
         "commitment": "service.support_answer_minutes", "better": "lower",
         "credit": [{"miss": 0, "percent": 2}, {"miss": 0.5, "percent": 4}]},
        {"id": "sim_replacement", "name": "Remplacement de carte SIM (jours ouvrés, moyenne)", "source": "tickets",
         "measure": "resolution_working_days", "filter": {"type": "Remplacement SIM"}, "statistic": "mean",
         "commitment": "service.sim_replacement_days", "better": "lower",
         "credit": [{"miss": 0, "percent": 2}, {"miss": 0.5, "percent": 4}, {"miss": 1, "percent": 6}]},
        {"id": "incident_fix_2d", "name": "Incidents résolus en 2 jours ouvrés", "source": "tickets",
         "measure": "resolution_working_days", "filter": {"type": "Incident"}, "statistic": "share_within",
         "within": 2, "target": 0.9, "better": "lower", "credit": [{"miss": 0, "percent": 1}]},
        {"id": "porting_delay", "name": "Délai de portage (jours ouvrés, moyenne)", "source": "ports",
         "measure": "porting_working_days", "statistic": "mean", "target": PORTING_DELAY_TARGET, "better": "lower",
         "credit": [{"miss": 0, "percent": 1}]},
        {"id": "porting_success", "name": "Portages réussis", "source": "ports", "measure": "porting_success",
         "statistic": "mean", "target": round(1 - float(switching.get("porting_failure_rate", 0.0)), 6),
         "better": "higher", "credit": [{"miss": 0, "percent": 2}]},
        {"id": "billing_accuracy", "name": "Exactitude de la facturation", "source": "audit",
         "measure": "billing_accuracy", "statistic": "mean", "commitment": "service.billing_accuracy_percent",
         "target": round(float(service.get("billing_accuracy_percent", 99.0)) / 100, 6), "better": "higher",
         "credit": [{"miss": 0, "percent": 1}, {"miss": 0.05, "percent": 3}]},
    ]
    kpis = [x for x in kpis if "commitment" not in x or resolve(bid.raw, x["commitment"]) is not _MISSING]
    blocks = {
        "service_levels": {"calendar": "FR", "period": "quarter", "credit_cap_percent": CREDIT_CAP_PERCENT,
                           "kpis": kpis},
        "tickets_file": {"path": "tickets.csv", "columns": {
            "id": TICKET_HEADER[0], "type": TICKET_HEADER[1], "entity": TICKET_HEADER[2], "line": TICKET_HEADER[3],
            "opened": TICKET_HEADER[4], "answered": TICKET_HEADER[5], "resolved": TICKET_HEADER[6]},
            "delimiter": ";"},
        "ports_file": {"path": "ports.csv", "columns": {
            "line": PORT_HEADER[0], "rio": PORT_HEADER[1], "requested": PORT_HEADER[2], "ported": PORT_HEADER[3],
            "status": PORT_HEADER[4], "reason": PORT_HEADER[5]}, "delimiter": ";"},
        "actions": "actions.yaml",
    }
    return blocks, {x["id"]: x for x in kpis}


def _iso(days: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)


def _stamp(days: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DDTHH:MM`` of each day at ``minutes`` after midnight (< 24 h)."""
    hm = pd.Series(minutes // 60).astype(str).str.zfill(2) + ":" + pd.Series(minutes % 60).astype(str).str.zfill(2)
    return (pd.Series(_iso(days)) + "T" + hm).to_numpy(object)


def _rios(operator: np.ndarray, kind: np.ndarray, numbers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Well-formed RIOs ``OO-Q-RRRRRR-CCC`` whose key is the inter-operator algorithm's
    (`monitoring.rio.rio_keys`) for each number."""
    chars = np.array(list(RIO_ALPHABET[:36]), dtype="<U1")[rng.integers(0, 36, (len(numbers), 6))]
    body = np.ascontiguousarray(chars).view("<U6").ravel().astype(object)
    prefix = (pd.Series(operator, dtype=object) + pd.Series(kind, dtype=object) + pd.Series(body, dtype=object))
    keys = rio_keys(prefix.to_numpy(str), numbers.astype(str))
    return (prefix.str[:2] + "-" + prefix.str[2] + "-" + prefix.str[3:] + "-" + pd.Series(keys)).to_numpy(object)


def _service_logs(out: Path, seed: int, periods: list[str], number: np.ndarray, entity: np.ndarray,
                  entities: list[str], is_new: np.ndarray, ended: np.ndarray, act_ord: np.ndarray,
                  port_share: float) -> dict:
    """Write tickets.csv and ports.csv; return what was built, per record (for seeded.json)."""
    rng = np.random.default_rng([seed, 17])  # the logs' own draws: the invoices stay as they were
    first = np.datetime64(f"{periods[0]}-01", "D")
    last = (np.datetime64(periods[-1], "M") + 1).astype("datetime64[D]") - 1
    every = np.arange(first - 400, last + 400, dtype="datetime64[D]")
    cal = business_calendar("FR", every)  # the contract's calendar (monitoring.workdays)
    work = every[np.is_busday(every, busdaycal=cal)]
    work = work[(work >= first) & (work <= last)]
    quarter = period_codes(work, "quarter")
    q0 = int(quarter[0])
    # ---------------------------------------------------------------- tickets
    n_lines = int((~is_new).sum())
    month_of = work.astype("datetime64[M]")
    days, cats = [], []
    for m in np.unique(month_of):  # months, not tickets
        pool = work[month_of == m]
        q = int(period_codes(pool[:1], "quarter")[0]) - q0
        count = int(rng.poisson(TICKETS_PER_LINE * n_lines * (1.5 if q == 0 else 1.0)))
        days.append(pool[rng.integers(0, len(pool), count)])
        cats.append(rng.choice(len(CATEGORIES), size=count, p=CATEGORY_SHARE))
    day, cat = np.concatenate(days), np.concatenate(cats)
    n = len(day)
    qi = period_codes(day, "quarter") - q0
    opened = rng.integers(8 * 60, 18 * 60 + 30, n)
    median = np.where(qi == 0, ANSWER_MEDIAN_MIGRATION, ANSWER_MEDIAN)
    answer = np.maximum(0, np.round(median * rng.lognormal(0.0, 0.45, n))).astype(np.int64)
    request = cat == CATEGORIES.index("Demande")
    answer[request] = np.minimum(300, 10 + np.round(60 * rng.lognormal(0.0, 0.6, int(request.sum())))).astype(np.int64)
    resolution = np.zeros(n, np.int64)
    for c, name in enumerate(CATEGORIES):
        values, p = RESOLUTION[name]
        at = cat == c
        resolution[at] = rng.choice(values, size=int(at.sum()), p=p)
    bad = (cat == CATEGORIES.index("Remplacement SIM")) & (qi == SIM_BAD_QUARTER)
    resolution[bad] = rng.choice(SIM_BAD[0], size=int(bad.sum()), p=SIM_BAD[1])
    resolved_day = np.busday_offset(day, resolution, roll="forward", busdaycal=cal)
    answered = opened + answer
    resolved = np.where(resolution == 0, np.minimum(answered + rng.integers(5, 120, n), 23 * 60 + 59),
                        rng.integers(8 * 60, 19 * 60, n))
    still_open = resolved_day > last  # not resolved when the logs were exported
    live = np.flatnonzero(~is_new & ~ended)
    line = live[rng.integers(0, len(live), n)]
    no_line = request & (rng.random(n) < 0.2)
    order = np.lexsort((answered, opened, day))
    day, cat, opened, answered, answer, resolution, resolved_day, resolved, still_open, line, no_line, qi = (
        x[order] for x in (day, cat, opened, answered, answer, resolution, resolved_day, resolved, still_open, line,
                           no_line, qi))
    tickets = pd.DataFrame({
        "id": ("TK-" + pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(6)).to_numpy(object),
        "type": np.array(CATEGORIES, object)[cat],
        "entity": np.array(entities, object)[entity[line]],
        "line": np.where(no_line, "", number[line]),
        "opened": _stamp(day, opened), "answered": _stamp(day, answered),
        "resolved": np.where(still_open, "", _stamp(resolved_day, resolved)),
        "channel": np.array(CHANNELS, object)[rng.integers(0, len(CHANNELS), n)]})
    (out / "tickets.csv").write_bytes(tickets.to_csv(sep=";", header=TICKET_HEADER, index=False,
                                                     lineterminator="\n").encode("utf-8"))
    # ---------------------------------------------------------------- ports
    initial = np.flatnonzero(~is_new)
    moved = np.sort(rng.choice(initial, size=round(port_share * len(initial)), replace=False))
    wave = work[:PORT_WAVE_DAYS]
    req = wave[rng.integers(0, len(wave), len(moved))]
    took = rng.choice(PORT_DAYS[0], size=len(moved), p=PORT_DAYS[1])
    status = np.full(len(moved), "ported", object)
    reason = np.full(len(moved), "", object)
    kind = np.full(len(moved), "E", object)
    failed = rng.choice(len(moved), size=len(REJECTIONS) + 1, replace=False)
    rejected, lost = failed[:-1], failed[-1:]
    status[rejected], reason[rejected] = "rejected", [r for r, _ in REJECTIONS]
    status[lost], reason[lost] = "lost", LOST_REASON
    kind[rejected[[i for i, (_, why) in enumerate(REJECTIONS) if why == "personal"]]] = "P"
    rio = _rios(np.full(len(moved), INCUMBENT_RIO_OPERATOR, object), kind, number[moved], rng)
    wrong = rejected[[i for i, (_, why) in enumerate(REJECTIONS) if why == "key"]]
    key = pd.Series(rio[wrong], dtype=object).str[-3:]
    swapped = pd.Series([RIO_ALPHABET[(RIO_ALPHABET.index(k[0]) + 1) % 36] for k in key], dtype=object)
    rio[wrong] = (pd.Series(rio[wrong], dtype=object).str[:-3] + swapped + key.str[1:]).to_numpy(object)
    # the rejected lines asked again a week or two later with the right RIO, and ported
    again = np.sort(rejected)
    req_again = np.busday_offset(req[again], rng.integers(5, 10, len(again)), busdaycal=cal)
    took_again = rng.choice(PORT_DAYS[0], size=len(again), p=PORT_DAYS[1])
    rio_again = _rios(np.full(len(again), INCUMBENT_RIO_OPERATOR, object), np.full(len(again), "E", object),
                      number[moved[again]], rng)
    # new lines bringing their number from another operator, ported the working day they start
    newcomers = np.flatnonzero(is_new)
    newcomers = np.sort(rng.choice(newcomers, size=round(NEW_LINE_PORT_SHARE * len(newcomers)), replace=False))
    start_day = np.array(act_ord[newcomers] - dt.date(1970, 1, 1).toordinal(), dtype="datetime64[D]")
    took_new = rng.choice(PORT_DAYS[0], size=len(newcomers), p=PORT_DAYS[1])
    req_new = np.busday_offset(np.busday_offset(start_day, 0, roll="backward", busdaycal=cal), -took_new,
                               busdaycal=cal)
    rio_new = _rios(rng.choice(np.array(["01", "03", "04"], object), len(newcomers)),
                    np.full(len(newcomers), "E", object), number[newcomers], rng)
    p_line = np.concatenate([moved, moved[again], newcomers])
    p_req = np.concatenate([req, req_again, req_new])
    p_took = np.concatenate([took, took_again, took_new])
    p_status = np.concatenate([status, np.full(len(again), "ported", object), np.full(len(newcomers), "ported", object)])
    p_reason = np.concatenate([reason, np.full(len(again) + len(newcomers), "", object)])
    p_rio = np.concatenate([rio, rio_again, rio_new])
    p_ported = np.busday_offset(p_req, p_took, busdaycal=cal)
    order = np.lexsort((number[p_line], p_req))
    p_line, p_req, p_took, p_status, p_reason, p_rio, p_ported = (
        x[order] for x in (p_line, p_req, p_took, p_status, p_reason, p_rio, p_ported))
    ports = pd.DataFrame({"line": number[p_line], "rio": p_rio, "requested": _iso(p_req),
                          "ported": np.where(p_status == "ported", _iso(p_ported), ""),
                          "status": p_status, "reason": p_reason})
    (out / "ports.csv").write_bytes(ports.to_csv(sep=";", header=PORT_HEADER, index=False,
                                                 lineterminator="\n").encode("utf-8"))
    status_of = ports["status"].to_numpy(object)
    failures = {s: [{"row": f"ports.csv:{i + 2}", "reason": str(ports["reason"].iloc[i])}
                    for i in np.flatnonzero(status_of == s)] for s in ("rejected", "lost")}
    return {"rejected": failures["rejected"], "lost": failures["lost"],
            "tickets": {"quarter": qi + q0, "category": cat, "answer": answer, "resolution": resolution,
                        "open": still_open},
            "ports": {"quarter": period_codes(p_req, "quarter"), "status": p_status, "reason": p_reason,
                      "took": p_took}}


def _constructed(kpis: dict, built: dict, codes: list[int]) -> dict:
    """Each log KPI's value per quarter, from the durations the logs were built with (not read
    back): n, open, value (None without a record)."""
    t, p = built["tickets"], built["ports"]
    out = {}
    for kpi_id, kpi in kpis.items():
        if kpi["source"] == "audit":
            continue
        per = {}
        for c in codes:
            if kpi["source"] == "tickets":
                here = (t["quarter"] == c) & (t["category"] == CATEGORIES.index(kpi["filter"]["type"]))
                values = (t["answer"] if kpi["measure"] == "answer_minutes" else t["resolution"]).astype(float)
                is_open = t["open"] if kpi["measure"] == "resolution_working_days" else np.zeros(len(values), bool)
            else:
                here = p["quarter"] == c
                if kpi["measure"] == "porting_working_days":
                    here = here & (p["status"] == "ported")
                    values = p["took"].astype(float)
                else:
                    values = (p["status"] == "ported").astype(float)
                is_open = np.zeros(len(values), bool)
            v = values[here & ~is_open]
            if not len(v):
                value = None
            elif kpi["statistic"] == "p90":
                value = float(np.percentile(v, 90))
            elif kpi["statistic"] == "share_within":
                value = float(np.mean(v <= kpi["within"]))
            else:
                value = float(np.mean(v))
            per[period_label(c, "quarter")] = {"n": int(len(v)), "open": int((here & is_open).sum()), "value": value}
        out[kpi_id] = per
    return out


def _accuracy(frame: pd.DataFrame, periods: list[str], codes: list[int]) -> dict:
    """Billing accuracy per quarter from the seeded rows: billed line-periods without a
    seeded error over billed line-periods (the audit finds exactly the seeded errors)."""
    line, month, error = frame["line"].to_numpy(), frame["month"].to_numpy(), frame["error"].to_numpy()
    on_line = line >= 0
    pairs = pd.DataFrame({"line": line[on_line], "month": month[on_line], "bad": error[on_line] >= 0})
    per = pairs.groupby(["line", "month"])["bad"].any().reset_index()
    month_code = period_codes(np.array([f"{p}-01" for p in periods], dtype="datetime64[D]"), "quarter")
    per["quarter"] = month_code[per["month"].to_numpy()]
    out = {}
    for c in codes:
        here = per[per["quarter"] == c]
        out[period_label(c, "quarter")] = {"line_periods": int(len(here)), "with_error": int(here["bad"].sum()),
                                           "value": 1.0 - float(here["bad"].sum()) / len(here)}
    return out


def _actions(out: Path, periods: list[str], rate_entity: str) -> None:
    """The action log of the quarterly reviews so far (open and done, one overdue)."""
    actions = [
        {"id": "a1", "text": "Reprendre les demandes de portage rejetées (RIO à corriger, titulaire)",
         "owner": "Acheteur télécom", "due": f"{periods[1]}-05", "status": "done"},
        {"id": "a2", "text": "Rechercher une solution pour le numéro perdu au portage", "owner": "Opérateur",
         "due": f"{periods[2]}-30", "status": "done"},
        {"id": "a3", "text": f"Appliquer le tarif négocié de l'offre ESSENTIEL au centre de coût {rate_entity}",
         "owner": "Opérateur", "due": f"{periods[5]}-15", "status": "open"},
        {"id": "a4", "text": "Plan d'action sur le stock de cartes SIM (remplacements en retard)",
         "owner": "Opérateur", "due": f"{periods[8]}-15", "status": "done"},
        {"id": "a5", "text": "Rembourser les frais de gestion facturés hors contrat", "owner": "Opérateur",
         "due": f"{periods[9]}-30", "status": "open"},
        {"id": "a6", "text": "Verser les pénalités de service dues sur l'exactitude de la facturation",
         "owner": "Opérateur", "due": f"{periods[11]}-15", "status": "open"},
        {"id": "a7", "text": "Revue trimestrielle : valider le compte rendu et l'envoyer à la direction",
         "owner": "Direction achats", "due": f"{_next_month(periods[-1])}-15", "status": "open"},
    ]
    text = yaml.safe_dump(actions, allow_unicode=True, sort_keys=False, width=100)
    (out / "actions.yaml").write_bytes(("# Action log of the quarterly reviews (fictional), written by "
                                        "scripts/make_contract.py.\n" + text).encode("utf-8"))


def _next_month(period: str) -> str:
    y, m = _month_add(int(period[:4]), int(period[5:]), 1)
    return f"{y:04d}-{m:02d}"


def _credits_paid(out: Path, frame: pd.DataFrame, contract, kpis: dict, targets: dict, values: dict,
                  accuracy: dict, periods: list[str], codes: list[int]) -> dict:
    """The credits due per quarter (the contract's tiers and cap, `monitoring.service_levels`'s
    rules, on the values built), and the credits the operator paid: those of the ticket KPIs
    (it contests the audit's), on the invoice of the second month after the quarter — so a
    quarter's credits are received a quarter later, and the last quarters' not yet. The
    ``sla_credit`` rows go at the end of that month's file, a credit note of their own."""
    spec = {k.id: k for k in contract.spec.service_levels.kpis}
    month_code = period_codes(np.array([f"{p}-01" for p in periods], dtype="datetime64[D]"), "quarter")
    subs = frame["kind"].isin([KINDS.index("sub"), KINDS.index("prorata")]).to_numpy()
    billed = np.bincount(frame["month"].to_numpy()[subs], weights=frame["amount"].to_numpy()[subs],
                         minlength=len(periods))
    due, paid_rows = {}, []
    for c in codes:
        label = period_label(c, "quarter")
        base = float(billed[month_code == c].sum())
        per_kpi = {}
        for kpi_id in kpis:
            value = accuracy[label]["value"] if kpi_id == "billing_accuracy" else values[kpi_id][label]["value"]
            _, miss = judge(value, targets[kpi_id], spec[kpi_id])
            per_kpi[kpi_id] = credit_percent(miss, spec[kpi_id]) * base / 100.0
        total, capped = capped_credits(math.fsum(per_kpi.values()), base, contract.spec.service_levels.credit_cap_percent)
        due[label] = {"base": base, "credit_due": total, "capped": capped,
                      "missed": sorted(k for k, v in per_kpi.items() if v > 0)}
        acknowledged = min(math.fsum(v for k, v in per_kpi.items() if k in TICKET_KPIS), total)
        pay_month = int(np.flatnonzero(month_code == c)[-1]) + 2  # the quarter's last month + 2
        if acknowledged > 0 and pay_month < len(periods):
            paid_rows.append((pay_month, label, round(acknowledged, 2)))
    received = []
    for m, label, amount in paid_rows:
        path = out / "invoices" / f"facture_{periods[m]}.csv"
        text = path.read_bytes().decode("utf-8")
        row = text.count("\n") + 1
        y, mm = _month_add(int(periods[m][:4]), int(periods[m][5:]), 1)
        ht, ttc = _text(np.array([-amount, round(-amount * (1 + VAT), 2)]), np.array([2, 2]))
        cells = [f"AV{periods[m][2:4]}{periods[m][5:7]}-00", f"{y:04d}-{mm:02d}-05", periods[m], "", LABELS["sla"][1],
                 LABELS["sla"][0], "", "", "1", LABELS["sla"][3], ht, ttc]
        path.write_bytes((text + ";".join(cells) + "\n").encode("utf-8"))
        received.append({"row": f"invoices/facture_{periods[m]}.csv:{row}", "billing_period": periods[m],
                         "for": label, "amount": amount})
    return {"due": due, "received": received}


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
