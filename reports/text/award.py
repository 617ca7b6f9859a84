"""The award split's texts (docs/award-split.md), shared by its app page, its charts, its PDF
section and its workbook sheet (which reads the English ones). A rule in words is
``award.rule.<name>`` (the names of the contract's ``rule_costs`` and ``infeasible_rules``)."""

AWARD_TEXT: dict[str, dict[str, str]] = {
    "page.award": {"en": "Award split", "fr": "Attribution partagée"},
    # ------------------------------------------------------------------ what the split is
    "award.intro": {
        "en": "The fleet split across operators: each unit ({unit}) goes whole to one eligible bid, at the lowest "
              "{objective} over the term that the rules allow. Each operator's part is costed as a tender of its "
              "own: the volume tiers its lines reach ({regime}), its own plan mix and pool, its fixed charges in full, "
              "and switching for the lines that move.",
        "fr": "La flotte partagée entre opérateurs : chaque unité ({unit}) va entière à une offre éligible, au plus "
              "bas {objective} sur la durée que permettent les règles. La part de chaque opérateur est chiffrée comme "
              "un appel d'offres à elle seule : les paliers de volume que ses lignes atteignent ({regime}), son propre "
              "choix de forfaits et sa mutualisation, ses frais fixes en entier, et le changement d'opérateur pour les "
              "lignes qui partent."},
    "award.objective.tco": {"en": "total cost", "fr": "coût total"},
    "award.objective.npv": {"en": "present value of the cost", "fr": "coût actualisé"},
    "award.unit.entity": {"en": "entity", "fr": "entité"},
    "award.unit.profile": {"en": "user profile", "fr": "profil d'utilisateurs"},
    "award.unit.cell": {"en": "user profile within an entity", "fr": "profil d'utilisateurs dans une entité"},
    "award.regime.private": {"en": "private regime: tiers by the lines each operator wins",
                             "fr": "régime privé : paliers selon les lignes gagnées par chaque opérateur"},
    "award.regime.public_fr": {"en": "French public procurement: tiers of the whole fleet, prices do not vary with "
                                     "the lots won",
                               "fr": "marché public : paliers de la flotte entière, les prix ne varient pas selon "
                                     "les lots gagnés"},
    "award.no_block": {
        "en": "This tender has no `award` block: the fleet goes whole to the winning bid. An `award` block in "
              "tender.yaml lets the buyer split it across operators — by entity, by user profile or by both — under "
              "rules: at most and at least so many operators, a largest and a smallest share of the lines per "
              "operator, a share the incumbent keeps, units fixed to an operator, a minimum total score, and the "
              "regime (`private`, or `public_fr` where prices may not vary with the lots won). For example:",
        "fr": "Cet appel d'offres n'a pas de bloc `award` : la flotte va entière à l'offre lauréate. Un bloc `award` "
              "dans tender.yaml permet de la partager entre opérateurs — par entité, par profil d'utilisateurs ou "
              "les deux — sous des règles : au plus et au moins tant d'opérateurs, une part maximale et minimale des "
              "lignes par opérateur, une part conservée par l'opérateur sortant, des unités imposées à un opérateur, "
              "une note totale minimale et le régime (`private`, ou `public_fr` où les prix ne peuvent pas varier "
              "selon les lots gagnés). Par exemple :"},
    "award.try": {"en": "Try a split on this tender (rules below)", "fr": "Essayer un partage sur cet appel d'offres "
                                                                          "(règles ci-dessous)"},
    # ------------------------------------------------------------------ the rules (controls)
    "award.rules": {"en": "Rules", "fr": "Règles"},
    "award.rules_note": {"en": "Start from the tender's `award` block; what you change here is a scenario.",
                         "fr": "Réglages initiaux : le bloc `award` de l'appel d'offres ; vos changements forment "
                               "un scénario."},
    "award.ctl.unit": {"en": "Unit awarded whole to one operator", "fr": "Unité attribuée entière à un opérateur"},
    "award.ctl.unit_help": {"en": "entity: each cost centre; profile: each user profile; cell: each profile within "
                                  "each entity",
                            "fr": "entity : chaque entité ; profile : chaque profil d'utilisateurs ; cell : chaque "
                                  "profil dans chaque entité"},
    "award.ctl.max_operators": {"en": "At most this many operators", "fr": "Au plus ce nombre d'opérateurs"},
    "award.ctl.min_operators": {"en": "At least this many operators", "fr": "Au moins ce nombre d'opérateurs"},
    "award.ctl.max_share": {"en": "Largest share of the lines one operator may take",
                            "fr": "Part maximale des lignes pour un opérateur"},
    "award.ctl.min_share": {"en": "Smallest share of an operator awarded any line",
                            "fr": "Part minimale d'un opérateur retenu"},
    "award.ctl.incumbent_min_share": {"en": "Share {name} (incumbent) keeps at least",
                                      "fr": "Part conservée au minimum par {name} (sortant)"},
    "award.ctl.regime": {"en": "Procurement regime", "fr": "Régime d'achat"},
    "award.ctl.regime_help": {"en": "private: volume tiers follow the lines each operator wins; public_fr: prices "
                                    "may not vary with the lots won (CCP L2151-1), tiers are the whole fleet's",
                              "fr": "private : les paliers de volume suivent les lignes gagnées ; public_fr : les "
                                    "prix ne peuvent pas varier selon les lots gagnés (CCP L2151-1), paliers de la "
                                    "flotte entière"},
    "award.ctl.min_total_score": {"en": "Only bids scoring at least (empty: no minimum)",
                                  "fr": "Seulement les offres notées au moins (vide : pas de minimum)"},
    "award.ctl.fixed": {"en": "Units fixed to an operator", "fr": "Unités imposées à un opérateur"},
    "award.ctl.free": {"en": "— (free)", "fr": "— (libre)"},
    "award.reset": {"en": "Back to the tender's rules", "fr": "Revenir aux règles de l'appel d'offres"},
    "award.save": {"en": "Save these rules as a scenario (YAML)", "fr": "Enregistrer ces règles comme scénario (YAML)"},
    "award.computing": {"en": "Finding the best split…", "fr": "Recherche du meilleur partage…"},
    "award.errors": {"en": "These rules cannot be used; nothing was optimised.",
                     "fr": "Ces règles sont inutilisables ; rien n'a été optimisé."},
    # ------------------------------------------------------------------ the result
    "award.infeasible": {"en": "No split satisfies these rules together: {rules}. Relax any one of them and the "
                               "others can hold.",
                         "fr": "Aucun partage ne respecte ensemble ces règles : {rules}. En assouplir une seule "
                               "suffit pour que les autres puissent être tenues."},
    "award.infeasible_one": {"en": "No split satisfies this rule, even on its own: {rules}. It has to be relaxed.",
                             "fr": "Aucun partage ne respecte cette règle, même seule : {rules}. Elle doit être "
                                   "assouplie."},
    "award.infeasible_unnamed": {"en": "No split satisfies these rules.", "fr": "Aucun partage ne respecte ces règles."},
    "award.cost": {"en": "Cost of the best split", "fr": "Coût du meilleur partage"},
    "award.cost_sentence": {"en": "Cost of the best split: {amount}.", "fr": "Coût du meilleur partage : {amount}."},
    "award.single": {"en": "Best single award: {name}", "fr": "Meilleure attribution unique : {name}"},
    "award.no_single": {"en": "No single operator may take the whole fleet under these rules.",
                        "fr": "Aucun opérateur ne peut prendre toute la flotte sous ces règles."},
    "award.saving": {"en": "Saving vs the best single award", "fr": "Économie par rapport à l'attribution unique"},
    "award.saving_text": {"en": "Splitting saves {amount} against awarding the whole fleet to {name}.",
                          "fr": "Le partage économise {amount} par rapport à l'attribution de toute la flotte à "
                                "{name}."},
    "award.extra_text": {"en": "The rules cost {amount} more than awarding the whole fleet to {name}.",
                         "fr": "Les règles coûtent {amount} de plus que l'attribution de toute la flotte à {name}."},
    "award.same_text": {"en": "The best split is the single award to {name}.",
                        "fr": "Le meilleur partage est l'attribution unique à {name}."},
    "award.npv_note": {"en": "Costs are present values at {rate} a year (bid and switching costs stay nominal).",
                       "fr": "Les coûts sont actualisés à {rate} par an (coûts d'offre et de changement en valeur "
                             "nominale)."},
    "award.split": {"en": "The split", "fr": "Le partage"},
    "award.by_operator": {"en": "Each operator's part", "fr": "La part de chaque opérateur"},
    "award.by_entity": {"en": "Cost per entity", "fr": "Coût par entité"},
    "award.by_entity_note": {"en": "Each operator's cost split across the entities; the total is the split's cost.",
                             "fr": "Le coût de chaque opérateur réparti entre les entités ; le total est le coût du "
                                   "partage."},
    "award.rule_costs": {"en": "What each rule costs", "fr": "Ce que coûte chaque règle"},
    "award.rule_costs_note": {"en": "For each rule: the best split with that rule alone lifted, and the difference "
                                    "(what keeping the rule costs).",
                              "fr": "Pour chaque règle : le meilleur partage sans cette seule règle, et l'écart (ce "
                                    "que coûte le maintien de la règle)."},
    "award.no_rules": {"en": "Every rule is at its default: there is no rule to cost.",
                       "fr": "Toutes les règles sont à leur valeur par défaut : aucune règle à chiffrer."},
    "award.curve_note": {"en": "Volume tiers make the curve uneven: a cap just below a tier costs more than the "
                               "points around it suggest.",
                         "fr": "Les paliers de volume rendent la courbe irrégulière : un plafond juste sous un "
                               "palier coûte plus que ne le laissent penser les points voisins."},
    "award.excluded": {"en": "Not eligible: {list}.", "fr": "Non éligibles : {list}."},
    "award.why.knocked_out": {"en": "{name} (knocked out: {reasons})", "fr": "{name} (écartée : {reasons})"},
    "award.why.score": {"en": "{name} (total score {score}, under the minimum of {min})",
                        "fr": "{name} (note totale {score}, sous le minimum de {min})"},
    "award.why.no_score": {"en": "{name} (not ranked: under any minimum score)",
                           "fr": "{name} (non classée : sous toute note minimale)"},
    "award.plans": {"en": "Plans: {list}", "fr": "Forfaits : {list}"},
    # ------------------------------------------------------------------ table columns
    "award.col.operator": {"en": "Operator", "fr": "Opérateur"},
    "award.col.unit": {"en": "Unit", "fr": "Unité"},
    "award.col.units": {"en": "Units", "fr": "Unités"},
    "award.col.lines": {"en": "Initial lines", "fr": "Lignes initiales"},
    "award.col.share": {"en": "Share", "fr": "Part"},
    "award.col.bid_cost": {"en": "Bid cost", "fr": "Coût de l'offre"},
    "award.col.switching": {"en": "Switching cost", "fr": "Coût de changement"},
    "award.col.cost": {"en": "Cost", "fr": "Coût"},
    "award.col.entity": {"en": "Entity", "fr": "Entité"},
    "award.col.total": {"en": "Total", "fr": "Total"},
    "award.col.rule": {"en": "Rule", "fr": "Règle"},
    "award.col.without": {"en": "Best split without it", "fr": "Meilleur partage sans elle"},
    "award.col.difference": {"en": "Cost of the rule", "fr": "Coût de la règle"},
    "award.col.max_share": {"en": "Largest share per operator", "fr": "Part maximale par opérateur"},
    "award.col.curve_cost": {"en": "Cost of the best split", "fr": "Coût du meilleur partage"},
    "award.col.curve_split": {"en": "Split", "fr": "Partage"},
    "award.infeasible_cell": {"en": "no split possible", "fr": "aucun partage possible"},
    "award.none": {"en": "—", "fr": "—"},
    "award.sep": {"en": "; ", "fr": " ; "},
    # ------------------------------------------------------------------ the rules in words
    "award.rule.max_operators": {"en": "at most {n} operators", "fr": "au plus {n} opérateurs"},
    "award.rule.min_operators": {"en": "at least {n} operators", "fr": "au moins {n} opérateurs"},
    "award.rule.max_share": {"en": "no operator above {pct} of the lines", "fr": "aucun opérateur au-delà de {pct} "
                                                                                "des lignes"},
    "award.rule.min_share": {"en": "each operator awarded at least {pct} of the lines",
                             "fr": "chaque opérateur retenu avec au moins {pct} des lignes"},
    "award.rule.incumbent_min_share": {"en": "{name} (incumbent) keeps at least {pct} of the lines",
                                       "fr": "{name} (sortant) conserve au moins {pct} des lignes"},
    "award.rule.fixed": {"en": "units fixed ({list})", "fr": "unités imposées ({list})"},
    "award.rule.min_total_score": {"en": "only bids scoring at least {score}",
                                   "fr": "seulement les offres notées au moins {score}"},
    "award.rule.min_lines": {"en": "the bids' minimum volumes ({list})", "fr": "les volumes minimaux des offres "
                                                                             "({list})"},
    "award.rule.min_lines_item": {"en": "{name} {n} lines", "fr": "{name} {n} lignes"},
    "award.rule.coverage": {"en": "every unit awarded to a bid that covers it",
                            "fr": "chaque unité attribuée à une offre qui la couvre"},
    # ------------------------------------------------------------------ charts
    "award.title.map": {"en": "Who gets what: initial lines of each unit, by operator",
                        "fr": "Qui prend quoi : lignes initiales de chaque unité, par opérateur"},
    "award.title.curve": {"en": "What a cap on each operator's share costs",
                          "fr": "Ce que coûte un plafond sur la part de chaque opérateur"},
    "award.subtitle.curve": {"en": "Cost of the best split over the term, against the largest share of the lines "
                                   "one operator may take (other rules unchanged)",
                             "fr": "Coût du meilleur partage sur la durée, selon la part maximale des lignes pour un "
                                   "opérateur (autres règles inchangées)"},
    "award.axis.max_share": {"en": "Largest share of the lines per operator",
                             "fr": "Part maximale des lignes par opérateur"},
    "award.axis.cost": {"en": "Cost over the term ({currency}, {basis})", "fr": "Coût sur la durée ({currency} {basis})"},
    "award.axis.unit": {"en": "Unit", "fr": "Unité"},
    "award.axis.operator": {"en": "Operator", "fr": "Opérateur"},
    "award.curve.current": {"en": "Your rules: {pct}", "fr": "Vos règles : {pct}"},
    "award.curve.infeasible": {"en": "no split possible", "fr": "aucun partage possible"},
    "award.curve.point": {"en": "cap {pct}", "fr": "plafond {pct}"},
    # ------------------------------------------------------------------ the PDF and workbook
    "section.award": {"en": "Award split across operators", "fr": "Partage de l'attribution entre opérateurs"},
    "award.pdf_rules": {"en": "Rules: {rules}.", "fr": "Règles : {rules}."},
    "award.amounts": {"en": "Amounts in {currency}, {basis}.", "fr": "Montants en {currency} {basis}."},
    "award.pdf_no_rule": {"en": "no rule beyond the defaults", "fr": "aucune règle au-delà des valeurs par défaut"},
    "award.map_table": {"en": "Units and their operator", "fr": "Unités et leur opérateur"},
    "award.curve_table": {"en": "Cost against the cap on each operator's share",
                          "fr": "Coût selon le plafond de part par opérateur"},
}
