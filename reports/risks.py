"""The risks worth a manager's attention, as sentences in English or French.

One list for the app's decision summary and the PDF report. Pure: the language is a
parameter, not the session's, so callers need no Streamlit. Operators and criteria are
named, never given by id (`scoring.names`); a name is never made possessive ("the TCO of
Novacom Entreprises", not "Novacom Entreprises's TCO").
"""

from __future__ import annotations

from scoring import names
from scoring.evaluate import Evaluation
from scoring.switching import initial_lines
from ui.i18n import TEXT, money, number, percent
from ui.text import PAGE_TEXT

# The risk sentences (the ones of ui/text.py's "risk." keys are superseded by these).
RISK_TEXT: dict[str, dict[str, str]] = {
    "risk.knockout": {"en": "{bid} is knocked out — {reason}.", "fr": "{bid} est éliminée — {reason}."},
    "risk.abnormally_low": {"en": "The price of {bid} is abnormally low (more than {pct} below the others' mean): "
                                  "ask the operator to justify it.",
                            "fr": "Le prix de {bid} est anormalement bas (plus de {pct} sous la moyenne des "
                                  "autres) : demandez une justification."},
    "risk.expired": {"en": "The offer of {bid} expires before the award date.",
                     "fr": "L'offre de {bid} expire avant la date d'attribution."},
    "risk.reversal": {"en": "Rank reversal: without {left_out}, {other} would win. The price formula makes the "
                            "result depend on that bid.",
                      "fr": "Inversion de classement : sans {left_out}, {other} l'emporterait. La formule de prix "
                            "rend le résultat dépendant de cette offre."},
    "risk.porting": {"en": "Porting: if 10 % of ported numbers were lost, the TCO of {winner} would rise by {extra}.",
                     "fr": "Portabilité : si 10 % des numéros portés étaient perdus, le coût de {winner} "
                           "augmenterait de {extra}."},
    "risk.break_even": {"en": "Switching to {winner} pays back in month {month} of {term}.",
                        "fr": "Le changement vers {winner} est rentabilisé au mois {month} sur {term}."},
    "risk.no_break_even": {"en": "Switching to {winner} does not pay back within the term.",
                           "fr": "Le changement vers {winner} n'est pas rentabilisé sur la durée."},
    "risk.weights": {"en": "The winner stays the same while the price weight stays between {lo} and {hi} "
                           "(stated {w}).",
                     "fr": "L'attributaire reste le même tant que le poids du prix reste entre {lo} et {hi} "
                           "({w} prévu)."},
    "risk.driver": {"en": "Most sensitive assumption: {driver} (±20 % moves the margin from {lo} to {hi} points).",
                    "fr": "Hypothèse la plus sensible : {driver} (±20 % fait varier l'avance de {lo} à {hi} "
                          "points)."},
    "risk.discrepancy": {"en": "Evaluators disagree on {criterion} for {bid}: record a moderated consensus.",
                         "fr": "Les évaluateurs divergent sur {criterion} pour {bid} : consignez un consensus "
                               "modéré."},
}


def tr(key: str, lang: str, **kw) -> str:
    """A risk sentence, a page text (ui/text.py) or a chart text (ui/i18n.py) in ``lang``."""
    entry = RISK_TEXT.get(key) or PAGE_TEXT.get(key) or TEXT[key]
    return entry[lang].format(**kw) if kw else entry[lang]


def bid_name(ev: Evaluation, bid_id: str) -> str:
    return names.bid_name(ev.tender, bid_id)


def criterion_name(ev: Evaluation, criterion_id: str, lang: str) -> str:
    return names.criterion_name(ev.tender, criterion_id, price=tr("label.price", lang))


def knockout_reason(ev: Evaluation, reason: str, lang: str) -> str:
    """A knock-out reason with names for ids, in ``lang`` (`scoring.names.knockout_text`)."""
    return names.knockout_text(ev.tender, reason, lang)


