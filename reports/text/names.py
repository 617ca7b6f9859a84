"""Words for the model's ids and reasons, read by every readable output (reports/names.py): the
price bases of the formula comparison, the knock-out reasons rewritten with names ({criterion},
{profile}… filled in there), and the command line's glossary (English: the CLI is English)."""

NAMES_TEXT: dict[str, dict[str, str]] = {
    # What the amounts are stated in (`reports.names.amounts_basis`, from the tender): every
    # "excl. VAT" of the app, the PDF, the charts and the command line (the workbook's words are
    # `workbook.amounts_basis*`). With a non-recoverable tax (contract v1.1), {rate}.
    "amounts.basis": {"en": "excl. VAT", "fr": "HT"},
    "amounts.basis_tax": {"en": "excl. VAT, incl. {rate} non-recoverable tax",
                          "fr": "HT, dont {rate} de taxe non récupérable"},
    # The price bases of the formula comparison, as a person reads them.
    "basis_label.tco": {"en": "TCO", "fr": "coût total"},
    "basis_label.bid": {"en": "bid cost", "fr": "prix de l'offre"},
    "basis_label.npv": {"en": "NPV", "fr": "VAN"},
    "basis_label.tco_service": {"en": "TCO + hidden service cost", "fr": "coût total + coût caché du service"},
    # The knock-out reasons the model writes (scoring.criteria, scoring.cost, scoring.rank).
    "knockout.worse_than_limit": {"en": "{criterion}: {value} is worse than the limit {limit}",
                                  "fr": "{criterion} : {value} est moins bon que la limite {limit}"},
    "knockout.says_no": {"en": "{criterion}: required, but the bid says no",
                         "fr": "{criterion} : exigé, mais l'offre répond non"},
    "knockout.no_value": {"en": "{criterion}: no value given, but the criterion is a requirement",
                          "fr": "{criterion} : aucune valeur, alors que le critère est exigé"},
    "knockout.no_offer": {"en": "no offer for the profile {profile}", "fr": "aucune offre pour le profil {profile}"},
    "knockout.no_plan": {"en": "no usable plan for the profile {profile} ({detail})",
                         "fr": "aucun forfait utilisable pour le profil {profile} ({detail})"},
    "knockout.no_device_price": {"en": "no device price for the tier {tier} (profile {profile})",
                                 "fr": "pas de prix de terminal pour la gamme {tier} (profil {profile})"},
    "knockout.basis_missing": {"en": "the price basis “{basis}” cannot be valued: a service commitment is missing",
                               "fr": "la base de prix « {basis} » ne peut pas être évaluée : un engagement de service "
                                     "manque"},
    # Jargon, explained where it is shown (the command line's legends).
    "glossary.TCO": {"en": "total cost of ownership over the term, the buyer's cost of switching included"},
    "glossary.NPV": {"en": "net present value, the TCO with each month's cost discounted at the tender's "
                           "discount_rate"},
    "glossary.hidden service": {"en": "the cost of poor service (support waits, replacement delays…) priced by the "
                                      "tender's service_costs block; not in the TCO"},
    "glossary.DQE": {"en": "détail quantitatif estimatif, the buyer's bill of quantities, which prices every line at "
                           "its profile's average usage as a spreadsheet does"},
    "glossary.regret": {"en": "how much more, on average over the draws, the bid costs than the cheapest compliant "
                              "bid of the same draw"},
}
