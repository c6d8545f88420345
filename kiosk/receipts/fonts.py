"""Fonts for receipts: one with every Vietnamese letter, and a glyph check before print.

Vietnamese diacritics are not in most printers' code pages, so the receipt is drawn with
a font that has them (DejaVu Sans or Noto Sans, found with fc-match) and sent as raster.
Every line is checked glyph by glyph before printing: a font that lacks a glyph draws an
empty box, and a receipt with boxes instead of a name is worse than none.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata
from pathlib import Path

from PIL import ImageFont

VIETNAMESE_SAMPLE = ("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúýĂăĐđĨĩŨũƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳ"
                     "ẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ")
FONT_CANDIDATES = ("DejaVu Sans", "Noto Sans")
KNOWN_FONT_FILES = {
    ("DejaVu Sans", False): "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    ("DejaVu Sans", True): "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ("Noto Sans", False): "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    ("Noto Sans", True): "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
}


class FontMissing(RuntimeError):
    """No usable font with Vietnamese glyphs; the message says which package to install."""


class MissingGlyphs(FontMissing):
    def __init__(self, font: str, chars: str):
        super().__init__(f"font {font} has no glyph for {chars!r}; the receipt would show "
                         "empty boxes. Install fonts-dejavu-core or fonts-noto-core")
        self.chars = chars


def _notdef_signature(font: ImageFont.FreeTypeFont) -> tuple:
    mask = font.getmask("\U0010FFFD")          # a private-use code point no font maps
    return mask.size, bytes(mask)


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> str:
    """The characters of ``text`` this font would draw as the empty box (or not at all)."""
    notdef = _notdef_signature(font)
    missing = []
    for ch in dict.fromkeys(unicodedata.normalize("NFC", text)):
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs"):
            continue
        mask = font.getmask(ch)
        sig = (mask.size, bytes(mask))
        if sig == notdef or not any(sig[1]):
            missing.append(ch)
    return "".join(missing)


def _fc_match(family: str, bold: bool) -> str | None:
    if not shutil.which("fc-match"):
        return None
    pattern = f"{family}:style={'Bold' if bold else 'Book'}" if family == "DejaVu Sans" else \
        f"{family}:weight={'bold' if bold else 'regular'}"
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                             text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out or None


@functools.lru_cache(maxsize=8)
def find_font_file(bold: bool = False) -> str:
    """Path of a font with every Vietnamese letter; raises ``FontMissing`` if none is found."""
    tried = []
    for family in FONT_CANDIDATES:
        for path in (_fc_match(family, bold), KNOWN_FONT_FILES.get((family, bold))):
            if not path or path in tried or not Path(path).is_file():
                continue
            tried.append(path)
            try:
                font = ImageFont.truetype(path, 20)
            except OSError:
                continue
            if not missing_glyphs(font, VIETNAMESE_SAMPLE):
                return path
    raise FontMissing("no font with Vietnamese diacritics found (tried "
                      f"{', '.join(tried) or 'DejaVu Sans and Noto Sans'}); install "
                      "fonts-dejavu-core or fonts-noto-core")


@functools.lru_cache(maxsize=32)
def load_font(size: int, bold: bool = False, path: str | None = None) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path or find_font_file(bold), size)
