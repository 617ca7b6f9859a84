"""One text catalogue for everything a person reads: the app's pages, the charts, the PDF
report, the risk sentences, the evaluation workbook and the command lines' words.

`t(key, lang, **kw)` is the one lookup: the text of ``key`` in ``lang``, formatted with ``kw``;
an unknown key or language raises KeyError, so a typo never shows up as an empty label. The
texts are kept in one file per output (`charts`, `app`, `report`, `risks`, `workbook`,
`names`) and the cost components' names and rules come from scoring/components.py; they are
merged here into `TEXT`, and a key declared twice is an error at import. Where two outputs
say the same thing differently today, each has its own key (``usage.data_gb`` "Data" in a
chart, ``usage_unit.data_gb`` "Data (GB)" on a page; ``costs.by_component`` on the Costs page,
``report.by_component`` in the PDF). Number formats are in reports/formats.py.
"""

from __future__ import annotations

from scoring.components import catalogue

from .app import APP_TEXT
from .audit import AUDIT_TEXT
from .audit_app import AUDIT_APP_TEXT
from .award import AWARD_TEXT
from .charts import CHART_TEXT
from .claims import CLAIMS_TEXT
from .names import NAMES_TEXT
from .report import REPORT_TEXT
from .review import REVIEW_TEXT
from .risks import RISK_TEXT
from .service_app import SERVICE_APP_TEXT
from .service_levels import SERVICE_TEXT
from .workbook import WORKBOOK_TEXT


def _merged(*parts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for part in parts:
        twice = sorted(out.keys() & part.keys())
        if twice:
            raise KeyError(f"text keys declared twice: {', '.join(twice)}")
        out.update(part)
    return out


TEXT: dict[str, dict[str, str]] = _merged(catalogue(), CHART_TEXT, APP_TEXT, REPORT_TEXT, RISK_TEXT, WORKBOOK_TEXT,
                                          NAMES_TEXT, AWARD_TEXT, AUDIT_TEXT, CLAIMS_TEXT,
                                          AUDIT_APP_TEXT, SERVICE_TEXT, REVIEW_TEXT, SERVICE_APP_TEXT)


def t(key: str, lang: str, **kw) -> str:
    """The text ``key`` in ``lang``, formatted with ``kw`` (KeyError if either is unknown)."""
    text = TEXT[key][lang]
    return text.format(**kw) if kw else text


__all__ = ["TEXT", "t"]
