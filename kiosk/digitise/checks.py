"""Page checks at the glass, while the citizen is still there: blank, too dark, too
light, cut off, upside down, skewed, blurred.

Measured on the grey page with Pillow only (no OpenCV: a few statistics are enough and
the check must take well under a second a page). Orientation is Tesseract's own OSD,
the same engine that reads the page later. Each finding carries a stable ``key`` the
screens turn into words (``page.<key>``) and a short English detail for logs and the
command line.
"""
from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass, field

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

log = logging.getLogger(__name__)

WORK_DPI = 100            # statistics are taken on a copy at this resolution
PAPER_MIN = 120           # paper darker than this: the scan is too dark
FAINT = 20                # grey levels below the paper that still count as a mark
INK = 80                  # grey levels below the paper that count as ink
BLANK_SHARE = 0.002       # fewer marked pixels than this: a blank page
EDGE_BAND = 0.012         # outer band (share of the side) where ink means a cut page
EDGE_INK = 0.012          # share of ink in that band that means text runs off the page
SHARP_MIN = 0.20          # fine / coarse detail below this: blurred
OSD_CONFIDENCE = 2.0      # Tesseract OSD confidence needed to call a page turned

KEYS = ("blank", "too_dark", "too_light", "cut_off", "upside_down", "skewed", "blurred")


@dataclass(frozen=True)
class Finding:
    key: str              # one of KEYS
    detail: str           # English, for logs and `kiosk digitise`


@dataclass
class PageReport:
    number: int                          # 1-based
    findings: list[Finding] = field(default_factory=list)
    skew_deg: float = 0.0                # measured; clean-up turns the page back by this
    rotate: int = 0                      # degrees (clockwise) that make the page upright
    sharpness: float = 0.0
    paper: int = 255

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.findings]

    def line(self) -> str:
        """One line for the command line: what the checks found on this page."""
        if self.ok:
            return (f"page {self.number}: ok (skew {self.skew_deg:+.1f}°, "
                    f"sharpness {self.sharpness:.2f})")
        return f"page {self.number}: " + "; ".join(f.detail for f in self.findings)


def _percentile(hist: list[int], share: float) -> int:
    total = sum(hist)
    target, acc = total * share, 0
    for value, count in enumerate(hist):
        acc += count
        if acc >= target:
            return value
    return 255


def _share_below(hist: list[int], level: int) -> float:
    total = sum(hist) or 1
    return sum(hist[:max(0, min(256, level))]) / total


def _dpi(page: Image.Image) -> int:
    return round(float((page.info.get("dpi") or (200, 200))[0] or 200))


def _working_copy(page: Image.Image) -> tuple[Image.Image, Image.Image]:
    """(the page in grey at its own resolution, a copy at WORK_DPI)."""
    grey = ImageOps.exif_transpose(page).convert("L")
    dpi = _dpi(page)
    scale = min(1.0, WORK_DPI / dpi)
    small = grey.resize((max(1, round(grey.width * scale)), max(1, round(grey.height * scale))),
                        Image.BOX)
    return grey, small


def ink_mask(small: Image.Image, paper: int, depth: int = INK) -> Image.Image:
    """255 where there is ink, 0 on paper."""
    level = max(1, paper - depth)
    return small.point(lambda v: 255 if v < level else 0)


def measure_skew(mask: Image.Image, limit: float = 12.0) -> float:
    """The angle (degrees, counter-clockwise positive) the text lines are turned by.

    Projection profile: turned back by the right angle, the rows of ink line up and the
    row sums vary the most. Coarse steps of 1°, then 0.1° around the best."""
    if ImageStat.Stat(mask).mean[0] < 0.5:
        return 0.0

    def spread(angle: float) -> float:
        turned = mask.rotate(-angle, resample=Image.NEAREST, fillcolor=0)
        rows = turned.resize((1, turned.height), Image.BOX)
        return ImageStat.Stat(rows).var[0]

    best = max((a for a in range(-int(limit), int(limit) + 1)), key=spread)
    fine = [best + i / 10 for i in range(-10, 11)]
    return round(max(fine, key=spread), 1)


def border_box(grey: Image.Image, paper: int, limit: float = 0.08) -> tuple[int, int, int, int]:
    """The page without the scanner's dark border: rows and columns at the edges whose
    mean is far below the paper are cut, at most ``limit`` of each side."""
    cols = grey.resize((grey.width, 1), Image.BOX).tobytes()
    rows = grey.resize((1, grey.height), Image.BOX).tobytes()
    dark = paper - 60

    def inner(values, n):
        values = list(values)
        lo, hi, cap = 0, n, int(n * limit)
        while lo < cap and values[lo] < dark:
            lo += 1
        while n - hi < cap and values[hi - 1] < dark:
            hi -= 1
        return lo, hi

    left, right = inner(cols, grey.width)
    top, bottom = inner(rows, grey.height)
    return left, top, right, bottom


