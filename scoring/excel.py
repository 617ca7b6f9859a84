"""Excel price schedules: the workbook a buyer sends operators, and bids filled in it.

`write_template` turns a tender into a price-schedule workbook (the buyer's DQE read-only,
one sheet per block of the bid format, data validation on every input cell). An operator
fills it in; `read_bid_xlsx` reads it back into exactly the mapping a bid YAML file gives
(docs/tender-format.md), so an Excel bid evaluates like its YAML twin. `write_bid_xlsx` and
`convert` go the other way; the round trip is lossless.

A workbook is untrusted input. It is a zip, so its size and entry count are checked before
openpyxl opens it; macro-enabled workbooks, XML carrying a DTD and formulas are refused;
cell values are read as stored and nothing is evaluated. What is evaluated is what a person
opening the workbook sees: a hidden sheet that is read, a hidden row or column holding
values, a value whose number format shows nothing (``;;;``), two columns of one header and a
value under a header the schedule does not have are refused, each naming its sheet or cell.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from .archive import env_limit
from .errors import Problem, TenderError
from .load import control_characters, pydantic_problems, strip_nulls
from .model import ID_PATTERN, BidFile, Tender, TenderFile, UsageDistribution
from .quote import CONTROL_IN_TEXT, control_name, printable, quote
from .yamlio import read_yaml_mapping

# A filled schedule is a few dozen kilobytes; these limits only stop hostile files early.
MAX_XLSX_BYTES = env_limit("FLEETBID_MAX_XLSX_BYTES", 5 * 1024 * 1024)  # the file as uploaded (compressed)
MAX_XLSX_UNPACKED = env_limit("FLEETBID_MAX_XLSX_UNPACKED", 20 * 1024 * 1024)  # all parts once unpacked
MAX_XLSX_ENTRIES = env_limit("FLEETBID_MAX_XLSX_ENTRIES", 200)  # parts in the package: a ten-sheet workbook has ~30
MAX_ROWS = env_limit("FLEETBID_MAX_XLSX_ROWS", 2000)  # rows read per sheet
MAX_COLS = env_limit("FLEETBID_MAX_XLSX_COLS", 256)  # columns read per sheet

TEMPLATE_PLAN_ROWS = 30  # empty plan rows offered in the template
TEMPLATE_TIER_ROWS = 10  # empty volume-tier rows

SHEETS = ("Instructions", "Profiles", "Bid", "Plans", "Offer", "Fees", "Pool", "Devices", "Portability", "Service")
REQUIRED_SHEETS = ("Bid", "Plans", "Offer")
# The sheets a bid is read from (Instructions and Profiles are the buyer's), and the header
# stems (`_stem`) of the columns the template writes on each: a value under another header
# would not be read, so it is refused (`_Reader.stray`). Plans also has an allowance and a
# rate column per usage component (`_COMPONENT_HEADER`).
COLUMNS = {
    "Bid": ("field", "what it is", "value"),
    "Plans": ("plan id", "plan name", "monthly fee"),
    "Offer": ("profile id", "profile name", "lines at start", "plan id"),
    "Fees": ("field", "what it is", "value", "volume tier: from", "volume tier: discount"),
    "Pool": ("component", "unit", "overage rate"),
    "Devices": ("device tier", "needed by profiles", "price", "device fund"),
    "Portability": ("field", "what it is", "value"),
    "Service": ("criterion id", "criterion", "weight", "read from", "expected", "value"),
}
READ_SHEETS = tuple(COLUMNS)
# A row lower than this (points) or a column narrower than this (characters) shows nothing.
MIN_ROW_HEIGHT = 3.0
MIN_COLUMN_WIDTH = 1.0
PLAN_IDS_NAME = "plan_ids"  # defined name of the Plans id column, used by the Offer list
WORKBOOK = "(workbook)"  # the field of a problem with the whole workbook (not a zip, a sheet missing)
MAX_NUMBER = 1e15  # the template's bound on free numbers (its data validation allows ±1E+15)

_ID = re.compile(ID_PATTERN)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COMPONENT_HEADER = re.compile(r"([a-z0-9_-]+) (allowance|rate)")
# A text starting with one of these would be taken for a formula by a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --------------------------------------------------------------------------- field specs
# (key in the block, label with its unit, kind, short name for messages). Shared by the
# writer and the reader, so the two cannot drift apart.

_BID_FIELDS = (
    ("operator", "Operator (company name)", "text", "operator"),
    ("id", "Bid id (lowercase a-z 0-9 _ -; empty: the file name is the bid id)", "id", "bid id"),
    ("valid_until", "Offer valid until (date, YYYY-MM-DD)", "date", "valid until"),
)

# key -> path of the value in the bid mapping
_FEE_PATHS = {
    "setup": ("fees", "setup"),
    "per_line_activation": ("fees", "per_line_activation"),
    "sim_card": ("fees", "sim_card"),
    "account_monthly": ("fees", "account_monthly"),
    "indexation_percent": ("indexation_percent",),
    "welcome_credit": ("discounts", "welcome_credit"),
}


def _fee_fields(cur: str) -> tuple[tuple[str, str, str, str], ...]:
    return (
        ("setup", f"Setup fee ({cur}, one-off)", "money", "setup fee"),
        ("per_line_activation",
         f"Activation fee ({cur} per line moved to you or added by growth, one-off)", "money", "activation fee"),
        ("sim_card", f"SIM card ({cur} per line moved to you or added by growth, one-off)", "money", "SIM card fee"),
        ("account_monthly", f"Account fee ({cur}/month for the whole fleet, recurring)", "money", "account fee"),
        ("indexation_percent",
         "Yearly indexation of recurring prices (% per year; negative = a yearly decrease)",
         "indexation", "indexation"),
        ("welcome_credit", f"Welcome credit ({cur}, one-off, deducted in month 1)", "money", "welcome credit"),
    )


def _portability_fields(cur: str) -> tuple[tuple[str, str, str, str], ...]:
    return (
        ("fee_per_number", f"Porting fee ({cur} per ported number, one-off)", "money", "porting fee"),
        ("exit_fee_refund",
         "Refund of the incumbent's exit fee (share 0..1 of it: 0.5 = half, 1 = all)", "share", "exit fee refund"),
        ("migration_credit", f"Migration credit ({cur}, one-off, funded by you)", "money", "migration credit"),
    )


def _unit(component: str) -> str:
    """The unit a component is counted in, from its name (an open vocabulary)."""
    last = component.rsplit("_", 1)[-1]
    return {"gb": "GB", "mb": "MB", "min": "min", "minutes": "min", "sms": "SMS", "mms": "MMS"}.get(last, "unit")


# --------------------------------------------------------------------------- writing

# Excel data validation of each kind of input cell, and what its error message asks for.
_RULES = {
    "money": dict(type="decimal", operator="greaterThanOrEqual", formula1="0"),
    "share": dict(type="decimal", operator="between", formula1="0", formula2="1"),
    "percent": dict(type="decimal", operator="between", formula1="0", formula2="100"),
    "indexation": dict(type="decimal", operator="between", formula1="-99.999999", formula2="100"),
    "number": dict(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15"),
    "yesno": dict(type="list", formula1='"yes,no"'),
    "date": dict(type="date", operator="greaterThan", formula1="36526"),  # after 2000-01-01
    "id": dict(type="textLength", operator="between", formula1="1", formula2="64"),
    "text": dict(type="textLength", operator="lessThanOrEqual", formula1="200"),
}
_RULE_TEXT = {
    "money": "a number ≥ 0",
    "share": "a number from 0 to 1 (0.5 = half)",
    "percent": "a number from 0 to 100",
    "indexation": "a number above -100 and up to 100",
    "number": "a number",
    "yesno": "yes or no",
    "date": "a date (YYYY-MM-DD)",
    "id": "lowercase letters, digits, _ and - (at most 64)",
    "text": "text (at most 200 characters)",
}


def _styles():
    thin = Side(style="thin", color="B4B4B4")
    return {
        "header_font": Font(name="Calibri", bold=True, color="FFFFFF"),
        "header_fill": PatternFill("solid", fgColor="1F4E78"),
        "header_align": Alignment(wrap_text=True, vertical="top"),
        "header_fill_alt": PatternFill("solid", fgColor="2E75B6"),
        "input_fill": PatternFill("solid", fgColor="FFF2CC"),
        "fixed_fill": PatternFill("solid", fgColor="EDEDED"),
        "wrap": Alignment(wrap_text=True, vertical="center"),
        "right": Alignment(horizontal="right", vertical="center"),
        "center": Alignment(vertical="center"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "unlocked": Protection(locked=False),
        "bold": Font(name="Calibri", bold=True),
        "head": Font(name="Calibri", bold=True, size=12),
        "title": Font(name="Calibri", bold=True, size=14),
    }


def _put(cell, value: Any) -> None:
    """Write a value as data. Text is always a plain string, never a formula, whatever it
    starts with: a bid is untrusted and `=HYPERLINK(...)` must stay text."""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True  # and an edit in Excel keeps it text too
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"


class _Writer:
    """Builds the workbook; one method per sheet. Input cells are unlocked and yellow,
    everything else locked; every sheet is protected without a password."""

    def __init__(self, spec: TenderFile, name: str, raw: dict[str, Any]):
        self.spec, self.name, self.raw = spec, name, raw
        self.cur = spec.currency
        self.s = _styles()
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.components = self._components()

    # ---- helpers

    def _components(self) -> list[str]:
        """The tender's usage components in profile order, then any other the bid names
        (a YAML bid may price one no profile uses: it must survive the round trip)."""
        seen: dict[str, None] = {}
        for profile in self.spec.profiles:
            seen.update(dict.fromkeys(profile.usage))
        for plan in self.raw.get("plans") or []:
            seen.update(dict.fromkeys(plan.get("allowances") or {}))
            seen.update(dict.fromkeys(plan.get("rates") or {}))
        seen.update(dict.fromkeys(self.raw.get("pool") or {}))
        return list(seen)

    def sheet(self, title: str, input_sheet: bool = True):
        ws = self.wb.create_sheet(title)
        ws.sheet_properties.tabColor = "FFC000" if input_sheet else "8EA9DB"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        return ws

    def header(self, ws, headers: list[tuple], row: int = 1, col: int = 1) -> None:
        """Header cells (locked, wrapped) and column widths; the row is tall enough for
        the longest header at its width. A third item True shades the header lighter (to
        tell apart the column pairs of one usage component)."""
        lines = 1
        for i, (text, width, *alt) in enumerate(headers):
            cell = ws.cell(row=row, column=col + i)
            _put(cell, text)
            cell.font = self.s["header_font"]
            cell.fill = self.s["header_fill_alt" if alt and alt[0] else "header_fill"]
            cell.alignment, cell.border = self.s["header_align"], self.s["border"]
            letter = cell.column_letter
            ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 0, width)
            lines = max(lines, _wrapped_lines(text, width))
        ws.row_dimensions[row].height = max(ws.row_dimensions[row].height or 0, 15 * lines + 3)

    def fixed(self, ws, row: int, col: int, value: Any, fmt: str | None = None):
        cell = ws.cell(row=row, column=col)
        if value is not None:
            _put(cell, value)
        cell.fill, cell.border, cell.alignment = self.s["fixed_fill"], self.s["border"], self.s["wrap"]
        if fmt:
            cell.number_format = fmt
        return cell

    def input(self, ws, row: int, col: int, value: Any = None, fmt: str | None = None, align: str = "center"):
        cell = ws.cell(row=row, column=col)
        if value is not None:
            _put(cell, value)
        cell.fill, cell.border, cell.protection = self.s["input_fill"], self.s["border"], self.s["unlocked"]
        cell.alignment = self.s[align]
        if fmt and not isinstance(value, dt.date):
            cell.number_format = fmt
        return cell

    def protect(self, ws, freeze: str | None = "A2", insert_rows: bool = False) -> None:
        if freeze:
            ws.freeze_panes = freeze
        p = ws.protection
        p.sheet = True  # no password: it guards against slips, not against the operator
        p.formatColumns = False  # False = allowed: widen a column to read a long name
        p.formatRows = False
        p.insertRows = not insert_rows

    def validate(self, ws, ranges: str, kind: str, what: str, **extra) -> None:
        """Attach an Excel data validation of one kind (see _RULES) to cell ranges."""
        rule = dict(_RULES.get(kind, {}))
        rule.update(extra.pop("rule", {}))
        message = extra.pop("error", f"{what}: type {_RULE_TEXT.get(kind, 'a valid value')}. Formulas are not accepted.")
        dv = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=True,
                            errorTitle="Invalid value"[:32], error=message[:255],
                            promptTitle=what[:32], prompt=extra.pop("prompt", message)[:255], **rule, **extra)
        ws.add_data_validation(dv)
        for part in ranges.split():
            dv.add(part)

    # ---- sheets

    def instructions(self) -> None:
        ws = self.sheet("Instructions", input_sheet=False)
        ws.column_dimensions["A"].width = 110
        spec, cur = self.spec, self.cur
        lines: list[tuple[str, str]] = [
            ("title", f"{self.name} — price schedule"),
            ("", f"Buyer: {spec.buyer}" if spec.buyer else ""),
            ("", f"Contract term: {spec.term_months} months. All amounts in {cur}, excluding VAT. "
                 "Usage is per line per month."),
            ("", f"Award date: {spec.award_date.isoformat()} (make the offer valid until at least then)."
             if spec.award_date else ""),
            ("head", "How to fill in this workbook"),
            ("", "Type values in the yellow cells only; grey and blue cells are the buyer's and are locked. "
                 "Select a yellow cell to see what it expects."),
            ("", "Type values, not formulas: a cell holding a formula is refused, and so is a workbook with "
                 "macros. Save as .xlsx (Excel Workbook). Do not rename, add or delete sheets."),
            ("", "An empty cell means \"not offered\" or 0 (no fee, no credit, no allowance)."),
            ("", "Profiles (read-only): the buyer's line profiles — lines per entity, expected usage per line per "
                 "month and its yearly growth, handsets. Price them on the other sheets."),
            ("", "Bid: your company name, an optional bid id and the date until which the offer is valid."),
            ("", f"Plans: one row per plan. Monthly fee in {cur} per line per month. For each usage component: "
                 "the allowance included per line per month — a number, or \"unlimited\" (no charge, whatever "
                 f"the usage) — and the rate in {cur} per unit beyond the allowance. A rate without an allowance "
                 "charges every unit; a plan that throttles instead of charging declares a rate of 0."),
            ("", "A plan that neither includes (allowance) nor prices (rate) a component that a profile uses "
                 "cannot serve that profile: fill both where they apply."),
            ("", "Offer: for each profile, the id of the plan you offer. Several ids separated by commas "
                 "(e.g. pro20, pro40) let the evaluation pick the cheapest mix."),
            ("", "Fees: one-off and monthly fees, yearly indexation (% per year, on monthly fees, rates and the "
                 "account fee), welcome credit and volume tiers (a discount on plan monthly fees, from a number "
                 "of initial lines in the whole fleet; the highest tier reached applies for the whole term)."),
            ("", "Pool: a rate for a component pools it across the whole fleet — every plan's allowance feeds "
                 "the pool and only usage beyond the pool is billed, at this rate (per-plan rates are then unused)."),
            ("", f"Devices: the price of each handset tier ({cur} per handset); the buyer renews them every "
                 "'refresh' months. A device fund is a credit usable on handsets only."),
            ("", "Portability: your terms for taking the lines over from the incumbent (ignored if you are it)."),
            ("", "Service: your commitments on the criteria scored from the bid. Numbers in the unit named, "
                 "yes/no where asked; a missing value scores 0, or excludes the bid where the row says so."),
            ("head", "About the protection"),
            ("", "Sheets are protected without a password so that headers and the buyer's data stay as they "
                 "are. Columns can be widened."),
        ]
        row = 1
        for style, text in lines:
            if not text:
                continue
            cell = ws.cell(row=row, column=1)
            _put(cell, text)
            cell.alignment = self.s["wrap"]
            if style == "title":
                cell.font = self.s["title"]
                ws.row_dimensions[row].height = 24
            elif style == "head":
                cell.font = self.s["head"]
                ws.row_dimensions[row].height = 24
            else:
                ws.row_dimensions[row].height = 15 * _wrapped_lines(text, 110, body=True) + 2
            row += 1
        self.protect(ws, freeze=None)

    def profiles(self) -> None:
        ws = self.sheet("Profiles", input_sheet=False)
        spec = self.spec

        def spread(p, c):
            u = p.usage.get(c)
            return u if isinstance(u, UsageDistribution) and u.cv > 0 else None

        head: list[tuple] = [("Profile id", 14), ("Profile name", 30)]
        head += [(f"Lines {e.id} (at start)", max(10, len(e.id) + 7)) for e in spec.entities]
        head += [("Total lines (at start)", 10), ("Line growth (%/year)", 10)]
        # Each component's columns side by side: usage, its spread, its growth.
        getters: list[tuple[Any, str | None]] = []
        used = [c for c in self.components if any(c in p.usage for p in spec.profiles)]
        for i, c in enumerate(used):
            alt, width = i % 2 == 1, max(15, len(c) + 2)
            has_spread = any(spread(p, c) for p in spec.profiles)
            head.append((f"{c} ({_unit(c)}/line/month{', mean' if has_spread else ''})", width, alt))
            getters.append((lambda p, c=c: _mean(p.usage.get(c)), "General"))
            if has_spread:
                head.append((f"{c} spread (cv = sd/mean, distribution)", max(18, width), alt))
                getters.append((lambda p, c=c: f"cv {spread(p, c).cv:g}, {spread(p, c).dist}" if spread(p, c) else None,
                                None))
            if any(p.usage_growth.get(c) for p in spec.profiles):
                head.append((f"{c} growth (%/year)", width, alt))
                getters.append((lambda p, c=c: p.usage_growth.get(c), "0.0%"))
        head += [("Device tier", 11), ("Device refresh (months)", 10)]
        self.header(ws, head)
        for r, p in enumerate(spec.profiles, start=2):
            values: list[tuple[Any, str | None]] = [(p.id, None), (p.name, None)]
            values += [(p.lines.get(e.id, 0), "#,##0.##") for e in spec.entities]
            values += [(sum(p.lines.values()), "#,##0.##"), (p.line_growth, "0.0%")]
            values += [(get(p), fmt) for get, fmt in getters]
            values += [(p.device.tier if p.device else None, None),
                       (p.device.refresh_months if p.device else None, "General")]
            for col, (value, fmt) in enumerate(values, start=1):
                self.fixed(ws, r, col, value, fmt)
        total = len(spec.profiles) + 2
        self.fixed(ws, total, 1, "Total").font = self.s["bold"]
        for i, e in enumerate(spec.entities):
            self.fixed(ws, total, 3 + i, sum(p.lines.get(e.id, 0) for p in spec.profiles), "#,##0.##")
        self.fixed(ws, total, 3 + len(spec.entities),
                   sum(sum(p.lines.values()) for p in spec.profiles), "#,##0.##").font = self.s["bold"]
        # Notes span the table (merged, wrapped) so that they do not widen the printed page.
        width = sum(w for _, w, *_ in head)
        names = ", ".join(f"{e.id} = {e.name}" for e in spec.entities if e.name)
        notes = [
            f"Entities: {names}." if names else "",
            "Usage is the expected mean per line per month; where a spread is given, usage varies across the "
            "profile's lines (cv = standard deviation / mean), so a per-line allowance near the mean is exceeded "
            "by part of the lines.",
            "Growth applies once per contract year (year 1 = months 13-24) and compounds.",
        ]
        for r, text in enumerate(filter(None, notes), start=total + 2):
            _put(ws.cell(row=r, column=1), text)
            ws.cell(row=r, column=1).alignment = self.s["wrap"]
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(head))
            ws.row_dimensions[r].height = 15 * _wrapped_lines(text, width, body=True) + 3
        self.protect(ws, freeze="B2")

    def key_values(self, title: str, fields, values: dict[str, Any]):
        """A sheet of single values: format key, what it is (with unit), value."""
        ws = self.sheet(title)
        self.header(ws, [("Field (format key)", 22), ("What it is (unit, excl. VAT)", 74), ("Value", 18)])
        for r, (key, label, kind, what) in enumerate(fields, start=2):
            self.fixed(ws, r, 1, key)
            self.fixed(ws, r, 2, label)
            fmt = {"money": "#,##0.00##", "date": "yyyy-mm-dd"}.get(kind, "General")
            self.input(ws, r, 3, values.get(key), fmt)
            ws.row_dimensions[r].height = 15 * _wrapped_lines(label, 74, body=True) + 3
            if kind in ("money", "share", "percent", "indexation", "date", "id", "text"):
                self.validate(ws, f"C{r}", kind, what)
        return ws

    def bid(self) -> None:
        ws = self.key_values("Bid", _BID_FIELDS, self.raw)
        self.protect(ws)

    def plans(self) -> int:
        """The Plans sheet; returns its last data row (the Offer list ends there)."""
        ws = self.sheet("Plans")
        cur = self.cur
        head = [("Plan id (lowercase a-z 0-9 _ -)", 14), ("Plan name", 26),
                (f"Monthly fee ({cur}/line/month, excl. VAT)", 16)]
        for i, c in enumerate(self.components):
            u, width = _unit(c), max(16, len(c) + 2)  # never break a component name or unit
            head.append((f"{c} allowance ({u}/line/month, a number or unlimited)", width, i % 2 == 1))
            head.append((f"{c} rate ({cur}/{u} beyond the allowance, excl. VAT)", width, i % 2 == 1))
        self.header(ws, head)
        plans = self.raw.get("plans") or []
        last = 1 + max(TEMPLATE_PLAN_ROWS, len(plans))
        for r in range(2, last + 1):
            plan = plans[r - 2] if r - 2 < len(plans) else {}
            allowances, rates = plan.get("allowances") or {}, plan.get("rates") or {}
            self.input(ws, r, 1, plan.get("id"))
            self.input(ws, r, 2, plan.get("name"))
            self.input(ws, r, 3, plan.get("monthly_fee"), "#,##0.00##")
            for i, c in enumerate(self.components):
                self.input(ws, r, 4 + 2 * i, allowances.get(c), "General", align="right")
                self.input(ws, r, 5 + 2 * i, rates.get(c), "#,##0.00##")
        self.validate(ws, f"A2:A{last}", "id", "Plan id")
        self.validate(ws, f"C2:C{last}", "money", "Monthly fee")

        for i, c in enumerate(self.components):
            a, r = get_column_letter(4 + 2 * i), get_column_letter(5 + 2 * i)
            self.validate(ws, f"{a}2:{a}{last}", "custom", f"{c} allowance",
                          rule=dict(type="custom", formula1=f'OR(AND(ISNUMBER({a}2),{a}2>=0),{a}2="unlimited")'),
                          error=f"{c} allowance: a number ≥ 0 ({_unit(c)} per line per month) or unlimited.")
            self.validate(ws, f"{r}2:{r}{last}", "money", f"{c} rate")
        self.protect(ws, freeze="B2", insert_rows=True)

        self.wb.defined_names[PLAN_IDS_NAME] = DefinedName(PLAN_IDS_NAME, attr_text=f"Plans!$A$2:$A${last}")
        return last

    def offer(self) -> None:
        ws = self.sheet("Offer")
        self.header(ws, [("Profile id", 14), ("Profile name", 30), ("Lines at start (all entities)", 12),
                         ("Plan id(s) (from the Plans sheet; several: comma-separated, the cheapest mix is used)", 34)])
        offer = self.raw.get("offer") or {}
        rows = [(p.id, p.name, sum(p.lines.values())) for p in self.spec.profiles]
        known = {p.id for p in self.spec.profiles}
        rows += [(k, None, None) for k in offer if k not in known]  # kept so the loader can report them
        for r, (pid, name, lines) in enumerate(rows, start=2):
            self.fixed(ws, r, 1, pid)
            self.fixed(ws, r, 2, name)
            self.fixed(ws, r, 3, lines, "#,##0.##")
            self.input(ws, r, 4, _offer_text(offer.get(pid)))
        last = len(rows) + 1
        if rows:
            # A warning, not a stop: a comma-separated list is not one item of the list.
            self.validate(ws, f"D2:D{last}", "list", "Plan id(s)", rule=dict(type="list", formula1=PLAN_IDS_NAME),
                          errorStyle="warning",
                          error="Not a plan id of the Plans sheet. Several plans: separate their ids with commas.",
                          prompt="Pick a plan id of the Plans sheet, or type several separated by commas.")
        self.protect(ws)

    def fees(self) -> None:
        values = {key: _get(self.raw, path) for key, path in _FEE_PATHS.items()}
        ws = self.key_values("Fees", _fee_fields(self.cur), values)
        self.header(ws, [("Volume tier: from (initial lines, whole fleet)", 18),
                         ("Volume tier: discount (% off plan monthly fees)", 18)], col=5)
        ws.column_dimensions["D"].width = 3
        tiers = _get(self.raw, ("discounts", "volume")) or []
        last = 1 + max(TEMPLATE_TIER_ROWS, len(tiers))
        for r in range(2, last + 1):
            tier = tiers[r - 2] if r - 2 < len(tiers) else {}
            self.input(ws, r, 5, tier.get("min_lines"), "#,##0.##")
            self.input(ws, r, 6, tier.get("percent"), "General", align="right")
        self.validate(ws, f"E2:E{last}", "money", "Volume tier: from",
                      error="Volume tier: the number of initial lines (whole fleet) from which the discount "
                            "applies, a number ≥ 0.")
        self.validate(ws, f"F2:F{last}", "percent", "Volume tier: discount")
        self.protect(ws)

    def pool(self) -> None:
        ws = self.sheet("Pool")
        self.header(ws, [("Component", 22), ("Unit", 8),
                         (f"Overage rate ({self.cur} per unit beyond the fleet's pooled allowance, excl. VAT; "
                          "empty = not pooled)", 30)])
        pool = self.raw.get("pool") or {}
        for r, c in enumerate(self.components, start=2):
            self.fixed(ws, r, 1, c)
            self.fixed(ws, r, 2, _unit(c))
            self.input(ws, r, 3, (pool.get(c) or {}).get("overage_rate"), "#,##0.00##")
        if self.components:
            self.validate(ws, f"C2:C{len(self.components) + 1}", "money", "Overage rate")
        self.protect(ws)

    def devices(self) -> None:
        ws = self.sheet("Devices")
        self.header(ws, [("Device tier", 14), ("Needed by profiles (refresh in months)", 34),
                         (f"Price ({self.cur} per handset, excl. VAT)", 16)])
        self.header(ws, [(f"Device fund ({self.cur} over the term, excl. VAT, usable on handsets only)", 24)], col=5)
        ws.column_dimensions["D"].width = 3
        devices = self.raw.get("devices") or {}
        prices = devices.get("prices") or {}
        needed: dict[str, list[str]] = {}
        for p in self.spec.profiles:
            if p.device:
                needed.setdefault(p.device.tier, []).append(f"{p.id} ({p.device.refresh_months:g})")
        tiers = list(needed) + [t for t in prices if t not in needed]
        for r, tier in enumerate(tiers, start=2):
            self.fixed(ws, r, 1, tier)
            self.fixed(ws, r, 2, ", ".join(needed.get(tier, [])) or "(no profile)")
            self.input(ws, r, 3, prices.get(tier), "#,##0.00##")
        if tiers:
            self.validate(ws, f"C2:C{len(tiers) + 1}", "money", "Handset price")
        self.input(ws, 2, 5, devices.get("fund"), "#,##0.00##")
        self.validate(ws, "E2", "money", "Device fund")
        self.protect(ws)

    def portability(self) -> None:
        ws = self.key_values("Portability", _portability_fields(self.cur), self.raw.get("portability") or {})
        self.protect(ws)

    def service(self) -> None:
        ws = self.sheet("Service")
        service = self.raw.get("service") or {}
        longest = max([len(c.from_) for c in self.spec.evaluation.criteria]
                      + [len(p) for p, _ in _leaves(service, "service")], default=0)
        longest_id = max([len(c.id) for c in self.spec.evaluation.criteria], default=0)
        self.header(ws, [("Criterion id", max(16, longest_id + 2)), ("Criterion", 34), ("Weight (points of 100)", 10),
                         ("Read from (path in the bid)", max(30, longest + 2)), ("Expected (number or yes/no)", 40),
                         ("Value (number, or yes/no as expected)", 18)])
        rows: list[list[Any]] = []  # ids, names, weight, path, expected
        by_path: dict[str, int] = {}
        for c in self.spec.evaluation.criteria:
            if c.kind == "evaluators" or not c.from_.startswith("service."):
                continue  # evaluators score memos; other paths are priced on their own sheets
            if c.from_ in by_path:  # two criteria read one value: one row names both
                row = rows[by_path[c.from_]]
                row[0], row[1], row[2] = f"{row[0]}, {c.id}", f"{row[1]}; {c.name or c.id}", row[2] + c.weight
                continue
            by_path[c.from_] = len(rows)
            rows.append([c.id, c.name or c.id, c.weight, c.from_, _expected(c)])
        # Commitments no criterion reads stay in the bid too (the round trip is lossless).
        for path, _ in _leaves(service, "service"):
            if path not in by_path and not any(p.startswith(path + ".") for p in by_path):
                by_path[path] = len(rows)
                rows.append([None, None, None, path, "any value (not scored)"])
        numbers, yesno = [], []
        for r, (ids, names, weight, path, expected) in enumerate(rows, start=2):
            for col, value in enumerate((ids, names, weight, path, expected), start=1):
                self.fixed(ws, r, col, value, "General")
            value = _get(self.raw, tuple(path.split(".")))
            kind = _row_kind(expected)
            if kind == "yes_no" and isinstance(value, bool):
                value = "yes" if value else "no"
            if isinstance(value, (dict, list)):
                value = None  # a block where a value is expected: its leaves have rows of their own
            self.input(ws, r, 6, value, "General", align="right")
            (numbers if kind == "number" else yesno if kind == "yes_no" else []).append(f"F{r}")
            ws.row_dimensions[r].height = 15 * max(_wrapped_lines(expected, 40, body=True),
                                                   _wrapped_lines(names, 34, body=True)) + 3
        if numbers:
            self.validate(ws, " ".join(numbers), "number", "Value")
        if yesno:
            self.validate(ws, " ".join(yesno), "yesno", "Value", prompt="yes or no")
        self.protect(ws)

    def build(self):

        self.instructions()
        self.profiles()
        self.bid()
        self.plans()
        self.offer()
        self.fees()
        self.pool()
        self.devices()
        self.portability()
        self.service()
        # Sheets cannot be renamed, added or deleted: the reader finds blocks by sheet name.
        self.wb.security = WorkbookProtection(lockStructure=True)
        self.wb.properties.title = f"{self.name} — price schedule"
        self.wb.properties.creator = "Fleetbid"
        self.wb.active = self.wb.sheetnames.index("Bid")
        return self.wb


def _wrapped_lines(text: str | None, width: float, body: bool = False) -> int:
    """Lines a wrapped text takes in a column of this width: a column unit is one digit,
    body text fits about 1.2 characters per unit, bold headers about one."""
    if not text:
        return 1
    per_line = max(1, int(width * 1.2) - 2 if body else int(width) - 2)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def _mean(u: Any) -> Any:
    return u.mean if isinstance(u, UsageDistribution) else u


def _expected(c) -> str:
    if c.kind == "numeric":
        text = f"number, {'higher' if c.higher_is_better else 'lower'} is better: best {c.best:g}, worst {c.worst:g}"
        if c.limit is not None:
            text += f"; {'under' if c.higher_is_better else 'over'} {c.limit:g} excludes the bid"
        return text
    text = "yes/no: yes earns the points"
    if c.required:
        text += "; no (or empty) excludes the bid"
    return text


def _row_kind(expected: Any) -> str:
    text = str(expected or "")
    return "number" if text.startswith("number") else "yes_no" if text.startswith("yes/no") else "any"


def _offer_text(offered: Any) -> Any:
    """An offer cell: one id, or ids joined by commas. A one-plan list keeps a trailing comma
    ("pro20,") and an empty list is "," so that reading it back gives the same list."""
    if isinstance(offered, list):
        return ", ".join(str(x) for x in offered) + ("," if len(offered) < 2 else "")
    return offered


def _get(raw: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(raw, dict) or part not in raw:
            return None
        raw = raw[part]
    return raw


def _leaves(node: Any, prefix: str) -> Iterable[tuple[str, Any]]:
    """(dotted path, value) of every non-mapping value under a mapping."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from _leaves(value, f"{prefix}.{key}")
    elif not isinstance(node, dict):
        yield prefix, node


