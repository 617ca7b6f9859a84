"""The evaluation workbook's sentences (English only: the workbook is written in English).
The switching parts' and the cost components' names are the app's (``switch.*``,
scoring/components.py); the price formulas' descriptions are scoring/formulas.py's."""

WORKBOOK_TEXT: dict[str, dict[str, str]] = {
    "workbook.basis.tco": {"en": "TCO: total cost of ownership over the term, the buyer's switching cost included"},
    "workbook.basis.bid": {"en": "bid cost: the TCO without the buyer's own switching cost"},
    "workbook.basis.npv": {"en": "NPV: the monthly costs discounted at the tender's discount rate"},
    "workbook.basis.tco_service": {"en": "TCO plus the hidden cost of poor service"},
    "workbook.reference.compliant": {"en": "lowest and highest prices taken over the compliant bids"},
    "workbook.reference.all": {"en": "lowest and highest prices taken over every costed bid, knocked-out bids included"},
    "workbook.kind.numeric": {"en": "score = (value − worst) ÷ (best − worst), clipped to 0..1"},
    "workbook.kind.yes_no": {"en": "score = 1 for yes, 0 for no"},
    "workbook.kind.evaluators": {"en": "score = consensus ÷ scale; the consensus is the moderated score if recorded, "
            "else the mean of the evaluators' scores"},
    "workbook.flag.abnormally_low": {"en": "abnormally low"},
    "workbook.flag.expired": {"en": "expired (validity ends before the award date)"},
}