def _edge_ink(mask: Image.Image) -> dict[str, float]:
    w, h = mask.size
    bw, bh = max(2, round(w * EDGE_BAND)), max(2, round(h * EDGE_BAND))
    boxes = {"left": (0, 0, bw, h), "right": (w - bw, 0, w, h),
             "top": (0, 0, w, bh), "bottom": (0, h - bh, w, h)}
    return {side: ImageStat.Stat(mask.crop(box)).mean[0] / 255 for side, box in boxes.items()}


def sharpness(grey: Image.Image) -> float:
    """How much of the page's detail lives at the finest scale: the change a slight blur
    makes against the change a strong one makes (~0.3 for a crisp scan at 200 dpi, lower
    when the page moved or was out of focus). Contrast and text size cancel out; a 3x3
    median first keeps scanner noise from passing for detail."""
    smooth = grey.filter(ImageFilter.MedianFilter(3))
    fine = ImageChops.difference(smooth, smooth.filter(ImageFilter.GaussianBlur(1)))
    coarse = ImageChops.difference(smooth, smooth.filter(ImageFilter.GaussianBlur(4)))
    return round(ImageStat.Stat(fine).mean[0] / max(ImageStat.Stat(coarse).mean[0], 1e-6), 3)


def orientation(grey: Image.Image, dpi: int = 200,
                timeout_s: float = 20.0) -> tuple[int, float]:
    """(degrees clockwise that make the page upright, confidence) from Tesseract OSD;
    (0, 0.0) when it cannot tell (too little text) or is not installed."""
    import io
    buf = io.BytesIO()
    grey.save(buf, format="PNG", dpi=(dpi, dpi))
    try:
        out = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0", "-l", "osd",
                              "--dpi", str(dpi)], input=buf.getvalue(),
                             capture_output=True, timeout=timeout_s)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("orientation check skipped: %s", exc)
        return 0, 0.0
    rotate, conf = 0, 0.0
    for line in out.stdout.decode(errors="replace").splitlines():
        name, _, value = line.partition(":")
        try:
            if name.strip() == "Rotate":
                rotate = int(value.strip())
            elif name.strip() == "Orientation confidence":
                conf = float(value.strip())
        except ValueError:
            pass
    return rotate, conf


def check_page(page: Image.Image, number: int = 1, *, max_skew_deg: float = 3.0,
               osd: bool = True) -> PageReport:
    """Everything the checks find on one page (an empty list: the page is good)."""
    grey, small = _working_copy(page)
    hist = small.histogram()
    paper = _percentile(hist, 0.90)
    report = PageReport(number=number, paper=paper)
    add = report.findings.append
    if paper < PAPER_MIN:
        add(Finding("too_dark", f"too dark (paper at grey {paper} of 255)"))
        return report
    box = border_box(small, paper)
    small = small.crop(box)
    hist = small.histogram()
    marks = _share_below(hist, paper - FAINT)
    inked = _share_below(hist, paper - INK)
    if marks < BLANK_SHARE:
        add(Finding("blank", f"blank ({marks:.2%} of the page marked)"))
        return report
    if inked < BLANK_SHARE / 2:
        add(Finding("too_light", f"too light (the writing is faint: {inked:.2%} ink)"))
        return report
    mask = ink_mask(small, paper)
    cut = {side: share for side, share in _edge_ink(mask).items() if share > EDGE_INK}
    if cut:
        add(Finding("cut_off", "cut off at the " + ", ".join(sorted(cut)) + " edge"))
    report.skew_deg = measure_skew(mask)
    if abs(report.skew_deg) > max_skew_deg:
        add(Finding("skewed", f"skewed {report.skew_deg:+.1f}° (more than "
                              f"{max_skew_deg:g}°)"))
    report.sharpness = sharpness(grey)
    if report.sharpness < SHARP_MIN:
        add(Finding("blurred", f"blurred (sharpness {report.sharpness:.2f}, needs "
                               f"{SHARP_MIN:.2f})"))
    if osd:
        upright = grey.rotate(-report.skew_deg, resample=Image.BILINEAR, fillcolor=paper)
        rotate, conf = orientation(upright, dpi=_dpi(page))
        if rotate and conf >= OSD_CONFIDENCE:
            report.rotate = rotate
            add(Finding("upside_down", f"upside down (turned {rotate}°, "
                                       f"confidence {conf:.1f})"))
    return report


def check_pages(pages: list, *, max_skew_deg: float = 3.0, osd: bool = True) -> list[PageReport]:
    return [check_page(p, i, max_skew_deg=max_skew_deg, osd=osd)
            for i, p in enumerate(pages, start=1)]
