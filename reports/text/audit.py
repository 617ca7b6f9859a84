"""Words of the invoice audit (docs/invoice-audit.md): what each finding category means, for
the command line (English) and the outputs to come (claim workbook, letter, app page)."""

AUDIT_TEXT: dict[str, dict[str, str]] = {
    "audit.category.duplicate_charge": {
        "en": "billed twice (same period, line, charge, quantity and amount)",
        "fr": "facturé deux fois (même période, ligne, rubrique, quantité et montant)"},
    "audit.category.line_not_in_inventory": {
        "en": "a line the inventory does not know", "fr": "une ligne absente de l'inventaire"},
    "audit.category.billed_after_termination": {
        "en": "billed after the line's termination (or before its activation)",
        "fr": "facturé après la résiliation de la ligne (ou avant son activation)"},
    "audit.category.plan_not_in_contract": {
        "en": "a plan the awarded bid does not have", "fr": "un forfait absent de l'offre retenue"},
    "audit.category.pooled_usage_billed": {
        "en": "pooled usage billed per line", "fr": "consommation mutualisée facturée à la ligne"},
    "audit.category.fee_not_in_contract": {
        "en": "a fee the contract does not have, or a one-off billed again",
        "fr": "des frais absents du contrat, ou des frais uniques facturés à nouveau"},
    "audit.category.rate_not_applied": {
        "en": "the contract price not applied", "fr": "le prix du contrat n'est pas appliqué"},
    "audit.category.wrong_plan": {
        "en": "a plan other than the one contracted for the line's profile",
        "fr": "un autre forfait que celui prévu pour le profil de la ligne"},
    "audit.category.missing_credit": {
        "en": "month-1 contract credits missing or short",
        "fr": "avoirs contractuels du premier mois absents ou incomplets"},
}
