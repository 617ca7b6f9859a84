"""The review's trend charts (`reports.review.Trend`) as PNG images, drawn with Pillow (fpdf2's
own image library) in DejaVu Sans: one small chart per KPI — its value per period up to the
reviewed one (points coloured by status, the last one larger), the target as a dashed line.

No browser is started and nothing is random: the same trend gives the same bytes (PNG without
metadata), so the review PDF and Word document stay deterministic with their charts. Used by
`reports.review_pdf` and `reports.review_docx`.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from .document import FONT_FILES, find_font_dir
from .review import Trend

WIDTH, HEIGHT = 900, 450  # px: printed 88 mm wide (about 260 dpi)
INK = (43, 43, 43)
MUTED = (107, 107, 107)
GRID = (225, 229, 235)
NAVY = (31, 58, 95)
TARGET = (120, 120, 120)
STATUS_RGB = {"green": (26, 127, 55), "amber": (214, 135, 0), "red": (190, 30, 30), "none": (150, 150, 150)}


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(find_font_dir() / FONT_FILES["B" if bold else ""]), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    while text and draw.textlength(text, font=font) > width:
        text = text[:-2] + "…"
    return text


def _dashed(draw: ImageDraw.ImageDraw, x0: int, x1: int, y: int, colour, dash: int = 14, gap: int = 9) -> None:
    x = x0
    while x < x1:
        draw.line([(x, y), (min(x + dash, x1), y)], fill=colour, width=3)
        x += dash + gap


def trend_png(trend: Trend) -> bytes:
    """One KPI's trend as a PNG (`WIDTH` × `HEIGHT` px)."""
    img = Image.new("RGB", (WIDTH, HEIGHT), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    title, small, label = _font(30, True), _font(22), _font(22, True)
    draw.text((20, 14), _fit(draw, trend.title, title, WIDTH - 40), font=title, fill=NAVY)
    left, right, top, bottom = 30, WIDTH - 150, 80, HEIGHT - 60
    known = [v for v in trend.values if v is not None]
    lo, hi = min([*known, trend.target]), max([*known, trend.target])
    pad = (hi - lo) * 0.15 or max(abs(hi) * 0.1, 0.01 if trend.ratio else 1.0)
    lo, hi = lo - pad, hi + pad
    if trend.ratio:  # a share is never below 0
        lo = max(lo, 0.0)

    def y_of(v: float) -> int:
        return round(bottom - (v - lo) / (hi - lo) * (bottom - top))

    for i in range(5):  # light grid
        y = round(top + i * (bottom - top) / 4)
        draw.line([(left, y), (right, y)], fill=GRID, width=1)
    n = len(trend.periods)
    step = (right - left) / max(n, 1)
    xs = [round(left + step * (i + 0.5)) for i in range(n)]
    ty = y_of(trend.target)
    _dashed(draw, left, right, ty, TARGET)
    draw.text((right + 10, ty - 13), _fit(draw, trend.target_label, small, WIDTH - right - 14), font=small,
              fill=TARGET)
    points = [(x, y_of(v)) for x, v in zip(xs, trend.values) if v is not None]
    if len(points) > 1:
        draw.line(points, fill=NAVY, width=4)
    for i, (x, v, status, text) in enumerate(zip(xs, trend.values, trend.statuses, trend.labels)):
        last = i == n - 1
        if v is not None:
            y, r = y_of(v), 12 if last else 8
            draw.ellipse([x - r, y - r, x + r, y + r], fill=STATUS_RGB[status], outline=(255, 255, 255), width=2)
            font = label if last else small
            w = draw.textlength(text, font=font)
            above = y - 44 if y - 44 > top - 20 else y + 16
            draw.text((x - w / 2, above), text, font=font, fill=INK)
        p_font = label if last else small
        pw = draw.textlength(trend.periods[i], font=p_font)
        draw.text((x - pw / 2, bottom + 16), trend.periods[i], font=p_font, fill=INK if last else MUTED)
    draw.line([(left, bottom), (right, bottom)], fill=MUTED, width=2)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=False)
    return out.getvalue()


__all__ = ["trend_png"]
