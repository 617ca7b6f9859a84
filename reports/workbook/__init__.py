"""The evaluation as an Excel workbook, for the buyer's file and the award report.

`write_evaluation_workbook(ev, path_or_buffer)` writes one sheet per view: Summary, Criteria,
Costs by year / component / entity / profile, Unit prices (each bid's cost per line per month by
profile), Monthly, Switching, Sensitivity (optional),
Warnings, Method and Inputs. Rules:

- numbers are stored as numbers (unrounded, as the model computed them) with number formats;
  no cell holds a formula, so nothing depends on recalculation: every total is computed
  here and equals the sum of the cells above it (and the bid's TCO) to well under a cent;
- every text cell is plain text, whatever it looks like (`writer`);
- bids appear in ranking order, knocked-out bids last;
- the same evaluation gives the same bytes (fixed creation date).

Amounts are in the tender's currency excluding VAT, like the rest of the model, and include the tender's
non-recoverable tax when it has one (`reports.names.amounts_basis` says which).

Files: `writer` (the safe xlsxwriter book), `sheets` (the sheets of figures), `method` (the
Method and Inputs sheets).
"""

from __future__ import annotations

import io
from os import PathLike
from typing import Any

from reports.award import award_result
from reports.names import amounts_basis
from scoring.evaluate import Evaluation

from .award import award_sheet
from .method import _inputs, _method
from .sheets import (
    _costs_by_component,
    _costs_by_entity,
    _costs_by_profile,
    _costs_by_year,
    _criteria,
    _monthly,
    _sensitivity,
    _summary,
    _switching,
    _unit_prices,
    _warnings,
)
from .writer import CREATED, Book, money_format

# --------------------------------------------------------------------------- entry point


def write_evaluation_workbook(ev: Evaluation, path_or_buffer: str | PathLike | io.BytesIO | Any, *,
                              include_sensitivity: bool = True) -> bytes | None:
    """Write the evaluation as an .xlsx workbook to a path or a binary file object.

    Returns the workbook's bytes when given an ``io.BytesIO`` (for a download button), else
    None. ``include_sensitivity`` adds the Sensitivity sheet, which evaluates the tender again
    twice per driver (usage components, lines, growth, each bid's prices, switching).
    """
    target = str(path_or_buffer) if isinstance(path_or_buffer, (str, PathLike)) else path_or_buffer
    book = Book(target, ev.tender.spec.currency)
    book.wb.set_properties({
        "title": f"Tender evaluation — {ev.tender.name}",
        "subject": "Mobile fleet tender evaluation",
        "author": "Fleetbid",
        "comments": f"Amounts {amounts_basis(ev.tender, 'en', long=True)}. No formulas: every figure is a stored value.",
        "created": CREATED,
    })
    _summary(book, ev)
    _criteria(book, ev)
    _costs_by_year(book, ev)
    _costs_by_component(book, ev)
    _costs_by_entity(book, ev)
    _costs_by_profile(book, ev)
    _unit_prices(book, ev)
    _monthly(book, ev)
    _switching(book, ev)
    if ev.tender.spec.award is not None:  # the Award split sheet: only for a tender with an award block
        award_sheet(book, ev, award_result(ev))
    if include_sensitivity:
        _sensitivity(book, ev)
    _warnings(book, ev)
    _method(book, ev)
    _inputs(book, ev)
    book.wb.close()
    if isinstance(path_or_buffer, io.BytesIO):
        return path_or_buffer.getvalue()
    return None


__all__ = ["money_format", "write_evaluation_workbook"]
