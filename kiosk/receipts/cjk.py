"""A second font for receipt lines in Chinese (the ward centre's name, the date label).

The receipt's main font (DejaVu or Noto Sans) has every Vietnamese letter but no Han
characters; a line that needs them is drawn with a CJK font that fontconfig knows
(Noto Sans CJK from fonts-noto-cjk, or WenQuanYi Micro Hei from fonts-wqy-microhei),
provided that font has every character of the line (without fontconfig's tools, the
Debian paths of those fonts). None found: None, and the caller
refuses the line as before rather than print empty boxes.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

CJK_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei")
CJK_SAMPLE = "领取结果日期坊公共行政服务中心"
KNOWN_CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                   "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@functools.lru_cache(maxsize=4)
def cjk_font_file(bold: bool = False) -> str | None:
    from kiosk.receipts.fonts import missing_glyphs
    candidates = []
    if shutil.which("fc-match"):
        for family in CJK_FAMILIES:
            try:
                candidates.append(subprocess.run(
                    ["fc-match", "-f", "%{file}",
                     f"{family}:weight={'bold' if bold else 'regular'}"],
                    capture_output=True, text=True, timeout=10).stdout.strip())
            except (OSError, subprocess.SubprocessError):
                continue
    candidates += KNOWN_CJK_FILES          # fontconfig's tools may be absent
    for path in candidates:
        if not path or not Path(path).is_file():
            continue
        try:
            font = ImageFont.truetype(path, 20)
        except OSError:
            continue
        if not missing_glyphs(font, CJK_SAMPLE):
            return path
    return None


@functools.lru_cache(maxsize=32)
def fallback_for(text: str, size: int, bold: bool):
    """A CJK font covering every character of ``text``, or None."""
    from kiosk.receipts.fonts import missing_glyphs
    path = cjk_font_file(bold)
    if path is None:
        return None
    font = ImageFont.truetype(path, size)
    return None if missing_glyphs(font, text) else font
