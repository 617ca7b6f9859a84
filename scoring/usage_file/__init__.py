"""Measured usage: the incumbent's billing export, one row per line and month.

tender.yaml names the export and maps its headers to roles::

    usage_file:
      path: usage.csv
      columns: {line: msisdn, entity: cost_centre, profile: category, month: period,
                voice_min: voice_minutes, data_gb: data_mb, sms: sms_count}
      units: {data_gb: MB}          # converted on load

Roles ``line``, ``entity`` and ``month`` are required, ``profile`` is optional; every other
key of ``columns`` is a usage component id (``[a-z0-9_-]+``), read in the format's units.

Units. A component whose id ends in ``_gb`` is data, in GB; one ending in ``_min`` is voice,
in minutes. ``units`` converts on load: data from ``KB``, ``MB``, ``GB`` or ``TB``, voice from
``s``, ``min`` or ``h``. Data units are *decimal*, as operators bill them: 1 GB = 1000 MB =
1,000,000 KB, 1 TB = 1000 GB (not 1024). Any other unit, or a unit on a component of another
kind (``sms``), is an error naming ``units.<component>``.

Privacy. Line identifiers (phone numbers) are pseudonymised on load with a keyed
HMAC-SHA256 (`pseudonymise`; the key: `pseudonym_key`): the results hold ``L-`` + 16 hex
digits, a new line is hashed as soon as it is read and the raw ids are dropped with the file's
chunks; no error message ever shows a raw identifier (errors name the row in the file, and a
cell quoted in an error has anything like a phone number replaced by ``…``: the one rule of
`scoring.errors.redact`, applied to every problem of every file).

Errors. Every defect is collected and raised together as one `TenderError` (at most
`MAX_PROBLEMS` problems, then "… and N more"), each naming the file, the row as numbered in
the file (header = row 1) and the column. Rows whose mapped cells are all empty are
skipped. Row numbers count physical lines of a CSV, so a quoted cell holding a line break
shifts the rows named after it. A CSV row with more or fewer cells than the header is an
error naming the row and both counts (never read shifted or padded), and a comma-separated
file whose extra cells look like decimal commas (``945,4``) says so; those errors come
alone, as the other cells of such rows mean nothing. A usage over `MAX_AMOUNT` (10¹², the
model's bound on every amount) in the format's units is an error; so is, before anything is
parsed, a header row of more than `MAX_COLUMNS` cells.

Scale. A CSV is read in chunks, mapped columns only, by pyarrow's streaming reader in a
thread that parses the next chunks while the caller reduces the last one (pyarrow refusing a
cell — text in a number column, a ragged row — hands the file to pandas' C parser, whose
chunks the cell checks then name row by row). Line ids are matched a chunk at a time without a
Python loop over rows (`LineIndex`). `read_line_usage` reduces each chunk straight into the
per-line (N, K, C) usage (`Grid`), never building the long table: 1M lines × 12 months × 8
components (12M rows) load in ~8 s with a peak of ~1.85 GB on 2 cores, the file's 0.75 GB of
bytes and the 0.73 GB result included (docs/billing-exports.md). `read_usage_table` keeps
the long table (one row per line and month: the profile builder's input).

One concept a module, each importing only those above it in this list:

- `memory`: pyarrow's allocator and zeroed arrays in anonymous maps;
- `problems`: how defects are reported (capped, cells quoted with phone numbers hidden);
- `cells`: one cell as text or as a number;
- `months`: the forms of a month, and the range an export may cover;
- `pseudonyms`: the keyed pseudonyms of line identifiers, and the key;
- `line_index`: line identifiers → line indices, a chunk at a time;
- `arrow`: pyarrow's CSV reader, chunks parsed ahead by a thread, cells counted;
- `ragged`: rows whose cells do not match the header, decimal commas;
- `sources`: the chunks of a CSV or of a workbook;
- `decoding`: the cell checks and decoding of one chunk;
- `table`: the long table (`read_usage_table`) and the checks over the whole file;
- `grid`: the per-line arrays (`LineUsage`, `read_line_usage`, `line_usage`);
- `records`: typed records of other exports (an operator's invoice rows, a line inventory: `RecordSpec`, `read_records`), read by the same chunk sources, checks and problems.
"""

# The public names and limits, importable from here as before the split. Tuning knobs (block
# and slab sizes) and limits are read where they are used: a test changes them there.
from ..errors import has_phone_number, redact  # noqa: F401  (errors' one rule, re-exported as before)
from ..model import (  # noqa: F401  (the spec lives with the tender's model; re-exported here)
    DATA_UNITS,
    MAX_AMOUNT,
    REQUIRED_ROLES,
    ROLES,
    VOICE_UNITS,
    ProfileRule,
    Range,
    UsageFileSpec,
    component_kind,
    unit_factor,
)
from .grid import LineUsage, line_usage, read_line_usage  # noqa: F401
from .months import MAX_MONTHS, month_ordinal  # noqa: F401
from .problems import MAX_PROBLEMS  # noqa: F401
from .pseudonyms import KEY_BYTES, KEY_ENV, MIN_KEY_BYTES, key_file, pseudonym_key, pseudonymise  # noqa: F401
from .sources import MAX_COLUMNS  # noqa: F401
from .table import MAX_BYTES, read_usage_table  # noqa: F401
