"""The bundled contract's service-level logs (issue 17, docs/service-levels.md), written by
scripts/make_contract.py: contract.yaml's ``service_levels`` blocks, ``tickets.csv``,
``ports.csv``, ``actions.yaml``, the values the logs were built with, and the service credits
the operator paid as ``sla_credit`` rows appended to a later month's invoice file.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from contract_invoices import KINDS, LABELS, VAT, _month_add, _text

from monitoring.rio import ALPHABET as RIO_ALPHABET
from monitoring.rio import rio_keys
from monitoring.service_levels import (
    capped_credits,
    credit_percent,
    judge,
    period_codes,
    period_label,
)
from monitoring.workdays import business_calendar
from scoring.criteria import _MISSING, resolve

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



def _service_levels(out: Path, seed: int, raw: dict, bid, kpi_defs: dict, contract, frame: pd.DataFrame,
                    periods: list[str], number: np.ndarray, entity: np.ndarray, entities: list[str],
                    is_new: np.ndarray, ended: np.ndarray, act_ord: np.ndarray, rate_entity: int) -> dict:
    """Write the logs (tickets.csv, ports.csv, actions.yaml) and the paid credits' rows; return
    seeded.json's ``service_levels``: what the logs were built with, the credits due and paid."""
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
    return {
        "targets": targets, "kpis": values, "billing_accuracy": accuracy,
        "sim_bad_quarter": period_label(codes[SIM_BAD_QUARTER], "quarter") if len(codes) > SIM_BAD_QUARTER else None,
        "migration_quarter": period_label(codes[0], "quarter"),
        "ports": {"rejected": built["rejected"], "lost": built["lost"]},
        "credits": credits,
    }
