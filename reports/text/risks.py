"""The risk sentences of the app's decision summary and the PDF report (reports/risks.py)."""

RISK_TEXT: dict[str, dict[str, str]] = {
    "risk.knockout": {"en": "{bid} is knocked out — {reason}.", "fr": "{bid} est éliminée — {reason}."},
    "risk.abnormally_low": {"en": "The price of {bid} is abnormally low (more than {pct} below the others' mean): "
                                  "ask the operator to justify it.",
                            "fr": "Le prix de {bid} est anormalement bas (plus de {pct} sous la moyenne des "
                                  "autres) : demandez une justification."},
    "risk.expired": {"en": "The offer of {bid} expires before the award date.",
                     "fr": "L'offre de {bid} expire avant la date d'attribution."},
    "risk.reversal": {"en": "Rank reversal: without {left_out}, {other} would win. The price formula makes the "
                            "result depend on that bid.",
                      "fr": "Inversion de classement : sans {left_out}, {other} l'emporterait. La formule de prix "
                            "rend le résultat dépendant de cette offre."},
    "risk.porting": {"en": "Porting: if 10 % of ported numbers were lost, the TCO of {winner} would rise by {extra}.",
                     "fr": "Portabilité : si 10 % des numéros portés étaient perdus, le coût de {winner} "
                           "augmenterait de {extra}."},
    "risk.break_even": {"en": "Switching to {winner} pays back in month {month} of {term}.",
                        "fr": "Le changement vers {winner} est rentabilisé au mois {month} sur {term}."},
    "risk.no_break_even": {"en": "Switching to {winner} does not pay back within the term.",
                           "fr": "Le changement vers {winner} n'est pas rentabilisé sur la durée."},
    "risk.weights": {"en": "The winner stays the same while the price weight stays between {lo} and {hi} "
                           "(stated {w}).",
                     "fr": "L'attributaire reste le même tant que le poids du prix reste entre {lo} et {hi} "
                           "({w} prévu)."},
    "risk.driver": {"en": "Most sensitive assumption: {driver} (±20 % moves the margin from {lo} to {hi} points).",
                    "fr": "Hypothèse la plus sensible : {driver} (±20 % fait varier l'avance de {lo} à {hi} "
                          "points)."},
    "risk.discrepancy": {"en": "Evaluators disagree on {criterion} for {bid}: record a moderated consensus.",
                         "fr": "Les évaluateurs divergent sur {criterion} pour {bid} : consignez un consensus "
                               "modéré."},
}
