"""The app's page texts. A usage component's name with its unit is ``usage_unit.<id>``
("Data (GB)"); the charts' shorter ``usage.<id>`` ("Data") is a different text in French and
for roaming, so each keeps its key."""

APP_TEXT: dict[str, dict[str, str]] = {
    "app.title": {"en": "Fleetbid", "fr": "Fleetbid"},
    "app.language": {"en": "Language", "fr": "Langue"},
    "page.tender": {"en": "Tender", "fr": "Appel d'offres"},
    "page.compare": {"en": "Compare", "fr": "Comparer"},
    "page.costs": {"en": "Costs", "fr": "Coûts"},
    "page.switching": {"en": "Switching", "fr": "Changement d'opérateur"},
    "page.whatif": {"en": "What-if", "fr": "Simulations"},
    "page.summary": {"en": "Decision summary", "fr": "Synthèse de décision"},
    "errors.title": {"en": "The tender has errors; nothing was evaluated.",
                     "fr": "L'appel d'offres contient des erreurs ; rien n'a été évalué."},
    "errors.file": {"en": "file", "fr": "fichier"},
    "errors.field": {"en": "field", "fr": "champ"},
    "errors.problem": {"en": "problem", "fr": "problème"},
    "tender.caption": {"en": "{buyer} · {term} months · incumbent: {incumbent} · amounts in {currency} {basis}",
                       "fr": "{buyer} · {term} mois · opérateur sortant : {incumbent} · montants en {currency} {basis}"},
    "tender.upload": {"en": "Open another tender: tender.yaml, the bid files (YAML or filled Excel schedules) and the "
                            "billing export (CSV), or a zip of the tender folder",
                      "fr": "Ouvrir un autre appel d'offres : tender.yaml, les offres (YAML ou bordereaux Excel "
                            "remplis) et l'export de facturation (CSV), ou un zip du dossier"},
    "tender.upload_help": {"en": "A file named tender.yaml, evaluations.yaml or consensus.yaml goes where its name says; "
                                 "a .csv file (the billing export) goes at the tender's root; every other YAML or Excel "
                                 "file is a bid.",
                           "fr": "Les fichiers tender.yaml, evaluations.yaml et consensus.yaml sont reconnus par leur "
                                 "nom ; un fichier .csv (l'export de facturation) va à la racine de l'appel d'offres ; "
                                 "tout autre fichier YAML ou Excel est une offre."},
    "tender.example": {"en": "Back to the bundled example", "fr": "Revenir à l'exemple fourni"},
    "tender.in_use": {"en": "Tender in use: {name}", "fr": "Appel d'offres utilisé : {name}"},
    "tender.download": {"en": "Download this tender (zip, with the what-if settings)",
                        "fr": "Télécharger cet appel d'offres (zip, avec les réglages de simulation)"},
    "tender.fleet": {"en": "Fleet at contract start: lines by profile and entity",
                     "fr": "Flotte au démarrage : lignes par profil et par entité"},
    "tender.usage": {"en": "Usage per line per month (mean; spread across lines where given)",
                     "fr": "Consommation par ligne et par mois (moyenne ; dispersion entre lignes si indiquée)"},
    "tender.lines": {"en": "Lines", "fr": "Lignes"},
    "tender.entities": {"en": "Entities", "fr": "Entités"},
    "tender.bids": {"en": "Bids", "fr": "Offres"},
    "tender.term": {"en": "Term", "fr": "Durée"},
    "tender.months": {"en": "{n} months", "fr": "{n} mois"},
    "tender.total": {"en": "total", "fr": "total"},
    "tender.profile": {"en": "profile", "fr": "profil"},
    "tender.warnings": {"en": "Warnings", "fr": "Avertissements"},
    "billed.title": {"en": "Billed usage (billing export)", "fr": "Consommation facturée (export de facturation)"},
    "billed.size": {"en": "{file}: {lines} lines × {months} months × {components} usage components. Only aggregates "
                          "per profile are shown: the lines and their numbers stay on the server.",
                    "fr": "{file} : {lines} lignes × {months} mois × {components} composantes de consommation. Seuls "
                          "des agrégats par profil sont affichés : les lignes et leurs numéros restent sur le serveur."},
    "billed.component": {"en": "Usage component", "fr": "Composante de consommation"},
    "billed.errors": {"en": "The billing export has errors: its usage cannot be shown (the evaluation does not use it).",
                      "fr": "L'export de facturation contient des erreurs : sa consommation ne peut pas être affichée "
                            "(l'évaluation ne l'utilise pas)."},
    "billed.table": {"en": "Each line's mean monthly usage over the export, spread across the profile's lines; "
                           "the published mean is the tender's profile.",
                     "fr": "Consommation mensuelle moyenne de chaque ligne sur l'export, répartie sur les lignes du "
                           "profil ; la moyenne publiée est celle du profil de l'appel d'offres."},
    "billed.col.lines": {"en": "lines", "fr": "lignes"},
    "billed.col.mean": {"en": "mean", "fr": "moyenne"},
    "billed.col.median": {"en": "median", "fr": "médiane"},
    "billed.col.p95": {"en": "P95", "fr": "P95"},
    "billed.col.p99": {"en": "P99", "fr": "P99"},
    "billed.col.max": {"en": "max", "fr": "max"},
    "billed.col.zero": {"en": "lines with zero use", "fr": "lignes sans consommation"},
    "billed.col.published": {"en": "published mean", "fr": "moyenne publiée"},
    "compare.table": {"en": "Side by side (best value per row in bold green)",
                      "fr": "Côte à côte (meilleure valeur de chaque ligne en vert gras)"},
    "row.operator": {"en": "Operator", "fr": "Opérateur"},
    "row.rank": {"en": "Rank", "fr": "Rang"},
    "row.tco": {"en": "TCO over the term", "fr": "Coût total sur la durée"},
    "row.annual": {"en": "Average cost per year", "fr": "Coût moyen par an"},
    "row.per_line": {"en": "Cost per line per month", "fr": "Coût par ligne et par mois"},
    "row.switching": {"en": "Switching cost", "fr": "Coût du changement"},
    "row.price": {"en": "Price points", "fr": "Points prix"},
    "row.quality": {"en": "Quality points", "fr": "Points qualité"},
    "row.total": {"en": "Total score", "fr": "Note totale"},
    "row.flags": {"en": "Flags", "fr": "Alertes"},
    "row.knockouts": {"en": "Knock-outs", "fr": "Éliminatoires"},
    "row.service": {"en": "Hidden cost of poor service", "fr": "Coût caché du service"},
    "knocked_out": {"en": "knocked out", "fr": "éliminée"},
    "flag.abnormally_low": {"en": "abnormally low", "fr": "anormalement basse"},
    "flag.expired": {"en": "expired", "fr": "expirée"},
    "flag.lump_sum": {"en": "billed mostly as a lump sum (its cost does not follow the number of lines)",
                      "fr": "facturée surtout au forfait (son coût ne suit pas le nombre de lignes)"},
    "whatif.lump_sum": {"en": "Scaling the lines is unreliable for {bids}: more than half of the recurring charges "
                              "are fleet-level lump sums (account fee, minimum-spend shortfall) that do not follow "
                              "the number of lines.",
                        "fr": "Faire varier le nombre de lignes est peu fiable pour {bids} : plus de la moitié des "
                              "frais récurrents sont des forfaits au niveau de la flotte (frais de compte, complément "
                              "de dépense minimale) qui ne suivent pas le nombre de lignes."},
    "none": {"en": "none", "fr": "aucun"},
    "download.template": {"en": "Download the price-schedule template for operators (Excel)",
                          "fr": "Télécharger le bordereau de prix à envoyer aux opérateurs (Excel)"},
    "download.workbook": {"en": "Download the evaluation workbook (Excel)", "fr": "Télécharger le classeur d'évaluation (Excel)"},
    "download.report": {"en": "Download the management report (PDF)", "fr": "Télécharger le rapport de synthèse (PDF)"},
    "compare.why": {"en": "Why this ranking", "fr": "Pourquoi ce classement"},
    "compare.margin": {"en": "{winner} leads {runner} by {margin} points.",
                       "fr": "{winner} devance {runner} de {margin} points."},
    "compare.only_one": {"en": "{winner} is the only compliant bid.", "fr": "{winner} est la seule offre conforme."},
    "compare.no_winner": {"en": "No bid is compliant: there is no winner.",
                          "fr": "Aucune offre n'est conforme : pas d'attributaire."},
    "compare.lost": {"en": "Points lost against the best bid on each criterion",
                     "fr": "Points perdus face à la meilleure offre sur chaque critère"},
    "compare.criterion": {"en": "criterion", "fr": "critère"},
    "compare.best": {"en": "best bid", "fr": "meilleure offre"},
    "compare.formulas": {"en": "Winner under each price formula (on the tender's basis)",
                         "fr": "Attributaire selon la formule de prix (sur la base de l'appel d'offres)"},
    "compare.formula": {"en": "formula", "fr": "formule"},
    "compare.basis": {"en": "basis", "fr": "base"},
    "compare.winner": {"en": "winner", "fr": "attributaire"},
    "compare.chosen": {"en": "the tender's choice", "fr": "choix de l'appel d'offres"},
    "unit.title": {"en": "Unit prices: cost per line per month", "fr": "Prix unitaires : coût par ligne et par mois"},
    "unit.caption": {"en": "Each profile's cost over the term ÷ its line-months (its lines after growth × the months of "
                           "the term), in {currency} {basis}: an average over the term, indexation and volume discount "
                           "included. Usage: each line's own usage beyond its allowances (overage, roaming). Pool share: "
                           "the profile's part of the pooled overage. What is not per line (setup fee, account fees, "
                           "minimum-spend shortfall, credits, portability, switching, and the tax on them) is counted "
                           "once per bid over the term, so the rows add up to the TCO.",
                     "fr": "Coût du profil sur la durée ÷ ses lignes-mois (ses lignes après croissance × les mois du "
                           "contrat), en {currency} {basis} : une moyenne sur la durée, indexation et remise de volume "
                           "comprises. Consommations : celles de chaque ligne au-delà de son forfait (dépassements, "
                           "itinérance). Part du pool : la part du profil dans le dépassement du pool. Ce qui ne se "
                           "rapporte pas aux lignes (mise en service, frais de compte, complément de minimum de "
                           "facturation, avoirs, portabilité, changement d'opérateur, et la taxe sur ces montants) est "
                           "compté une fois par offre sur la durée : les lignes se totalisent au coût total."},
    "unit.zero": {"en": "Nothing for any bid: {columns}.", "fr": "Rien pour aucune offre : {columns}."},
    "unit.none": {"en": "No bid could be costed.", "fr": "Aucune offre n'a pu être chiffrée."},
    "unit.component": {"en": "Component", "fr": "Poste"},
    "unit.profile": {"en": "Profile", "fr": "Profil"},
    "unit.line_months": {"en": "Line-months", "fr": "Lignes-mois"},
    "unit.cost": {"en": "Cost over the term", "fr": "Coût sur la durée"},
    "unit.per_line_costs": {"en": "Per-line costs over the term (Σ unit price × line-months)",
                            "fr": "Coûts par ligne sur la durée (Σ prix unitaire × lignes-mois)"},
    "unit.not_per_line": {"en": "Not per line (over the term)", "fr": "Hors lignes (sur la durée)"},
    "unit.adds_up": {"en": "How the unit prices add up to the TCO (over the term)",
                     "fr": "Comment les prix unitaires se totalisent au coût total (sur la durée)"},
    "unit.tco": {"en": "TCO", "fr": "Coût total"},
    "unit.col.subscriptions": {"en": "Subscription", "fr": "Abonnement"},
    "unit.col.usage": {"en": "Usage", "fr": "Consommations"},
    "unit.col.pool_overage": {"en": "Pool share", "fr": "Part du pool"},
    "unit.col.line_fees": {"en": "Line fees", "fr": "Frais par ligne"},
    "unit.col.devices": {"en": "Device", "fr": "Terminal"},
    "unit.col.device_fund": {"en": "Device fund", "fr": "Enveloppe terminaux"},
    "unit.col.one_off_per_line": {"en": "Activation, SIM", "fr": "Activation, SIM"},
    "unit.col.tax": {"en": "Tax", "fr": "Taxe"},
    "unit.col.total": {"en": "Total", "fr": "Total"},
    "unit.item.setup": {"en": "Setup fee", "fr": "Frais de mise en service"},
    "unit.item.account_fees": {"en": "Account fees", "fr": "Frais de compte"},
    "unit.item.minimum_spend": {"en": "Minimum spend shortfall", "fr": "Complément de minimum de facturation"},
    "unit.item.credits": {"en": "Credits", "fr": "Avoirs"},
    "unit.item.portability": {"en": "Portability terms", "fr": "Conditions de portabilité"},
    "unit.item.switching": {"en": "Switching cost (buyer's)", "fr": "Coût de changement (acheteur)"},
    "unit.item.tax": {"en": "Tax on these", "fr": "Taxe sur ces montants"},
    "unit.item.total": {"en": "Not per line, total", "fr": "Hors lignes, total"},
    "costs.by_component": {"en": "Cost by component over the term", "fr": "Coût par poste sur la durée"},
    "costs.by_entity": {"en": "Cost by entity (cost-centre split)", "fr": "Coût par entité (ventilation)"},
    "costs.reconciles": {"en": "Every table adds up to the TCO, to the cent.",
                         "fr": "Chaque tableau se totalise au coût total, au centime près."},
    "lines.title": {"en": "Most expensive lines", "fr": "Lignes les plus coûteuses"},
    "lines.bid": {"en": "Bid", "fr": "Offre"},
    "lines.whatif": {"en": "Under the What-if settings ({name}): every line is costed on its own billed usage. The "
                           "tables above show the tender as written.",
                     "fr": "Avec les réglages de simulation ({name}) : chaque ligne est chiffrée sur sa propre "
                           "consommation facturée. Les tableaux ci-dessus montrent l'appel d'offres tel qu'écrit."},
    "lines.caption": {"en": "The {n} most expensive lines under {bid}, over the term: subscription, usage beyond "
                            "allowances, share of the pooled overage, devices. Fleet-wide items (setup and account "
                            "fees, credits, switching, portability) belong to no line. Lines are shown by pseudonym "
                            "only.",
                      "fr": "Les {n} lignes les plus coûteuses chez {bid}, sur la durée : abonnement, consommations "
                            "hors forfait, part du dépassement du pool, terminaux. Les postes de la flotte (frais de "
                            "mise en service et de compte, avoirs, changement, portabilité) ne relèvent d'aucune "
                            "ligne. Les lignes ne sont montrées que sous pseudonyme."},
    "lines.count": {"en": "Lines costed", "fr": "Lignes chiffrées"},
    "lines.n": {"en": "{n} lines", "fr": "{n} lignes"},
    "lines.top_share": {"en": "Share of line costs carried by the {pct} most expensive lines ({n})",
                        "fr": "Part du coût des lignes portée par les {pct} de lignes les plus coûteuses ({n})"},
    "lines.usage_share": {"en": "Share of usage charges carried by the {pct} lines with the most ({n})",
                          "fr": "Part des consommations facturées portée par les {pct} de lignes qui en ont le plus "
                                "({n})"},
    "lines.totals": {"en": "{bid}: {total} of line costs over the term, of which {usage} usage charges (beyond "
                           "allowances and pooled overage).",
                     "fr": "{bid} : {total} de coût des lignes sur la durée, dont {usage} de consommations facturées "
                           "(hors forfait et dépassement du pool)."},
    "lines.col.line": {"en": "Line (pseudonym)", "fr": "Ligne (pseudonyme)"},
    "lines.col.pool": {"en": "Pooled overage share", "fr": "Part du dépassement du pool"},
    "lines.col.total": {"en": "Total over the term", "fr": "Total sur la durée"},
    "lines.note": {"en": "Cost per line: on the What-if page, load the scenario “{name}” ({file}) to cost every line "
                         "of the billing export on its own billed usage; this page then lists the most expensive "
                         "lines.",
                   "fr": "Coût par ligne : dans la page Simulations, chargez le scénario « {name} » ({file}) pour "
                         "chiffrer chaque ligne de l'export de facturation sur sa propre consommation ; cette page "
                         "liste alors les lignes les plus coûteuses."},
    "lines.note_generic": {"en": "Cost per line: a What-if scenario that sets usage_file.evaluate_on to lines costs "
                                 "every line of the billing export on its own billed usage; this page then lists the "
                                 "most expensive lines.",
                           "fr": "Coût par ligne : un scénario de simulation qui fixe usage_file.evaluate_on à lines "
                                 "chiffre chaque ligne de l'export de facturation sur sa propre consommation ; cette "
                                 "page liste alors les lignes les plus coûteuses."},
    "lines.errors": {"en": "The What-if settings have errors: no cost per line.",
                     "fr": "Les réglages de simulation contiennent des erreurs : pas de coût par ligne."},
    "switch.none": {"en": "No stay-vs-switch view: {note}.", "fr": "Pas de comparaison rester/changer : {note}."},
    "switch.intro": {"en": "Incumbent: {incumbent}. Cumulative cost month by month, switching costs in month 1.",
                     "fr": "Opérateur sortant : {incumbent}. Coût cumulé mois par mois, coûts de changement au mois 1."},
    "switch.break_even": {"en": "{bid} breaks even in month {month}: {saving} saved over the term.",
                          "fr": "{bid} est rentabilisé au mois {month} : {saving} économisés sur la durée."},
    "switch.never": {"en": "{bid} never breaks even within the term ({saving} over the term).",
                     "fr": "{bid} n'est jamais rentabilisé sur la durée ({saving} sur la durée)."},
    "switch.challenger": {"en": "Challenger", "fr": "Challenger"},
    "whatif.controls": {"en": "Settings", "fr": "Réglages"},
    "whatif.weights": {"en": "Weights", "fr": "Pondérations"},
    "whatif.price_weight": {"en": "Price weight", "fr": "Poids du prix"},
    "whatif.criteria_note": {"en": "Criteria share the rest in these proportions:",
                             "fr": "Les critères se partagent le reste dans ces proportions :"},
    "whatif.usage": {"en": "Usage multipliers", "fr": "Multiplicateurs de consommation"},
    "whatif.lines": {"en": "Lines (company growth)", "fr": "Lignes (croissance de l'entreprise)"},
    "whatif.growth": {"en": "Line growth per year (added to each profile's)",
                      "fr": "Croissance annuelle des lignes (ajoutée à celle de chaque profil)"},
    "whatif.prices": {"en": "Price change per bid (recurring prices)", "fr": "Évolution des prix par offre (prix récurrents)"},
    "whatif.porting": {"en": "Porting failure rate", "fr": "Taux d'échec de portabilité"},
    "whatif.reset": {"en": "Reset", "fr": "Réinitialiser"},
    "whatif.effective": {"en": "Weights in use: ", "fr": "Pondérations appliquées : "},
    "whatif.ranking": {"en": "Ranking with these settings", "fr": "Classement avec ces réglages"},
    "whatif.save": {"en": "Save these settings as a scenario (YAML)", "fr": "Enregistrer ces réglages comme scénario (YAML)"},
    "whatif.load": {"en": "Load a scenario", "fr": "Charger un scénario"},
    "whatif.load_file": {"en": "…or upload a scenario file", "fr": "…ou importer un fichier de scénario"},
    "whatif.loaded": {"en": "Loaded: {name}", "fr": "Chargé : {name}"},
    "whatif.unsupported": {"en": "This scenario has parts the controls cannot show ({parts}); they are applied as they are.",
                           "fr": "Ce scénario contient des éléments sans réglage ({parts}) ; ils sont appliqués tels quels."},
    "whatif.sensitivity": {"en": "Sensitivity", "fr": "Sensibilité"},
    "whatif.montecarlo": {"en": "Uncertainty (Monte Carlo)", "fr": "Incertitude (Monte-Carlo)"},
    "whatif.draws": {"en": "Draws", "fr": "Tirages"},
    "whatif.run_mc": {"en": "Run", "fr": "Lancer"},
    "whatif.no_uncertainty": {"en": "The tender has no uncertainty block: every draw is the same.",
                              "fr": "L'appel d'offres n'a pas de bloc d'incertitude : tous les tirages sont identiques."},
    "whatif.url": {"en": "These settings are in the page address: copy it to share them.",
                   "fr": "Ces réglages figurent dans l'adresse de la page : copiez-la pour les partager."},
    "summary.winner": {"en": "Recommended: {winner}", "fr": "Offre recommandée : {winner}"},
    "summary.no_winner": {"en": "No compliant bid: no award can be recommended.",
                          "fr": "Aucune offre conforme : aucune attribution ne peut être recommandée."},
    "summary.score": {"en": "Total score", "fr": "Note totale"},
    "summary.margin": {"en": "Margin over {runner}", "fr": "Avance sur {runner}"},
    "summary.tco": {"en": "TCO over the term", "fr": "Coût total sur la durée"},
    "summary.saving": {"en": "Saving vs staying with {incumbent}", "fr": "Économie par rapport à {incumbent}"},
    "summary.risks": {"en": "Risks and points to check", "fr": "Risques et points de vigilance"},
    "risk.none": {"en": "No particular risk found.", "fr": "Aucun risque particulier relevé."},
    "gate.title": {"en": "Fleetbid: access", "fr": "Fleetbid : accès"},
    "gate.password": {"en": "Password", "fr": "Mot de passe"},
    "gate.submit": {"en": "Enter", "fr": "Entrer"},
    "gate.wrong": {"en": "Wrong password. {left} attempt(s) left before access is locked for {minutes} minutes.",
                   "fr": "Mot de passe incorrect. Encore {left} essai(s) avant un blocage de l'accès pendant {minutes} minutes."},
    "gate.locked": {"en": "Too many failed attempts: access is locked. Try again in {minutes} minute(s).",
                    "fr": "Trop d'essais infructueux : l'accès est bloqué. Réessayez dans {minutes} minute(s)."},
    "gate.misconfigured": {"en": "The access settings of this deployment are invalid; the app stays closed. "
                                 "The administrator must fix the [access] section of .streamlit/secrets.toml.",
                           "fr": "Les réglages d'accès de ce déploiement sont invalides ; l'application reste fermée. "
                                 "L'administrateur doit corriger la section [access] de .streamlit/secrets.toml."},
    "usage_unit.voice_min": {"en": "Voice (minutes)", "fr": "Voix (minutes)"},
    "usage_unit.sms": {"en": "SMS", "fr": "SMS"},
    "usage_unit.data_gb": {"en": "Data (GB)", "fr": "Données (Go)"},
    "usage_unit.roam_eu_data_gb": {"en": "EU roaming data (GB)", "fr": "Données en itinérance UE (Go)"},
    "usage_unit.roam_eu_voice_min": {"en": "EU roaming voice (minutes)", "fr": "Voix en itinérance UE (minutes)"},
    "usage_unit.roam_world_voice_min": {"en": "World roaming voice (minutes)", "fr": "Voix en itinérance monde (minutes)"},
    "usage_unit.roam_world_data_gb": {"en": "World roaming data (GB)", "fr": "Données en itinérance monde (Go)"},
}
