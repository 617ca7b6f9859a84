"""Words of the app's Invoice audit page (ui/audit_page.py, docs/app.md §5c) and of its charts
(reports/charts/audit.py). The categories' and charges' names, and the claims table's
columns, are the claim workbook's (``claims.*``, reports/text/claims.py)."""

AUDIT_APP_TEXT: dict[str, dict[str, str]] = {
    "page.audit": {"en": "Invoice audit", "fr": "Audit des factures"},
    "audit.intro": {
        "en": "Every row of the operator's invoices priced again with the awarded bid (the contract): what was "
              "billed, what the contract says, and what to claim before the deadline. Lines are shown by "
              "pseudonym; amounts in {currency} excl. VAT.",
        "fr": "Chaque ligne des factures de l'opérateur recalculée avec l'offre retenue (le contrat) : ce qui a "
              "été facturé, ce que prévoit le contrat, et ce qu'il faut réclamer avant l'échéance. Les lignes "
              "sont pseudonymisées ; montants en {currency} HT."},
    "audit.source": {"en": "Contract folder", "fr": "Dossier du contrat"},
    "audit.bundled": {"en": "Bundled contract", "fr": "Contrat fourni"},
    "audit.back": {"en": "Back to the bundled contract", "fr": "Revenir au contrat fourni"},
    "audit.upload": {"en": "Upload a contract folder (zip)", "fr": "Charger un dossier de contrat (zip)"},
    "audit.upload_help": {
        "en": "A zip of the contract folder: contract.yaml, inventory.csv (or .xlsx), invoices/ and the tender "
              "folder that contract.yaml names, inside the zip (docs/invoice-audit.md).",
        "fr": "Un zip du dossier du contrat : contract.yaml, inventory.csv (ou .xlsx), invoices/ et le dossier de "
              "l'appel d'offres que nomme contract.yaml, dans le zip (docs/invoice-audit.md)."},
    "audit.no_bundled": {
        "en": "No bundled contract (contracts/*/contract.yaml): upload a contract folder as a zip.",
        "fr": "Aucun contrat fourni (contracts/*/contract.yaml) : chargez un dossier de contrat en zip."},
    "audit.errors": {"en": "The contract folder has errors; nothing was audited.",
                     "fr": "Le dossier du contrat contient des erreurs ; rien n'a été audité."},
    "audit.upload_errors": {"en": "This upload could not be read; the contract shown is unchanged.",
                            "fr": "Ce fichier n'a pas pu être lu ; le contrat affiché est inchangé."},
    "audit.using": {"en": "Contract **{name}**: {operator}, invoices {first} to {last}.",
                    "fr": "Contrat **{name}** : {operator}, factures de {first} à {last}."},
    "audit.m.billed": {"en": "Billed", "fr": "Facturé"},
    "audit.m.expected": {"en": "Expected under the contract", "fr": "Attendu selon le contrat"},
    "audit.m.claimed": {"en": "To claim", "fr": "À réclamer"},
    "audit.m.claims": {"en": "{n} claims", "fr": "{n} réclamations"},
    "audit.m.accuracy": {"en": "Billing accuracy", "fr": "Exactitude de la facturation"},
    "audit.m.accuracy_help": {
        "en": "Share of the billed line-months (a line on a month's invoice) without any finding.",
        "fr": "Part des lignes-mois facturées (une ligne sur la facture d'un mois) sans aucune anomalie."},
    "audit.m.next": {"en": "Nearest deadline", "fr": "Prochaine échéance"},
    "audit.h.claims": {"en": "What to claim", "fr": "Ce qu'il faut réclamer"},
    "audit.h.deadlines": {"en": "Claims, nearest deadline first", "fr": "Réclamations, échéance la plus proche d'abord"},
    "audit.h.entities": {"en": "The invoice re-split per entity", "fr": "La facture répartie par entité"},
    "audit.h.unused": {"en": "Unused lines: savings", "fr": "Lignes inutilisées : économies"},
    "audit.h.accuracy": {"en": "Billing accuracy", "fr": "Exactitude de la facturation"},
    "audit.h.downloads": {"en": "Send the claims", "fr": "Envoyer les réclamations"},
    "audit.no_claims": {"en": "Nothing to claim: every invoice row is as the contract prices it, or below.",
                        "fr": "Rien à réclamer : chaque ligne de facture est au prix du contrat, ou en dessous."},
    "audit.deadline_rule": {
        "en": "A claim must reach the operator within one year of payment (CPCE L34-2): each deadline is the "
              "invoice date plus one year.",
        "fr": "Une réclamation doit parvenir à l'opérateur dans l'année qui suit le paiement (CPCE L34-2) : "
              "chaque échéance est la date de la facture plus un an."},
    "audit.shown": {"en": "The {shown} claims with the nearest deadlines, of {total}: the claim workbook lists them all.",
                    "fr": "Les {shown} réclamations les plus urgentes, sur {total} : le classeur de réclamation "
                          "les liste toutes."},
    "audit.entities_note": {
        "en": "Each line's rows go to its entity; account-level charges are shared pro rata to each entity's "
              "billed lines. Rows add up to the totals above.",
        "fr": "Les lignes de facture vont à l'entité de la ligne ; les frais de compte sont répartis au prorata "
              "des lignes facturées de chaque entité. Le total est celui de la facture."},
    "audit.unassigned": {"en": "Lines not in the inventory", "fr": "Lignes hors inventaire"},
    "audit.unused_note": {
        "en": "Lines billed a subscription for {months} months or more in a row with no usage at all: terminate or "
              "downgrade them (a saving, not a claim).",
        "fr": "Lignes facturées d'un abonnement {months} mois de suite ou plus sans aucune consommation : à "
              "résilier ou à déclasser (une économie, pas une réclamation)."},
    "audit.unused_saving": {"en": "Saved each month if they go", "fr": "Économie par mois si elles sont résiliées"},
    "audit.unused_lines": {"en": "Unused lines", "fr": "Lignes inutilisées"},
    "audit.unused_shown": {"en": "The first {shown} of {total} unused lines.",
                           "fr": "Les {shown} premières des {total} lignes inutilisées."},
    "audit.no_unused": {"en": "No unused line.", "fr": "Aucune ligne inutilisée."},
    "audit.col.entity": {"en": "Entity", "fr": "Entité"},
    "audit.col.difference": {"en": "Billed − expected", "fr": "Facturé − attendu"},
    "audit.col.profile": {"en": "Profile", "fr": "Profil"},
    "audit.col.months": {"en": "Months unused", "fr": "Mois sans usage"},
    "audit.col.monthly_cost": {"en": "Monthly cost", "fr": "Coût mensuel"},
    "audit.dl.workbook": {"en": "Download the claim workbook (Excel)", "fr": "Télécharger le classeur de réclamation (Excel)"},
    "audit.dl.letter": {"en": "Download the claim letter (PDF)", "fr": "Télécharger le courrier de réclamation (PDF)"},
    # charts
    "audit.chart.by_category": {"en": "What to claim, by category", "fr": "À réclamer, par catégorie"},
    "audit.chart.by_month": {"en": "What to claim, by month billed", "fr": "À réclamer, par mois facturé"},
    "audit.chart.entities": {"en": "Billed vs the contract price, per entity",
                             "fr": "Facturé et prix du contrat, par entité"},
    "audit.chart.entities_sub": {"en": "The gap is what the operator over-billed each entity",
                                 "fr": "L'écart est ce que l'opérateur a surfacturé à chaque entité"},
    "audit.chart.accuracy": {"en": "Billing accuracy per month", "fr": "Exactitude de la facturation par mois"},
    "audit.chart.accuracy_sub": {"en": "Billed line-months without any finding; dotted: all months, {pct}",
                                 "fr": "Lignes-mois facturées sans anomalie ; pointillés : tous les mois, {pct}"},
    "audit.axis.amount": {"en": "{currency} excl. VAT", "fr": "{currency} HT"},
    "audit.axis.month": {"en": "Month billed", "fr": "Mois facturé"},
    "audit.axis.accuracy": {"en": "Line-months without a finding", "fr": "Lignes-mois sans anomalie"},
    "audit.legend.billed": {"en": "Billed", "fr": "Facturé"},
    "audit.legend.expected": {"en": "Contract price", "fr": "Prix du contrat"},
    "audit.hover.claims": {"en": "{n} claims", "fr": "{n} réclamations"},
    "audit.hover.lines": {"en": "{bad} of {n} line-months with a finding", "fr": "{bad} lignes-mois sur {n} avec anomalie"},
}