def _check_writable(raw: dict[str, Any], shown: str) -> None:
    """A bid must be valid to be written: the schedule has a cell for each field of the format,
    none for an unknown field or a wrongly typed block. Service values must be plain values."""
    problems = control_characters(raw, shown)
    try:
        BidFile.model_validate(raw)
    except ValidationError as exc:
        raise TenderError(problems + pydantic_problems(exc, shown)) from None
    for path, value in _leaves(raw.get("service") or {}, "service"):
        if isinstance(value, list):
            problems.append(Problem(shown, path, "a list cannot be written to the Excel schedule: use plain values"))
        elif not isinstance(value, (str, int, float, bool, dt.date)):
            problems.append(Problem(shown, path, f"{type(value).__name__} cannot be written to the Excel schedule"))
    for key in (raw.get("service") or {}):
        if not isinstance(key, str) or "." in key:
            problems.append(Problem(shown, f"service.{key}", "a key with a dot cannot be told from a nested path"))
    if problems:
        raise TenderError(problems)


FIXED_TIME = dt.datetime(2020, 1, 1)  # workbook properties and zip entry times: same input, same bytes


def _save(wb, path: str | Path | IO[bytes]) -> None:
    """Save with fixed creation/modification times (openpyxl stamps the current time in the
    document properties and in every zip entry), so the same input gives the same bytes."""
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = wb.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    if isinstance(path, (str, Path)):
        Path(path).write_bytes(out.getvalue())
    else:
        path.write(out.getvalue())


