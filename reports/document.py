"""The PDF's page: DejaVu fonts, colours, header and footer, and the building blocks every
section uses (headings, paragraphs, lists, notes, tables, images), in English or French typography."""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Sequence
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableCellFillMode, XPos, YPos

from .formats import french
from .text import t as text

# --------------------------------------------------------------------------- fonts

FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
MONO_FILE = "DejaVuSansMono.ttf"
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu",  # Fedora, Arch
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/truetype",
    "/usr/local/share/fonts",
    "/usr/share/fonts",
)


class ReportError(RuntimeError):
    """The report cannot be built (a missing font, an unknown language)."""


def find_font_dir() -> Path:
    """The folder holding DejaVu Sans (regular, bold, mono): ``FLEETBID_FONT_DIR`` if set,
    else the usual system folders (searched one level deep)."""
    wanted = [*FONT_FILES.values(), MONO_FILE]
    candidates: list[Path] = []
    if env := os.environ.get("FLEETBID_FONT_DIR"):
        candidates.append(Path(env))
    for d in FONT_DIRS:
        root = Path(d)
        candidates.append(root)
        if root.is_dir():
            candidates += sorted(p for p in root.iterdir() if p.is_dir() and "dejavu" in p.name.lower())
    for folder in candidates:
        if all((folder / f).is_file() for f in wanted):
            return folder
    raise ReportError(
        f"DejaVu Sans not found ({', '.join(wanted)}): the PDF report needs it to print €, accents and « ». "
        f"Install Debian's {FONT_PACKAGE} package (apt-get install {FONT_PACKAGE}) "
        "or set FLEETBID_FONT_DIR to a folder holding those files."
    )


# --------------------------------------------------------------------------- texts


def t(key: str, lang: str, **kw) -> str:
    """The report's lookup: the catalogue's text (reports/text), set in French typography."""
    out = text(key, lang, **kw)
    return french(out) if lang == "fr" else out


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


# --------------------------------------------------------------------------- the document

PAGE_W, MARGIN = 210.0, 15.0
CONTENT_W = PAGE_W - 2 * MARGIN
INK = (43, 43, 43)
MUTED = (107, 107, 107)
NAVY = (31, 58, 95)
RULE = (200, 205, 212)
ZEBRA = (244, 246, 248)
GOOD = (232, 244, 234)
GOOD_INK = (26, 94, 42)
BAD = (251, 234, 234)
BAD_INK = (160, 27, 27)
NOTE = (255, 246, 219)
BODY_PT, SMALL_PT, TABLE_PT = 9.5, 8, 8.5
DRY_RUN_BELOW_MM = 140.0  # blocks are shorter than this, bar very long tables (which break anyway)


PAGE_COUNT_ALIAS = "\x00fleetbid-page-count\x00"


