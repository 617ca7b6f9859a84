"""Words of the claims sent to the operator after an invoice audit (docs/invoice-audit.md): the
claim workbook (`reports/claims.py`), the claim letter (`reports/claims_letter.py`) and the
readable text of ``python -m monitoring audit`` (``audit.text.*``). The categories' longer
descriptions are ``audit.category.*`` (reports/text/audit.py)."""

_RULE_EN = ("Under article L34-2 of the French Code des postes et des communications électroniques (CPCE), a claim "
            "for over-billed electronic communications charges must be made within one year of payment. Each "
            "claim's deadline is counted from its invoice's date, one year later, which is never after the legal "
            "one.")
_RULE_FR = ("En application de l'article L34-2 du Code des postes et des communications électroniques (CPCE), la "
            "réclamation de sommes facturées à tort pour des services de communications électroniques doit être "
            "faite dans un délai d'un an à compter du paiement. L'échéance de chaque réclamation est comptée un an "
            "après la date de sa facture, ce qui ne tombe jamais après l'échéance légale.")

CLAIMS_TEXT: dict[str, dict[str, str]] = {
    # finding categories, short (the descriptions are audit.category.*)
    "claims.category.duplicate_charge": {"en": "Duplicate charge", "fr": "Facturation en double"},
    "claims.category.line_not_in_inventory": {"en": "Line not in the inventory", "fr": "Ligne hors inventaire"},
    "claims.category.billed_after_termination": {"en": "Billed after termination",
                                                 "fr": "Facturé après résiliation"},
    "claims.category.plan_not_in_contract": {"en": "Plan not in the contract", "fr": "Forfait hors contrat"},
    "claims.category.pooled_usage_billed": {"en": "Pooled usage billed per line",
                                            "fr": "Consommation mutualisée facturée"},
    "claims.category.fee_not_in_contract": {"en": "Fee not in the contract", "fr": "Frais hors contrat"},
    "claims.category.rate_not_applied": {"en": "Contract price not applied", "fr": "Prix du contrat non appliqué"},
    "claims.category.wrong_plan": {"en": "Wrong plan", "fr": "Mauvais forfait"},
    "claims.category.missing_credit": {"en": "Missing contract credit", "fr": "Avoir contractuel manquant"},
    # invoice charges
    "claims.charge.subscription": {"en": "subscription", "fr": "abonnement"},
    "claims.charge.usage": {"en": "usage", "fr": "consommation"},
    "claims.charge.pool_overage": {"en": "pool overage", "fr": "dépassement du pool"},
    "claims.charge.account_fee": {"en": "account fee", "fr": "frais de compte"},
    "claims.charge.activation": {"en": "activation", "fr": "mise en service"},
    "claims.charge.sim_card": {"en": "SIM card", "fr": "carte SIM"},
    "claims.charge.setup": {"en": "contract setup", "fr": "mise en place du contrat"},
    "claims.charge.device": {"en": "device", "fr": "terminal"},
    "claims.charge.credit": {"en": "credit", "fr": "avoir"},
    "claims.charge.sla_credit": {"en": "service credit", "fr": "pénalité de service"},
    "claims.charge.other": {"en": "other fee", "fr": "autres frais"},
    # what every output shares
    "claims.rule": {"en": _RULE_EN, "fr": _RULE_FR},
    "claims.account": {"en": "(account)", "fr": "(compte)"},
    "claims.no_row": {"en": "no row: absent from the invoice", "fr": "aucune ligne : absent de la facture"},
    "claims.title": {"en": "Claim for over-billed charges", "fr": "Réclamation pour facturation erronée"},
    "claims.col.no": {"en": "No.", "fr": "N°"},
    "claims.col.deadline": {"en": "Deadline", "fr": "Échéance"},
    "claims.col.category": {"en": "Category", "fr": "Catégorie"},
    "claims.col.what": {"en": "What it means", "fr": "Signification"},
    "claims.col.invoice": {"en": "Invoice", "fr": "Facture"},
    "claims.col.invoices": {"en": "Invoices", "fr": "Factures"},
    "claims.col.period": {"en": "Period billed", "fr": "Période facturée"},
    "claims.col.line": {"en": "Line (pseudonym)", "fr": "Ligne (pseudonyme)"},
    "claims.col.charge": {"en": "Charge", "fr": "Rubrique"},
    "claims.col.component": {"en": "Component", "fr": "Composante"},
    "claims.col.billed": {"en": "Billed", "fr": "Facturé"},
    "claims.col.expected": {"en": "Expected", "fr": "Attendu"},
    "claims.col.claimed": {"en": "Claimed", "fr": "Réclamé"},
    "claims.col.file": {"en": "Invoice file", "fr": "Fichier de facture"},
    "claims.col.file_line": {"en": "File line", "fr": "Ligne du fichier"},
    "claims.col.file_lines": {"en": "File line(s)", "fr": "Ligne(s) du fichier"},
    "claims.col.count": {"en": "Claims", "fr": "Réclamations"},
    "claims.col.evidence": {"en": "Evidence (file:line)", "fr": "Pièce (fichier:ligne)"},
    "claims.total": {"en": "Total", "fr": "Total"},
    # the workbook
    "claims.sheet.summary": {"en": "Summary", "fr": "Synthèse"},
    "claims.sheet.claims": {"en": "Claims", "fr": "Réclamations"},
    "claims.sheet.by_category": {"en": "By category", "fr": "Par catégorie"},
    "claims.sheet.by_period": {"en": "By period", "fr": "Par période"},
    "claims.sheet.deadlines": {"en": "Deadlines", "fr": "Échéances"},
    "claims.sheet.evidence": {"en": "Evidence", "fr": "Pièces"},
    "claims.subtitle": {"en": "{operator}: invoices {first} to {last}, amounts in {currency} {basis}",
                        "fr": "{operator} : factures de {first} à {last}, montants en {currency} {basis}"},
    "claims.fact.buyer": {"en": "Buyer", "fr": "Acheteur"},
    "claims.fact.operator": {"en": "Operator", "fr": "Opérateur"},
    "claims.fact.tender": {"en": "Tender", "fr": "Appel d'offres"},
    "claims.fact.bid": {"en": "Awarded bid", "fr": "Offre retenue"},
    "claims.fact.periods": {"en": "Periods audited", "fr": "Périodes auditées"},
    "claims.fact.basis": {"en": "Amounts", "fr": "Montants"},
    "claims.fact.billed": {"en": "Billed", "fr": "Facturé"},
    "claims.fact.expected": {"en": "Expected under the contract", "fr": "Attendu selon le contrat"},
    "claims.fact.claimed": {"en": "Claimed", "fr": "Réclamé"},
    "claims.fact.count": {"en": "Claims", "fr": "Réclamations"},
    "claims.fact.nearest": {"en": "Nearest deadline", "fr": "Échéance la plus proche"},
    "claims.fact.tolerance": {"en": "Tolerance per row", "fr": "Tolérance par ligne"},
    "claims.periods": {"en": "{first} to {last} ({count} months)", "fr": "{first} à {last} ({count} mois)"},
    "claims.none": {"en": "No claim: every invoice row is billed as the contract prices it, or below.",
                    "fr": "Aucune réclamation : chaque ligne de facture est au prix du contrat, ou en dessous."},
    "claims.note.claims": {
        "en": "One row per claim, nearest deadline first. Claimed = billed − expected, excl. VAT. The operator finds "
              "each row in its own invoice file by the file and line number (header = line 1); lines are shown by "
              "pseudonym, never by their number.",
        "fr": "Une ligne par réclamation, échéance la plus proche d'abord. Réclamé = facturé − attendu, HT. "
              "L'opérateur retrouve chaque ligne dans son propre fichier de facture par le fichier et le numéro de "
              "ligne (en-tête = ligne 1) ; les lignes sont désignées par un pseudonyme, jamais par leur numéro."},
    "claims.note.evidence": {
        "en": "Every invoice row behind each claim: the file as the operator sent it and its line number "
              "(header = line 1).",
        "fr": "Chaque ligne de facture à l'origine de chaque réclamation : le fichier tel que l'opérateur l'a "
              "envoyé et son numéro de ligne (en-tête = ligne 1)."},
    "claims.note.totals": {"en": "The total is the sum of the claims, equal to the amount claimed.",
                           "fr": "Le total est la somme des réclamations, égale au montant réclamé."},
    # the letter
    "claims.letter.header": {"en": "Fleetbid · invoice audit", "fr": "Fleetbid · audit des factures"},
    "claims.letter.from": {"en": "From: {buyer}", "fr": "De : {buyer}"},
    "claims.letter.to": {"en": "To: {operator}", "fr": "À : {operator}"},
    "claims.letter.date": {"en": "Date: {date}", "fr": "Date : {date}"},
    "claims.letter.subject": {"en": "Subject: claim for over-billed charges, invoices {first} to {last}",
                              "fr": "Objet : réclamation pour facturation erronée, factures de {first} à {last}"},
    "claims.letter.salutation": {"en": "Dear Sir or Madam,", "fr": "Madame, Monsieur,"},
    "claims.letter.body": {
        "en": "We have audited your invoices for the periods {first} to {last} against the contract awarded to you "
              "under the tender “{tender}” (your bid {bid}). {count} invoice rows were billed above the contract's "
              "prices and terms, for a total of {total} {basis}. We claim this amount and ask you to credit it on "
              "your next invoice or to refund it.",
        "fr": "Nous avons contrôlé vos factures des périodes {first} à {last} au regard du contrat qui vous a été "
              "attribué à l'issue de l'appel d'offres « {tender} » (votre offre {bid}). {count} lignes de facture "
              "ont été facturées au-delà des prix et conditions du contrat, pour un total de {total} {basis}. Nous "
              "vous réclamons ce montant et vous demandons de l'imputer sur votre prochaine facture ou de nous le "
              "rembourser."},
    "claims.letter.body_none": {
        "en": "We have audited your invoices for the periods {first} to {last} against the contract awarded to you "
              "under the tender “{tender}” (your bid {bid}): no row was billed above the contract. We have nothing "
              "to claim.",
        "fr": "Nous avons contrôlé vos factures des périodes {first} à {last} au regard du contrat qui vous a été "
              "attribué à l'issue de l'appel d'offres « {tender} » (votre offre {bid}) : aucune ligne n'a été "
              "facturée au-delà du contrat. Nous n'avons rien à réclamer."},
    "claims.letter.by_category": {"en": "The claim by category", "fr": "La réclamation par catégorie"},
    "claims.letter.deadlines": {"en": "Deadlines", "fr": "Délais"},
    "claims.letter.nearest": {"en": "The nearest deadline is {date}; the claims by deadline:",
                              "fr": "L'échéance la plus proche est le {date} ; les réclamations par échéance :"},
    "claims.letter.list": {"en": "The claims", "fr": "Le détail des réclamations"},
    "claims.letter.by_period": {"en": "The claim by period billed", "fr": "La réclamation par période facturée"},
    "claims.letter.see_annex": {"en": "The {count} claims are listed one by one in the annex, nearest deadline first.",
                                "fr": "Les {count} réclamations sont détaillées une à une en annexe, échéance la plus "
                                      "proche d'abord."},
    "claims.letter.annex": {"en": "Annex: the claims", "fr": "Annexe : le détail des réclamations"},
    "claims.letter.annex_cut": {
        "en": "This annex lists the first {shown} of the {count} claims, nearest deadline first; the claim workbook "
              "lists them all.",
        "fr": "Cette annexe détaille les {shown} premières des {count} réclamations, échéance la plus proche "
              "d'abord ; le classeur de réclamation les détaille toutes."},
    "claims.letter.evidence": {
        "en": "Each claim names the invoice file and its line (header = line 1) where it was billed. The attached "
              "claim workbook lists every claim with its evidence, and the totals per category, per period and per "
              "deadline.",
        "fr": "Chaque réclamation désigne le fichier de facture et sa ligne (en-tête = ligne 1) où elle a été "
              "facturée. Le classeur de réclamation joint détaille chaque réclamation avec ses pièces, et les totaux "
              "par catégorie, par période et par échéance."},
    "claims.letter.closing": {
        "en": "Please confirm that you have received this claim and tell us on which invoice the amount will be "
              "credited.",
        "fr": "Nous vous remercions de bien vouloir accuser réception de cette réclamation et nous indiquer sur "
              "quelle facture ce montant sera crédité."},
    "claims.letter.signoff": {"en": "Yours faithfully,",
                              "fr": "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées."},
    # python -m monitoring claims
    "claims.cli.workbook": {"en": "wrote the claim workbook {path}: {count} claims, {total} {currency} claimed",
                            "fr": "classeur de réclamation écrit dans {path} : {count} réclamations, {total} {currency} "
                                  "réclamés"},
    "claims.cli.letter": {"en": "wrote the claim letter {path}", "fr": "lettre de réclamation écrite dans {path}"},
    # python -m monitoring audit (readable text)
    "audit.text.title": {"en": "Invoice audit of {operator} ({bid}), {first} to {last}: amounts in {currency} {basis}",
                         "fr": "Audit des factures de {operator} ({bid}), {first} à {last} : montants en {currency} "
                               "{basis}"},
    "audit.text.no_period": {"en": "Invoice audit of {operator} ({bid}): no invoice row",
                             "fr": "Audit des factures de {operator} ({bid}) : aucune ligne de facture"},
    "audit.text.totals": {"en": "Totals", "fr": "Totaux"},
    "audit.text.billed": {"en": "billed", "fr": "facturé"},
    "audit.text.expected": {"en": "expected under the contract", "fr": "attendu selon le contrat"},
    "audit.text.claimed": {"en": "claimed ({count} claims)", "fr": "réclamé ({count} réclamations)"},
    "audit.text.accuracy": {"en": "billing accuracy (billed line-months without a finding)",
                            "fr": "exactitude de facturation (lignes-mois facturées sans anomalie)"},
    "audit.text.by_category": {"en": "Findings by category:", "fr": "Anomalies par catégorie :"},
    "audit.text.none": {"en": "No finding: every invoice row is as the contract prices it.",
                        "fr": "Aucune anomalie : chaque ligne de facture est au prix du contrat."},
    "audit.text.col.category": {"en": "category", "fr": "catégorie"},
    "audit.text.col.findings": {"en": "findings", "fr": "anomalies"},
    "audit.text.col.claims": {"en": "claims", "fr": "réclamations"},
    "audit.text.col.difference": {"en": "difference", "fr": "écart"},
    "audit.text.col.claimed": {"en": "claimed", "fr": "réclamé"},
    "audit.text.col.what": {"en": "what it means", "fr": "signification"},
    "audit.text.col.deadline": {"en": "deadline", "fr": "échéance"},
    "audit.text.col.period": {"en": "period", "fr": "période"},
    "audit.text.col.line": {"en": "line", "fr": "ligne"},
    "audit.text.col.charge": {"en": "charge", "fr": "rubrique"},
    "audit.text.col.billed": {"en": "billed", "fr": "facturé"},
    "audit.text.col.expected": {"en": "expected", "fr": "attendu"},
    "audit.text.col.row": {"en": "row", "fr": "ligne du fichier"},
    "audit.text.col.invoices": {"en": "invoices", "fr": "factures"},
    "audit.text.col.entity": {"en": "entity", "fr": "entité"},
    "audit.text.col.profile": {"en": "profile", "fr": "profil"},
    "audit.text.col.months": {"en": "months", "fr": "mois"},
    "audit.text.col.monthly_cost": {"en": "monthly cost", "fr": "coût mensuel"},
    "audit.text.total": {"en": "total", "fr": "total"},
    "audit.text.deadlines": {"en": "Deadlines, nearest first (CPCE L34-2: one year after the invoice date):",
                             "fr": "Échéances, la plus proche d'abord (CPCE L34-2 : un an après la date de la "
                                   "facture) :"},
    "audit.text.claims": {"en": "Claims, nearest deadline first{more}:",
                          "fr": "Réclamations, échéance la plus proche d'abord{more} :"},
    "audit.text.claims_more": {"en": " (the first {shown} of {count})", "fr": " (les {shown} premières sur {count})"},
    "audit.text.claims_all": {"en": "Every claim with its evidence: python -m monitoring claims DIR --out claims.xlsx",
                              "fr": "Toutes les réclamations avec leurs pièces : python -m monitoring claims DIR "
                                    "--out claims.xlsx"},
    "audit.text.by_entity": {"en": "The invoice re-split per entity (account-level charges pro rata to each entity's "
                                   "billed lines):",
                             "fr": "La facture répartie par entité (frais de compte au prorata des lignes facturées "
                                   "de chaque entité) :"},
    "audit.text.unused": {"en": "Unused lines (subscribed with zero usage: savings to pursue, not claims){more}:",
                          "fr": "Lignes inutilisées (abonnées sans consommation : économies à chercher, pas des "
                                "réclamations){more} :"},
}
