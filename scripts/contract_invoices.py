"""The bundled contract's invoices (scripts/make_contract.py): the operator's layout (usage,
device and charge labels, the invoice header), the clean rows priced by the engine
(`scoring.pricing`), the seeded billing errors (make_contract.py's docstring, 1–6), the pool's
overage rows, and the monthly ``invoices/facture_YYYY-MM.csv`` files with their seeded record.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from scoring.pricing import measured_units, pool_charge

MONTHS = 12
VAT = 0.20
AFTER_END_SHARE = 0.4
RATE_FROM, DATA_MONTHS, FEE_FROM, DUPLICATE_MONTH = 3, (5, 6), 6, 4  # contract month − 1
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


def _month_add(year: int, month: int, add: int) -> tuple[int, int]:
    y, m = divmod(month - 1 + add, 12)
    return year + y, m + 1



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



def _clean_rows(contract, bid, profiles: list[dict], profile: np.ndarray, usage: dict[str, np.ndarray],
                active: np.ndarray, is_new: np.ndarray, act_m: np.ndarray, act_ord: np.ndarray,
                month_start: np.ndarray, days: np.ndarray, k: np.ndarray, rng: np.random.Generator):
    """The invoice rows as the contract prices them (subscriptions, usage, one-offs, handsets);
    return (rows, the plan index per line, the handset rows' tiers, the month-1 credits)."""
    plans, C, d, fees = contract.plans, list(contract.components), contract.discount, bid.spec.fees
    n, months = len(profile), np.arange(MONTHS)
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
    return rows, jp, device_tier, credits


def _seed_errors(rows: Rows, device_tier: np.ndarray, credits: list, contract, profiles: list[dict],
                 profile: np.ndarray, entity: np.ndarray, entities: list[str], jp: np.ndarray, ended: np.ndarray,
                 end_m: np.ndarray, k: np.ndarray, rng: np.random.Generator) -> dict:
    """The clean rows with the seeded errors (each on rows no other error touches) and the pool's
    overage rows: the frame, the errors' names, their finding categories, the missing credit, and
    what the rate and data errors were built on."""
    plans, C, d = contract.plans, list(contract.components), contract.discount
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
    return {"frame": frame, "errors": errors, "category": category, "missing": missing, "rate_plan": rate_plan,
            "rate_entity": rate_entity, "list_price": list_price, "data_entity": data_entity}


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

