"""The risks worth a manager's attention, as sentences in English or French.

One list for the app's decision summary and the PDF report; the sentences are the text
catalogue's ``risk.*`` (reports/text/risks.py). Pure: the language is a
parameter, not the session's, so callers need no Streamlit. Operators and criteria are
named, never given by id (`reports.names`); a name is never made possessive ("the TCO of
Novacom Entreprises", not "Novacom Entreprises's TCO").
"""

from __future__ import annotations

from scoring.evaluate import Evaluation
from scoring.switching import lost_numbers, ported_numbers

from . import names
from .formats import money, number, percent
from .text import t


def bid_name(ev: Evaluation, bid_id: str) -> str:
    return names.bid_name(ev.tender, bid_id)


def criterion_name(ev: Evaluation, criterion_id: str, lang: str) -> str:
    return names.criterion_name(ev.tender, criterion_id, price=t("label.price", lang))


def knockout_reason(ev: Evaluation, reason: str, lang: str) -> str:
    """A knock-out reason with names for ids, in ``lang`` (`reports.names.knockout_text`)."""
    return names.knockout_text(ev.tender, reason, lang)


def driver_label(ev: Evaluation, driver: str, lang: str) -> str:
    """A sensitivity driver (``prices: novacom``, ``usage: data_gb``…) in words (`reports.names.driver_label`)."""
    return names.driver_label(driver, lang, ev.tender)


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
            out.append(t("risk.knockout", lang, bid=bid_name(ev, b), reason=knockout_reason(ev, reason, lang)))
        if "abnormally_low" in ev.ranking.flags[b]:
            out.append(t("risk.abnormally_low", lang, bid=bid_name(ev, b),
                          pct=percent(ev.spec.abnormally_low, lang)))
        if "expired" in ev.ranking.flags[b]:
            out.append(t("risk.expired", lang, bid=bid_name(ev, b)))
    for left_out, other in ev.explanation.reversals.items():
        out.append(t("risk.reversal", lang, left_out=bid_name(ev, left_out), other=bid_name(ev, other)))
    winner = ev.winner
    challenger = next((c for c in sos.challengers if c.id == winner), None)
    if challenger is not None:
        if challenger.break_even_month:
            out.append(t("risk.break_even", lang, winner=bid_name(ev, winner), month=challenger.break_even_month,
                          term=spec.term_months))
        else:
            out.append(t("risk.no_break_even", lang, winner=bid_name(ev, winner)))
        s = spec.switching
        if s is not None and s.porting_failure_rate < 0.10 and s.lost_number_eur > 0:
            extra = lost_numbers(ported_numbers(ev.tender), 0.10 - s.porting_failure_rate, s.lost_number_eur)
            out.append(t("risk.porting", lang, winner=bid_name(ev, winner), extra=money(extra, lang, cur)))
    price = next((w for w in sens.weights if w["weight"] == "price"), None)
    if price and price["stable_from"] is not None:
        out.append(t("risk.weights", lang, lo=number(price["stable_from"], lang, 1),
                      hi=number(price["stable_to"], lang, 1), w=number(price["stated"], lang, 0)))
    if sens.tornado:
        top = sens.tornado[0]
        fmt = lambda m: "—" if m is None else number(m, lang, 2)  # noqa: E731
        out.append(t("risk.driver", lang, driver=driver_label(ev, top["driver"], lang),
                      lo=fmt(top["low"]["margin"]), hi=fmt(top["high"]["margin"])))
    for b in ev.costs.bids:
        for cid, res in ev.criteria.results[b].items():
            if res.discrepancy and res.moderation is None:
                out.append(t("risk.discrepancy", lang, criterion=criterion_name(ev, cid, lang), bid=bid_name(ev, b)))
    return out


__all__ = ["bid_name", "criterion_name", "driver_label", "knockout_reason", "risks"]
