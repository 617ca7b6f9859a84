"""The quarterly review minutes as an A4 PDF (docs/service-levels.md, "The quarterly review"),
``python -m monitoring review DIR --period 2027Q1 --out review.pdf [--lang fr] [--date …]``.

`review_pdf(files, period, lang="en", created=None, *, charts=True, key=None)` returns the
PDF's bytes; `render_pdf(review, lang, charts=True)` lays out a `reports.review.Review` already
built (the app page builds it once for both downloads). The sections are
`reports.review.minutes`' — this module only lays them out on the management report's page
(`reports.document.Document`: fpdf2, DejaVu fonts), with each KPI's status cell coloured and
the trend charts two per row (`reports.review_chart`: Pillow, no browser). ``created`` (default:
now) is the minutes' date, printed and stored in the PDF: fixed, the same contract folder gives
the same bytes, charts included. Raises `reports.document.ReportError` without the fonts or for
an unknown language, TenderError for bad input or a bad period.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fpdf import FontFace

from monitoring.api import ContractFiles

from .audit import fleetbid_version
from .document import BODY_PT, CONTENT_W, INK, MARGIN, MUTED, NAVY, RULE, SMALL_PT, TABLE_PT, Document, ReportError, t
from .formats import LANGS
from .review import STATUS_FILL, Charts, Heading, Minutes, Para, Review, Table, build_review, minutes
from .review_chart import HEIGHT, WIDTH, trend_png

CHART_GAP = 4.0  # mm between the two charts of a row


class ReviewDocument(Document):
    """The report's page, its header naming the contract and the minutes."""

    def __init__(self, m: Minutes):
        super().__init__(m.lang, m.tender, m.created.strftime("%Y-%m-%d %H:%M"))
        self.label = m.header

    def header(self):
        self.header_band(self.label)
        self.set_font("DejaVu", size=BODY_PT)

    def status_table(self, tab: Table) -> None:
        """A table whose ``status_col`` cells are filled in their status colour."""
        total = sum(tab.widths)
        widths = [w * CONTENT_W / total for w in tab.widths]
        size = TABLE_PT

        def draw() -> None:
            self.set_font("DejaVu", size=size)
            self.set_fill_color(255, 255, 255)
            self.set_draw_color(*RULE)
            self.set_line_width(0.2)
            heading = FontFace(family="DejaVu", emphasis="BOLD", color=(255, 255, 255), fill_color=NAVY, size_pt=size)
            with self.table_context(widths, list(tab.align), heading) as grid:
                row = grid.row()
                for i, cell in enumerate(tab.head):
                    row.cell(cell, align="LEFT" if tab.align[i] == "LEFT" else "RIGHT")
                for r, cells in enumerate(tab.rows):
                    row = grid.row()
                    status = tab.status[r] if r < len(tab.status) else None
                    for i, cell in enumerate(cells):
                        style = None
                        if i == tab.status_col and status is not None:
                            fill, ink = STATUS_FILL[status]
                            style = FontFace(family="DejaVu", emphasis="BOLD", color=ink, fill_color=fill,
                                             size_pt=size)
                        elif r in tab.bold_rows:
                            style = FontFace(family="DejaVu", emphasis="BOLD", size_pt=size)
                        row.cell(cell, style=style)
            self.ln(3)

        self.kept(draw)

    def charts(self, pngs: list[bytes]) -> None:
        """The charts two per row, each row kept whole on a page."""
        w = (CONTENT_W - CHART_GAP) / 2
        h = w * HEIGHT / WIDTH
        for i in range(0, len(pngs), 2):
            self.room(h + 2)
            y = self.get_y()
            for j, png in enumerate(pngs[i:i + 2]):
                self.image(png, x=MARGIN + j * (w + CHART_GAP), y=y, w=w, h=h)
            self.set_y(y + h + 2)
        self.ln(2)


def render_pdf(review: Review, lang: str = "en", charts: bool = True) -> bytes:
    """The PDF of a built review in ``lang`` ("en" or "fr"); ``charts=False``: tables only."""
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    m = minutes(review, lang)
    pdf = ReviewDocument(m)  # fails early without the fonts
    pdf.describe(m.created, f"{m.title} — {review.operator}", m.tender, m.author, f"Fleetbid {fleetbid_version()}")
    pdf.add_page()
    pdf.h1(m.title)
    for p in m.intro:
        _para(pdf, p)
    for section in m.sections:
        pdf.section(section.title)
        for block in section.blocks:
            if isinstance(block, Para):
                _para(pdf, block)
            elif isinstance(block, Heading):
                pdf.h2(block.text)
            elif isinstance(block, Table):
                if block.status_col is not None:
                    pdf.status_table(block)
                else:
                    pdf.table(list(block.head), [list(r) for r in block.rows], list(block.widths),
                              align=list(block.align), bold_rows=list(block.bold_rows))
            elif isinstance(block, Charts):
                if charts:
                    pdf.charts([trend_png(tr) for tr in block.trends])
                else:
                    _para(pdf, Para(t("review.trends.none", lang), muted=True))
    return bytes(pdf.output())


def _para(pdf: ReviewDocument, p: Para) -> None:
    pdf.para(p.text, color=MUTED if p.muted else INK, bold=p.bold, size=SMALL_PT + 0.5 if p.muted else BODY_PT)


def review_pdf(files: ContractFiles | str | Path, period: str, lang: str = "en", created: datetime | None = None,
               *, charts: bool = True, key: bytes | None = None) -> bytes:
    """The review minutes of ``period`` of a contract folder (on disk or uploaded) as PDF bytes.
    ``created``: the minutes' date (default: now); ``charts=False``: tables only; ``key``: the
    pseudonymisation key (default: the user's)."""
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return render_pdf(build_review(files, period, created, key), lang, charts)


__all__ = ["render_pdf", "review_pdf"]
