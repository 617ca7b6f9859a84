"""The PDF report's texts. Where the report says a thing otherwise than the app, it has its
own key (``report.by_component``: "TCO by cost component" against the Costs page's "Cost by
component over the term"); cost rules per component come from scoring/components.py."""

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
    "meta.amounts_value": {"en": "{currency}, {basis}", "fr": "{currency} {basis}"},
    "meta.none": {"en": "none", "fr": "aucun"},
    "summary.sentence": {"en": "{winner} ranks first with {score} points out of 100, {margin} points ahead of {runner}.",
                         "fr": "{winner} arrive en tête avec {score} points sur 100, {margin} points devant {runner}."},
    "summary.sentence_only": {"en": "{winner} is the only compliant bid, with {score} points out of 100.",
                              "fr": "{winner} est la seule offre conforme, avec {score} points sur 100."},
    "summary.sentence_tco": {"en": "Its total cost of ownership over the {term}-month term is {tco} {basis}.",
                             "fr": "Son coût total de possession sur les {term} mois du contrat est de {tco} {basis}."},
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
                            "Points out of 100; amounts in {currency}, {basis}.",
                      "fr": "Offres classées d'abord, rang 1 en tête ; offres écartées en dernier, avec les motifs. "
                            "Points sur 100 ; montants en {currency} {basis}."},
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
    "report.by_component": {"en": "TCO by cost component", "fr": "Coût total par poste"},
    "report.by_entity": {"en": "Cost by entity for {winner}", "fr": "Coût par entité pour {winner}"},
    "costs.share": {"en": "Share", "fr": "Part"},
    "costs.total": {"en": "Total (TCO)", "fr": "Total (coût total)"},
    "costs.not_costed": {"en": "Not costed (knocked out before costing): {names}.",
                         "fr": "Non chiffrées (écartées avant chiffrage) : {names}."},
    "costs.intro": {"en": "Amounts in {currency}, {basis}, over the {term}-month term, switching costs included "
                          "in year 1. Every table adds up to the TCO.",
                    "fr": "Montants en {currency} {basis} sur les {term} mois du contrat, coûts de changement inclus "
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
                            "switching cost. Amounts {basis}, undiscounted (the NPV discounts each month at the "
                            "tender's rate).",
                      "fr": "Prix de l'offre = tous les postes sauf le coût de changement de l'acheteur ; coût "
                            "total = prix de l'offre + coût de changement. Montants {basis}, non actualisés (la VAN "
                            "actualise chaque mois au taux de l'appel d'offres)."},
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