def write_template(tender: Tender, path: str | Path | IO[bytes]) -> None:
    """Write the empty price schedule of a tender (a path or a binary file object)."""
    _save(_Writer(tender.spec, tender.name, {}).build(), path)


def write_bid_xlsx(raw_bid: dict[str, Any], tender: Tender, path: str | Path | IO[bytes]) -> None:
    """Write a bid mapping (as a bid YAML file gives it) into the tender's schedule layout."""
    _check_writable(raw_bid, str(path) if isinstance(path, (str, Path)) else "bid")
    _save(_Writer(tender.spec, tender.name, raw_bid).build(), path)


# --------------------------------------------------------------------------- reading


def _check_package(data: bytes, shown: str) -> None:
    """Refuse what openpyxl should never open: too big, not a zip, a zip bomb (sizes from
    the zip directory, which Python's zipfile also enforces while inflating), macros, DTDs."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TenderError.at(shown, WORKBOOK, "an old-format (.xls) or password-protected workbook: "
                                        "save it as .xlsx (Excel Workbook) without a password")
    if len(data) > MAX_XLSX_BYTES:
        raise TenderError.at(shown, WORKBOOK, f"{len(data):,} bytes: over the {MAX_XLSX_BYTES:,}-byte limit for a workbook")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise TenderError.at(shown, WORKBOOK, "not an Excel .xlsx workbook (it is not a zip package)") from None
    if len(infos) > MAX_XLSX_ENTRIES:
        raise TenderError.at(shown, WORKBOOK, f"{len(infos)} parts: more than the {MAX_XLSX_ENTRIES} a workbook may hold")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_XLSX_UNPACKED:
        raise TenderError.at(shown, WORKBOOK, f"unpacks to {unpacked:,} bytes: over the {MAX_XLSX_UNPACKED:,}-byte limit "
                                        "(a price schedule is a few dozen kilobytes)")
    for info in infos:
        name = info.filename.lower()
        if info.flag_bits & 0x1:
            raise TenderError.at(shown, printable(info.filename), "encrypted part: save the workbook without a password")
        if name.endswith("vbaproject.bin") or name.startswith(("xl/macrosheets/", "xl/activex")):
            raise TenderError.at(shown, WORKBOOK, "the workbook contains macros: save it as .xlsx (Excel Workbook), "
                                            "macros are not accepted")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.filename == "[Content_Types].xml":
            try:
                content = archive.read(info)
            # A damaged package fails in many ways: a bad CRC or header, a negative seek
            # offset (ValueError), a corrupt deflate stream (zlib.error).
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError, RuntimeError,
                    zlib.error) as exc:
                raise TenderError.at(shown, printable(info.filename), f"damaged workbook part ({printable(exc)})") from None
            if any(mark.encode(codec) in content for mark in ("<!DOCTYPE", "<!ENTITY")
                   for codec in ("utf-8", "utf-16-le", "utf-16-be")):
                # No workbook needs a DTD; entities are how XML bombs expand.
                raise TenderError.at(shown, printable(info.filename), "XML with a DTD is not accepted in a workbook")
            if info.filename == "[Content_Types].xml" and b"macroEnabled" in content:
                raise TenderError.at(shown, WORKBOOK, "a macro-enabled workbook (.xlsm): save it as .xlsx (Excel Workbook)")


class _Cells:
    """The values of one sheet as ``{(row, col): value}``, formulas and errors reported."""

    def __init__(self, ws, shown: str, problems: list[Problem]):
        self.title = ws.title
        self.values: dict[tuple[int, int], Any] = {}
        self.refused: set[tuple[int, int]] = set()  # formulas and error values, already reported
        # The sheet's declared size: a hostile one claims a million rows; reading stops at the
        # limit whatever it claims (openpyxl would pad every missing row up to a stated end).
        if (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLS:
            problems.append(Problem(shown, ws.title, f"the sheet is larger than a schedule may be ({MAX_ROWS} rows, "
                                                     f"{MAX_COLS} columns): delete what is below or right of it"))
        for row in ws.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLS):
            for cell in row:
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                kind = getattr(cell, "data_type", None)
                r, c = cell.row, cell.column
                if kind == "f" or (isinstance(value, str) and kind != "s" and value.startswith("=")) \
                        or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
                    problems.append(Problem(shown, self.at(r, c), "formulas are not accepted: type the value"))
                    self.refused.add((r, c))
                    continue
                if kind == "e":
                    problems.append(Problem(shown, self.at(r, c), f"error value {quote(value)}: type the value"))
                    self.refused.add((r, c))
                    continue
                if isinstance(value, str) and not value.strip():
                    continue  # blank text is an empty cell
                if isinstance(value, str) and (m := CONTROL_IN_TEXT.search(value)):
                    problems.append(Problem(shown, self.at(r, c), f"control character {control_name(m.group())} in "
                                                                  "the text: remove it"))
                    self.refused.add((r, c))
                    continue
                if _shows_nothing(getattr(cell, "number_format", None)):
                    problems.append(Problem(shown, self.at(r, c), "the cell's number format shows nothing "
                                                                  f"({quote(cell.number_format)}) but it holds a "
                                                                  "value: use a visible format"))
                    self.refused.add((r, c))
                    continue
                self.values[(r, c)] = value

    def hidden_data(self, ws, shown: str, problems: list[Problem]) -> None:
        """A problem for each hidden row or column that holds a value (its first cell named):
        a person reading the bid does not see it, the evaluation would read it."""
        rows, column_hidden = _hidden_lines(ws)
        filled = sorted({*self.values, *self.refused})
        for (r, c) in filled:
            if r in rows:
                count = sum(1 for rr, _ in filled if rr == r)
                problems.append(Problem(shown, self.at(r, c), f"row {r} is hidden but holds {count} value"
                                                              f"{'s' if count > 1 else ''}: unhide it or clear it "
                                                              "(a bid must show what is evaluated)"))
                rows.discard(r)
        columns = sorted({c for _, c in filled if column_hidden(c)})
        for c in columns:
            cells = [(r, cc) for r, cc in filled if cc == c]
            letter = get_column_letter(c)
            problems.append(Problem(shown, self.at(*cells[0]), f"column {letter} is hidden but holds {len(cells)} "
                                                               f"value{'s' if len(cells) > 1 else ''}: unhide it or "
                                                               "clear it (a bid must show what is evaluated)"))

    def at(self, row: int, col: int) -> str:
        return f"{self.title}!{get_column_letter(col)}{row}"

    def get(self, row: int, col: int) -> Any:
        return self.values.get((row, col))

    def missing(self, row: int, col: int) -> bool:
        """Empty, not merely refused (a refused cell has its own problem already)."""
        return (row, col) not in self.values and (row, col) not in self.refused

    def rows(self, first: int = 2) -> list[int]:
        return sorted({r for r, _ in self.values if r >= first})

    def headers(self, row: int = 1) -> dict[int, str]:
        return {c: _stem(v) for (r, c), v in self.values.items() if r == row and isinstance(v, str)}


def _shows_nothing(number_format: Any) -> bool:
    """A number format of empty sections (``;;;``, ``;;``) displays no value at all."""
    return isinstance(number_format, str) and bool(number_format) and not number_format.replace(";", "").strip()


def _true(flag: str | None) -> bool:
    return flag in ("1", "true")


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _hidden_lines(ws) -> tuple[set[int], Any]:
    """The rows (up to `MAX_ROWS`) a sheet hides, and a test of whether it hides a column:
    hidden, collapsed to nothing (a row under `MIN_ROW_HEIGHT` points, a column under
    `MIN_COLUMN_WIDTH` characters), or hidden by default (``zeroHeight``, a default width of
    0) unless made visible. Read from the sheet's XML (openpyxl's read-only sheets do not
    keep row and column formats); the package was checked for DTDs before (`_check_package`)."""
    rows: set[int] = set()
    columns: list[tuple[int, int, bool]] = []  # (first, last, hidden) of each <col> element
    rows_hidden_by_default = columns_hidden_by_default = False
    source = getattr(ws, "_get_source", None)
    if source is None:  # not a read-only sheet: nothing to read it from
        return rows, lambda c: False
    row = 0
    with source() as xml:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "end":
                if tag == "row":
                    element.clear()
                continue
            if tag == "sheetFormatPr":
                rows_hidden_by_default = (_true(element.get("zeroHeight"))
                                          or _number(element.get("defaultRowHeight"), 15) < MIN_ROW_HEIGHT)
                columns_hidden_by_default = _number(element.get("defaultColWidth"), 8.43) < MIN_COLUMN_WIDTH
            elif tag == "col":
                first = int(_number(element.get("min"), 0))
                last = int(_number(element.get("max"), first))
                hidden = _true(element.get("hidden")) or _number(element.get("width"), 8.43) < MIN_COLUMN_WIDTH
                columns.append((first, min(last, MAX_COLS), hidden))
            elif tag == "row":
                row = int(_number(element.get("r"), row + 1))
                if row > MAX_ROWS:
                    break
                height = element.get("ht")
                if _true(element.get("hidden")) or _number(height, 15) < MIN_ROW_HEIGHT or (
                        rows_hidden_by_default and not (_true(element.get("customHeight")) and height is not None)):
                    rows.add(row)
                else:
                    rows.discard(row)
            elif tag == "sheetData" and rows_hidden_by_default:
                rows.update(range(1, MAX_ROWS + 1))  # rows without a <row> element: hidden too

    def column_hidden(c: int) -> bool:
        for first, last, hidden in columns:
            if first <= c <= last:
                return hidden
        return columns_hidden_by_default

    return rows, column_hidden


def _stem(header: str) -> str:
    """What a header names, without its unit: "Monthly fee (EUR/month)" -> "monthly fee"."""
    return header.split("(", 1)[0].strip().lower()


class _Reader:
    """Turns a workbook's cells into a bid mapping; every defect becomes a Problem."""

    def __init__(self, sheets: dict[str, _Cells], shown: str, problems: list[Problem]):
        self.sheets, self.shown, self.problems = sheets, shown, problems

    def bad(self, cells: _Cells, row: int, col: int, message: str) -> None:
        self.problems.append(Problem(self.shown, cells.at(row, col), message))

    def value(self, cells: _Cells, row: int, col: int, kind: str, what: str) -> Any:
        """A cell's value as the bid format wants it, or None (empty or reported)."""
        v = cells.get(row, col)
        if v is None:
            return None
        try:
            return _convert(v, kind, what)
        except ValueError as exc:
            self.bad(cells, row, col, str(exc))
            return None

    def columns(self, cells: _Cells, wanted: dict[str, str], row: int = 1) -> dict[str, int]:
        """Columns by header stem (the header text before its unit), the first of each."""
        found: dict[str, int] = {}
        for col, stem in cells.headers(row).items():
            key = wanted.get(stem)
            if key is not None:
                found.setdefault(key, col)
        return found

    def stray(self, cells: _Cells) -> None:
        """Values the sheet's reader does not take would otherwise be silently ignored: a
        value in a column without a header, under a header the schedule does not have (a
        "Monthly fee 2" column), or in a second column of one header (a second "Monthly fee"
        column, only the first of which would be read)."""
        headers = cells.headers()
        known = COLUMNS.get(cells.title, ())
        first: dict[str, int] = {}
        for col, stem in sorted(headers.items()):
            if stem in first:
                self.bad(cells, 1, col, f"a second {quote(stem)} column (the first is "
                                        f"{get_column_letter(first[stem])}): a bid has one column of each; "
                                        "delete one")
                continue
            first[stem] = col
            if stem not in known and not (cells.title == "Plans" and _COMPONENT_HEADER.fullmatch(stem)):
                filled = [r for (r, c) in sorted(cells.values) if c == col and r >= 2]
                if filled:
                    self.bad(cells, 1, col, f"column {quote(stem)} is not a column of the buyer's schedule, so its "
                                            f"{len(filled)} value{'s' if len(filled) > 1 else ''} would not be read: "
                                            "move them to their column or delete it")
        for (r, c) in sorted(cells.values):
            if r >= 2 and c not in headers:
                self.bad(cells, r, c, "value outside the schedule's columns (no header above it): "
                                      "move it to its column or delete it")

    def key_values(self, cells: _Cells, fields) -> dict[str, Any]:
        """Single values by format key (column A), value in column C."""
        kinds = {key: (kind, what) for key, _, kind, what in fields}
        out: dict[str, Any] = {}
        for r in cells.rows():
            key, value = cells.get(r, 1), cells.get(r, 3)
            if value is None:
                continue
            if key not in kinds:
                self.bad(cells, r, 3, f"value in a row without a known field ({quote(key)} in column A)")
                continue
            if key in out:
                self.bad(cells, r, 1, f"field {quote(key)} is given twice")
                continue
            kind, what = kinds[key]
            converted = self.value(cells, r, 3, kind, what)
            if converted is not None:
                out[key] = converted
        return out

    # ---- sheets

    def bid(self, out: dict[str, Any]) -> None:
        cells = self.sheets["Bid"]
        out.update(self.key_values(cells, _BID_FIELDS))
        self.stray(cells)

    def plans(self, out: dict[str, Any]) -> set[str]:
        cells = self.sheets["Plans"]
        cols = self.columns(cells, {"plan id": "id", "plan name": "name", "monthly fee": "monthly_fee"})
        components: dict[int, tuple[str, str]] = {}
        for col, stem in cells.headers().items():
            m = _COMPONENT_HEADER.fullmatch(stem)
            if m:
                column = (m.group(1), "allowances" if m.group(2) == "allowance" else "rates")
                if column not in components.values():  # a second one is reported by `stray`
                    components[col] = column
        for key in ("id", "monthly_fee"):
            if key not in cols:
                self.problems.append(Problem(self.shown, "Plans!1:1", f"no {key.replace('_', ' ')} column: "
                                                                    "use the buyer's template"))
                return set()
        plans, seen = [], {}
        for r in cells.rows():
            if not any(cells.get(r, c) is not None for c in [*cols.values(), *components]):
                continue
            plan: dict[str, Any] = {}
            plan_id = self.value(cells, r, cols["id"], "id", "plan id")
            if cells.missing(r, cols["id"]):
                self.bad(cells, r, cols["id"], "plan id is missing")
            elif plan_id is not None:
                if plan_id in seen:
                    self.bad(cells, r, cols["id"], f"plan id {quote(plan_id)} is used twice (also {seen[plan_id]})")
                seen.setdefault(plan_id, cells.at(r, cols["id"]))
                plan["id"] = plan_id
            if "name" in cols:
                name = self.value(cells, r, cols["name"], "text", "plan name")
                if name is not None:
                    plan["name"] = name
            fee = self.value(cells, r, cols["monthly_fee"], "money", "monthly fee")
            if cells.missing(r, cols["monthly_fee"]):
                self.bad(cells, r, cols["monthly_fee"], "monthly fee is missing")
            elif fee is not None:
                plan["monthly_fee"] = fee
            for col, (component, block) in components.items():
                kind = "allowance" if block == "allowances" else "money"
                v = self.value(cells, r, col, kind, f"{component} {'allowance' if kind == 'allowance' else 'rate'}")
                if v is not None:
                    plan.setdefault(block, {})[component] = v
            plans.append(plan)
        if plans:
            out["plans"] = plans
        self.stray(cells)
        return set(seen)

    def offer(self, out: dict[str, Any], plan_ids: set[str]) -> None:
        cells = self.sheets["Offer"]
        cols = self.columns(cells, {"profile id": "profile", "plan id": "plans"})
        if "profile" not in cols or "plans" not in cols:
            self.problems.append(Problem(self.shown, "Offer!1:1", "no profile id or plan id column: "
                                                                "use the buyer's template"))
            return
        offer: dict[str, Any] = {}
        pc, oc = cols["profile"], cols["plans"]
        for r in cells.rows():
            raw = cells.get(r, oc)
            if raw is None:
                continue
            profile = self.value(cells, r, pc, "id", "profile id")
            if profile is None:
                if cells.missing(r, pc):
                    self.bad(cells, r, pc, "profile id is missing for the plan offered in this row")
                continue
            if profile in offer:
                self.bad(cells, r, pc, f"profile {quote(profile)} is offered twice")
                continue
            try:
                offered = _convert(raw, "offer", "plan id(s)")
            except ValueError as exc:
                self.bad(cells, r, oc, str(exc))
                continue
            listed = offered if isinstance(offered, list) else [offered]
            unknown = [p for p in listed if p not in plan_ids]
            if unknown:
                self.bad(cells, r, oc, f"unknown plan {', '.join(map(repr, unknown))}: not a plan id of the Plans sheet")
                continue
            offer[profile] = offered
        if offer:
            out["offer"] = offer
        self.stray(cells)

    def fees(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Fees")
        if cells is None:
            return
        fields = _fee_fields("")
        for key, value in self.key_values(cells, fields).items():
            path = _FEE_PATHS[key]
            node = out
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
        cols = {}
        for col, stem in sorted(cells.headers().items()):  # the first of each (`stray` reports a second)
            if stem.startswith("volume tier: from"):
                cols.setdefault("min_lines", col)
            elif stem.startswith("volume tier: discount"):
                cols.setdefault("percent", col)
        tiers = []
        if len(cols) == 2:
            for r in cells.rows():
                lo, pct = cells.get(r, cols["min_lines"]), cells.get(r, cols["percent"])
                if lo is None and pct is None:
                    continue
                tier = {}
                for key, kind, what in (("min_lines", "money", "volume tier lines"),
                                        ("percent", "percent", "volume tier discount")):
                    if cells.missing(r, cols[key]):
                        self.bad(cells, r, cols[key], f"{what} is missing (a tier needs lines and a discount)")
                        continue
                    v = self.value(cells, r, cols[key], kind, what)
                    if v is not None:
                        tier[key] = v
                tiers.append(tier)
        if tiers:
            out.setdefault("discounts", {})["volume"] = tiers
        self.stray(cells)

    def pool(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Pool")
        if cells is None:
            return
        pool = {}
        for r in cells.rows():
            rate = cells.get(r, 3)
            if rate is None:
                continue
            component = self.value(cells, r, 1, "id", "component")
            if component is None:
                if cells.missing(r, 1):
                    self.bad(cells, r, 1, "component is missing for the overage rate in this row")
                continue
            v = self.value(cells, r, 3, "money", f"{component} overage rate")
            if component in pool:
                self.bad(cells, r, 1, f"component {quote(component)} is pooled twice")
            elif v is not None:
                pool[component] = {"overage_rate": v}
        if pool:
            out["pool"] = pool
        self.stray(cells)

    def devices(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Devices")
        if cells is None:
            return
        devices: dict[str, Any] = {}
        prices = {}
        for r in cells.rows():
            price = cells.get(r, 3)
            if price is None:
                continue
            tier = self.value(cells, r, 1, "id", "device tier")
            if tier is None:
                if cells.missing(r, 1):
                    self.bad(cells, r, 1, "device tier is missing for the price in this row")
                continue
            v = self.value(cells, r, 3, "money", f"{tier} handset price")
            if tier in prices:
                self.bad(cells, r, 1, f"device tier {quote(tier)} is priced twice")
            elif v is not None:
                prices[tier] = v
        if prices:
            devices["prices"] = prices
        fund = self.value(cells, 2, 5, "money", "device fund")
        if fund is not None:
            devices["fund"] = fund
        if devices:
            out["devices"] = devices
        self.stray(cells)

    def portability(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Portability")
        if cells is None:
            return
        values = self.key_values(cells, _portability_fields(""))
        if values:
            out["portability"] = values
        self.stray(cells)

    def service(self, out: dict[str, Any]) -> None:
        cells = self.sheets.get("Service")
        if cells is None:
            return
        cols = self.columns(cells, {"read from": "path", "expected": "expected", "value": "value"})
        if "path" not in cols or "value" not in cols:
            if cells.rows():
                self.problems.append(Problem(self.shown, "Service!1:1", "no path or value column: "
                                                                      "use the buyer's template"))
            return
        service: dict[str, Any] = {}
        where: dict[str, str] = {}
        for r in cells.rows():
            raw = cells.get(r, cols["value"])
            if raw is None:
                continue
            path = cells.get(r, cols["path"])
            if not isinstance(path, str) or not path.startswith("service.") or path.endswith("."):
                self.bad(cells, r, cols["path"], f"path must be service.<name>, got {quote(path)}")
                continue
            kind = _row_kind(cells.get(r, cols.get("expected", 0)))
            what = path[len("service."):]
            v = self.value(cells, r, cols["value"], {"number": "number", "yes_no": "yesno"}.get(kind, "any"), what)
            if v is None:
                continue
            parts = path.split(".")[1:]
            node = service
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    break
            if not isinstance(node, dict) or isinstance(node.get(parts[-1]), dict):
                self.bad(cells, r, cols["path"], f"{path} is both a value and a block")
                continue
            if parts[-1] in node and node[parts[-1]] != v:
                self.bad(cells, r, cols["value"], f"{path} is also given in {where[path]} with another value")
                continue
            node[parts[-1]] = v
            where[path] = cells.at(r, cols["value"])
        if service:
            out["service"] = service
        self.stray(cells)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _convert(v: Any, kind: str, what: str) -> Any:
    """One cell value as the bid format wants it; ValueError with the message otherwise."""
    got = f" (got {quote(v)})" if not isinstance(v, (dt.date, dt.datetime)) else f" (got {quote(str(v))[1:-1]})"
    if kind == "money":
        if _is_number(v) and v >= 0:
            return v
        raise ValueError(f"{what} must be a number ≥ 0{got}")
    if kind == "share":
        if _is_number(v) and 0 <= v <= 1:
            return v
        raise ValueError(f"{what} must be a share from 0 to 1 (0.5 = half){got}")
    if kind == "percent":
        if _is_number(v) and 0 <= v <= 100:
            return v
        raise ValueError(f"{what} must be a percentage from 0 to 100{got}")
    if kind == "indexation":
        if _is_number(v) and -100 < v <= 100:
            return v
        raise ValueError(f"{what} must be a percentage above -100 and up to 100{got}")
    if kind == "number":
        if _is_number(v) and abs(v) <= MAX_NUMBER:
            return v
        if _is_number(v):  # what the template's validation refuses too; 1e308 would cost infinity
            raise ValueError(f"{what} must be a number from -1E+15 to 1E+15{got}")
        raise ValueError(f"{what} must be a number{got}")
    if kind == "allowance":
        if isinstance(v, str) and v.strip().lower() == "unlimited":
            return "unlimited"
        if _is_number(v) and v >= 0:
            return v
        raise ValueError(f"{what} must be a number ≥ 0 or unlimited{got}")
    if kind == "yesno":
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("yes", "no"):
            return v.strip().lower() == "yes"
        raise ValueError(f"{what} must be yes or no{got}")
    if kind == "date":
        if isinstance(v, dt.datetime):
            if v.time() != dt.time():
                raise ValueError(f"{what} must be a date without a time{got}")
            return v.date()
        if isinstance(v, dt.date):
            return v
        if isinstance(v, str) and _ISO_DATE.fullmatch(v.strip()):
            try:
                dt.date.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(f"{what}: {quote(v)} is not a calendar date") from None
            return v.strip()  # kept as text, as a quoted YAML date is
        raise ValueError(f"{what} must be a date (YYYY-MM-DD){got}")
    if kind == "id":
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)  # Excel turns an id like 2027 into a number
        if isinstance(v, str) and _ID.fullmatch(v.strip()):
            return v.strip()
        raise ValueError(f"{what} must be lowercase letters, digits, _ or -{got}")
    if kind == "text":
        if isinstance(v, bool):
            raise ValueError(f"{what} must be text{got}")
        if isinstance(v, (int, float)):
            return f"{v:g}" if isinstance(v, float) else str(v)  # a name typed as a number
        if isinstance(v, str):
            return v
        raise ValueError(f"{what} must be text{got}")
    if kind == "offer":
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            raise ValueError(f"{what} must be a plan id or plan ids separated by commas{got}")
        if "," not in v:
            return _convert(v, "id", "plan id")
        ids = [part.strip() for part in v.split(",") if part.strip()]
        for plan_id in ids:
            _convert(plan_id, "id", "plan id")
        if len(set(ids)) < len(ids):
            raise ValueError(f"{what}: the same plan is listed twice{got}")
        return ids
    if kind == "any":
        if isinstance(v, dt.datetime) and v.time() == dt.time():
            return v.date()
        return v
    raise AssertionError(kind)


def read_bid_xlsx(data: bytes, shown: str) -> dict[str, Any]:
    """Read a filled price schedule into the mapping a bid YAML file gives.

    Keys are those of the bid format; empty cells are absent keys, `unlimited` stays text,
    yes/no become booleans, dates become dates. Raises `TenderError` with one problem per
    defect, each naming the cell (``Plans!D7``)."""
    lower = shown.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlam")):
        raise TenderError.at(shown, WORKBOOK, "a macro-enabled workbook is not accepted: save it as .xlsx (Excel Workbook)")
    if lower.endswith(".xls"):
        raise TenderError.at(shown, WORKBOOK, "the old .xls format is not read: save it as .xlsx (Excel Workbook)")
    _check_package(data, shown)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Data Validation extension is not supported"
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        raise TenderError.at(shown, WORKBOOK, f"not a readable Excel workbook ({type(exc).__name__}: "
                                              f"{quote(str(exc), 200)[1:-1]})") from None
    problems: list[Problem] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sheets = {}
            for ws in wb.worksheets:
                if ws.title not in SHEETS:
                    continue
                sheets[ws.title] = cells = _Cells(ws, shown, problems)
                if ws.title in READ_SHEETS:
                    if ws.sheet_state != "visible":
                        # A hidden sheet is read while a visible one (a decoy) shows other prices.
                        problems.append(Problem(shown, ws.title, f"the sheet {ws.title} is hidden ({ws.sheet_state}) "
                                                                 "but it is what is evaluated: unhide it (a bid must "
                                                                 "show what is evaluated)"))
                    cells.hidden_data(ws, shown, problems)
    except ElementTree.ParseError as exc:
        raise TenderError.at(shown, WORKBOOK, f"not a readable Excel workbook (damaged sheet XML: {exc})") from None
    except Exception as exc:  # noqa: BLE001
        raise TenderError.at(shown, WORKBOOK, f"not a readable Excel workbook ({type(exc).__name__}: "
                                              f"{quote(str(exc), 200)[1:-1]})") from None
    finally:
        wb.close()
    missing = [name for name in REQUIRED_SHEETS if name not in sheets]
    if missing:
        what = f"sheet {missing[0]} is" if len(missing) == 1 else f"sheets {', '.join(missing)} are"
        problems.append(Problem(shown, WORKBOOK, f"{what} missing: fill in the buyer's template "
                                           f"(sheets {', '.join(SHEETS)})"))
        raise TenderError(problems)
    reader = _Reader(sheets, shown, problems)
    out: dict[str, Any] = {}
    reader.bid(out)
    plan_ids = reader.plans(out)
    reader.offer(out, plan_ids)
    reader.pool(out)
    reader.fees(out)
    reader.devices(out)
    reader.portability(out)
    reader.service(out)
    if problems:
        raise TenderError(problems)
    order = ("operator", "id", "valid_until", "plans", "offer", "pool", "fees", "discounts",
             "indexation_percent", "devices", "portability", "service")
    return {key: out[key] for key in order if key in out}


# --------------------------------------------------------------------------- converting


def tender_for(tender_dir: str | Path) -> Tender:
    """A tender from its tender.yaml alone: converting one bid must not depend on the others."""
    root = Path(tender_dir)
    shown = f"{str(tender_dir).rstrip('/')}/tender.yaml"
    if not (root / "tender.yaml").is_file():
        raise TenderError.at(shown, "", "file is missing")
    data = strip_nulls(read_yaml_mapping(root / "tender.yaml", shown))
    problems = control_characters(data, shown)  # its names are written into the schedule
    try:
        spec = TenderFile.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, shown)
    if problems:
        raise TenderError(problems)
    return Tender(folder=str(tender_dir), spec=spec, bids=())


def bid_yaml(raw_bid: dict[str, Any], source: str | None = None) -> str:
    """A bid mapping as YAML text in the style of the examples (flow style for leaf blocks)."""
    text = yaml.safe_dump(raw_bid, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    return (f"# Bid converted from {source} (amounts excl. VAT, usage per line per month).\n" if source else "") + text


def convert(bid_path: str | Path, tender_dir: str | Path, out_path: str | Path) -> None:
    """Convert a bid between YAML and the Excel schedule, by the file extensions:
    ``.yaml``/``.yml`` -> ``.xlsx`` (in the layout of the tender in `tender_dir`) or
    ``.xlsx`` -> ``.yaml``/``.yml`` (the tender is not needed). Lossless both ways."""
    src, dst = Path(bid_path), Path(out_path)
    yaml_ext = (".yaml", ".yml")
    if src.suffix.lower() in yaml_ext and dst.suffix.lower() == ".xlsx":
        raw = strip_nulls(read_yaml_mapping(src, str(bid_path)))
        _check_writable(raw, str(bid_path))
        tender = tender_for(tender_dir)
        _save(_Writer(tender.spec, tender.name, raw).build(), dst)
    elif src.suffix.lower() in (".xlsx", ".xlsm", ".xls") and dst.suffix.lower() in yaml_ext:
        try:
            data = src.read_bytes()
        except OSError as exc:
            raise TenderError.at(str(bid_path), "", f"cannot read file: {exc.strerror}") from None
        raw = read_bid_xlsx(data, str(bid_path))
        dst.write_text(bid_yaml(raw, src.name), encoding="utf-8")
    else:
        raise TenderError.at(str(bid_path), "", f"cannot convert {src.suffix or 'a file without extension'} to "
                                                f"{dst.suffix or 'a file without extension'}: "
                                                "convert .yaml/.yml to .xlsx or .xlsx to .yaml/.yml")
