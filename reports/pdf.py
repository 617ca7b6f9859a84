"""The evaluation as an A4 PDF report for management, in English or French.

`build_report(ev, out_path, lang=…, sources=…, scenario_name=…)` writes:

1. the decision summary: winner, TCO, margin, saving against the incumbent, risks;
2. the ranking table (knocked-out bids last, with the reasons) and points per criterion;
3. costs by contract year and by component per bid, by entity for the winner;
4. switching: the cost parts and break-even month per challenger;
5. sensitivity: the drivers that move the margin most, weight-stability ranges;
A. the methodology (formulas, weights, knock-out rules, cost rules);
B. the audit trail (SHA-256 of every input file, versions, date, scenario).

Charts are the app's own plotly figures (`ui.figures`), rendered to PNG by kaleido ≥ 1 with
the system's Chromium (``BROWSER_PATH``, else ``chromium`` on the PATH — Debian's package —
passed to kaleido as ``path=``; plotly.js comes from the plotly package and MathJax is off,
so nothing is fetched, and the browser is started offline: `OFFLINE_FLAGS`). Without kaleido or a browser, or with
``charts=False``, the report is built with tables only and says so on its first page.

Text is set in DejaVu Sans (Debian's ``fonts-dejavu-core``) so €, accents, « », – and —
print. With the same inputs, the same ``created`` date and charts off, the output is the
same bytes.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import os
import platform
import shutil
import struct
import threading
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableCellFillMode, XPos, YPos

from scenarios.sensitivity import DELTA, sensitivity
from scenarios.stability import shown_range
from scenarios.switch import stay_or_switch
from scoring.cost import COMPONENTS
from scoring.evaluate import Evaluation
from scoring.names import warning_text
from ui.i18n import LANGS, NBSP, money, number, percent

from .risks import bid_name, criterion_name, driver_label, knockout_reason, risks, tr

ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- fonts

FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MONO_FILE = "DejaVuSansMono.ttf"
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu",  # Fedora, Arch
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
    "/usr/share/fonts",
)


class ReportError(RuntimeError):
    """The report cannot be built (a missing font, an unknown language)."""


def find_font_dir() -> Path:
    """The folder holding DejaVu Sans (regular, bold, mono): ``FLEETBID_FONT_DIR`` if set,
    else the usual system folders (searched one level deep)."""
    wanted = [*FONT_FILES.values(), MONO_FILE]
    candidates: list[Path] = []
    if env := os.environ.get("FLEETBID_FONT_DIR"):
        candidates.append(Path(env))
    for d in FONT_DIRS:
        root = Path(d)
        candidates.append(root)
        if root.is_dir():
            candidates += sorted(p for p in root.iterdir() if p.is_dir() and "dejavu" in p.name.lower())
    for folder in candidates:
        if all((folder / f).is_file() for f in wanted):
            return folder
    raise ReportError(
        f"DejaVu Sans not found ({', '.join(wanted)}): the PDF report needs it to print €, accents and « ». "
        f"Install Debian's {FONT_PACKAGE} package (apt-get install {FONT_PACKAGE}) "
        "or set FLEETBID_FONT_DIR to a folder holding those files."
    )


# --------------------------------------------------------------------------- texts

REPORT_TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Tender evaluation report", "fr": "Rapport d'évaluation de l'appel d'offres"},
    "header.app": {"en": "Fleetbid · tender evaluation", "fr": "Fleetbid · évaluation des offres"},
    "footer.page": {"en": "Page {n} of {nb}", "fr": "Page {n} sur {nb}"},
    "footer.generated": {"en": "Generated {date} UTC", "fr": "Généré le {date} UTC"},
    "meta.buyer": {"en": "Buyer", "fr": "Acheteur"},
    "meta.term": {"en": "Term", "fr": "Durée"},
    "meta.bids": {"en": "Bids received", "fr": "Offres reçues"},
    "meta.incumbent": {"en": "Incumbent", "fr": "Titulaire actuel"},
    "meta.scenario": {"en": "Scenario", "fr": "Scénario"},
    "meta.amounts": {"en": "Amounts", "fr": "Montants"},
    "meta.amounts_value": {"en": "{currency}, excl. VAT", "fr": "{currency} HT"},
    "meta.none": {"en": "none", "fr": "aucun"},
    "summary.sentence": {"en": "{winner} ranks first with {score} points out of 100, {margin} points ahead of {runner}.",
                         "fr": "{winner} arrive en tête avec {score} points sur 100, {margin} points devant {runner}."},
    "summary.sentence_only": {"en": "{winner} is the only compliant bid, with {score} points out of 100.",
                              "fr": "{winner} est la seule offre conforme, avec {score} points sur 100."},
    "summary.sentence_tco": {"en": "Its total cost of ownership over the {term}-month term is {tco} excl. VAT.",
                             "fr": "Son coût total de possession sur les {term} mois du contrat est de {tco} HT."},
    "summary.sentence_saving": {"en": "That is {saving} less than staying with {incumbent} ({stay}).",
                                "fr": "C'est {saving} de moins que de rester chez {incumbent} ({stay})."},
    "summary.sentence_extra": {"en": "That is {extra} more than staying with {incumbent} ({stay}).",
                               "fr": "C'est {extra} de plus que de rester chez {incumbent} ({stay})."},
    "summary.sentence_incumbent": {"en": "{winner} is the incumbent: no change of operator is needed.",
                                   "fr": "{winner} est le titulaire actuel : aucun changement d'opérateur n'est nécessaire."},
    "summary.extra": {"en": "Extra cost vs staying with {incumbent}", "fr": "Surcoût par rapport à {incumbent}"},
    "summary.no_saving": {"en": "Saving vs the incumbent", "fr": "Économie par rapport au titulaire"},
    "summary.no_saving_value": {"en": "not applicable", "fr": "sans objet"},
    "summary.points": {"en": "{points} / 100", "fr": "{points} / 100"},
    "summary.margin_value": {"en": "{points} points", "fr": "{points} points"},
    "summary.margin_none": {"en": "Margin", "fr": "Avance"},
    "charts.skipped": {"en": "Charts skipped: {reason}. The tables carry the same figures.",
                       "fr": "Graphiques omis : {reason}. Les tableaux donnent les mêmes chiffres."},
    "charts.off": {"en": "turned off for this report", "fr": "désactivés pour ce rapport"},
    "charts.no_plotly": {"en": "plotly is not installed", "fr": "plotly n'est pas installé"},
    "charts.no_kaleido": {"en": "kaleido (≥ 1.0) is not installed", "fr": "kaleido (≥ 1.0) n'est pas installé"},
    "charts.no_browser": {"en": "no Chromium or Chrome browser was found (install Debian's chromium package, "
                                "or set BROWSER_PATH)",
                          "fr": "aucun navigateur Chromium ou Chrome trouvé (installez le paquet Debian chromium, "
                                "ou définissez BROWSER_PATH)"},
    "charts.failed": {"en": "rendering failed ({error})", "fr": "le rendu a échoué ({error})"},
    "charts.included": {"en": "included (kaleido {kaleido}, {browser})", "fr": "inclus (kaleido {kaleido}, {browser})"},
    "charts.skipped_short": {"en": "skipped: {reason}", "fr": "omis : {reason}"},
    "charts.page_note": {"en": "The management report (PDF) will have no charts: {reason}. Its tables carry the same "
                               "figures.",
                         "fr": "Le rapport de direction (PDF) n'aura pas de graphiques : {reason}. Ses tableaux "
                               "donnent les mêmes chiffres."},
    # ranking
    "section.ranking": {"en": "Ranking", "fr": "Classement"},
    "ranking.intro": {"en": "Ranked bids first, rank 1 at the top; knocked-out bids last, with the reasons. "
                            "Points out of 100; amounts in {currency}, excl. VAT.",
                      "fr": "Offres classées d'abord, rang 1 en tête ; offres écartées en dernier, avec les motifs. "
                            "Points sur 100 ; montants en {currency} HT."},
    "col.rank": {"en": "Rank", "fr": "Rang"},
    "col.operator": {"en": "Operator", "fr": "Opérateur"},
    "col.tco": {"en": "TCO", "fr": "Coût total"},
    "col.price": {"en": "Price points", "fr": "Points prix"},
    "col.quality": {"en": "Quality points", "fr": "Points qualité"},
    "col.total": {"en": "Total", "fr": "Total"},
    "col.topsis": {"en": "TOPSIS score", "fr": "Score TOPSIS"},
    "col.component": {"en": "Component", "fr": "Poste"},
    "col.flags": {"en": "Flags and knock-outs", "fr": "Alertes et motifs d'exclusion"},
    "ranking.out": {"en": "out", "fr": "écartée"},
    "ranking.knocked_out": {"en": "Knocked out: {reasons}", "fr": "Écartée : {reasons}"},
    "ranking.incumbent": {"en": "incumbent", "fr": "titulaire"},
    "ranking.points": {"en": "Points per criterion", "fr": "Points par critère"},
    "ranking.points_intro": {"en": "Points won on each criterion (weight × score). Knocked-out bids get no price "
                                   "points.",
                             "fr": "Points obtenus sur chaque critère (pondération × note). Les offres écartées "
                                   "n'ont pas de points prix."},
    "ranking.distance": {"en": "Distance to the ideal on each column (× 100, 0 = best)",
                         "fr": "Distance à l'idéal sur chaque colonne (× 100, 0 = meilleur)"},
    # costs
    "section.costs": {"en": "Costs", "fr": "Coûts"},
    "costs.by_year": {"en": "TCO by contract year", "fr": "Coût total par année de contrat"},
    "costs.by_component": {"en": "TCO by cost component", "fr": "Coût total par poste"},
    "costs.by_entity": {"en": "Cost by entity for {winner}", "fr": "Coût par entité pour {winner}"},
    "costs.share": {"en": "Share", "fr": "Part"},
    "costs.total": {"en": "Total (TCO)", "fr": "Total (coût total)"},
    "costs.not_costed": {"en": "Not costed (knocked out before costing): {names}.",
                         "fr": "Non chiffrées (écartées avant chiffrage) : {names}."},
    "costs.intro": {"en": "Amounts in {currency}, excl. VAT, over the {term}-month term, switching costs included "
                          "in year 1. Every table adds up to the TCO.",
                    "fr": "Montants en {currency} HT sur les {term} mois du contrat, coûts de changement inclus "
                          "en année 1. Chaque tableau se totalise au coût total."},
    # switching
    "section.switching": {"en": "Switching", "fr": "Changement d'opérateur"},
    "switching.intro": {"en": "Staying with {incumbent} against moving to each challenger. The buyer's switching "
                              "cost and the operator's portability terms fall in month 1; the break-even month is "
                              "the first from which the challenger's cumulative cost stays at or below staying.",
                        "fr": "Rester chez {incumbent} ou passer chez chaque concurrent. Le coût de changement de "
                              "l'acheteur et les conditions de portabilité de l'opérateur tombent au mois 1 ; le "
                              "point mort est le premier mois à partir duquel le coût cumulé du concurrent reste "
                              "inférieur ou égal à celui du maintien."},
    "switching.none": {"en": "No stay-or-switch comparison: {note}.", "fr": "Pas de comparaison rester/changer : {note}."},
    "switching.no_incumbent": {"en": "the tender names no incumbent", "fr": "l'appel d'offres ne désigne pas de titulaire"},
    "switching.incumbent_no_bid": {"en": "the incumbent ({name}) did not bid", "fr": "le titulaire ({name}) n'a pas remis d'offre"},
    "switching.incumbent_not_costed": {"en": "the incumbent's bid ({name}) cannot be costed: {reasons}",
                                       "fr": "l'offre du titulaire ({name}) ne peut pas être chiffrée : {reasons}"},
    "switching.part": {"en": "Part of the switching cost", "fr": "Composante du coût de changement"},
    "switching.break_even": {"en": "Break-even month", "fr": "Mois du point mort"},
    "switching.saving": {"en": "Saving over the term vs staying", "fr": "Économie sur la durée par rapport au maintien"},
    "switching.never": {"en": "never", "fr": "jamais"},
    "switching.month": {"en": "month {month} of {term}", "fr": "mois {month} sur {term}"},
    "switching.assumptions": {"en": "Switching assumptions (from the tender)",
                              "fr": "Hypothèses de changement (appel d'offres)"},
    "switching.assumption": {"en": "Assumption", "fr": "Hypothèse"},
    "switching.value": {"en": "Value", "fr": "Valeur"},
    # sensitivity
    "section.sensitivity": {"en": "Sensitivity", "fr": "Sensibilité"},
    "sens.tornado": {"en": "What moves the winner's margin", "fr": "Ce qui fait varier l'avance du lauréat"},
    "sens.tornado_intro": {"en": "Each assumption moved by −{delta} and +{delta} in turn, the others unchanged: the "
                                 "winner's margin in points (below 0, another bid wins) and who wins. The {n} "
                                 "assumptions that move it most.",
                           "fr": "Chaque hypothèse est variée de −{delta} puis de +{delta}, les autres inchangées : "
                                 "avance du lauréat en points (en dessous de 0, une autre offre l'emporte) et "
                                 "lauréat. Les {n} hypothèses qui la font le plus varier."},
    "sens.low": {"en": "At −{delta}", "fr": "À −{delta}"},
    "sens.high": {"en": "At +{delta}", "fr": "À +{delta}"},
    "sens.margin_winner": {"en": "{margin} pts · {winner}", "fr": "{margin} pts · {winner}"},
    "sens.weights": {"en": "Weight stability", "fr": "Stabilité des pondérations"},
    "sens.weights_intro": {"en": "For each weight (the other weights rescaled to keep a total of 100), the range "
                                 "over which {winner} still wins, and who wins beyond it.",
                           "fr": "Pour chaque pondération (les autres ajustées pour garder un total de 100), la "
                                 "plage sur laquelle {winner} reste lauréat, et qui l'emporte au-delà."},
    "sens.weight": {"en": "Weight", "fr": "Pondération"},
    "sens.stated": {"en": "Stated", "fr": "Prévue"},
    "sens.range": {"en": "{winner} still wins", "fr": "{winner} reste lauréat"},
    "sens.below": {"en": "Below, wins", "fr": "En dessous, lauréat"},
    "sens.above": {"en": "Above, wins", "fr": "Au-dessus, lauréat"},
    "sens.no_winner": {"en": "No winner: nothing to test.", "fr": "Pas de lauréat : rien à tester."},
    "sens.at": {"en": "{name}, at {at} only", "fr": "{name}, à {at} seulement"},
    "sens.at_tie_tco": {"en": "{name}, at {at} only (a tie, won on the lower TCO)",
                        "fr": "{name}, à {at} seulement (égalité, gagnée au coût total le plus bas)"},
    "sens.at_tie_id": {"en": "{name}, at {at} only (a tie, won on the bid id)",
                       "fr": "{name}, à {at} seulement (égalité, gagnée à l'identifiant de l'offre)"},
    "sens.none": {"en": "no one", "fr": "personne"},
    "sens.knocked": {"en": "winner knocked out", "fr": "lauréat écarté"},
    # methodology
    "section.method": {"en": "Appendix A — Methodology", "fr": "Annexe A — Méthodologie"},
    "method.scoring": {"en": "Scoring", "fr": "Notation"},
    "method.weighted_sum": {
        "en": "Method: weighted sum. A bid's total, out of 100, is its price points plus its criterion points. "
              "Price points = price weight × price score; criterion points = criterion weight × score, each "
              "score running from 0 (worst) to 1 (best).",
        "fr": "Méthode : somme pondérée. La note totale d'une offre, sur 100, est la somme de ses points prix "
              "et de ses points critères. Points prix = pondération du prix × note prix ; points critère = "
              "pondération du critère × note, chaque note allant de 0 (la moins bonne) à 1 (la meilleure)."},
    "method.topsis": {
        "en": "Method: TOPSIS. One column for the price (a cost) and one per criterion, holding the raw values; "
              "columns are vector-normalised and weighted by weight ÷ sum of weights. The total is "
              "100 × d⁻ / (d⁺ + d⁻), from the Euclidean distances d⁺ to the ideal bid and d⁻ to the anti-ideal "
              "bid. The price formula, bounds and reference are not used.",
        "fr": "Méthode : TOPSIS. Une colonne pour le prix (un coût) et une par critère, avec les valeurs brutes ; "
              "les colonnes sont normalisées (norme euclidienne) et pondérées par pondération ÷ somme des "
              "pondérations. La note est 100 × d⁻ / (d⁺ + d⁻), d⁺ et d⁻ étant les distances euclidiennes à "
              "l'offre idéale et à l'offre anti-idéale. La formule de prix, les bornes et la référence ne "
              "servent pas."},
    "method.price": {"en": "Price formula in use: {formula}, score = {expression}, where P is each bid's {basis}; "
                           "Pmin and Pmax are taken over {reference}.",
                     "fr": "Formule de prix retenue : {formula}, note = {expression}, P étant pour chaque offre "
                           "{basis} ; Pmin et Pmax sont pris sur {reference}."},
    "formula.ratio": {"en": "Pmin / P", "fr": "Pmin / P"},
    "formula.linear": {"en": "(Pmax − P) / (Pmax − Pmin), 1 if all prices are equal",
                       "fr": "(Pmax − P) / (Pmax − Pmin), 1 si tous les prix sont égaux"},
    "formula.bounded": {"en": "clip((worst − P) / (worst − best), 0, 1) with the buyer's bounds best {best} and "
                              "worst {worst}",
                        "fr": "clip((pire − P) / (pire − meilleur), 0, 1) avec les bornes de l'acheteur : "
                              "meilleur {best}, pire {worst}"},
    "formula.deviation": {"en": "max(0, 1 − (P − Pmin) / Pmin)", "fr": "max(0, 1 − (P − Pmin) / Pmin)"},
    "basis.tco": {"en": "TCO (bid cost plus the buyer's switching cost)",
                  "fr": "le coût total (prix de l'offre plus le coût de changement de l'acheteur)"},
    "basis.bid": {"en": "bid cost (switching excluded)", "fr": "le prix de l'offre (hors coût de changement)"},
    "basis.npv": {"en": "net present value of the TCO at {rate} a year",
                  "fr": "la valeur actuelle nette du coût total à {rate} par an"},
    "basis.tco_service": {"en": "TCO plus the hidden cost of poor service",
                          "fr": "le coût total plus le coût caché d'un service médiocre"},
    "basis_short.tco": {"en": "TCO", "fr": "Coût total"},
    "basis_short.bid": {"en": "Bid cost", "fr": "Prix de l'offre"},
    "basis_short.npv": {"en": "NPV", "fr": "VAN"},
    "basis_short.tco_service": {"en": "TCO + service", "fr": "Coût total + service"},
    "note.no_bounds": {"en": "no bounds", "fr": "pas de bornes"},
    "note.no_discount_rate": {"en": "no discount rate", "fr": "pas de taux d'actualisation"},
    "note.no_service_costs": {"en": "no service costs", "fr": "pas de coûts de service"},
    "reference.compliant": {"en": "the compliant bids", "fr": "les offres conformes"},
    "reference.all": {"en": "every bid whose costs are known", "fr": "toutes les offres chiffrées"},
    "method.criteria": {"en": "Weights and criteria", "fr": "Pondérations et critères"},
    "method.rule": {"en": "Score (0 to 1)", "fr": "Note (0 à 1)"},
    "method.knockout": {"en": "Knock-out", "fr": "Éliminatoire"},
    "method.price_rule": {"en": "price formula above", "fr": "formule de prix ci-dessus"},
    "method.topsis_price": {"en": "TOPSIS cost column", "fr": "colonne de coût TOPSIS"},
    "rule.lower": {"en": "lower is better: {best} → 1, {worst} → 0, linear in between",
                   "fr": "plus bas = meilleur : {best} → 1, {worst} → 0, linéaire entre les deux"},
    "rule.higher": {"en": "higher is better: {best} → 1, {worst} → 0, linear in between",
                    "fr": "plus haut = meilleur : {best} → 1, {worst} → 0, linéaire entre les deux"},
    "rule.yes_no": {"en": "yes → 1, no → 0", "fr": "oui → 1, non → 0"},
    "rule.evaluators": {"en": "evaluators' mean (or moderated consensus) ÷ {scale}",
                        "fr": "moyenne des évaluateurs (ou consensus modéré) ÷ {scale}"},
    "ko.limit": {"en": "worse than {limit}", "fr": "moins bon que {limit}"},
    "ko.required": {"en": "required", "fr": "exigé"},
    "method.rules": {"en": "Knock-outs, flags and ties", "fr": "Exclusions, alertes et égalités"},
    "method.ko": {"en": "Knock-outs exclude a bid before scoring: it gets no rank and does not set Pmin. A bid is "
                        "knocked out when it cannot be costed (a profile without an offer, no usable plan, a missing "
                        "device price), when a numeric value is strictly worse than the criterion's limit, when a "
                        "required yes/no criterion is answered no, or when a required value is missing.",
                  "fr": "Une offre écartée l'est avant la notation : elle n'a pas de rang et ne fixe pas Pmin. Une "
                        "offre est écartée quand elle ne peut pas être chiffrée (un profil sans offre, aucun forfait "
                        "utilisable, un prix de terminal manquant), quand une valeur numérique est strictement moins "
                        "bonne que la limite du critère, quand un critère oui/non exigé reçoit non, ou quand une "
                        "valeur exigée manque."},
    "method.abnormally_low": {"en": "Flag “abnormally low” (informs, never changes a score): a compliant bid whose "
                                    "bid cost is more than {pct} below the mean bid cost of the other compliant bids.",
                              "fr": "Alerte « offre anormalement basse » (informative, sans effet sur les notes) : "
                                    "une offre conforme dont le prix est inférieur de plus de {pct} à la moyenne des "
                                    "autres offres conformes."},
    "method.expired": {"en": "Flag “expired”: the bid's validity ends before the award date.",
                       "fr": "Alerte « expirée » : la validité de l'offre s'achève avant la date d'attribution."},
    "method.ties": {"en": "Ties: equal totals (at 9 decimals) go to the lower TCO, then to the bid id.",
                    "fr": "Égalités : à note égale (à 9 décimales), l'offre au coût total le plus faible "
                          "l'emporte, puis l'identifiant de l'offre départage."},
    "method.reversal": {"en": "Rank reversal check: the ranking is recomputed with each other bid left out in turn; "
                              "a change of winner is reported among the risks.",
                        "fr": "Contrôle d'inversion de classement : le classement est recalculé en retirant tour à "
                              "tour chaque autre offre ; un changement de lauréat figure parmi les risques."},
    "method.costs": {"en": "Cost rules in brief", "fr": "Règles de coût en bref"},
    "method.costs_intro": {"en": "Costs are simulated month by month over the term for every profile and entity. "
                                 "Lines and usage grow at each profile's rates; recurring prices are indexed by "
                                 "(1 + indexation)^year. Each profile gets the plan that makes the bid cheapest over "
                                 "the term.",
                           "fr": "Les coûts sont simulés mois par mois sur la durée, pour chaque profil et chaque "
                                 "entité. Lignes et consommations croissent aux taux de chaque profil ; les prix "
                                 "récurrents sont indexés par (1 + indexation)^année. Chaque profil reçoit le forfait "
                                 "qui rend l'offre la moins chère sur la durée."},
    "method.totals": {"en": "Bid cost = every component except the buyer's switching cost; TCO = bid cost + "
                            "switching cost. Amounts excl. VAT, undiscounted (the NPV discounts each month at the "
                            "tender's rate).",
                      "fr": "Prix de l'offre = tous les postes sauf le coût de changement de l'acheteur ; coût "
                            "total = prix de l'offre + coût de changement. Montants HT, non actualisés (la VAN "
                            "actualise chaque mois au taux de l'appel d'offres)."},
    "rule.subscriptions": {"en": "lines × monthly fee × indexation × (1 − volume discount), every month.",
                           "fr": "lignes × abonnement mensuel × indexation × (1 − remise de volume), chaque mois."},
    "rule.usage": {"en": "per line, usage above the plan's allowance × rate × indexation (components not pooled).",
                   "fr": "par ligne, consommation au-delà du forfait × tarif × indexation (composantes hors pool)."},
    "rule.pool_overage": {"en": "fleet-wide demand above the pooled allowances × overage rate × indexation.",
                          "fr": "demande de toute la flotte au-delà du pool × tarif de dépassement × indexation."},
    "rule.account_fees": {"en": "the monthly account fee × indexation.",
                          "fr": "frais de compte mensuels × indexation."},
    "rule.devices": {"en": "lines × handset price ÷ refresh period, every month (amortised, not indexed).",
                     "fr": "lignes × prix du terminal ÷ durée de renouvellement, chaque mois (amorti, non indexé)."},
    "rule.device_fund": {"en": "the operator's fund, set against device spend month by month until used up.",
                         "fr": "l'enveloppe de l'opérateur, imputée sur les terminaux mois par mois jusqu'à épuisement."},
    "rule.one_off_fees": {"en": "setup in month 1; activation and SIM for each migrated line and each line added "
                                "by growth.",
                          "fr": "mise en service au mois 1 ; activation et SIM pour chaque ligne migrée et chaque "
                                "ligne ajoutée par la croissance."},
    "rule.credits": {"en": "the welcome credit, deducted in month 1.", "fr": "l'avoir de bienvenue, déduit au mois 1."},
    "rule.portability": {"en": "the challenger's porting fees minus its exit-fee refund and migration credit, "
                               "month 1.",
                         "fr": "frais de portage du concurrent moins le remboursement des frais de résiliation et "
                               "l'avoir de migration, au mois 1."},
    "rule.switching": {"en": "migration project + cost per line × lines + parallel running + incumbent exit fee + "
                             "lost numbers; challengers only, month 1.",
                       "fr": "projet de migration + coût par ligne × lignes + double exploitation + frais de "
                             "résiliation du titulaire + numéros perdus ; concurrents seulement, au mois 1."},
    "method.formulas": {"en": "Winner under each price formula and basis (* = the tender's choice)",
                        "fr": "Lauréat selon la formule et la base de prix (* = choix de l'appel d'offres)"},
    "method.formula": {"en": "Formula", "fr": "Formule"},
    "method.formulas_legend": {"en": "TCO: total cost of ownership over the term, the buyer's switching cost included. "
                                     "Bid cost: the TCO without the switching cost. NPV: net present value, the TCO "
                                     "with each month's cost discounted at {rate} a year. TCO + service: the TCO plus "
                                     "the hidden cost of poor service (support waits, replacement delays…) that the "
                                     "tender prices in its service_costs block.",
                               "fr": "Coût total : coût total de possession sur la durée, coût de changement de "
                                     "l'acheteur compris. Prix de l'offre : le coût total sans le coût de changement. "
                                     "VAN : valeur actuelle nette, le coût total dont chaque mois est actualisé à "
                                     "{rate} par an. Coût total + service : le coût total plus le coût caché d'un "
                                     "service médiocre (attente du support, délais de remplacement…) que l'appel "
                                     "d'offres chiffre dans son bloc service_costs."},
    "method.no_rate": {"en": "the tender's rate (none given)", "fr": "un taux non fourni par l'appel d'offres"},
    # audit
    "section.audit": {"en": "Appendix B — Audit trail", "fr": "Annexe B — Piste d'audit"},
    "audit.files": {"en": "Input files", "fr": "Fichiers d'entrée"},
    "audit.files_intro": {"en": "SHA-256 of each file exactly as read. Recompute with: sha256sum FILE.",
                          "fr": "SHA-256 de chaque fichier tel que lu. Pour vérifier : sha256sum FICHIER."},
    "audit.file": {"en": "File", "fr": "Fichier"},
    "audit.bytes": {"en": "Bytes", "fr": "Octets"},
    "audit.no_files": {"en": "No input files were given to the report: their digests are not recorded.",
                       "fr": "Aucun fichier d'entrée n'a été transmis au rapport : leurs empreintes ne sont pas "
                             "consignées."},
    "audit.run": {"en": "This report", "fr": "Ce rapport"},
    "audit.fleetbid": {"en": "Fleetbid version", "fr": "Version de Fleetbid"},
    "audit.python": {"en": "Python version", "fr": "Version de Python"},
    "audit.libraries": {"en": "Libraries", "fr": "Bibliothèques"},
    "audit.generated": {"en": "Generated (UTC)", "fr": "Généré le (UTC)"},
    "audit.scenario": {"en": "Scenario", "fr": "Scénario"},
    "audit.baseline": {"en": "none (the tender as published)", "fr": "aucun (l'appel d'offres tel que publié)"},
    "audit.language": {"en": "Language", "fr": "Langue"},
    "audit.language_value": {"en": "English", "fr": "français"},
    "audit.charts": {"en": "Charts", "fr": "Graphiques"},
    "audit.tender": {"en": "Tender", "fr": "Appel d'offres"},
    "audit.warnings": {"en": "Warnings from the model", "fr": "Avertissements du modèle"},
    "audit.warnings_none": {"en": "none", "fr": "aucun"},
    "audit.item": {"en": "Item", "fr": "Élément"},
}


def _french(text: str) -> str:
    """French typography: a no-break space before : ; ! ? and inside « », so a line never
    starts with the punctuation."""
    for mark in (":", ";", "!", "?", "»"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text.replace("« ", f"«{NBSP}")


def t(key: str, lang: str, **kw) -> str:
    entry = REPORT_TEXT.get(key)
    text = (entry[lang].format(**kw) if kw else entry[lang]) if entry else tr(key, lang, **kw)
    return _french(text) if lang == "fr" else text


# --------------------------------------------------------------------------- input files and versions


def input_files(folder: str | Path, scenario: str | Path | None = None) -> dict[str, bytes]:
    """The raw bytes of a tender's input files on disk, keyed by their path in the folder:
    tender.yaml, bids/*.yaml and *.xlsx, evaluations.yaml, consensus.yaml, and the scenario file if
    any (keyed by its path in the folder, else its file name) — what `build_report`'s
    ``sources`` expects."""
    root = Path(folder)
    out: dict[str, bytes] = {}
    for name in ("tender.yaml", "evaluations.yaml", "consensus.yaml"):
        if (root / name).is_file():
            out[name] = (root / name).read_bytes()
    if (root / "bids").is_dir():
        for p in sorted((root / "bids").iterdir()):
            if p.is_file() and p.suffix in (".yaml", ".yml", ".xlsx"):
                out[f"bids/{p.name}"] = p.read_bytes()
    if scenario is not None:
        path = Path(scenario)
        try:
            key = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            key = path.name
        out[key] = path.read_bytes()
    return out


def fleetbid_version() -> str:
    try:
        with (ROOT / "pyproject.toml").open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return metadata.version("fleetbid")
    except metadata.PackageNotFoundError:
        return "unknown"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- charts

CHART_WIDTH_PX = 800  # drawn 180 mm wide: 12 px text ≈ 7.6 pt
CHART_SCALE = 2
CHART_TIMEOUT_S = 120.0
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


# Chromium left to its defaults goes on the network even to draw a local page: it looks up
# Google and DuckDuckGo hosts (account list, component updates, search preconnect, network
# time) at start-up. The report's browser gets these flags on top of choreographer's own: the
# background services off, no host name ever resolved (every name maps to "not found", so no
# DNS query leaves the machine), and every request sent through a proxy on a closed loopback
# port (so not even an address written as an IP goes out). The page itself is a local file:
# plotly.js from the plotly package, MathJax off. tests/test_report_offline.py traces the
# browser and its children with strace.
OFFLINE_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-sync",
    "--no-pings",
    "--no-service-autorun",
    "--disable-search-engine-choice-screen",
    "--dns-prefetch-disable",
    "--disable-features=Translate,OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,"
    "MediaRouter,DialMediaRouteProvider,CertificateTransparencyComponentUpdater,AutofillServerCommunication,"
    "NetworkTimeServiceQuerying,PreconnectToSearch",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)


def offline_browser_class():
    """choreographer's Chromium with `OFFLINE_FLAGS` added to its command line, for kaleido's
    ``browser_cls`` (passed through to ``choreographer.Browser``)."""
    from choreographer.browsers import Chromium

    class OfflineChromium(Chromium):
        def get_cli(self):
            return [*super().get_cli(), *OFFLINE_FLAGS]

    return OfflineChromium


def find_browser() -> str | None:
    """The browser kaleido drives: ``BROWSER_PATH`` (kaleido's and choreographer's own
    variable) if set, else the first Chromium/Chrome on the PATH (Debian's package installs
    ``/usr/bin/chromium``), else ``/usr/bin/chromium`` itself; None if there is none."""
    if env := os.environ.get("BROWSER_PATH"):
        return env if os.access(env, os.X_OK) else None
    for name in BROWSER_NAMES:
        if path := shutil.which(name):
            return path
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


def charts_unavailable(lang: str = "en") -> str | None:
    """Why a report made here would have no charts (plotly, kaleido or a browser missing), in
    ``lang``; None when they can be drawn (rendering itself may still fail: the report says so).
    Cheap: nothing is imported or started."""
    for package, key in (("plotly", "charts.no_plotly"), ("kaleido", "charts.no_kaleido")):
        try:
            missing = importlib.util.find_spec(package) is None
        except ValueError:  # in sys.modules without a spec
            missing = False
        if missing:
            return t(key, lang)
    return t("charts.no_browser", lang) if find_browser() is None else None


def charts_note(lang: str = "en") -> str | None:
    """The sentence an app page shows beside the report's download when the PDF would have no
    charts here; None when they can be drawn."""
    reason = charts_unavailable(lang)
    return None if reason is None else t("charts.page_note", lang, reason=reason)


@dataclass
class Charts:
    images: dict[str, bytes]
    why: tuple[str, dict] | None  # why there are no charts: a text key and its fields (None: rendered)
    browser: str | None = None
    lang: str = "en"
    placed: set[str] = field(default_factory=set)  # charts already in the document

    def reason(self, lang: str | None = None) -> str | None:
        """Why there are no charts, in ``lang`` (default: the report's); None when rendered."""
        return None if self.why is None else t(self.why[0], lang or self.lang, **self.why[1])

    @property
    def skipped(self) -> str | None:
        return self.reason()

    def take(self, key: str) -> bytes | None:
        """The chart's PNG the first time it is asked for (None after, or without it)."""
        if key in self.placed:
            return None
        self.placed.add(key)
        return self.images.get(key)


def _run(coro):
    """Run a coroutine to completion, also from a thread whose event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def render_charts(figures: dict, lang: str, *, enabled: bool = True, browser: str | None = None,
                  timeout: float = CHART_TIMEOUT_S) -> Charts:
    """PNG bytes of each plotly figure, keyed as given, or why they could not be made.
    One browser is started for all of them."""
    if not enabled:
        return Charts({}, ("charts.off", {}), lang=lang)
    if not figures:
        return Charts({}, None, lang=lang)
    try:
        import kaleido
    except ImportError:
        return Charts({}, ("charts.no_kaleido", {}), lang=lang)
    browser = browser or find_browser()
    if browser is None or not os.access(browser, os.X_OK):
        return Charts({}, ("charts.no_browser", {}), lang=lang)

    async def draw() -> dict[str, bytes]:
        out = {}
        # mathjax=False: kaleido would load MathJax from a CDN; plotly.js comes from the plotly package.
        async with kaleido.Kaleido(path=browser, n=1, timeout=60, mathjax=False,
                                   browser_cls=offline_browser_class()) as k:
            for key, fig in figures.items():
                height = int(fig.layout.height or 450)
                out[key] = await k.calc_fig(fig, opts={"format": "png", "width": CHART_WIDTH_PX, "height": height,
                                                       "scale": CHART_SCALE})
        return out

    try:
        images = _run(asyncio.wait_for(draw(), timeout))
    except Exception as exc:  # noqa: BLE001 — any failure falls back to tables only
        error = " ".join(str(exc).split())[:200] or type(exc).__name__
        return Charts({}, ("charts.failed", {"error": error}), lang=lang)
    return Charts(images, None, browser, lang)


def chart_figures(ev: Evaluation, sos, sens, lang: str) -> dict:
    """The report's charts, made by the app's own figure functions."""
    from ui import figures

    out = {}
    ranked = sum(1 for b in ev.costs.bids if ev.ranking.rank.get(b))
    if ranked:  # else an empty chart: the table says every bid is out
        out["ranking"] = figures.ranking_chart(ev, lang)
        out["ranking"].update_layout(height=min(560, max(300, 150 + 55 * ranked)))  # as tall as the bids need
    if any(ev.costs.costed(b) for b in ev.costs.bids):
        out["breakdown"] = _legend_below(figures.breakdown_chart(ev, lang), per_row=2)
    if sos.challengers:
        out["cumulative"] = figures.cumulative_chart(sos, ev, lang)
    if sens.tornado:
        out["tornado"] = figures.tornado_chart(sens, lang, ev=ev)
    return out


def _legend_below(fig, per_row: int = 2):
    """Move a legend from the right of the plot to below it, ``per_row`` entries a row, so
    the plot gets the page's whole width (as the app does for charts in columns)."""
    if fig.layout.showlegend is False:
        return fig
    entries = sum(1 for trace in fig.data if trace.showlegend is not False and trace.name)
    rows = max(1, -(-entries // per_row))
    extra = 22 * rows + 20
    fig.update_layout(
        legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "bottom", "yref": "container",
                "entrywidth": 1 / per_row, "entrywidthmode": "fraction"},
        height=(fig.layout.height or 450) + extra,
        margin={"b": (fig.layout.margin.b or 10) + extra},
    )
    return fig


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


# --------------------------------------------------------------------------- the document

PAGE_W, MARGIN = 210.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
INK = (43, 43, 43)
MUTED = (107, 107, 107)
NAVY = (31, 58, 95)
RULE = (200, 205, 212)
ZEBRA = (244, 246, 248)
GOOD = (232, 244, 234)
GOOD_INK = (26, 94, 42)
BAD = (251, 234, 234)
BAD_INK = (160, 27, 27)
NOTE = (255, 246, 219)
BODY_PT, SMALL_PT, TABLE_PT = 9.5, 8, 8.5
DRY_RUN_BELOW_MM = 140.0  # blocks are shorter than this, bar very long tables (which break anyway)


PAGE_COUNT_ALIAS = "\x00fleetbid-page-count\x00"


class _Document(FPDF):
    def __init__(self, lang: str, tender_name: str, generated: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        # fpdf2 replaces its page-count alias in every text; the default "{nb}" could sit
        # in an operator's name.
        self.alias_nb_pages(PAGE_COUNT_ALIAS)
        self.lang = lang
        self.tender_name = tender_name
        self.generated = generated
        self.set_margins(MARGIN, 20, MARGIN)
        self.set_auto_page_break(True, margin=18)
        folder = find_font_dir()
        for style, file in FONT_FILES.items():
            self.add_font("DejaVu", style, str(folder / file))
        self.add_font("DejaVuMono", "", str(folder / MONO_FILE))
        self.set_font("DejaVu", size=BODY_PT)
        self.set_text_color(*INK)
        self._pending: list = []  # headings and intros drawn with the next block

    def header(self):
        self.set_font("DejaVu", size=SMALL_PT)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, 9)
        app = t("header.app", self.lang)
        app_w = self.get_string_width(app) + 2
        name = self.tender_name
        while name and self.get_string_width(name) > CONTENT_W - app_w - 4:
            name = name[:-2] + "…"
        self.cell(CONTENT_W - app_w, 5, name, align="L")
        self.cell(app_w, 5, app, align="R")
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.line(MARGIN, 14.5, PAGE_W - MARGIN, 14.5)
        self.set_xy(MARGIN, 20)
        self.set_font("DejaVu", size=BODY_PT)
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=SMALL_PT)
        self.set_text_color(*MUTED)
        self.cell(CONTENT_W / 2, 5, t("footer.generated", self.lang, date=self.generated), align="L")
        self.cell(CONTENT_W / 2, 5, t("footer.page", self.lang, n=self.page_no(), nb=PAGE_COUNT_ALIAS), align="R")

    # ------------------------------------------------------------------ building blocks

    def room(self, height: float) -> None:
        """A new page unless ``height`` mm fit above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def section(self, text: str) -> None:
        """A numbered section: on a new page when less than half a page is left."""
        if self.get_y() > 150:
            self.add_page()
        elif self.get_y() > self.t_margin + 1:
            self.ln(8)
        self.h1(text)

    def h1(self, text: str) -> None:
        self.room(40)
        self.start_section(text, level=0)
        self.set_font("DejaVu", "B", 15)
        self.set_text_color(*NAVY)
        self.multi_cell(CONTENT_W, 7.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*NAVY)
        self.set_line_width(0.5)
        self.line(MARGIN, self.get_y() + 0.5, MARGIN + CONTENT_W, self.get_y() + 0.5)
        self.ln(4)
        self.set_text_color(*INK)

    def kept(self, draw: Callable[[], None]) -> None:
        """Draw the pending heading and intro, then ``draw``, on one page if they fit on
        one: a dry run first, and a new page when it would break (unless already at the top)."""
        pending, self._pending = self._pending, []

        def block() -> None:
            for step in pending:
                step()
            draw()

        # The dry run copies the whole document: only near the bottom of a page, where a
        # block (a table, a few paragraphs) might not fit.
        if self.page_break_trigger - self.get_y() < DRY_RUN_BELOW_MM:
            with self.offset_rendering() as dry:
                block()
            if dry.page_break_triggered and self.get_y() > self.t_margin + 1:
                self.add_page()
        block()

    def h2(self, text: str) -> None:
        """A sub-heading, kept with the block that follows it."""

        def draw() -> None:
            self.ln(2)
            self.set_font("DejaVu", "B", 11)
            self.set_text_color(*NAVY)
            self.multi_cell(CONTENT_W, 6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
            self.set_text_color(*INK)

        self._pending.append(draw)

    def para(self, text: str, *, size: float = BODY_PT, color=INK, bold: bool = False, after: float = 2,
             with_next: bool = False) -> None:
        """A paragraph; ``with_next``: an intro kept on the same page as the next block."""

        def draw() -> None:
            self.set_font("DejaVu", "B" if bold else "", size)
            self.set_text_color(*color)
            self.multi_cell(CONTENT_W, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.ln(after)

        if with_next:
            self._pending.append(draw)
        else:
            self.kept(draw)

    def intro(self, text: str) -> None:
        self.para(text, color=MUTED, size=SMALL_PT + 0.5, with_next=True)

    def bullets(self, items: Sequence[str], *, size: float = BODY_PT) -> None:
        def draw_item(item: str) -> None:
            self.set_font("DejaVu", size=size)
            self.set_x(MARGIN)
            self.cell(5, size * 0.5, "•")
            self.multi_cell(CONTENT_W - 5, size * 0.5, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)

        for i, item in enumerate(items):  # each item whole on a page, the first with the heading
            if i == 0:
                self.kept(lambda item=item: draw_item(item))
                continue
            self.set_font("DejaVu", size=size)
            height = self.multi_cell(CONTENT_W - 5, size * 0.5, item, align="L", dry_run=True,
                                     output=MethodReturnValue.HEIGHT)
            self.room(height + 1)
            draw_item(item)
        self.ln(1)

    def box(self, text: str, fill, ink, *, size: float = BODY_PT, bold: bool = False) -> None:
        def draw() -> None:
            self.set_font("DejaVu", "B" if bold else "", size)
            self.set_fill_color(*fill)
            self.set_text_color(*ink)
            self.multi_cell(CONTENT_W, size * 0.55, text, fill=True, padding=(2.5, 3), align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.ln(3)

        self.kept(draw)

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
              align: Sequence[str] | None = None, bold_rows: Sequence[int] = (), mono_cols: Sequence[int] = (),
              size: float = TABLE_PT) -> None:
        """A table over the content width: navy headings repeated on each page, zebra rows."""
        align = align or ["LEFT"] + ["RIGHT"] * (len(head) - 1)
        total = sum(widths)
        widths = [w * CONTENT_W / total for w in widths]
        self.kept(lambda: self._table(head, rows, widths, align, bold_rows, mono_cols, size))

    def _table(self, head, rows, widths, align, bold_rows, mono_cols, size) -> None:
        self.set_font("DejaVu", size=size)
        self.set_fill_color(255, 255, 255)  # the rows between the zebra ones
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        heading = FontFace(family="DejaVu", emphasis="BOLD", color=(255, 255, 255), fill_color=NAVY, size_pt=size)
        bold = FontFace(family="DejaVu", emphasis="BOLD", size_pt=size)
        mono = FontFace(family="DejaVuMono", emphasis="", size_pt=size - 0.5)
        with self.table_context(widths, align, heading) as tab:
            row = tab.row()
            for i, text in enumerate(head):
                row.cell(text, align="LEFT" if align[i] == "LEFT" else "RIGHT")
            for r, cells in enumerate(rows):
                row = tab.row()
                for i, text in enumerate(cells):
                    style = bold if r in bold_rows else (mono if i in mono_cols else None)
                    row.cell(text, style=style)
        self.ln(3)

    def table_context(self, widths, align, heading):
        return super().table(
            width=CONTENT_W, col_widths=widths, text_align=align, headings_style=heading,
            borders_layout="HORIZONTAL_LINES", cell_fill_color=ZEBRA, cell_fill_mode=TableCellFillMode.ROWS,
            line_height=TABLE_PT * 0.48, padding=(1.0, 1.5), v_align="MIDDLE", align="LEFT", repeat_headings=1,
        )

    def chart_height(self, png: bytes | None) -> float:
        if not png:
            return 0.0
        w_px, h_px = _png_size(png)
        return CONTENT_W * h_px / w_px

    def chart(self, png: bytes | None) -> None:
        if not png:
            return
        height = self.chart_height(png)

        def draw() -> None:
            self.ln(1)
            self.image(png, x=MARGIN, w=CONTENT_W, h=height)
            self.ln(3)

        self.kept(draw)


# --------------------------------------------------------------------------- helpers


def _points(x, lang: str) -> str:
    return number(x, lang, 2)


NOTES = {"no bounds": "note.no_bounds", "no discount_rate": "note.no_discount_rate",
         "no service_costs block": "note.no_service_costs"}


def _note(note: str | None, lang: str) -> str:
    """A formula-comparison note from the model, translated when it is a known one."""
    return t(NOTES[note], lang) if note in NOTES else (note or "—")


def _pct(x: float, lang: str) -> str:
    """A weight in percent (0..100): one decimal, none when it rounds to a whole number."""
    x = round(float(x), 1)
    return percent(x / 100, lang, 0 if x.is_integer() else 1)


def _plain(x: float, lang: str) -> str:
    """A criterion's best/worst/limit as written: no decimals unless it has some."""
    decimals = 0 if float(x).is_integer() else (1 if float(x * 10).is_integer() else 2)
    return number(x, lang, decimals)


def _order(ev: Evaluation) -> list[str]:
    """Ranked bids by rank, then knocked-out bids in tender order."""
    r = ev.ranking
    ranked = sorted((b for b in ev.costs.bids if r.rank.get(b)), key=lambda b: r.rank[b])  # type: ignore[arg-type, return-value]
    return ranked + [b for b in ev.costs.bids if not r.rank.get(b)]


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _flags(ev: Evaluation, b: str, lang: str) -> str:
    parts = [t(f"flag.{f}", lang) for f in ev.ranking.flags[b]]
    if ev.knockouts(b):
        parts.append(t("ranking.knocked_out", lang,
                       reasons="; ".join(knockout_reason(ev, r, lang) for r in ev.knockouts(b))))
    return "; ".join(parts) or "—"


def _part_name(part: str, lang: str) -> str:
    try:
        return t(f"switch.{part}", lang)
    except KeyError:
        return part.replace("_", " ").capitalize()


def _column(ev: Evaluation, b: str, lang: str) -> str:
    """A bid as a column heading: its operator, marked when knocked out."""
    name = bid_name(ev, b)
    return name if ev.ranking.compliant.get(b) else t("label.knocked_out", lang, name=name)


def _operator(ev: Evaluation, b: str, lang: str) -> str:
    name = bid_name(ev, b)
    return f"{name} ({t('ranking.incumbent', lang)})" if b == ev.tender.spec.incumbent else name


# --------------------------------------------------------------------------- sections


def _cover(pdf: _Document, ev: Evaluation, sos, sens, lang: str, scenario_name: str | None, charts: Charts) -> None:
    spec, cur = ev.tender.spec, ev.tender.spec.currency
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(CONTENT_W, 9, t("title", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 12)
    pdf.set_text_color(*INK)
    pdf.multi_cell(CONTENT_W, 6, ev.tender.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    incumbent = spec.incumbent
    meta = [
        (t("meta.buyer", lang), spec.buyer or "—"),
        (t("meta.term", lang), t("tender.months", lang, n=spec.term_months)),
        (t("meta.bids", lang), str(len(ev.tender.bids))),
        (t("meta.incumbent", lang), bid_name(ev, incumbent) if incumbent else t("meta.none", lang)),
        (t("meta.amounts", lang), t("meta.amounts_value", lang, currency=cur)),
    ]
    if scenario_name:
        meta.append((t("meta.scenario", lang), scenario_name))
    pdf.set_font("DejaVu", size=SMALL_PT + 0.5)
    for label, value in meta:
        pdf.set_text_color(*MUTED)
        pdf.cell(32, 4.6, label)
        pdf.set_text_color(*INK)
        pdf.multi_cell(CONTENT_W - 32, 4.6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    pdf.h1("1. " + t("page.summary", lang))
    winner = ev.winner
    if winner is None:
        pdf.box(t("summary.no_winner", lang), BAD, BAD_INK, size=13, bold=True)
    else:
        pdf.box(t("summary.winner", lang, winner=bid_name(ev, winner)), GOOD, GOOD_INK, size=14, bold=True)
        _key_figures(pdf, ev, lang)
        pdf.para(" ".join(_summary_sentences(ev, lang)), after=3)
    pdf.h2(t("summary.risks", lang))
    items = risks(ev, sos, sens, lang)
    if lang == "fr":
        items = [_french(s) for s in items]
    pdf.bullets(items or [t("risk.none", lang)])
    if charts.skipped:
        pdf.box(t("charts.skipped", lang, reason=charts.skipped), NOTE, INK, size=SMALL_PT + 0.5)
    # The ranking chart on the first page when it fits there, else in the ranking section.
    png = charts.images.get("ranking")
    if png and pdf.get_y() + pdf.chart_height(png) + 6 <= pdf.page_break_trigger:
        pdf.chart(charts.take("ranking"))


def _saving(ev: Evaluation) -> tuple[str, float] | None:
    """(incumbent, its TCO − the winner's) when the winner is a challenger and both are costed."""
    inc, winner = ev.tender.spec.incumbent, ev.winner
    if not inc or winner is None or inc == winner or inc not in ev.costs.bids or not ev.costs.costed(inc):
        return None
    return inc, ev.figures[inc].tco - ev.figures[winner].tco  # type: ignore[operator]


def _key_figures(pdf: _Document, ev: Evaluation, lang: str) -> None:
    cur, winner = ev.tender.spec.currency, ev.winner
    runner = ev.explanation.runner_up
    boxes = [(t("summary.score", lang), t("summary.points", lang, points=_points(ev.ranking.total[winner], lang)))]
    if runner:
        boxes.append((t("summary.margin", lang, runner=bid_name(ev, runner)),
                      t("summary.margin_value", lang, points=_points(ev.explanation.margin, lang))))
    else:
        boxes.append((t("summary.margin_none", lang), "—"))
    boxes.append((t("summary.tco", lang), money(ev.figures[winner].tco, lang, cur)))
    saving = _saving(ev)
    if saving is None:
        boxes.append((t("summary.no_saving", lang), t("summary.no_saving_value", lang)))
    elif saving[1] >= 0:
        boxes.append((t("summary.saving", lang, incumbent=bid_name(ev, saving[0])), money(saving[1], lang, cur)))
    else:
        boxes.append((t("summary.extra", lang, incumbent=bid_name(ev, saving[0])), money(-saving[1], lang, cur)))
    gap = 3.0
    w = (CONTENT_W - gap * (len(boxes) - 1)) / len(boxes)
    height = 21.0
    pdf.room(height + 4)
    top = pdf.get_y()
    for i, (label, value) in enumerate(boxes):
        x = MARGIN + i * (w + gap)
        pdf.set_fill_color(*ZEBRA)
        pdf.set_draw_color(*RULE)
        pdf.rect(x, top, w, height, style="DF")
        pdf.set_xy(x + 2, top + 2)
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(w - 4, 3.4, label, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(x + 2, top + height - 8.5)
        pdf.set_font("DejaVu", "B", 12.5)
        pdf.set_text_color(*INK)
        pdf.cell(w - 4, 6, value)
    pdf.set_xy(MARGIN, top + height + 4)
    pdf.set_font("DejaVu", size=BODY_PT)


def _summary_sentences(ev: Evaluation, lang: str) -> list[str]:
    cur, winner, spec = ev.tender.spec.currency, ev.winner, ev.tender.spec
    name = bid_name(ev, winner)
    score = _points(ev.ranking.total[winner], lang)
    out = []
    if ev.explanation.runner_up:
        out.append(t("summary.sentence", lang, winner=name, score=score, margin=_points(ev.explanation.margin, lang),
                     runner=bid_name(ev, ev.explanation.runner_up)))
    else:
        out.append(t("summary.sentence_only", lang, winner=name, score=score))
    out.append(t("summary.sentence_tco", lang, term=spec.term_months, tco=money(ev.figures[winner].tco, lang, cur)))
    saving = _saving(ev)
    if winner == spec.incumbent:
        out.append(t("summary.sentence_incumbent", lang, winner=name))
    elif saving is not None:
        inc = bid_name(ev, saving[0])
        stay = money(ev.figures[saving[0]].tco, lang, cur)
        if saving[1] >= 0:
            out.append(t("summary.sentence_saving", lang, saving=money(saving[1], lang, cur), incumbent=inc,
                         stay=stay))
        else:
            out.append(t("summary.sentence_extra", lang, extra=money(-saving[1], lang, cur), incumbent=inc, stay=stay))
    return out


def _ranking(pdf: _Document, ev: Evaluation, lang: str, charts: Charts) -> None:
    cur = ev.tender.spec.currency
    r = ev.ranking
    pdf.section("2. " + t("section.ranking", lang))
    pdf.intro(t("ranking.intro", lang, currency=cur))
    topsis = ev.spec.method == "topsis"
    head = [t("col.rank", lang), t("col.operator", lang), t("col.tco", lang)]
    head += [t("col.topsis", lang)] if topsis else [t("col.price", lang), t("col.quality", lang), t("col.total", lang)]
    head.append(t("col.flags", lang))
    rows = []
    for b in _order(ev):
        row = [str(r.rank[b]) if r.rank.get(b) else t("ranking.out", lang), _operator(ev, b, lang),
               money(ev.figures[b].tco, lang, cur)]
        if topsis:
            row.append(_points(r.total[b], lang))
        else:
            row += [_points(r.price_score[b], lang), _points(r.quality_score[b], lang), _points(r.total[b], lang)]
        row.append(_flags(ev, b, lang))
        rows.append(row)
    if topsis:
        widths, align = [16, 40, 25, 18, 61], ["CENTER", "LEFT", "RIGHT", "RIGHT", "LEFT"]
    else:
        widths, align = [16, 36, 23, 15, 16, 13, 61], ["CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"]
    pdf.table(head, rows, widths, align=align, bold_rows=[0] if ev.winner else [])
    pdf.chart(charts.take("ranking"))

    # Points per criterion: criteria down, bids across (five at a time).
    keys = ["price", *(c.id for c in ev.spec.criteria)]
    weights = {"price": ev.spec.price.weight, **{c.id: c.weight for c in ev.spec.criteria}}
    source = ev.explanation.lost if topsis else ev.explanation.points
    pdf.h2(t("ranking.distance", lang) if topsis else t("ranking.points", lang))
    if not topsis:
        pdf.intro(t("ranking.points_intro", lang))
    for group in _chunks(_order(ev), 5):
        head = [t("label.criterion", lang), t("label.weight", lang), *(bid_name(ev, b) for b in group)]
        rows = [[criterion_name(ev, k, lang), _plain(weights[k], lang),
                 *(_points(source[b].get(k), lang) for b in group)] for k in keys]
        if not topsis:
            rows.append([t("col.total", lang), _plain(sum(weights.values()), lang),
                         *(_points(r.total[b], lang) for b in group)])
        pdf.table(head, rows, [56, 25, *([24] * len(group))], bold_rows=[len(rows) - 1] if not topsis else [])


def _costs(pdf: _Document, ev: Evaluation, lang: str, charts: Charts) -> None:
    spec, cur, costs = ev.tender.spec, ev.tender.spec.currency, ev.costs
    pdf.section("3. " + t("section.costs", lang))
    pdf.intro(t("costs.intro", lang, currency=cur, term=spec.term_months))
    costed = [b for b in _order(ev) if costs.costed(b)]
    missing = [bid_name(ev, b) for b in _order(ev) if not costs.costed(b)]
    if missing:
        pdf.para(t("costs.not_costed", lang, names=", ".join(missing)))
    if not costed:
        return
    # By contract year: bids down, years across (five years at a time).
    annual = costs.annual()
    months = costs.fleet.months_in_year
    years = [t("label.year", lang, year=y + 1) if n >= 12 else t("label.year_partial", lang, year=y + 1, months=int(n))
             for y, n in enumerate(months)]
    pdf.h2(t("costs.by_year", lang))
    groups = _chunks(list(range(len(years))), 5)
    for g, group in enumerate(groups):
        last = g == len(groups) - 1
        head = [t("col.operator", lang), *(years[y] for y in group), *([t("col.total", lang)] if last else [])]
        rows = [[_column(ev, b, lang), *(money(annual[costs.index(b)][y], lang, cur) for y in group),
                 *([money(ev.figures[b].tco, lang, cur)] if last else [])] for b in costed]
        pdf.table(head, rows, [44, *([26] * (len(head) - 1))])
    pdf.chart(charts.take("breakdown"))
    # By component: components down, bids across.
    pdf.h2(t("costs.by_component", lang))
    by_comp = costs.by_component()
    used = [k for k, _ in enumerate(COMPONENTS) if any(abs(by_comp[costs.index(b)][k]) > 0.005 for b in costed)]
    for group in _chunks(costed, 5):
        head = [t("col.component", lang), *(_column(ev, b, lang) for b in group)]
        rows = [[t(f"component.{COMPONENTS[k]}", lang), *(money(by_comp[costs.index(b)][k], lang, cur)
                                                          for b in group)] for k in used]
        rows.append([t("costs.total", lang), *(money(ev.figures[b].tco, lang, cur) for b in group)])
        pdf.table(head, rows, [60, *([26] * len(group))], bold_rows=[len(rows) - 1])
    # By entity for the winner.
    winner = ev.winner if ev.winner in costed else None
    if winner is not None:
        pdf.h2(t("costs.by_entity", lang, winner=bid_name(ev, winner)))
        names = {e.id: e.name or e.id for e in spec.entities}
        values = costs.by_entity()[costs.index(winner)]
        tco = float(ev.figures[winner].tco)
        rows = [[names.get(e, e), money(v, lang, cur), percent(v / tco if tco else None, lang, 1)]
                for e, v in zip(costs.fleet.entities, values)]
        rows.append([t("costs.total", lang), money(tco, lang, cur), percent(1.0, lang, 1)])
        pdf.table([t("label.entity", lang), t("col.tco", lang), t("costs.share", lang)], rows, [110, 40, 30],
                  bold_rows=[len(rows) - 1])


def _no_switch_note(ev: Evaluation, sos, lang: str) -> str:
    inc = sos.incumbent
    if inc is None:
        return t("switching.no_incumbent", lang)
    if inc not in ev.costs.bids:
        return t("switching.incumbent_no_bid", lang, name=inc)
    if not ev.costs.costed(inc):
        return t("switching.incumbent_not_costed", lang, name=bid_name(ev, inc),
                 reasons="; ".join(knockout_reason(ev, r, lang) for r in ev.costs.knockouts[inc]))
    return t("label.no_challenger", lang).lower()


def _switching(pdf: _Document, ev: Evaluation, sos, lang: str, charts: Charts) -> None:
    spec, cur = ev.tender.spec, ev.tender.spec.currency
    pdf.section("4. " + t("section.switching", lang))
    if sos.incumbent_cumulative is None or not sos.challengers:
        pdf.para(t("switching.none", lang, note=_no_switch_note(ev, sos, lang)))
    else:
        pdf.intro(t("switching.intro", lang, incumbent=bid_name(ev, sos.incumbent)))
        order = {b: i for i, b in enumerate(_order(ev))}
        challengers = sorted(sos.challengers, key=lambda c: order.get(c.id, len(order)))
        parts = ("project", "staff_and_sims", "parallel_running", "exit_fee", "lost_numbers")
        for group in _chunks(challengers, 5):
            head = [t("switching.part", lang), *(_column(ev, c.id, lang) for c in group)]
            first = group[0].waterfall
            keys = [k for k in parts if k in first] + [k for k in first if k not in parts and k != "portability_terms"]
            rows = [[_part_name(k, lang),
                     *(money(c.waterfall.get(k, 0.0), lang, cur) for c in group)] for k in keys]
            buyer = [sum(v for k, v in c.waterfall.items() if k != "portability_terms") for c in group]
            rows.append([t("switch.buyer_total", lang), *(money(v, lang, cur) for v in buyer)])
            rows.append([t("switch.portability_terms", lang),
                         *(money(c.waterfall.get("portability_terms", 0.0), lang, cur) for c in group)])
            rows.append([t("switch.total", lang), *(money(v + c.waterfall.get("portability_terms", 0.0), lang, cur)
                                                    for v, c in zip(buyer, group))])
            rows.append([t("switching.break_even", lang),
                         *(t("switching.month", lang, month=c.break_even_month, term=spec.term_months)
                           if c.break_even_month else t("switching.never", lang) for c in group)])
            rows.append([t("switching.saving", lang), *(money(c.cumulative_saving[-1], lang, cur) for c in group)])
            n = len(rows)
            pdf.table(head, rows, [62, *([26] * len(group))], bold_rows=[len(keys), n - 3, n - 2])
        pdf.chart(charts.take("cumulative"))
    s = spec.switching
    if s is not None:
        pdf.h2(t("switching.assumptions", lang))
        shares = {"port_share", "porting_failure_rate"}
        rows = []
        for field in ("project_eur", "per_line_eur", "current_monthly_eur", "parallel_months",
                      "incumbent_exit_fee_eur", "port_share", "porting_failure_rate", "lost_number_eur"):
            value = getattr(s, field)
            if field in shares:
                text = percent(value, lang, 1)
            elif field == "parallel_months":
                text = _plain(value, lang)
            else:
                text = money(value, lang, cur)
            rows.append([t(f"assumption.{field}", lang), text])
        pdf.table([t("switching.assumption", lang), t("switching.value", lang)], rows, [120, 60])


def _sensitivity(pdf: _Document, ev: Evaluation, sens, lang: str, charts: Charts) -> None:
    pdf.section("5. " + t("section.sensitivity", lang))
    if ev.winner is None:
        pdf.para(t("sens.no_winner", lang))
        return
    winner = bid_name(ev, ev.winner)
    rows_src = sens.tornado[:8]
    if rows_src:
        delta = abs(1.0 - rows_src[0]["low"]["factor"])
        dtxt = percent(delta, lang)
        pdf.h2(t("sens.tornado", lang))
        pdf.intro(t("sens.tornado_intro", lang, delta=dtxt, n=len(rows_src)))

        def side(row: dict) -> str:
            if row["margin"] is None:
                return t("sens.knocked", lang)
            who = bid_name(ev, row["winner"]) if row["winner"] else t("sens.none", lang)
            return t("sens.margin_winner", lang, margin=_points(row["margin"], lang), winner=who)

        rows = [[driver_label(ev, row["driver"], lang), side(row["low"]), side(row["high"])] for row in rows_src]
        pdf.table([t("label.driver", lang), t("sens.low", lang, delta=dtxt), t("sens.high", lang, delta=dtxt)], rows,
                  [70, 55, 55])
        pdf.chart(charts.take("tornado"))
    if sens.weights:
        pdf.h2(t("sens.weights", lang))
        pdf.intro(t("sens.weights_intro", lang, winner=winner))
        rows = []
        for w in sens.weights:
            name = criterion_name(ev, w["weight"], lang)
            shown = shown_range(ev, w, decimals=1)  # as printed by _pct: ties within it are ties
            if shown.start is None or shown.end is None:
                span = "—"
            else:
                span = f"{_pct(shown.start, lang)} – {_pct(shown.end, lang)}"
            below = _beyond(ev, shown.below, shown.at_start, shown.tie_start, 0.0, lang)
            above = _beyond(ev, shown.above, shown.at_end, shown.tie_end, 100.0, lang)
            rows.append([name, _pct(w["stated"], lang), span, below, above])
        pdf.table([t("sens.weight", lang), t("sens.stated", lang), t("sens.range", lang, winner=winner),
                   t("sens.below", lang), t("sens.above", lang)], rows, [56, 14, 30, 40, 40],
                  align=["LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"])


def _beyond(ev: Evaluation, beyond: str | None, at_end: str | None, tie: str | None, end: float, lang: str) -> str:
    """Who wins past one end of a weight's range: beyond it, or only at the end itself (0 %
    or 100 %), then saying whether by a tie and how the tie is broken."""
    if beyond:
        return bid_name(ev, beyond)
    if at_end is None:
        return "—"
    key = {"tco": "sens.at_tie_tco", "id": "sens.at_tie_id"}.get(tie or "", "sens.at")
    return t(key, lang, name=bid_name(ev, at_end), at=_pct(end, lang))


def _methodology(pdf: _Document, ev: Evaluation, lang: str) -> None:
    spec, tender_spec = ev.spec, ev.tender.spec
    pdf.add_page()
    pdf.h1(t("section.method", lang))
    pdf.h2(t("method.scoring", lang))
    price = spec.price
    if spec.method == "topsis":
        pdf.para(t("method.topsis", lang))
    else:
        pdf.para(t("method.weighted_sum", lang))
        if price.formula == "bounded" and price.bounds is not None:
            expression = t("formula.bounded", lang, best=money(price.bounds.best, lang, tender_spec.currency),
                           worst=money(price.bounds.worst, lang, tender_spec.currency))
        else:
            expression = t(f"formula.{price.formula}", lang, best="—", worst="—")
        rate = percent(tender_spec.discount_rate, lang, 1) if tender_spec.discount_rate is not None else "—"
        pdf.para(t("method.price", lang, formula=price.formula, expression=expression,
                   basis=t(f"basis.{price.basis}", lang, rate=rate), reference=t(f"reference.{price.reference}", lang)))
    pdf.h2(t("method.criteria", lang))
    rows = [[t("label.price", lang), _plain(price.weight, lang),
             t("method.topsis_price", lang) if spec.method == "topsis" else t("method.price_rule", lang), "—"]]
    for c in spec.criteria:
        if c.kind == "evaluators":
            rule = t("rule.evaluators", lang, scale=_plain(c.scale, lang))
        elif c.kind == "yes_no":
            rule = t("rule.yes_no", lang)
        else:
            rule = t("rule.higher" if c.higher_is_better else "rule.lower", lang, best=_plain(c.best, lang),
                     worst=_plain(c.worst, lang))
        ko = []
        if c.limit is not None:
            ko.append(t("ko.limit", lang, limit=_plain(c.limit, lang)))
        if c.required:
            ko.append(t("ko.required", lang))
        rows.append([c.name or c.id, _plain(c.weight, lang), rule, "; ".join(ko) or "—"])
    rows.append([t("col.total", lang), _plain(price.weight + sum(c.weight for c in spec.criteria), lang), "", ""])
    pdf.table([t("label.criterion", lang), t("label.weight", lang), t("method.rule", lang), t("method.knockout", lang)],
              rows, [56, 25, 68, 31], align=["LEFT", "RIGHT", "LEFT", "LEFT"], bold_rows=[len(rows) - 1])
    pdf.h2(t("method.rules", lang))
    items = [t("method.ko", lang)]
    if spec.abnormally_low is not None:
        items.append(t("method.abnormally_low", lang, pct=percent(spec.abnormally_low, lang)))
    if tender_spec.award_date is not None:
        items.append(t("method.expired", lang))
    items += [t("method.ties", lang), t("method.reversal", lang)]
    pdf.bullets(items)
    pdf.h2(t("method.costs", lang))
    pdf.para(t("method.costs_intro", lang), with_next=True)
    pdf.bullets([f"{t(f'component.{k}', lang)}: {t(f'rule.{k}', lang)}" if lang == "en"
                 else f"{t(f'component.{k}', lang)}{NBSP}: {t(f'rule.{k}', lang)}" for k in COMPONENTS],
                size=SMALL_PT + 0.5)
    pdf.para(t("method.totals", lang))
    comparison = ev.explanation.formula_comparison
    if comparison:
        pdf.h2(t("method.formulas", lang))
        bases = list(dict.fromkeys(row["basis"] for row in comparison))
        formulas = list(dict.fromkeys(row["formula"] for row in comparison))
        cell = {(row["formula"], row["basis"]): row for row in comparison}
        rows = []
        for f in formulas:
            line = [f]
            for b in bases:
                row = cell.get((f, b))
                text = "—" if row is None else (bid_name(ev, row["winner"]) if row["winner"]
                                                else f"— ({_note(row['note'], lang)})")
                line.append(("* " if row and row["chosen"] else "") + text)
            rows.append(line)
        pdf.table([t("method.formula", lang), *(t(f"basis_short.{b}", lang) for b in bases)], rows, [24, *([39] * len(bases))],
                  align=["LEFT", *(["LEFT"] * len(bases))], size=TABLE_PT - 0.5)
        rate = ev.tender.spec.discount_rate
        pdf.para(t("method.formulas_legend", lang,
                   rate=percent(rate, lang, 1) if rate is not None else t("method.no_rate", lang)),
                 size=SMALL_PT + 0.5, color=MUTED)


def _audit(pdf: _Document, ev: Evaluation, lang: str, sources: dict[str, bytes] | None, scenario_name: str | None,
           generated: str, charts: Charts) -> None:
    pdf.add_page()
    pdf.h1(t("section.audit", lang))
    pdf.h2(t("audit.files", lang))
    if sources:
        pdf.intro(t("audit.files_intro", lang))
        rows = [[name, hashlib.sha256(data).hexdigest(), number(len(data), lang)] for name, data in sorted(sources.items())]
        pdf.table([t("audit.file", lang), "SHA-256", t("audit.bytes", lang)], rows, [52, 112, 16],
                  align=["LEFT", "LEFT", "RIGHT"], mono_cols=[1], size=TABLE_PT - 0.5)
    else:
        pdf.para(t("audit.no_files", lang))
    pdf.h2(t("audit.run", lang))
    libs = [f"{d} {v}" for d in ("fpdf2", "plotly", "kaleido", "numpy", "scipy", "pydantic") if (v := _version(d))]
    charts_text = (t("charts.included", lang, kaleido=_version("kaleido") or "?", browser=charts.browser or "?")
                   if not charts.skipped else t("charts.skipped_short", lang, reason=charts.skipped))
    rows = [
        [t("audit.tender", lang), ev.tender.name],
        [t("audit.scenario", lang), scenario_name or t("audit.baseline", lang)],
        [t("audit.fleetbid", lang), fleetbid_version()],
        [t("audit.python", lang), f"{platform.python_version()} ({platform.python_implementation()})"],
        [t("audit.libraries", lang), ", ".join(libs)],
        [t("audit.generated", lang), generated],
        [t("audit.language", lang), t("audit.language_value", lang)],
        [t("audit.charts", lang), charts_text],
    ]
    pdf.table([t("audit.item", lang), t("switching.value", lang)], rows, [45, 135], align=["LEFT", "LEFT"])
    pdf.h2(t("audit.warnings", lang))
    if ev.warnings:
        pdf.bullets([warning_text(ev.tender, w) for w in ev.warnings], size=SMALL_PT + 0.5)
    else:
        pdf.para(t("audit.warnings_none", lang))


# --------------------------------------------------------------------------- entry point


def build_report(ev: Evaluation, out_path: str | Path, *, lang: str = "en", sources: dict[str, bytes] | None = None,
                 scenario_name: str | None = None, charts: bool = True, created: datetime | None = None,
                 browser: str | None = None, warn: Callable[[str], None] | None = None) -> Path:
    """Write the evaluation as an A4 PDF report at ``out_path`` and return its path.

    ``sources``: the raw input files (path in the tender folder → bytes, see `input_files`)
    whose SHA-256 the audit trail lists. ``scenario_name``: the what-if scenario applied to
    ``ev``, if any. ``charts=False`` builds tables only (as when kaleido or a browser is
    missing); ``browser`` overrides `find_browser`. ``created`` (default: now) is the
    generation date printed and stored in the PDF: fix it to get the same bytes from the
    same inputs (with charts off). ``warn`` is called with one English sentence when charts
    were asked for but could not be drawn (the report itself says so on its first page).
    Raises `ReportError` without the DejaVu fonts.
    """
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    generated = created.strftime("%Y-%m-%d %H:%M")
    sos = stay_or_switch(ev)
    sens = sensitivity(ev, DELTA)
    pdf = _Document(lang, ev.tender.name, generated)  # fails early, before any rendering, without fonts
    figs = {}
    if charts:
        try:
            figs = chart_figures(ev, sos, sens, lang)
        except ImportError:
            rendered = Charts({}, ("charts.no_plotly", {}), lang=lang)
        else:
            rendered = render_charts(figs, lang, browser=browser)
    else:
        rendered = render_charts({}, lang, enabled=False)
    if charts and rendered.why is not None and warn is not None:
        warn(f"the report has no charts: {rendered.reason('en')}; its tables carry the same figures")

    pdf.set_creation_date(created)
    pdf.set_title(f"{t('title', lang)} — {ev.tender.name}")
    pdf.set_subject(ev.tender.name)
    pdf.set_creator(f"Fleetbid {fleetbid_version()}")
    pdf.set_author("Fleetbid")
    pdf.set_lang(lang)
    _cover(pdf, ev, sos, sens, lang, scenario_name, rendered)
    _ranking(pdf, ev, lang, rendered)
    _costs(pdf, ev, lang, rendered)
    _switching(pdf, ev, sos, lang, rendered)
    _sensitivity(pdf, ev, sens, lang, rendered)
    _methodology(pdf, ev, lang)
    _audit(pdf, ev, lang, sources, scenario_name, generated, rendered)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


__all__ = ["ReportError", "build_report", "charts_note", "charts_unavailable", "find_browser", "find_font_dir", "input_files",
           "render_charts"]
