"""The evaluation workbook's sentences (English only: the workbook is written in English).
The switching parts' and the cost components' names are the app's (``switch.*``,
scoring/components.py); the price formulas' and price bases' descriptions are
scoring/formulas.py's (`price_formula(name).description`, `price_basis(name).description`)."""

WORKBOOK_TEXT: dict[str, dict[str, str]] = {
    # What the amounts are stated in (`reports.names.amounts_basis(..., long=True)`).
    "workbook.amounts_basis": {"en": "excluding VAT"},
    "workbook.amounts_basis_tax": {"en": "excluding VAT, including {rate} non-recoverable tax"},
    "workbook.reference.compliant": {"en": "lowest and highest prices taken over the compliant bids"},
    "workbook.reference.all": {"en": "lowest and highest prices taken over every costed bid, knocked-out bids included"},
    "workbook.kind.numeric": {"en": "score = (value − worst) ÷ (best − worst), clipped to 0..1"},
    "workbook.kind.yes_no": {"en": "score = 1 for yes, 0 for no"},
    "workbook.kind.evaluators": {"en": "score = consensus ÷ scale; the consensus is the moderated score if recorded, "
            "else the mean of the evaluators' scores"},
    "workbook.flag.abnormally_low": {"en": "abnormally low"},
    "workbook.flag.expired": {"en": "expired (validity ends before the award date)"},
}
