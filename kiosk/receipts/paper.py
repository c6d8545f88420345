"""The receipt as a 1-bit printer image.

Layout is left-aligned on purpose: the printer can only trim a raster band on the right,
so short left-aligned lines cost the fewest bytes on a 38400-baud line. QR codes are not
drawn here; ``QrSlot`` reserves their place and the driver asks the printer to draw them
(GS ( k), which costs a few dozen bytes instead of a few thousand.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from kiosk.receipts.fonts import MissingGlyphs, load_font, missing_glyphs
from kiosk.receipts.model import DEADLINE_LABELS, TITLES, Receipt, fmt_day, fmt_time

WIDTH_DOTS = 576
MARGIN = 0


@dataclass(frozen=True)
class QrSlot:
    """Room left in the image for a QR that the printer draws (or the driver, if it cannot)."""
    data: str
    top: int
    height: int
    module: int = 6
    ec: str = "M"
    align: str = "center"


@dataclass
class RenderedReceipt:
    image: Image.Image                          # mode "1", WIDTH_DOTS wide
    qr_codes: list[QrSlot] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

def qr_side(data: str, module: int, ec: str = "M") -> int:
    import segno
    return segno.make_qr(data, error=ec.lower(), boost_error=False).symbol_size(
        scale=module, border=0)[0]


class _Canvas:
    """Draws lines top to bottom; wraps on word boundaries at the paper width."""

    def __init__(self, width: int):
        self.width = width
        self.items: list[tuple] = []     # ("text", y, text, font) | ("rule", y)
        self.y = 0
        self.slots: list[QrSlot] = []
        self.lines: list[str] = []

    def _check(self, font, text):
        missing = missing_glyphs(font, text)
        if missing:
            raise MissingGlyphs(Path(font.path).name if hasattr(font, "path") else "font",
                                missing)

    def text(self, text: str, size: int = 22, bold: bool = False, gap: int = 4,
             font_path: str | None = None) -> None:
        font = load_font(size, bold, font_path)
        text = unicodedata.normalize("NFC", text)
        if font_path is None and missing_glyphs(font, text):     # Chinese: a CJK font
            from kiosk.receipts.cjk import fallback_for
            font = fallback_for(text, size, bold) or font
        self._check(font, text)
        ascent, descent = font.getmetrics()
        for line in self._wrap(text, font):
            self.items.append(("text", self.y, line, font))
            self.lines.append(line)
            self.y += ascent + descent + gap

    def _wrap(self, text: str, font) -> list[str]:
        room = self.width - 2 * MARGIN
        out, cur = [], ""
        for word in text.split():
            trial = f"{cur} {word}" if cur else word
            if font.getlength(trial) <= room:
                cur = trial
                continue
            if cur:
                out.append(cur)
            while font.getlength(word) > room:          # a very long word: hard break
                cut = len(word)
                while cut > 1 and font.getlength(word[:cut]) > room:
                    cut -= 1
                out.append(word[:cut])
                word = word[cut:]
            cur = word
        if cur:
            out.append(cur)
        return out or [""]

    def space(self, dots: int) -> None:
        self.y += dots

    def rule(self) -> None:
        self.items.append(("rule", self.y + 3))
        self.y += 8

    def qr(self, data: str, module: int, ec: str = "M") -> None:
        side = qr_side(data, module, ec)
        height = side + 8 * module                  # 4-module quiet zone above and below
        self.slots.append(QrSlot(data, self.y, height, module, ec))
        self.y += height

    def image(self) -> Image.Image:
        img = Image.new("1", (self.width, max(1, self.y)), 1)
        draw = ImageDraw.Draw(img)
        draw.fontmode = "1"                         # no grey anti-aliasing on a 1-bit head
        for item in self.items:
            if item[0] == "text":
                _, y, text, font = item
                draw.text((MARGIN, y), text, font=font, fill=0)
            else:
                draw.rectangle((MARGIN, item[1], self.width // 2, item[1] + 1), fill=0)
        return img


def render_receipt(r: Receipt, *, width: int = WIDTH_DOTS,
                   font_path: str | None = None) -> RenderedReceipt:
    """Draw the receipt; raises ``FontMissing``/``MissingGlyphs`` rather than print boxes.

    ``font_path`` forces one font for every line (tests use it to prove the glyph check).
    """
    c = _Canvas(width)
    bold_path = font_path
    title_vi, title_en = TITLES.get(r.kind, TITLES["deposit"])
    c.text(r.kiosk_name, 18, True, font_path=bold_path)
    if r.office:
        c.text(r.office, 15, font_path=font_path)
    if r.office_lang and r.office_lang != r.office:
        c.text(r.office_lang, 15, font_path=font_path)
    c.rule()
    c.text(f"{title_vi} / {title_en}", 21, True, font_path=bold_path)
    c.text(f"Thủ tục: {r.procedure}", 19, font_path=font_path)
    c.space(4)
    c.text("Mã hồ sơ / Dossier code:", 16, font_path=font_path)
    c.text(r.dossier_code, 28, True, gap=0, font_path=bold_path)
    c.qr(r.dossier_code, module=8)
    if r.tray:
        c.text(f"Ô tủ / Tray: {r.tray}", 21, True, font_path=bold_path)
    c.text(f"Lúc / Time: {fmt_time(r.at)}", 18, font_path=font_path)
    if r.appointment is not None:
        from kiosk.appointments import label
        c.text(label("vi", r.appointment), 20, True, font_path=bold_path)
        c.text(label("zh" if r.lang == "zh" else "en", r.appointment), 17,
               font_path=font_path)
    if r.handling_body:
        c.text(f"Cơ quan giải quyết: {r.handling_body}", 16, font_path=font_path)
        if r.handling_body_lang and r.handling_body_lang != r.handling_body:
            word = "办理机关" if r.lang == "zh" else "Handled by"
            c.text(f"{word}: {r.handling_body_lang}", 15, font_path=font_path)
    if r.deadline is not None:
        vi, en = DEADLINE_LABELS.get(r.kind, DEADLINE_LABELS["deposit"])
        c.text(f"{vi} / {en}: {fmt_day(r.deadline)}", 18, True, font_path=bold_path)
    if r.next_steps:
        c.space(4)
        c.text(r.next_steps, 18, font_path=font_path)
    if r.next_steps_en:
        c.text(r.next_steps_en, 15, font_path=font_path)
    c.space(4)
    c.text(f"Hỗ trợ / Hotline: {r.hotline}", 20, True, font_path=bold_path)
    if r.rating_url:
        c.space(6)
        c.text("Đánh giá dịch vụ / Rate our service:", 15, font_path=font_path)
        c.qr(r.rating_url, module=4, ec="L")
    if r.txn:
        c.text(f"GD {r.txn[:18]}", 13, font_path=font_path)
    return RenderedReceipt(c.image(), c.slots, c.lines)


def render_text_sheet(text: str, *, width: int = WIDTH_DOTS) -> RenderedReceipt:
    """A plain printed sheet (the privacy notice): first line as a title, then paragraphs.

    Same fonts and glyph check as receipts; blank lines give a little space.
    """
    c = _Canvas(width)
    for i, para in enumerate(text.split("\n")):
        if not para.strip():
            c.space(10)
            continue
        c.text(para, 21 if i == 0 else 18, bold=(i == 0))
    return RenderedReceipt(c.image(), c.slots, c.lines)
