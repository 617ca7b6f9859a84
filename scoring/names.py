"""What a person reads: names for the ids of the model's output, and its jargon explained.

The JSON output is the format contract and keeps the ids (``novacom``, ``support_answer``);
everything a person reads — the command line's text, the PDF, the workbook's sentences — shows
the operator's and the criterion's names instead, through these functions. Knock-out reasons
are built by the model with ids (``support_answer: 14 is worse than the limit 10``): they are
rewritten here, in English or French, never changed at the source.
"""

from __future__ import annotations

import re

from .model import Tender

PRICE = "price"

# The price bases of the formula comparison, as a person reads them.
BASIS_LABELS = {
    "tco": {"en": "TCO", "fr": "coût total"},
    "bid": {"en": "bid cost", "fr": "prix de l'offre"},
    "npv": {"en": "NPV", "fr": "VAN"},
    "tco_service": {"en": "TCO + hidden service cost", "fr": "coût total + coût caché du service"},
}

# Jargon, explained where it is shown (the command line's legends; the PDF has its own texts).
GLOSSARY = {
    "TCO": "total cost of ownership over the term, the buyer's cost of switching included",
    "NPV": "net present value, the TCO with each month's cost discounted at the tender's discount_rate",
    "hidden service": "the cost of poor service (support waits, replacement delays…) priced by the tender's "
                      "service_costs block; not in the TCO",
    "DQE": "détail quantitatif estimatif, the buyer's bill of quantities, which prices every line at its "
           "profile's average usage as a spreadsheet does",
    "regret": "how much more, on average over the draws, the bid costs than the cheapest compliant bid of the "
              "same draw",
}


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


def basis_label(basis: str, lang: str = "en") -> str:
    return BASIS_LABELS.get(basis, {}).get(lang, basis)


# The knock-out reasons the model writes (scoring.criteria, scoring.cost, scoring.rank), each
# with its rendering; {name} is the criterion's or profile's name.
_ID = r"[a-z0-9_-]+"
_NUMBER = r"-?[0-9.e+-]+|inf|nan"
_KNOCKOUTS: list[tuple[re.Pattern, dict[str, str]]] = [
    (re.compile(rf"^(?P<criterion>{_ID}): (?P<value>{_NUMBER}) is worse than the limit (?P<limit>{_NUMBER})$"),
     {"en": "{criterion}: {value} is worse than the limit {limit}",
      "fr": "{criterion} : {value} est moins bon que la limite {limit}"}),
    (re.compile(rf"^(?P<criterion>{_ID}): required, but the bid says no$"),
     {"en": "{criterion}: required, but the bid says no", "fr": "{criterion} : exigé, mais l'offre répond non"}),
    (re.compile(rf"^(?P<criterion>{_ID}): no value given, but the criterion is a requirement$"),
     {"en": "{criterion}: no value given, but the criterion is a requirement",
      "fr": "{criterion} : aucune valeur, alors que le critère est exigé"}),
    (re.compile(rf"^no offer for profile '(?P<profile>{_ID})'$"),
     {"en": "no offer for the profile {profile}", "fr": "aucune offre pour le profil {profile}"}),
    (re.compile(rf"^profile '(?P<profile>{_ID})': no usable plan \((?P<detail>.*)\)$"),
     {"en": "no usable plan for the profile {profile} ({detail})",
      "fr": "aucun forfait utilisable pour le profil {profile} ({detail})"}),
    (re.compile(rf"^no device price for tier '(?P<tier>{_ID})' \(profile '(?P<profile>{_ID})'\)$"),
     {"en": "no device price for the tier {tier} (profile {profile})",
      "fr": "pas de prix de terminal pour la gamme {tier} (profil {profile})"}),
    (re.compile(rf"^price basis '(?P<basis>{_ID})' cannot be valued: a service commitment is missing$"),
     {"en": "the price basis “{basis}” cannot be valued: a service commitment is missing",
      "fr": "la base de prix « {basis} » ne peut pas être évaluée : un engagement de service manque"}),
]


def _number(text: str, lang: str) -> str:
    return text.replace(".", ",") if lang == "fr" else text


def knockout_text(tender: Tender, reason: str, lang: str = "en") -> str:
    """A knock-out reason with names for ids (``Support answer time (minutes): 14 is worse than
    the limit 10``), in English or French; a reason of another shape is returned as written."""
    for pattern, texts in _KNOCKOUTS:
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
        return texts.get(lang, texts["en"]).format(**fields)
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


__all__ = ["BASIS_LABELS", "GLOSSARY", "basis_label", "bid_name", "criterion_name", "knockout_text", "profile_name",
           "warning_text"]
