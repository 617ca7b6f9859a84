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

One concept a module, each importing only those above it in this list:

- `schema`: sheets, columns (header, unit, width, the key read), fields — the layout shared
  by the writer and the reader;
- `kinds`: what a cell of each kind holds — its Excel validation and how it is read back;
- `writer`: the template and a bid written into it (`write_template`, `write_bid_xlsx`);
- `package`: the zip checks made before openpyxl opens a workbook (limits, macros, DTDs);
- `cells`: a sheet's values as a person sees them (formulas, hidden rows and columns…);
- `reader`: a filled schedule read back into a bid mapping (`read_bid_xlsx`);
- `conversion`: YAML ↔ Excel (`convert`, `tender_for`, `bid_yaml`).
"""

from .cells import MAX_COLS, MAX_ROWS
from .conversion import bid_yaml, convert, tender_for
from .kinds import MAX_NUMBER
from .package import MAX_XLSX_BYTES, MAX_XLSX_ENTRIES, MAX_XLSX_UNPACKED
from .reader import read_bid_xlsx
from .schema import COLUMNS, PLAN_IDS_NAME, READ_SHEETS, REQUIRED_SHEETS, SHEETS, WORKBOOK
from .writer import FIXED_TIME, TEMPLATE_PLAN_ROWS, TEMPLATE_TIER_ROWS, write_bid_xlsx, write_template

__all__ = [
    "COLUMNS", "FIXED_TIME", "MAX_COLS", "MAX_NUMBER", "MAX_ROWS", "MAX_XLSX_BYTES", "MAX_XLSX_ENTRIES",
    "MAX_XLSX_UNPACKED", "PLAN_IDS_NAME", "READ_SHEETS", "REQUIRED_SHEETS", "SHEETS", "TEMPLATE_PLAN_ROWS",
    "TEMPLATE_TIER_ROWS", "WORKBOOK", "bid_yaml", "convert", "read_bid_xlsx", "tender_for", "write_bid_xlsx",
    "write_template",
]
