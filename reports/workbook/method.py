"""The workbook's reference sheets: Method (formulas, weights, knock-out rules, cost rules)
and Inputs (the fleet and every bid's prices, as read from the tender files)."""

from __future__ import annotations

from typing import Any

from reports import text
from reports.names import amounts_basis, bids_by_rank
from scoring.criteria import DISCREPANCY_SHARE
from scoring.evaluate import Evaluation
from scoring.explain import PRICE
from scoring.formulas import price_basis, price_formula
from scoring.model import BlockRate, UsageDistribution

from .sheets import _bid_label, _join, _yes_no
from .writer import Book, Sheet


def _method(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Method")
    spec, tspec = ev.spec, ev.tender.spec
    price = spec.price
    row = sh.title("Method: weights, formulas, and how much the choice of formula matters",
                   "The evaluation block in use" + (" (a what-if, not the tender's stated block)."
                                                    if spec != tspec.evaluation else ", from tender.yaml."))
    facts: list[tuple[str, Any, str]] = []
    if spec.method == "weighted_sum":
        facts.append(("Method", "weighted sum: total = price points + criterion points (out of 100 when the "
                      "weights add up to 100); points = weight × score, scores run 0..1", "text"))
    else:
        facts.append(("Method", "TOPSIS: vector-normalised decision matrix of the compliant bids, weights over "
                      "their sum; total = 100 × closeness to the ideal bid", "text"))
    facts += [
        ("Price weight", price.weight, "points"),
        ("Price basis", f"{price.basis} — {price_basis(price.basis).description}", "text"),
        ("Price formula", f"{price.formula} — {price_formula(price.formula).description}", "text"),
        ("Price reference", f"{price.reference} — {text.t(f'workbook.reference.{price.reference}', 'en')}", "text"),
    ]
    if price.bounds is not None:
        facts += [("Price bounds: best", price.bounds.best, "money"), ("Price bounds: worst", price.bounds.worst, "money")]
    if spec.abnormally_low is not None:
        facts += [("Abnormally-low threshold", spec.abnormally_low, "pct"),
                  ("", f"a compliant bid whose bid cost is more than {spec.abnormally_low:.0%} below the mean bid "
                   "cost of the other compliant bids is flagged, to be questioned before the award", "text")]
    else:
        facts.append(("Abnormally-low threshold", "none (no abnormally-low check)", "text"))
    if tspec.discount_rate is not None:
        facts.append(("Discount rate (NPV)", tspec.discount_rate, "pct"))
    facts += [
        ("Ties", "higher total (compared at 9 decimals), then lower TCO (at the cent), then bid id", "text"),
        ("Knock-outs", "a bid that cannot be costed, lacks a required criterion or fails a limit is not ranked "
         "and does not set the lowest or highest price", "text"),
        ("Missing values", "a missing criterion value scores 0 (with a warning), unless the criterion is required "
         "or has a limit: then the bid is knocked out", "text"),
        ("Evaluator discrepancy", f"evaluators' scores spread over more than {DISCREPANCY_SHARE:.0%} of the scale: "
         "to settle in a moderated consensus (consensus.yaml) with a written reason", "text"),
        ("Amounts", f"{tspec.currency} {amounts_basis(ev.tender, 'en', long=True)}; usage per line per month; switching costs in month 1", "text"),
    ]
    for label, value, style in facts:
        sh.fact(row, label, value, style)
        row += 1

    row += 1
    sh.section(row, "Weights in use")
    row += 1
    head = ["Criterion", "Name", "Kind", "Weight", "Reads", "Best", "Worst", "Limit", "Required", "Scale",
            "Score"]
    weights_header = row
    sh.header(row, 0, head, [None, None, None, "right", None, "right", "right", "right", "center", "right", None])
    row += 1
    sh.text(row, 0, PRICE)
    sh.text(row, 1, "Price")
    sh.text(row, 2, "price")
    sh.number(row, 3, price.weight, "points")
    sh.text(row, 4, price.basis)
    sh.text(row, 10, price_formula(price.formula).description, measure=False)
    for c in spec.criteria:
        row += 1
        sh.text(row, 0, c.id)
        sh.text(row, 1, c.name or c.id)
        sh.text(row, 2, {"yes_no": "yes/no"}.get(c.kind, c.kind))
        sh.number(row, 3, c.weight, "points")
        sh.text(row, 4, c.from_)
        sh.number(row, 5, c.best)
        sh.number(row, 6, c.worst)
        sh.number(row, 7, c.limit)
        sh.text(row, 8, _yes_no(c.required) if c.kind == "yes_no" else "", "text", "center")
        sh.number(row, 9, c.scale)
        sh.text(row, 10, text.t(f"workbook.kind.{c.kind}", "en"), measure=False)
    row += 1
    sh.text(row, 0, "Total", "label", "total")
    for col in (1, 2):
        sh.blank(row, col, "total")
    sh.number(row, 3, price.weight + sum(c.weight for c in spec.criteria), "points", "total")

    comparison = ev.explanation.formula_comparison
    if comparison:
        row += 3
        sh.section(row, "Winner and ranks under every price formula and basis (the tender's choice highlighted)")
        row += 1
        ranked = [b for b in bids_by_rank(ev) if any(b in item["ranks"] for item in comparison)]
        head = ["Basis", "Formula", "Chosen", "Winner", *(f"Rank {b}" for b in ranked), "Note"]
        header_row = row
        sh.header(row, 0, head, [None, None, "center", None, *["center"] * len(ranked), None])
        for item in comparison:
            row += 1
            chosen = ("best",) if item["chosen"] else ()
            sh.text(row, 0, item["basis"], "text", *chosen)
            sh.text(row, 1, item["formula"], "text", *chosen)
            sh.text(row, 2, "yes" if item["chosen"] else "", "text", "center", *chosen)
            sh.text(row, 3, item["winner"] or "—", "text", *chosen)
            for j, b in enumerate(ranked):
                sh.number(row, 4 + j, item["ranks"].get(b), "int", "center", *chosen)
            sh.text(row, 4 + len(ranked), item["note"] or "", "text", *chosen, measure=False)
        sh.table(header_row, 0, len(head) - 1, row, freeze=False)
    sh.ws.freeze_panes(2, 0)
    sh.ws.repeat_rows(weights_header)
    words = [price_formula(price.formula).description, *(text.t(f"workbook.kind.{c.kind}", "en") for c in spec.criteria)]
    sh.finish({0: max(24.0, sh.widths.get(0, 0.0)), 10: min(100.0, max(len(w) for w in words) + 3.0)})


def _inputs(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Inputs")
    tender, tspec, fleet = ev.tender, ev.tender.spec, ev.costs.fleet
    row = sh.title("Inputs: the fleet and every bid's prices, as read from the tender files",
                   f"Money in {tspec.currency} {amounts_basis(tender, 'en', long=True)}; usage per line per month.")

    # Profiles.
    sh.section(row, "User profiles")
    row += 1
    entities = [e.id for e in tspec.entities]
    comps = list(fleet.components)
    head = ["Profile", "Name", "Initial lines", *(f"Lines {e}" for e in entities), "Line growth per year",
            "Device tier", "Device refresh (months)", *(f"Usage {c}" for c in comps), "Usage growth per year",
            "Usage spread"]
    n_num = 2 + len(entities)
    sh.header(row, 0, head, [None, None, *["right"] * n_num, None, "right", *["right"] * len(comps), None, None])
    for p in tspec.profiles:
        row += 1
        sh.text(row, 0, p.id)
        sh.text(row, 1, p.name or "")
        sh.number(row, 2, sum(p.lines.values()), "count", "bold")
        col = 3
        for e in entities:
            sh.number(row, col, p.lines.get(e, 0.0), "count")
            col += 1
        sh.number(row, col, p.line_growth, "pct")
        sh.text(row, col + 1, p.device.tier if p.device else "")
        sh.number(row, col + 2, p.device.refresh_months if p.device else None, "count")
        col += 3
        for c in comps:
            u = p.usage.get(c)
            sh.number(row, col, None if u is None else (u.mean if isinstance(u, UsageDistribution) else u), "num")
            col += 1
        sh.text(row, col, _join(f"{c} {g:+.1%}" for c, g in p.usage_growth.items()))
        sh.text(row, col + 1, _join(f"{c}: {u.dist}, cv {u.cv:g}" for c, u in p.usage.items()
                                    if isinstance(u, UsageDistribution) and u.cv > 0))
    row += 3

    # Switching assumptions.
    if tspec.switching is not None:
        sh.section(row, "Switching assumptions (the buyer's own cost of leaving the incumbent)")
        row += 1
        s = tspec.switching
        items = [("project_eur", "Migration project", "money"), ("per_line_eur", "Per initial line", "money"),
                 ("current_monthly_eur", "Current monthly invoice", "money"),
                 ("parallel_months", "Parallel running (months)", "count"),
                 ("incumbent_exit_fee_eur", "Incumbent exit fee", "money"),
                 ("port_share", "Share of numbers ported", "pct"),
                 ("porting_failure_rate", "Porting failure rate", "pct"),
                 ("lost_number_eur", "Value of a lost number", "money")]
        sh.header(row, 0, ["Field", "Assumption", "Value"], [None, None, "right"])
        for key, label, style in items:
            row += 1
            sh.text(row, 0, key)
            sh.text(row, 1, label)
            sh.number(row, 2, getattr(s, key), style)
        row += 3

    # Offers.
    bids = bids_by_rank(ev)
    sh.section(row, "Offers: the plans offered for each profile (after ‘→’: the plan used in the evaluation)")
    row += 1
    sh.header(row, 0, ["Profile", "Name", *(_bid_label(ev, b) for b in bids)])
    for p in tspec.profiles:
        row += 1
        sh.text(row, 0, p.id)
        sh.text(row, 1, p.name or "")
        for j, b in enumerate(bids):
            offered = tender.bid(b).spec.offer.get(p.id, ())
            offered = offered if isinstance(offered, tuple) else (offered,)
            chosen = (ev.costs.plan_assignment[b] or {}).get(p.id)
            shown = _join(offered, ", ") or "no offer"
            if chosen and len(offered) > 1:
                shown += f" → {chosen}"
            sh.text(row, 2 + j, shown)
    row += 3

    # Plans.
    sh.section(row, "Plans: monthly fee, allowances (per line per month) and rates beyond them")
    row += 1
    plan_comps = list(dict.fromkeys([*comps, *(c for b in tender.bids for p in b.spec.plans
                                              for c in (*p.allowances, *p.rates))]))
    # v1.1 caps get their columns only when a plan has one (a v1 workbook is unchanged).
    cap_comps = [c for c in plan_comps if any(c in plan.caps for b in bids for plan in tender.bid(b).spec.plans)]
    head = ["Bid", "Operator", "Plan", "Monthly fee", *(f"Allowance {c}" for c in plan_comps),
            *(f"Rate {c}" for c in plan_comps), *(f"Cap {c} per line" for c in cap_comps), "Plan name"]
    plans_header = row
    sh.header(row, 0, head, [None, None, None, *["right"] * (1 + 2 * len(plan_comps) + len(cap_comps)), None])
    for b in bids:
        bid = tender.bid(b)
        for plan in bid.spec.plans:
            row += 1
            sh.text(row, 0, b)
            sh.text(row, 1, bid.operator)
            sh.text(row, 2, plan.id)
            sh.number(row, 3, plan.monthly_fee, "money")
            for i, c in enumerate(plan_comps):
                a = plan.allowances.get(c)
                if a == "unlimited":
                    sh.text(row, 4 + i, "unlimited", "text", "right")
                else:
                    sh.number(row, 4 + i, a, "num")
                rate = plan.rates.get(c)
                if isinstance(rate, BlockRate):  # v1.1: a price per started block of units
                    sh.text(row, 4 + len(plan_comps) + i, f"{rate.price:,.2f} per block of {rate.block:g}", "text",
                            "right")
                else:
                    sh.number(row, 4 + len(plan_comps) + i, rate, "money")
            for i, c in enumerate(cap_comps):
                sh.number(row, 4 + 2 * len(plan_comps) + i, plan.caps.get(c), "money")
            sh.text(row, 4 + 2 * len(plan_comps) + len(cap_comps), plan.name or "")
    sh.table(plans_header, 0, len(head) - 1, row, freeze=False)
    row += 3

    # Bid terms.
    sh.section(row, "Bid terms: fees, discounts, devices and portability")
    row += 1
    tiers = list(dict.fromkeys(t for t in fleet.device_tier if t is not None))
    head = ["Bid", "Operator", "Valid until", "Setup fee", "Activation per line", "SIM card", "Account fee per month",
            "Welcome credit", "Indexation per year", *(f"Device {t}" for t in tiers), "Device fund",
            "Porting fee per number", "Exit fee refunded", "Migration credit", "Volume discounts", "Pooled components"]
    # v1.1 fees get their columns only when a bid uses one (a v1 workbook is unchanged).
    extra = [(label, key) for label, key in (("Fee per line per month", "per_line_monthly"),
                                             ("Minimum monthly spend", "minimum_monthly_spend"))
             if any(getattr(tender.bid(b).spec.fees, key) > 0 for b in bids)]
    head += [label for label, _ in extra]
    sh.header(row, 0, head, [None, None, *["right"] * (len(head) - len(extra) - 4), None, None, *["right"] * len(extra)])
    for b in bids:
        s = tender.bid(b).spec
        row += 1
        sh.text(row, 0, b)
        sh.text(row, 1, tender.bid(b).operator)
        sh.date(row, 2, s.valid_until)
        sh.number(row, 3, s.fees.setup, "money")
        sh.number(row, 4, s.fees.per_line_activation, "money")
        sh.number(row, 5, s.fees.sim_card, "money")
        sh.number(row, 6, s.fees.account_monthly, "money")
        sh.number(row, 7, s.discounts.welcome_credit, "money")
        sh.number(row, 8, s.indexation_percent / 100.0, "pct")
        col = 9
        for t in tiers:
            sh.number(row, col, s.devices.prices.get(t), "money")
            col += 1
        sh.number(row, col, s.devices.fund, "money")
        sh.number(row, col + 1, s.portability.fee_per_number, "money")
        sh.number(row, col + 2, s.portability.exit_fee_refund, "pct")
        sh.number(row, col + 3, s.portability.migration_credit, "money")
        sh.text(row, col + 4, _join(f"from {t.min_lines:g} lines: {t.percent:g} %" for t in s.discounts.volume))
        sh.text(row, col + 5, _join(f"{c}: overage {p.overage_rate:,.2f} per unit" for c, p in s.pool.items()))
        for k, (_, key) in enumerate(extra):
            sh.number(row, col + 6 + k, getattr(s.fees, key), "money")
    sh.ws.freeze_panes(2, 0)
    sh.finish()