class Document(FPDF):
    def __init__(self, lang: str, tender_name: str, generated: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        # fpdf2 replaces its page-count alias in every text; the default "{nb}" could sit
        # in an operator's name.
        self.alias_nb_pages(PAGE_COUNT_ALIAS)
        self.lang = lang
        self.tender_name = tender_name
        self.generated = generated
        self.set_margins(MARGIN, 20, MARGIN)
        self.set_auto_page_break(True, margin=18)
        folder = find_font_dir()
        for style, file in FONT_FILES.items():
            self.add_font("DejaVu", style, str(folder / file))
        self.add_font("DejaVuMono", "", str(folder / MONO_FILE))
        self.set_font("DejaVu", size=BODY_PT)
        self.set_text_color(*INK)
        self._pending: list = []  # headings and intros drawn with the next block

    def describe(self, created, title: str, subject: str, author: str, creator: str) -> None:
        """The PDF's metadata; ``created`` fixed, the same inputs give the same bytes."""
        self.set_creation_date(created)
        self.set_title(title)
        self.set_subject(subject)
        self.set_creator(creator)
        self.set_author(author)
        self.set_lang(self.lang)

    def header_band(self, label: str) -> None:
        """The page's header: the tender's name (shortened to fit) left, ``label`` right, a
        rule under them; the cursor then at the top of the body."""
        self.set_font("DejaVu", size=SMALL_PT)
        self.set_text_color(*MUTED)
        self.set_xy(MARGIN, 9)
        label_w = self.get_string_width(label) + 2
        name = self.tender_name
        while name and self.get_string_width(name) > CONTENT_W - label_w - 4:
            name = name[:-2] + "…"
        self.cell(CONTENT_W - label_w, 5, name, align="L")
        self.cell(label_w, 5, label, align="R")
        self.set_draw_color(*RULE)
        self.set_line_width(0.3)
        self.line(MARGIN, 14.5, PAGE_W - MARGIN, 14.5)
        self.set_xy(MARGIN, 20)

    def header(self):
        self.header_band(t("header.app", self.lang))
        self.set_font("DejaVu", size=BODY_PT)
        self.set_text_color(*INK)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", size=SMALL_PT)
        self.set_text_color(*MUTED)
        self.cell(CONTENT_W / 2, 5, t("footer.generated", self.lang, date=self.generated), align="L")
        self.cell(CONTENT_W / 2, 5, t("footer.page", self.lang, n=self.page_no(), nb=PAGE_COUNT_ALIAS), align="R")

    # ------------------------------------------------------------------ building blocks

    def room(self, height: float) -> None:
        """A new page unless ``height`` mm fit above the bottom margin."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def section(self, text: str) -> None:
        """A numbered section: on a new page when less than half a page is left."""
        if self.get_y() > 150:
            self.add_page()
        elif self.get_y() > self.t_margin + 1:
            self.ln(8)
        self.h1(text)

    def h1(self, text: str) -> None:
        self.room(40)
        self.start_section(text, level=0)
        self.set_font("DejaVu", "B", 15)
        self.set_text_color(*NAVY)
        self.multi_cell(CONTENT_W, 7.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*NAVY)
        self.set_line_width(0.5)
        self.line(MARGIN, self.get_y() + 0.5, MARGIN + CONTENT_W, self.get_y() + 0.5)
        self.ln(4)
        self.set_text_color(*INK)

    def kept(self, draw: Callable[[], None]) -> None:
        """Draw the pending heading and intro, then ``draw``, on one page if they fit on
        one: a dry run first, and a new page when it would break (unless already at the top)."""
        pending, self._pending = self._pending, []

        def block() -> None:
            for step in pending:
                step()
            draw()

        # The dry run copies the whole document: only near the bottom of a page, where a
        # block (a table, a few paragraphs) might not fit.
        if self.page_break_trigger - self.get_y() < DRY_RUN_BELOW_MM:
            with self.offset_rendering() as dry:
                block()
            if dry.page_break_triggered and self.get_y() > self.t_margin + 1:
                self.add_page()
        block()

    def h2(self, text: str) -> None:
        """A sub-heading, kept with the block that follows it."""

        def draw() -> None:
            self.ln(2)
            self.set_font("DejaVu", "B", 11)
            self.set_text_color(*NAVY)
            self.multi_cell(CONTENT_W, 6, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)
            self.set_text_color(*INK)

        self._pending.append(draw)

    def para(self, text: str, *, size: float = BODY_PT, color=INK, bold: bool = False, after: float = 2,
             with_next: bool = False) -> None:
        """A paragraph; ``with_next``: an intro kept on the same page as the next block."""

        def draw() -> None:
            self.set_font("DejaVu", "B" if bold else "", size)
            self.set_text_color(*color)
            self.multi_cell(CONTENT_W, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.ln(after)

        if with_next:
            self._pending.append(draw)
        else:
            self.kept(draw)

    def intro(self, text: str) -> None:
        self.para(text, color=MUTED, size=SMALL_PT + 0.5, with_next=True)

    def bullets(self, items: Sequence[str], *, size: float = BODY_PT) -> None:
        def draw_item(item: str) -> None:
            self.set_font("DejaVu", size=size)
            self.set_x(MARGIN)
            self.cell(5, size * 0.5, "•")
            self.multi_cell(CONTENT_W - 5, size * 0.5, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(1)

        for i, item in enumerate(items):  # each item whole on a page, the first with the heading
            if i == 0:
                self.kept(lambda item=item: draw_item(item))
                continue
            self.set_font("DejaVu", size=size)
            height = self.multi_cell(CONTENT_W - 5, size * 0.5, item, align="L", dry_run=True,
                                     output=MethodReturnValue.HEIGHT)
            self.room(height + 1)
            draw_item(item)
        self.ln(1)

    def box(self, text: str, fill, ink, *, size: float = BODY_PT, bold: bool = False) -> None:
        def draw() -> None:
            self.set_font("DejaVu", "B" if bold else "", size)
            self.set_fill_color(*fill)
            self.set_text_color(*ink)
            self.multi_cell(CONTENT_W, size * 0.55, text, fill=True, padding=(2.5, 3), align="L",
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*INK)
            self.ln(3)

        self.kept(draw)

    def table(self, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], *,
              align: Sequence[str] | None = None, bold_rows: Sequence[int] = (), mono_cols: Sequence[int] = (),
              size: float = TABLE_PT) -> None:
        """A table over the content width: navy headings repeated on each page, zebra rows."""
        align = align or ["LEFT"] + ["RIGHT"] * (len(head) - 1)
        total = sum(widths)
        widths = [w * CONTENT_W / total for w in widths]
        self.kept(lambda: self._table(head, rows, widths, align, bold_rows, mono_cols, size))

    def _table(self, head, rows, widths, align, bold_rows, mono_cols, size) -> None:
        self.set_font("DejaVu", size=size)
        self.set_fill_color(255, 255, 255)  # the rows between the zebra ones
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        heading = FontFace(family="DejaVu", emphasis="BOLD", color=(255, 255, 255), fill_color=NAVY, size_pt=size)
        bold = FontFace(family="DejaVu", emphasis="BOLD", size_pt=size)
        mono = FontFace(family="DejaVuMono", emphasis="", size_pt=size - 0.5)
        with self.table_context(widths, align, heading) as tab:
            row = tab.row()
            for i, text in enumerate(head):
                row.cell(text, align="LEFT" if align[i] == "LEFT" else "RIGHT")
            for r, cells in enumerate(rows):
                row = tab.row()
                for i, text in enumerate(cells):
                    style = bold if r in bold_rows else (mono if i in mono_cols else None)
                    row.cell(text, style=style)
        self.ln(3)

    def table_context(self, widths, align, heading):
        return super().table(
            width=CONTENT_W, col_widths=widths, text_align=align, headings_style=heading,
            borders_layout="HORIZONTAL_LINES", cell_fill_color=ZEBRA, cell_fill_mode=TableCellFillMode.ROWS,
            line_height=TABLE_PT * 0.48, padding=(1.0, 1.5), v_align="MIDDLE", align="LEFT", repeat_headings=1,
        )

    def chart_height(self, png: bytes | None) -> float:
        if not png:
            return 0.0
        w_px, h_px = _png_size(png)
        return CONTENT_W * h_px / w_px

    def chart(self, png: bytes | None) -> None:
        if not png:
            return
        height = self.chart_height(png)

        def draw() -> None:
            self.ln(1)
            self.image(png, x=MARGIN, w=CONTENT_W, h=height)
            self.ln(3)

        self.kept(draw)
