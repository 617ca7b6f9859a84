"""The quarterly review minutes as a Word document (docs/service-levels.md, "The quarterly
review"), ``python -m monitoring review DIR --period 2027Q1 --out review.docx [--lang fr]
[--date …]``: the same sections as the PDF (`reports.review.minutes`), in a .docx the buyer edits
(section 7 "Decisions and remarks" is left to fill in) before sending the minutes.

`review_docx(files, period, lang="en", created=None, *, charts=True, key=None)` returns the
.docx bytes; `render_docx(review, lang, charts=True)` lays out a `reports.review.Review`
already built. Written with python-docx on its default template, A4, headings in Word's own
heading styles (the navigation pane lists the sections), tables with a navy header row and each
KPI's status cell shaded; the trend charts are the PDF's PNGs (`reports.review_chart`), two per
row. Deterministic: the core properties (title, author, dates, revision) are set from the
review and ``created``, python-docx's ids are sequential, and the zip is rewritten with every
entry dated ``created`` — the same contract folder and date give the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document as new_document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from monitoring.api import ContractFiles

from .audit import fleetbid_version
from .document import ReportError, t
from .formats import LANGS
from .review import STATUS_FILL, Charts, Heading, Minutes, Para, Review, Table, build_review, minutes
from .review_chart import trend_png

NAVY = "1F3A5F"
MUTED = RGBColor(0x6B, 0x6B, 0x6B)
# review.STATUS_FILL as the hex strings Word takes.
STATUS_HEX = {s: tuple("".join(f"{c:02X}" for c in rgb) for rgb in pair) for s, pair in STATUS_FILL.items()}
CONTENT_MM = 180.0  # A4 minus 15 mm margins
CHART_MM = 88.0
DOCX_LANG = {"en": "en-GB", "fr": "fr-FR"}


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    props.append(shd)


def _cell_text(cell, text: str, *, bold: bool = False, colour: str | None = None, right: bool = False,
               size: float = 8.5) -> None:
    lines = text.split("\n")
    para = cell.paragraphs[0]
    for i, line in enumerate(lines):
        run = para.add_run(line)
        run.bold = bold
        run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = RGBColor.from_string(colour)
        if i < len(lines) - 1:
            run.add_break()
    para.paragraph_format.space_after = Pt(0)
    if right:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc, tab: Table) -> None:
    grid = doc.add_table(rows=1 + len(tab.rows), cols=len(tab.head))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    total = sum(tab.widths)
    for i, w in enumerate(tab.widths):
        for cell in grid.columns[i].cells:
            cell.width = Mm(CONTENT_MM * w / total)
    for i, text in enumerate(tab.head):
        cell = grid.rows[0].cells[i]
        _shade(cell, NAVY)
        _cell_text(cell, text, bold=True, colour="FFFFFF", right=tab.align[i] == "RIGHT")
    for r, cells in enumerate(tab.rows):
        status = tab.status[r] if r < len(tab.status) else None
        for i, text in enumerate(cells):
            cell = grid.rows[r + 1].cells[i]
            if i == tab.status_col and status is not None:
                fill, ink = STATUS_HEX[status]
                _shade(cell, fill)
                _cell_text(cell, text, bold=True, colour=ink, right=tab.align[i] == "RIGHT")
            else:
                _cell_text(cell, text, bold=r in tab.bold_rows, right=tab.align[i] == "RIGHT")
    doc.add_paragraph()


def _charts(doc, pngs: list[bytes]) -> None:
    grid = doc.add_table(rows=(len(pngs) + 1) // 2, cols=2)
    for i, png in enumerate(pngs):
        cell = grid.rows[i // 2].cells[i % 2]
        cell.paragraphs[0].add_run().add_picture(io.BytesIO(png), width=Mm(CHART_MM))
    doc.add_paragraph()


def _para(doc, p: Para) -> None:
    para = doc.add_paragraph()
    run = para.add_run(p.text)
    run.bold = p.bold
    if p.muted:
        run.font.color.rgb = MUTED
        run.font.size = Pt(9)


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The .docx with every zip entry dated ``when`` (python-docx dates them now), same order."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, src.read(item.filename))
    return out.getvalue()


def render_docx(review: Review, lang: str = "en", charts: bool = True) -> bytes:
    """The .docx of a built review in ``lang`` ("en" or "fr"); ``charts=False``: tables only."""
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    m: Minutes = minutes(review, lang)
    doc = new_document()
    package = doc.part.package  # the template's thumbnail (python-docx's own picture) is left out
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(15)
    section.top_margin = section.bottom_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10)
    rpr = normal.element.get_or_add_rPr()
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), DOCX_LANG[lang])
    rpr.append(language)
    head = section.header.paragraphs[0]
    head.text = f"{m.tender}\t\t{m.header}"
    foot = section.footer.paragraphs[0]
    foot.text = m.created.strftime("%Y-%m-%d")

    props = doc.core_properties
    props.title = f"{m.title} — {review.operator}"
    props.subject = m.tender
    props.author = m.author
    props.last_modified_by = m.author
    props.comments = f"Fleetbid {fleetbid_version()}"
    props.keywords = ""
    props.category = ""
    props.language = DOCX_LANG[lang]
    naive = m.created.replace(tzinfo=None)
    props.created = props.modified = props.last_printed = naive
    props.revision = 1

    doc.add_heading(m.title, level=0)
    for p in m.intro:
        _para(doc, p)
    for s in m.sections:
        doc.add_heading(s.title, level=1)
        for block in s.blocks:
            if isinstance(block, Para):
                _para(doc, block)
            elif isinstance(block, Heading):
                doc.add_heading(block.text, level=2)
            elif isinstance(block, Table):
                _table(doc, block)
            elif isinstance(block, Charts):
                if charts:
                    _charts(doc, [trend_png(tr) for tr in block.trends])
                else:
                    _para(doc, Para(t("review.trends.none", lang), muted=True))
    out = io.BytesIO()
    doc.save(out)
    return _fixed_zip(out.getvalue(), m.created)


def review_docx(files: ContractFiles | str | Path, period: str, lang: str = "en", created: datetime | None = None,
                *, charts: bool = True, key: bytes | None = None) -> bytes:
    """The review minutes of ``period`` of a contract folder (on disk or uploaded) as .docx
    bytes; arguments as `reports.review_pdf.review_pdf`."""
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return render_docx(build_review(files, period, created, key), lang, charts)


__all__ = ["render_docx", "review_docx"]
