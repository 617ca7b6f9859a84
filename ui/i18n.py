"""Labels and number formats of the UI in English and French.

`t(key, lang, **kw)` returns the label in that language, formatted with ``kw``; a key or a
language that does not exist raises KeyError, so a typo never shows up as an empty label.
Numbers follow each language's conventions: English ``€1,234,567`` and ``12%``, French
``1 234 567 €`` and ``12 %`` (narrow no-break space U+202F between thousands and before
``%``, no-break space U+00A0 before the currency). Negative numbers carry the true minus
sign U+2212; a missing value (None or NaN) shows as an em dash.
"""

from __future__ import annotations

import math

LANGS = ("en", "fr")

NNBSP = "\u202f"  # narrow no-break space: French thousands separator, before % and :
NBSP = "\u00a0"  # no-break space: before a currency
MINUS = "\u2212"
MISSING = "—"

TEXT: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ cost components
    "component.subscriptions": {"en": "Subscriptions", "fr": "Abonnements"},
    "component.usage": {"en": "Usage beyond allowances", "fr": "Consommations hors forfait"},
    "component.pool_overage": {"en": "Pooled data overage", "fr": "Dépassement du pool data"},
    "component.account_fees": {"en": "Account fees", "fr": "Frais de compte"},
    "component.devices": {"en": "Devices", "fr": "Terminaux"},
    "component.device_fund": {"en": "Device fund", "fr": "Enveloppe terminaux"},
    "component.one_off_fees": {"en": "One-off fees (setup, activation, SIMs)",
                               "fr": "Frais ponctuels (mise en service, activation, SIM)"},
    "component.credits": {"en": "Credits", "fr": "Avoirs"},
    "component.portability": {"en": "Portability terms", "fr": "Conditions de portabilité"},
    "component.switching": {"en": "Switching cost (buyer's)", "fr": "Coût de changement (acheteur)"},
    # ------------------------------------------------------------------ usage components (tender ids)
    "usage.voice_min": {"en": "Voice", "fr": "Voix"},
    "usage.sms": {"en": "SMS", "fr": "SMS"},
    "usage.data_gb": {"en": "Data", "fr": "Data"},
    "usage.roam_eu_data_gb": {"en": "EU roaming data", "fr": "Data en itinérance UE"},
    "usage.roam_eu_voice_min": {"en": "EU roaming voice", "fr": "Voix en itinérance UE"},
    "usage.roam_world_voice_min": {"en": "Worldwide roaming voice", "fr": "Voix en itinérance hors UE"},
    "usage.roam_world_data_gb": {"en": "Worldwide roaming data", "fr": "Data en itinérance hors UE"},
    # ------------------------------------------------------------------ usage units (by the component id's suffix)
    "unit.data": {"en": "GB", "fr": "Go"},
    "unit.voice": {"en": "minutes", "fr": "minutes"},
    "unit.sms": {"en": "messages", "fr": "messages"},
    # ------------------------------------------------------------------ switching parts and assumptions
    "switch.project": {"en": "Migration project", "fr": "Projet de migration"},
    "switch.staff_and_sims": {"en": "Staff time and SIMs", "fr": "Temps du personnel et cartes SIM"},
    "switch.parallel_running": {"en": "Parallel running", "fr": "Double exploitation"},
    "switch.exit_fee": {"en": "Incumbent exit fee", "fr": "Frais de résiliation du titulaire"},
    "switch.lost_numbers": {"en": "Lost numbers", "fr": "Numéros perdus"},
    "switch.buyer_total": {"en": "Buyer's switching cost", "fr": "Coût de changement (acheteur)"},
    "switch.portability_terms": {"en": "Operator's portability terms", "fr": "Conditions de portabilité de l'opérateur"},
    "switch.total": {"en": "Net cost of the move", "fr": "Coût net du changement"},
    "assumption.project_eur": {"en": "Migration project cost", "fr": "Coût du projet de migration"},
    "assumption.per_line_eur": {"en": "Switching cost per line", "fr": "Coût de changement par ligne"},
    "assumption.current_monthly_eur": {"en": "Current monthly invoice", "fr": "Facture mensuelle actuelle"},
    "assumption.parallel_months": {"en": "Months of parallel running", "fr": "Mois de double exploitation"},
    "assumption.incumbent_exit_fee_eur": {"en": "Incumbent exit fee", "fr": "Frais de résiliation du titulaire"},
    "assumption.port_share": {"en": "Share of numbers ported", "fr": "Part des numéros portés"},
    "assumption.porting_failure_rate": {"en": "Porting failure rate", "fr": "Taux d'échec de portabilité"},
    "assumption.lost_number_eur": {"en": "Value of a lost number", "fr": "Valeur d'un numéro perdu"},
    # ------------------------------------------------------------------ sensitivity drivers
    "driver.usage": {"en": "Usage: {name}", "fr": "Consommation : {name}"},
    "driver.lines": {"en": "Number of lines", "fr": "Nombre de lignes"},
    "driver.line_growth": {"en": "Line growth", "fr": "Croissance du nombre de lignes"},
    "driver.usage_growth": {"en": "Usage growth", "fr": "Croissance des consommations"},
    "driver.prices": {"en": "Prices of {name}", "fr": "Prix de {name}"},
    "driver.switching": {"en": "Switching: {name}", "fr": "Changement : {name}"},
    # ------------------------------------------------------------------ generic labels
    "label.price": {"en": "Price", "fr": "Prix"},
    "label.total": {"en": "Total", "fr": "Total"},
    "label.bid": {"en": "Bid", "fr": "Offre"},
    "label.criterion": {"en": "Criterion", "fr": "Critère"},
    "label.weight": {"en": "Weight", "fr": "Pondération"},
    "label.profile": {"en": "Profile", "fr": "Profil"},
    "label.entity": {"en": "Entity", "fr": "Entité"},
    "label.driver": {"en": "Driver", "fr": "Hypothèse"},
    "label.rank": {"en": "Rank {rank}", "fr": "Rang {rank}"},
    "label.year": {"en": "Year {year}", "fr": "Année {year}"},
    "label.year_partial": {"en": "Year {year} ({months} months)", "fr": "Année {year} ({months} mois)"},
    "label.month": {"en": "Month {month}", "fr": "Mois {month}"},
    "label.knocked_out": {"en": "{name} (knocked out)", "fr": "{name} (écartée)"},
    "label.knocked_out_list": {"en": "Knocked out: {names}", "fr": "Offres écartées : {names}"},
    "label.not_costed_list": {"en": "Not costed: {names}", "fr": "Offres non chiffrées : {names}"},
    "label.incumbent": {"en": "{name} (incumbent)", "fr": "{name} (titulaire)"},
    "label.not_compliant": {"en": "Not compliant", "fr": "Non conforme"},
    "label.stay": {"en": "Stay with {name}", "fr": "Rester chez {name}"},
    "label.stay_tco": {"en": "Stay with {name}: {amount}", "fr": "Rester chez {name} : {amount}"},
    "label.break_even": {"en": "{name}: break-even in month {month}",
                         "fr": "{name} : rentable au mois {month}"},
    "label.break_even_short": {"en": "Break-even: month {month}", "fr": "Point mort : mois {month}"},
    "label.no_break_even": {"en": "{name}: no break-even within the term",
                            "fr": "{name} : pas de point mort sur la durée"},
    "label.assumed_rate": {"en": "Assumed: {rate}", "fr": "Hypothèse : {rate}"},
    "label.low_side": {"en": "Driver −{delta}", "fr": "Hypothèse −{delta}"},
    "label.high_side": {"en": "Driver +{delta}", "fr": "Hypothèse +{delta}"},
    "label.baseline_margin": {"en": "Baseline margin: {margin}", "fr": "Marge de référence : {margin}"},
    "label.winner_changes": {"en": "Winner changes", "fr": "Changement de lauréat"},
    "label.winner_is": {"en": "Winner: {name}", "fr": "Lauréat : {name}"},
    "label.winner_knocked_out": {"en": "{name} knocked out", "fr": "{name} écartée"},
    "label.stable_range": {"en": "{name} still wins", "fr": "{name} reste lauréat"},
    "label.stated_weight": {"en": "Stated weight", "fr": "Pondération retenue"},
    "label.below_above": {"en": "below: {below} / above: {above}", "fr": "en dessous : {below} / au-dessus : {above}"},
    "label.below": {"en": "below: {name}", "fr": "en dessous : {name}"},
    "label.above": {"en": "above: {name}", "fr": "au-dessus : {name}"},
    "label.stable_everywhere": {"en": "wins over the whole range", "fr": "lauréat sur toute la plage"},
    "label.nobody": {"en": "none", "fr": "aucun"},
    "label.p5_p95": {"en": "P5–P95 range", "fr": "Fourchette P5–P95"},
    "label.p50": {"en": "Median (P50)", "fr": "Médiane (P50)"},
    "label.clipped": {"en": "negative amount {amount} shown as 0", "fr": "montant négatif {amount} affiché à 0"},
    "label.no_incumbent": {"en": "No incumbent to compare with", "fr": "Pas de titulaire à comparer"},
    "label.no_challenger": {"en": "No challenger can be costed", "fr": "Aucun concurrent chiffrable"},
    "label.no_data": {"en": "Nothing to show", "fr": "Rien à afficher"},
    "label.points_total": {"en": "{points} pts", "fr": "{points} pts"},
    "label.billed_lines": {"en": "Billed lines: box P25–P75, median, mean (dashed), whiskers P5–P95",
                           "fr": "Lignes facturées : boîte P25–P75, médiane, moyenne (tirets), moustaches P5–P95"},
    "label.published_mean": {"en": "Published profile mean", "fr": "Moyenne publiée du profil"},
    "label.lines_count": {"en": "{n} lines", "fr": "{n} lignes"},
    "label.mean": {"en": "Mean", "fr": "Moyenne"},
    "label.median": {"en": "Median", "fr": "Médiane"},
    "label.zero_share": {"en": "Lines with zero use", "fr": "Lignes sans consommation"},
    # ------------------------------------------------------------------ axis titles (with units)
    "axis.tco": {"en": "TCO over the term ({currency}, excl. VAT)", "fr": "Coût total sur la durée ({currency} HT)"},
    "axis.annual": {"en": "Annual cost ({currency}, excl. VAT)", "fr": "Coût annuel ({currency} HT)"},
    "axis.monthly": {"en": "Monthly cost ({currency}, excl. VAT)", "fr": "Coût mensuel ({currency} HT)"},
    "axis.cumulative": {"en": "Cumulative cost ({currency}, excl. VAT)", "fr": "Coût cumulé ({currency} HT)"},
    "axis.per_line_month": {"en": "Cost per line per month ({currency}, excl. VAT)",
                            "fr": "Coût par ligne et par mois ({currency} HT)"},
    "axis.switching": {"en": "Switching cost ({currency}, excl. VAT)", "fr": "Coût de changement ({currency} HT)"},
    "axis.contract_year": {"en": "Contract year", "fr": "Année de contrat"},
    "axis.contract_month": {"en": "Contract month", "fr": "Mois de contrat"},
    "axis.points": {"en": "Points (out of 100)", "fr": "Points (sur 100)"},
    "axis.score": {"en": "Score (%)", "fr": "Note (%)"},
    "axis.porting_rate": {"en": "Porting failure rate (% of ported numbers)",
                          "fr": "Taux d'échec de portabilité (% des numéros portés)"},
    "axis.margin": {"en": "Winner's margin (points)", "fr": "Marge du lauréat (points)"},
    "axis.weight": {"en": "Weight (% of the total)", "fr": "Pondération (% du total)"},
    "axis.probability": {"en": "Probability (%)", "fr": "Probabilité (%)"},
    "axis.bid": {"en": "Bid", "fr": "Offre"},
    "axis.profile": {"en": "Profile", "fr": "Profil"},
    "axis.driver": {"en": "Driver (moved by ±{delta})", "fr": "Hypothèse (variée de ±{delta})"},
    "axis.criterion_weight": {"en": "Weight", "fr": "Pondération"},
    "axis.switching_part": {"en": "Part of the switching cost", "fr": "Composante du coût de changement"},
    "axis.usage": {"en": "Mean usage per line per month ({unit})",
                   "fr": "Consommation moyenne par ligne et par mois ({unit})"},
    "axis.usage_plain": {"en": "Mean usage per line per month", "fr": "Consommation moyenne par ligne et par mois"},
    # ------------------------------------------------------------------ chart titles
    "title.ranking": {"en": "Ranking: points per bid", "fr": "Classement : points par offre"},
    "title.ranking_topsis": {"en": "Ranking: TOPSIS score per bid", "fr": "Classement : score TOPSIS par offre"},
    "title.breakdown": {"en": "TCO by cost component", "fr": "Coût total par poste"},
    "title.radar": {"en": "Score on each criterion (% of the criterion's points)",
                    "fr": "Note sur chaque critère (% des points du critère)"},
    "title.annual": {"en": "Cost per contract year", "fr": "Coût par année de contrat"},
    "title.monthly": {"en": "Cost per month", "fr": "Coût mensuel"},
    "title.entity": {"en": "TCO by entity ({currency}, excl. VAT)", "fr": "Coût total par entité ({currency} HT)"},
    "title.profile": {"en": "Cost per line per month, by profile", "fr": "Coût par ligne et par mois, par profil"},
    "title.cumulative": {"en": "Stay or switch: cumulative cost", "fr": "Rester ou changer : coût cumulé"},
    "title.waterfall": {"en": "What the move costs", "fr": "Ce que coûte le changement"},
    "title.waterfall_to": {"en": "What moving to {name} costs", "fr": "Ce que coûte le passage chez {name}"},
    "title.porting_risk": {"en": "TCO against the porting failure rate",
                           "fr": "Coût total selon le taux d'échec de portabilité"},
    "title.tornado": {"en": "What moves the winner's margin", "fr": "Ce qui fait varier la marge du lauréat"},
    "title.tornado_of": {"en": "What moves the winner's margin ({name})",
                         "fr": "Ce qui fait varier la marge du lauréat ({name})"},
    "title.weights": {"en": "Weight ranges over which {name} still wins",
                      "fr": "Pondérations : plages où {name} reste lauréat"},
    "title.weights_none": {"en": "Weight stability", "fr": "Stabilité des pondérations"},
    "title.usage": {"en": "Billed usage per line and month: {name}",
                    "fr": "Consommation facturée par ligne et par mois : {name}"},
    "subtitle.usage": {"en": "Each line's monthly mean over the billing export, by profile",
                       "fr": "Moyenne mensuelle de chaque ligne sur l'export de facturation, par profil"},
    "title.mc_rank": {"en": "Probability of each rank ({draws} simulations)",
                      "fr": "Probabilité de chaque rang ({draws} simulations)"},
    "title.mc_tco": {"en": "TCO range under uncertainty ({draws} simulations)",
                     "fr": "Fourchette du coût total sous incertitude ({draws} simulations)"},
}


