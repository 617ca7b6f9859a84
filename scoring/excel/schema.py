"""The layout of the Excel price schedule, declared once for the template writer
(`scoring.excel.writer`) and the bid reader (`scoring.excel.reader`): its sheets, the
columns of each (header with its unit, width, the key the reader takes from it), the
single-value fields, the units of usage components and the "Expected" text of a service
row. A header is written from here and read back by its stem (`stem`), so the two sides
cannot drift apart. What a cell of each kind may hold is in `scoring.excel.kinds`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHEETS = ("Instructions", "Profiles", "Bid", "Plans", "Offer", "Fees", "Pool", "Devices", "Portability", "Service")
REQUIRED_SHEETS = ("Bid", "Plans", "Offer")
PLAN_IDS_NAME = "plan_ids"  # defined name of the Plans id column, used by the Offer list
WORKBOOK = "(workbook)"  # the field of a problem with the whole workbook (not a zip, a sheet missing)


def stem(header: str) -> str:
    """What a header names, without its unit: "Monthly fee (EUR/month)" -> "monthly fee"."""
    return header.split("(", 1)[0].strip().lower()


@dataclass(frozen=True)
class Column:
    """One column of a bid sheet: its header (``{cur}`` stands for the tender's currency),
    its width in characters, and its key ("": a column the reader does not take). The reader
    finds the columns of PLANS, OFFER and SERVICE by their header (`wanted`), those of the
    other tables by their place (`position`), as the writer puts them."""

    header: str
    width: float
    key: str = ""

    def text(self, cur: str = "") -> str:
        return self.header.format(cur=cur)

    @property
    def stem(self) -> str:
        return stem(self.header)


def position(columns: tuple[Column, ...], key: str, first: int = 1) -> int:
    """The column number of a key in a run of columns starting at column `first`."""
    return first + [c.key for c in columns].index(key)


def wanted(columns: tuple[Column, ...]) -> dict[str, str]:
    """Header stem -> key of the columns the reader takes."""
    return {c.stem: c.key for c in columns if c.key}


# A sheet of single values (Bid, Fees, Portability): format key, what it is, value.
KEY_VALUE = (Column("Field (format key)", 22, "field"), Column("What it is (unit, excl. VAT)", 74, "label"),
             Column("Value", 18, "value"))
PLANS = (Column("Plan id (lowercase a-z 0-9 _ -)", 14, "id"), Column("Plan name", 26, "name"),
         Column("Monthly fee ({cur}/line/month, excl. VAT)", 16, "monthly_fee"))
# ... then four columns per usage component (`COMPONENT_TERMS`, `component_header`).
OFFER = (Column("Profile id", 14, "profile"), Column("Profile name", 30), Column("Lines at start (all entities)", 12),
         Column("Plan id(s) (from the Plans sheet; several: comma-separated, the cheapest mix is used)", 34, "plans"))
FEE_TIERS_AT = 5  # the volume tiers' first column on the Fees sheet (E), right of the key-value table
FEE_TIERS = (Column("Volume tier: from (initial lines, whole fleet)", 18, "min_lines"),
             Column("Volume tier: discount (% off plan monthly fees)", 18, "percent"))
POOL = (Column("Component", 22, "component"), Column("Unit", 8, "unit"),
        Column("Overage rate ({cur} per unit beyond the fleet's pooled allowance, excl. VAT; empty = not pooled)", 30,
               "overage_rate"))
DEVICES = (Column("Device tier", 14, "tier"), Column("Needed by profiles (refresh in months)", 34, "needed_by"),
           Column("Price ({cur} per handset, excl. VAT)", 16, "price"))
DEVICE_FUND_AT = (2, 5)  # the device fund's cell (E2), under its own header
DEVICE_FUND = Column("Device fund ({cur} over the term, excl. VAT, usable on handsets only)", 24, "fund")
# Widths of the id and path columns are minimums: the writer widens them for long ids.
SERVICE = (Column("Criterion id", 16), Column("Criterion", 34), Column("Weight (points of 100)", 10),
           Column("Read from (path in the bid)", 30, "path"), Column("Expected (number or yes/no)", 40, "expected"),
           Column("Value (number, or yes/no as expected)", 18, "value"))

# The sheets a bid is read from (Instructions and Profiles are the buyer's), and the header
# stems of the columns the template writes on each: a value under another header would not
# be read, so it is refused (`scoring.excel.reader._Reader.stray`). Plans also has an
# allowance, a rate, a block and a cap column per usage component (`COMPONENT_HEADER`).
_SHEET_COLUMNS = {
    "Bid": KEY_VALUE,
    "Plans": PLANS,
    "Offer": OFFER,
    "Fees": KEY_VALUE + FEE_TIERS,
    "Pool": POOL,
    "Devices": (*DEVICES, DEVICE_FUND),
    "Portability": KEY_VALUE,
    "Service": SERVICE,
}
COLUMNS = {sheet: tuple(c.stem for c in columns) for sheet, columns in _SHEET_COLUMNS.items()}
READ_SHEETS = tuple(COLUMNS)

# A usage component's columns on Plans, side by side in this order: term -> the kind of its
# cells (`scoring.excel.kinds`). A rate with a block size is a block rate `{block, price}` of
# `rates` (contract v1.1), its rate cell holding the price per block; a cap fills `caps`.
COMPONENT_TERMS = {"allowance": "allowance", "rate": "money", "block": "positive", "cap": "money"}
COMPONENT_HEADER = re.compile(r"([a-z0-9_-]+) (allowance|rate|block|cap)")  # the stem of a component's column


def component_header(component: str, term: str, cur: str) -> str:
    """The header of one of a component's columns (`COMPONENT_TERMS`), with its unit."""
    u = unit(component)
    return {
        "allowance": f"{component} allowance ({u}/line/month, a number or unlimited)",
        "rate": f"{component} rate ({cur}/{u} beyond the allowance, excl. VAT)",
        "block": f"{component} block ({u} per block; empty = rate per {u})",
        "cap": f"{component} cap ({cur}/line/month at most, excl. VAT)",
    }[term]


def unit(component: str) -> str:
    """The unit a component is counted in, from its name (an open vocabulary)."""
    last = component.rsplit("_", 1)[-1]
    return {"gb": "GB", "mb": "MB", "min": "min", "minutes": "min", "sms": "SMS", "mms": "MMS"}.get(last, "unit")


# --------------------------------------------------------------------------- single-value fields
# (key in the block, label with its unit, kind (`scoring.excel.kinds`), short name for messages).

BID_FIELDS = (
    ("operator", "Operator (company name)", "text", "operator"),
    ("id", "Bid id (lowercase a-z 0-9 _ -; empty: the file name is the bid id)", "id", "bid id"),
    ("valid_until", "Offer valid until (date, YYYY-MM-DD)", "date", "valid until"),
)

# key -> path of the value in the bid mapping
FEE_PATHS = {
    "setup": ("fees", "setup"),
    "per_line_activation": ("fees", "per_line_activation"),
    "sim_card": ("fees", "sim_card"),
    "account_monthly": ("fees", "account_monthly"),
    "indexation_percent": ("indexation_percent",),
    "welcome_credit": ("discounts", "welcome_credit"),
    "per_line_monthly": ("fees", "per_line_monthly"),  # contract v1.1
    "minimum_monthly_spend": ("fees", "minimum_monthly_spend"),  # contract v1.1
}


def fee_fields(cur: str) -> tuple[tuple[str, str, str, str], ...]:
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
        ("per_line_monthly",
         f"Line fee ({cur} per line per month, recurring: a regulatory or admin surcharge; no volume discount)",
         "money", "line fee"),
        ("minimum_monthly_spend",
         f"Minimum monthly spend ({cur}/month, indexed: when a month's recurring charges are lower, the difference "
         "is billed)",
         "money", "minimum monthly spend"),
    )


def portability_fields(cur: str) -> tuple[tuple[str, str, str, str], ...]:
    return (
        ("fee_per_number", f"Porting fee ({cur} per ported number, one-off)", "money", "porting fee"),
        ("exit_fee_refund",
         "Refund of the incumbent's exit fee (share 0..1 of it: 0.5 = half, 1 = all)", "share", "exit fee refund"),
        ("migration_credit", f"Migration credit ({cur}, one-off, funded by you)", "money", "migration credit"),
    )


# --------------------------------------------------------------------------- service rows
# The "Expected" text of a Service row says what its value is; the reader reads the kind back.


def expected_text(c) -> str:
    if c.kind == "numeric":
        text = f"number, {'higher' if c.higher_is_better else 'lower'} is better: best {c.best:g}, worst {c.worst:g}"
        if c.limit is not None:
            text += f"; {'under' if c.higher_is_better else 'over'} {c.limit:g} excludes the bid"
        return text
    text = "yes/no: yes earns the points"
    if c.required:
        text += "; no (or empty) excludes the bid"
    return text


def row_kind(expected: object) -> str:
    text = str(expected or "")
    return "number" if text.startswith("number") else "yes_no" if text.startswith("yes/no") else "any"