def driver_label(ev: Evaluation, driver: str, lang: str) -> str:
    """A sensitivity driver (``prices: novacom``, ``usage: data_gb``…) in words."""
    kind, _, rest = driver.partition(": ")
    if kind == "usage" and rest:
        key = f"usage.{rest}"
        return tr("driver.usage", lang, name=TEXT[key][lang] if key in TEXT else rest.replace("_", " "))
    if kind == "prices" and rest:
        return tr("driver.prices", lang, name=bid_name(ev, rest))
    if kind == "switching" and rest:
        key = f"assumption.{rest}"
        return tr("driver.switching", lang, name=TEXT[key][lang] if key in TEXT else rest.replace("_", " "))
    key = "driver." + driver.replace(" ", "_")
    return TEXT[key][lang] if key in TEXT else driver


def risks(ev: Evaluation, sos, sens, lang: str = "en") -> list[str]:
    """Knock-outs, abnormally low and expired bids, rank reversals, the winner's break-even
    and porting risk, the price-weight stability range, the most sensitive assumption and
    evaluator disagreements — each as one sentence. ``sos`` is `stay_or_switch(ev)`,
    ``sens`` is `sensitivity(ev)`."""
    out = []
    spec = ev.tender.spec
    cur = spec.currency
    for b in ev.costs.bids:
        for reason in ev.knockouts(b):
            out.append(tr("risk.knockout", lang, bid=bid_name(ev, b), reason=knockout_reason(ev, reason, lang)))
        if "abnormally_low" in ev.ranking.flags[b]:
            out.append(tr("risk.abnormally_low", lang, bid=bid_name(ev, b),
                          pct=percent(ev.spec.abnormally_low, lang)))
        if "expired" in ev.ranking.flags[b]:
            out.append(tr("risk.expired", lang, bid=bid_name(ev, b)))
    for left_out, other in ev.explanation.reversals.items():
        out.append(tr("risk.reversal", lang, left_out=bid_name(ev, left_out), other=bid_name(ev, other)))
    winner = ev.winner
    challenger = next((c for c in sos.challengers if c.id == winner), None)
    if challenger is not None:
        if challenger.break_even_month:
            out.append(tr("risk.break_even", lang, winner=bid_name(ev, winner), month=challenger.break_even_month,
                          term=spec.term_months))
        else:
            out.append(tr("risk.no_break_even", lang, winner=bid_name(ev, winner)))
        s = spec.switching
        if s is not None and s.porting_failure_rate < 0.10 and s.lost_number_eur > 0:
            extra = s.port_share * initial_lines(ev.tender) * (0.10 - s.porting_failure_rate) * s.lost_number_eur
            out.append(tr("risk.porting", lang, winner=bid_name(ev, winner), extra=money(extra, lang, cur)))
    price = next((w for w in sens.weights if w["weight"] == "price"), None)
    if price and price["stable_from"] is not None:
        out.append(tr("risk.weights", lang, lo=number(price["stable_from"], lang, 1),
                      hi=number(price["stable_to"], lang, 1), w=number(price["stated"], lang, 0)))
    if sens.tornado:
        top = sens.tornado[0]
        fmt = lambda m: "—" if m is None else number(m, lang, 2)  # noqa: E731
        out.append(tr("risk.driver", lang, driver=driver_label(ev, top["driver"], lang),
                      lo=fmt(top["low"]["margin"]), hi=fmt(top["high"]["margin"])))
    for b in ev.costs.bids:
        for cid, res in ev.criteria.results[b].items():
            if res.discrepancy and res.moderation is None:
                out.append(tr("risk.discrepancy", lang, criterion=criterion_name(ev, cid, lang), bid=bid_name(ev, b)))
    return out


__all__ = ["RISK_TEXT", "bid_name", "criterion_name", "driver_label", "knockout_reason", "risks", "tr"]
