"""What a person reads: names for the ids of the model's output, and its jargon explained.

The JSON output is the format contract and keeps the ids (``novacom``, ``support_answer``);
everything a person reads — the command line's text, the PDF, the workbook's sentences — shows
the operator's and the criterion's names instead, through these functions. Knock-out reasons
are built by the model with ids (``support_answer: 14 is worse than the limit 10``): they are
rewritten here, in English or French, never changed at the source. The words are the text
catalogue's (reports/text/names.py).
"""

from __future__ import annotations

import re

from scoring.evaluate import Evaluation
from scoring.model import Tender

from .formats import percent
from .text import TEXT, t

PRICE = "price"

# The buyer's switching cost parts (scoring.switching), in the order every output lists them.
SWITCHING_PARTS = ("project", "staff_and_sims", "parallel_running", "exit_fee", "lost_numbers")



def amounts_basis(tender: Tender | None, lang: str, long: bool = False) -> str:
    """What every amount is stated in, from the tender: "excl. VAT" / "HT" ("excluding VAT", the
    workbook's words, with ``long``), and when its ``non_recoverable_tax_percent`` is above 0
    "excl. VAT, incl. 20% non-recoverable tax" / "HT, dont 20 % de taxe non récupérable" (the
    model adds that tax to the bid cost). No tender (a chart drawn without an evaluation): the
    words without tax. The one source of these words for the app, the PDF, the charts, the
    command lines and the workbook."""
    rate = tender.spec.non_recoverable_tax_percent if tender is not None else 0.0
    key = "workbook.amounts_basis" if long else "amounts.basis"
    if not rate > 0:
        return t(key, lang)
    decimals = next((d for d in range(3) if abs(round(rate, d) - rate) < 1e-9), 2)
    return t(f"{key}_tax", lang, rate=percent(rate / 100.0, lang, decimals))


def glossary(term: str) -> str:
    """A term of jargon explained (``TCO``, ``NPV``, ``hidden service``, ``DQE``, ``regret``)."""
    return t(f"glossary.{term}", "en")


def bids_by_rank(ev: Evaluation) -> list[str]:
    """The bid ids in rank order, knocked-out bids last in the tender's order: the order of
    every table and chart of bids (app, PDF, workbook)."""
    rank = ev.ranking.rank
    return sorted(ev.costs.bids, key=lambda b: (not rank[b], rank[b] or 0))


def bid_name(tender: Tender, bid_id: str | None) -> str:
    """The operator's name for a bid id (the id itself for an unknown bid, "—" for none)."""
    if bid_id is None:
        return "—"
    try:
        return tender.bid(bid_id).operator
    except KeyError:
        return bid_id


def criterion_name(tender: Tender, criterion_id: str, price: str = "Price") -> str:
    """A criterion's name for its id; ``price`` for the price criterion."""
    if criterion_id == PRICE:
        return price
    c = next((c for c in tender.spec.evaluation.criteria if c.id == criterion_id), None)
    return (c.name or c.id) if c else criterion_id


def profile_name(tender: Tender, profile_id: str) -> str:
    p = next((p for p in tender.spec.profiles if p.id == profile_id), None)
    return (p.name or p.id) if p else profile_id


def driver_label(driver: str, lang: str, tender: Tender | None = None) -> str:
    """A sensitivity driver (``prices: novacom``, ``usage: data_gb``…) in words, for the tornado
    chart, the PDF, the risks and the command line; an operator by name when ``tender`` is given."""
    kind, _, rest = driver.partition(": ")
    if kind == "usage" and rest:
        key = f"usage.{rest}"
        return t("driver.usage", lang, name=t(key, lang) if key in TEXT else rest.replace("_", " "))
    if kind == "prices" and rest:
        return t("driver.prices", lang, name=bid_name(tender, rest) if tender is not None else rest)
    if kind == "switching" and rest:
        key = f"assumption.{rest}"
        return t("driver.switching", lang, name=t(key, lang) if key in TEXT else rest.replace("_", " "))
    key = "driver." + driver.replace(" ", "_")
    return t(key, lang) if key in TEXT else driver


