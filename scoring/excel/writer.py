"""The Excel price schedule a buyer sends operators: `write_template` (empty) and
`write_bid_xlsx` (a bid written into it, as `scoring.excel.conversion` does from YAML).

The buyer's DQE is read-only, one sheet per block of the bid format, data validation on
every input cell. Sheets, columns, headers and fields come from `scoring.excel.schema`, the
validation of each kind of cell from `scoring.excel.kinds`; what is written here is read back
by `scoring.excel.reader`. The same input gives the same bytes (`save`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from pydantic import ValidationError

from ..errors import Problem, TenderError
from ..inputs import control_characters, pydantic_problems
from ..model import BidFile, Tender, TenderFile, UsageDistribution
from .kinds import RULE_TEXT, RULES, offer_text
from .schema import (
    BID_FIELDS,
    COMPONENT_TERMS,
    DEVICE_FUND,
    DEVICE_FUND_AT,
    DEVICES,
    FEE_PATHS,
    FEE_TIERS,
    FEE_TIERS_AT,
    KEY_VALUE,
    OFFER,
    PLAN_IDS_NAME,
    PLANS,
    POOL,
    SERVICE,
    component_header,
    expected_text,
    fee_fields,
    portability_fields,
    position,
    row_kind,
    unit,
)

TEMPLATE_PLAN_ROWS = 30  # empty plan rows offered in the template
TEMPLATE_TIER_ROWS = 10  # empty volume-tier rows
# A text starting with one of these would be taken for a formula by a spreadsheet.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


class Writer:
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
            seen.update(dict.fromkeys(plan.get("caps") or {}))
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

    def heads(self, columns) -> list[tuple]:
        """Header cells of schema columns (`scoring.excel.schema.Column`): (text, width)."""
        return [(c.text(self.cur), c.width) for c in columns]

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
        """Attach an Excel data validation of one kind (see RULES) to cell ranges."""
        rule = dict(RULES.get(kind, {}))
        rule.update(extra.pop("rule", {}))
        message = extra.pop("error", f"{what}: type {RULE_TEXT.get(kind, 'a valid value')}. Formulas are not accepted.")
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
            ("", f"The buyer cannot recover a {spec.non_recoverable_tax_percent:g}% tax on operator charges: "
                 "type every amount without it (caps included); the evaluation adds it to every charge."
             if spec.non_recoverable_tax_percent > 0 else ""),  # contract v1.1
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
            ("", f"Block rates and caps (optional, per component): a block size makes the rate a price per started "
                 f"block of that size beyond the allowance (2 GB for 10 {cur}: block 2, rate 10; 2.5 GB beyond the "
                 f"allowance bills 2 blocks). A cap is the most a rate per unit charges a line in a month ({cur}, "
                 f"indexed like the rate): 1 {cur} per GB up to 20 {cur} a month is rate 1, cap 20. A cap cannot go "
                 "with a block size, on a pooled component, or without a rate."),
            ("", "A plan that neither includes (allowance) nor prices (rate) a component that a profile uses "
                 "cannot serve that profile: fill both where they apply."),
            ("", "Offer: for each profile, the id of the plan you offer. Several ids separated by commas "
                 "(e.g. pro20, pro40) let the evaluation pick the cheapest mix."),
            ("", "Fees: one-off and monthly fees, yearly indexation (% per year, on monthly fees, rates, caps, the "
                 "account and line fees and the minimum spend), welcome credit and volume tiers (a discount on plan "
                 "monthly fees, from a number of initial lines in the whole fleet; the highest tier reached applies "
                 "for the whole term). A line fee is billed per line per month; with a minimum monthly spend, when a "
                 "month's recurring charges (subscriptions, usage, pool overage, account and line fees) are lower, "
                 "the difference is billed."),
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
            head.append((f"{c} ({unit(c)}/line/month{', mean' if has_spread else ''})", width, alt))
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
        self.header(ws, self.heads(KEY_VALUE))
        fc, lc, vc = (position(KEY_VALUE, key) for key in ("field", "label", "value"))
        for r, (key, label, kind, what) in enumerate(fields, start=2):
            self.fixed(ws, r, fc, key)
            self.fixed(ws, r, lc, label)
            fmt = {"money": "#,##0.00##", "date": "yyyy-mm-dd"}.get(kind, "General")
            self.input(ws, r, vc, values.get(key), fmt)
            ws.row_dimensions[r].height = 15 * _wrapped_lines(label, KEY_VALUE[lc - 1].width, body=True) + 3
            if kind in ("money", "share", "percent", "indexation", "date", "id", "text"):
                self.validate(ws, f"{get_column_letter(vc)}{r}", kind, what)
        return ws

    def bid(self) -> None:
        ws = self.key_values("Bid", BID_FIELDS, self.raw)
        self.protect(ws)

    def plans(self) -> int:
        """The Plans sheet; returns its last data row (the Offer list ends there). Each usage
        component has four columns side by side (`COMPONENT_TERMS`): allowance, rate, block
        size (a block rate `{block, price}`: its price in the rate column) and cap."""
        ws = self.sheet("Plans")
        cur = self.cur
        head = self.heads(PLANS)
        first = len(PLANS) + 1
        for i, c in enumerate(self.components):
            width = max(16, len(c) + 2)  # never break a component name or unit
            head += [(component_header(c, term, cur), width, i % 2 == 1) for term in COMPONENT_TERMS]
        self.header(ws, head)
        plans = self.raw.get("plans") or []
        last = 1 + max(TEMPLATE_PLAN_ROWS, len(plans))
        for r in range(2, last + 1):
            plan = plans[r - 2] if r - 2 < len(plans) else {}
            self.input(ws, r, 1, plan.get("id"))
            self.input(ws, r, 2, plan.get("name"))
            self.input(ws, r, 3, plan.get("monthly_fee"), "#,##0.00##")
            for i, c in enumerate(self.components):
                for j, (term, value) in enumerate(_component_cells(plan, c).items()):
                    fmt, align = _TERM_FORMATS[term]
                    self.input(ws, r, first + len(COMPONENT_TERMS) * i + j, value, fmt, align=align)
        self.validate(ws, f"A2:A{last}", "id", "Plan id")
        self.validate(ws, f"C2:C{last}", "money", "Monthly fee")

        for i, c in enumerate(self.components):
            letters = {term: get_column_letter(first + len(COMPONENT_TERMS) * i + j)
                       for j, term in enumerate(COMPONENT_TERMS)}
            a, r, b, k = (letters[term] for term in ("allowance", "rate", "block", "cap"))
            u = unit(c)
            self.validate(ws, f"{a}2:{a}{last}", "custom", f"{c} allowance",
                          rule=dict(type="custom", formula1=f'OR(AND(ISNUMBER({a}2),{a}2>=0),{a}2="unlimited")'),
                          error=f"{c} allowance: a number ≥ 0 ({u} per line per month) or unlimited.")
            self.validate(ws, f"{r}2:{r}{last}", "money", f"{c} rate",
                          prompt=f"{c} rate: a number ≥ 0, {cur} per {u} beyond the allowance, or per started "
                                 f"block when the {c} block column is filled. Formulas are not accepted.")
            self.validate(ws, f"{b}2:{b}{last}", "positive", f"{c} block",
                          prompt=f"{c} block: a number > 0 ({u}). The rate is then the price per started block "
                                 f"beyond the allowance (2 {u} for 10 {cur}: block 2, rate 10). Empty: the rate is "
                                 f"per {u}. Formulas are not accepted.")
            self.validate(ws, f"{k}2:{k}{last}", "money", f"{c} cap",
                          prompt=f"{c} cap: a number ≥ 0, {cur} per line per month: the most the rate charges a line "
                                 "(indexed like it). Only on a rate per unit (no block) of a component that is not "
                                 "pooled. Formulas are not accepted.")
        self.protect(ws, freeze="B2", insert_rows=True)

        self.wb.defined_names[PLAN_IDS_NAME] = DefinedName(PLAN_IDS_NAME, attr_text=f"Plans!$A$2:$A${last}")
        return last

    def offer(self) -> None:
        ws = self.sheet("Offer")
        self.header(ws, self.heads(OFFER))
        offer = self.raw.get("offer") or {}
        rows = [(p.id, p.name, sum(p.lines.values())) for p in self.spec.profiles]
        known = {p.id for p in self.spec.profiles}
        rows += [(k, None, None) for k in offer if k not in known]  # kept so the loader can report them
        for r, (pid, name, lines) in enumerate(rows, start=2):
            self.fixed(ws, r, 1, pid)
            self.fixed(ws, r, 2, name)
            self.fixed(ws, r, 3, lines, "#,##0.##")
            self.input(ws, r, 4, offer_text(offer.get(pid)))
        last = len(rows) + 1
        if rows:
            # A warning, not a stop: a comma-separated list is not one item of the list.
            self.validate(ws, f"D2:D{last}", "list", "Plan id(s)", rule=dict(type="list", formula1=PLAN_IDS_NAME),
                          errorStyle="warning",
                          error="Not a plan id of the Plans sheet. Several plans: separate their ids with commas.",
                          prompt="Pick a plan id of the Plans sheet, or type several separated by commas.")
        self.protect(ws)

    def fees(self) -> None:
        values = {key: _get(self.raw, path) for key, path in FEE_PATHS.items()}
        ws = self.key_values("Fees", fee_fields(self.cur), values)
        self.header(ws, self.heads(FEE_TIERS), col=FEE_TIERS_AT)
        ws.column_dimensions[get_column_letter(FEE_TIERS_AT - 1)].width = 3
        tiers = _get(self.raw, ("discounts", "volume")) or []
        last = 1 + max(TEMPLATE_TIER_ROWS, len(tiers))
        lo, pct = (position(FEE_TIERS, key, FEE_TIERS_AT) for key in ("min_lines", "percent"))
        for r in range(2, last + 1):
            tier = tiers[r - 2] if r - 2 < len(tiers) else {}
            self.input(ws, r, lo, tier.get("min_lines"), "#,##0.##")
            self.input(ws, r, pct, tier.get("percent"), "General", align="right")
        a, b = get_column_letter(lo), get_column_letter(pct)
        self.validate(ws, f"{a}2:{a}{last}", "money", "Volume tier: from",
                      error="Volume tier: the number of initial lines (whole fleet) from which the discount "
                            "applies, a number ≥ 0.")
        self.validate(ws, f"{b}2:{b}{last}", "percent", "Volume tier: discount")
        self.protect(ws)

    def pool(self) -> None:
        ws = self.sheet("Pool")
        self.header(ws, self.heads(POOL))
        pool = self.raw.get("pool") or {}
        cc, uc, rc = (position(POOL, key) for key in ("component", "unit", "overage_rate"))
        for r, c in enumerate(self.components, start=2):
            self.fixed(ws, r, cc, c)
            self.fixed(ws, r, uc, unit(c))
            self.input(ws, r, rc, (pool.get(c) or {}).get("overage_rate"), "#,##0.00##")
        if self.components:
            a = get_column_letter(rc)
            self.validate(ws, f"{a}2:{a}{len(self.components) + 1}", "money", "Overage rate")
        self.protect(ws)

    def devices(self) -> None:
        ws = self.sheet("Devices")
        self.header(ws, self.heads(DEVICES))
        self.header(ws, self.heads((DEVICE_FUND,)), col=DEVICE_FUND_AT[1])
        ws.column_dimensions[get_column_letter(DEVICE_FUND_AT[1] - 1)].width = 3
        devices = self.raw.get("devices") or {}
        prices = devices.get("prices") or {}
        needed: dict[str, list[str]] = {}
        for p in self.spec.profiles:
            if p.device:
                needed.setdefault(p.device.tier, []).append(f"{p.id} ({p.device.refresh_months:g})")
        tiers = list(needed) + [t for t in prices if t not in needed]
        tc, nc, pc = (position(DEVICES, key) for key in ("tier", "needed_by", "price"))
        for r, tier in enumerate(tiers, start=2):
            self.fixed(ws, r, tc, tier)
            self.fixed(ws, r, nc, ", ".join(needed.get(tier, [])) or "(no profile)")
            self.input(ws, r, pc, prices.get(tier), "#,##0.00##")
        if tiers:
            a = get_column_letter(pc)
            self.validate(ws, f"{a}2:{a}{len(tiers) + 1}", "money", "Handset price")
        self.input(ws, *DEVICE_FUND_AT, devices.get("fund"), "#,##0.00##")
        self.validate(ws, ws.cell(*DEVICE_FUND_AT).coordinate, "money", "Device fund")
        self.protect(ws)

    def portability(self) -> None:
        ws = self.key_values("Portability", portability_fields(self.cur), self.raw.get("portability") or {})
        self.protect(ws)

    def service(self) -> None:
        ws = self.sheet("Service")
        service = self.raw.get("service") or {}
        longest = max([len(c.from_) for c in self.spec.evaluation.criteria]
                      + [len(p) for p, _ in _leaves(service, "service")], default=0)
        longest_id = max([len(c.id) for c in self.spec.evaluation.criteria], default=0)
        head = self.heads(SERVICE)
        head[0] = (head[0][0], max(head[0][1], longest_id + 2))
        head[3] = (head[3][0], max(head[3][1], longest + 2))
        self.header(ws, head)
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
            rows.append([c.id, c.name or c.id, c.weight, c.from_, expected_text(c)])
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
            kind = row_kind(expected)
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


# Number format and alignment of a component's cells, by term (`COMPONENT_TERMS`).
_TERM_FORMATS = {"allowance": ("General", "right"), "rate": ("#,##0.00##", "center"),
                 "block": ("General", "right"), "cap": ("#,##0.00##", "center")}


def _component_cells(plan: dict[str, Any], component: str) -> dict[str, Any]:
    """A plan's cells for one component by term, in `COMPONENT_TERMS` order: allowance, rate
    (a block rate's price), block size, cap."""
    rate = (plan.get("rates") or {}).get(component)
    block = None
    if isinstance(rate, dict):  # a block rate {block, price} (contract v1.1)
        rate, block = rate.get("price"), rate.get("block")
    cells = {"allowance": (plan.get("allowances") or {}).get(component), "rate": rate, "block": block,
             "cap": (plan.get("caps") or {}).get(component)}
    return {term: cells[term] for term in COMPONENT_TERMS}


def _mean(u: Any) -> Any:
    return u.mean if isinstance(u, UsageDistribution) else u


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


def check_writable(raw: dict[str, Any], shown: str) -> None:
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


def save(wb, path: str | Path | IO[bytes]) -> None:
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
    save(Writer(tender.spec, tender.name, {}).build(), path)


def write_bid_xlsx(raw_bid: dict[str, Any], tender: Tender, path: str | Path | IO[bytes]) -> None:
    """Write a bid mapping (as a bid YAML file gives it) into the tender's schedule layout."""
    check_writable(raw_bid, str(path) if isinstance(path, (str, Path)) else "bid")
    save(Writer(tender.spec, tender.name, raw_bid).build(), path)