def t(key: str, lang: str, **kw) -> str:
    """The label ``key`` in ``lang``, formatted with ``kw`` (KeyError if either is unknown)."""
    text = TEXT[key][lang]
    return text.format(**kw)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _digits(x: float, lang: str, decimals: int) -> tuple[str, str]:
    """(sign, absolute value with the language's separators)."""
    text = f"{abs(x):,.{decimals}f}"
    # No "−0" for a value that rounds to zero.
    sign = MINUS if x < 0 and float(text.replace(",", "")) != 0 else ""
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    elif lang != "en":
        raise KeyError(lang)
    return sign, text


def number(x, lang: str, decimals: int = 0) -> str:
    """``1,234.5`` / ``1 234,5``; None or NaN → "—"."""
    if _missing(x):
        return MISSING
    sign, text = _digits(float(x), lang, decimals)
    return sign + text


def money(x, lang: str, currency: str = "EUR", decimals: int = 0) -> str:
    """``€1,234,567`` / ``1 234 567 €``; another currency: ``1,234 USD`` / ``1 234 USD``."""
    if _missing(x):
        return MISSING
    sign, text = _digits(float(x), lang, decimals)
    if lang == "en":
        return f"{sign}€{text}" if currency == "EUR" else f"{sign}{text} {currency}"
    return f"{sign}{text}{NBSP}{'€' if currency == 'EUR' else currency}"


def percent(x, lang: str, decimals: int = 0) -> str:
    """A share 0..1 as ``12%`` / ``12 %``."""
    if _missing(x):
        return MISSING
    sign, text = _digits(100.0 * float(x), lang, decimals)
    return f"{sign}{text}%" if lang == "en" else f"{sign}{text}{NNBSP}%"


def plotly_separators(lang: str) -> str:
    """``layout.separators`` for the language: decimal mark, then thousands separator."""
    return {"en": ".,", "fr": "," + NNBSP}[lang]


__all__ = ["LANGS", "TEXT", "money", "number", "percent", "plotly_separators", "t"]