def basis_label(basis: str, lang: str = "en") -> str:
    return TEXT.get(f"basis_label.{basis}", {}).get(lang, basis)


# The knock-out reasons the model writes (scoring.criteria, scoring.cost, scoring.rank), each
# with its rendering; {name} is the criterion's or profile's name.
_ID = r"[a-z0-9_-]+"
_NUMBER = r"-?[0-9.e+-]+|inf|nan"
_KNOCKOUTS: list[tuple[re.Pattern, str]] = [
    (re.compile(rf"^(?P<criterion>{_ID}): (?P<value>{_NUMBER}) is worse than the limit (?P<limit>{_NUMBER})$"),
     "knockout.worse_than_limit"),
    (re.compile(rf"^(?P<criterion>{_ID}): required, but the bid says no$"), "knockout.says_no"),
    (re.compile(rf"^(?P<criterion>{_ID}): no value given, but the criterion is a requirement$"), "knockout.no_value"),
    (re.compile(rf"^no offer for profile '(?P<profile>{_ID})'$"), "knockout.no_offer"),
    (re.compile(rf"^profile '(?P<profile>{_ID})': no usable plan \((?P<detail>.*)\)$"), "knockout.no_plan"),
    (re.compile(rf"^no device price for tier '(?P<tier>{_ID})' \(profile '(?P<profile>{_ID})'\)$"),
     "knockout.no_device_price"),
    (re.compile(rf"^price basis '(?P<basis>{_ID})' cannot be valued: a service commitment is missing$"),
     "knockout.basis_missing"),
]


def _number(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "fr" else text


def knockout_text(tender: Tender, reason: str, lang: str = "en") -> str:
    """A knock-out reason with names for ids (``Support answer time (minutes): 14 is worse than
    the limit 10``), in English or French; a reason of another shape is returned as written."""
    for pattern, text_key in _KNOCKOUTS:
        m = pattern.match(reason)
        if m is None:
            continue
        fields = m.groupdict()
        if "criterion" in fields:
            if not any(c.id == fields["criterion"] for c in tender.spec.evaluation.criteria):
                return reason
            fields["criterion"] = criterion_name(tender, fields["criterion"])
        if "profile" in fields:
            fields["profile"] = f"“{profile_name(tender, fields['profile'])}”"
        if "basis" in fields:
            fields["basis"] = basis_label(fields["basis"], lang)
        for key in ("value", "limit"):
            if key in fields:
                fields[key] = _number(fields[key], lang)
        return t(text_key, lang if lang in TEXT[text_key] else "en", **fields)
    return reason


_BID = re.compile(r"\bbid (" + _ID + r")\b")
_QUOTED_BID = re.compile(r"\bbid '(" + _ID + r")'")
_CRITERION = re.compile(r"\bcriterion '(" + _ID + r")'")
_REVERSAL = re.compile(rf"^rank reversal: without bid '(?P<out>{_ID})', '(?P<new>{_ID})' would win instead of "
                       rf"'(?P<old>{_ID})'$")


def warning_text(tender: Tender, warning: str) -> str:
    """A model warning with the operators' and criteria's names for their ids, for the
    readable outputs (the JSON keeps the model's wording)."""
    known = {b.id for b in tender.bids}
    if m := _REVERSAL.match(warning):
        if {m["out"], m["new"], m["old"]} <= known:
            return (f"rank reversal: without {bid_name(tender, m['out'])}, {bid_name(tender, m['new'])} would win "
                    f"instead of {bid_name(tender, m['old'])}")
    criteria = {c.id for c in tender.spec.evaluation.criteria}
    text = _QUOTED_BID.sub(lambda m: bid_name(tender, m[1]) if m[1] in known else m[0], warning)
    text = _BID.sub(lambda m: bid_name(tender, m[1]) if m[1] in known else m[0], text)
    return _CRITERION.sub(lambda m: f"criterion “{criterion_name(tender, m[1])}”" if m[1] in criteria else m[0], text)


__all__ = ["SWITCHING_PARTS", "amounts_basis", "basis_label", "bids_by_rank", "driver_label", "glossary", "bid_name",
           "criterion_name", "knockout_text", "profile_name", "warning_text"]
