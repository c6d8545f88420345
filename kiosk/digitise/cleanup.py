"""Clean-up before OCR: the scanner's border cut off, the page turned upright and
straightened, as measured by the page checks."""
from __future__ import annotations

from PIL import Image, ImageOps

from kiosk.digitise.checks import PageReport, _dpi, _percentile, border_box

MIN_DESKEW_DEG = 0.2      # below this a turn costs sharpness and gains nothing


def clean_page(page: Image.Image, report: PageReport) -> Image.Image:
    """The page in grey, border cropped, upright, straight; same resolution."""
    dpi = _dpi(page)
    grey = ImageOps.exif_transpose(page).convert("L")
    paper = report.paper if report.paper >= 120 else _percentile(grey.histogram(), 0.9)
    left, top, right, bottom = border_box(grey, paper)
    if (left, top, right, bottom) != (0, 0, grey.width, grey.height):
        grey = grey.crop((left, top, right, bottom))
    if report.rotate:
        grey = grey.rotate(-report.rotate, expand=True)
    if abs(report.skew_deg) >= MIN_DESKEW_DEG:
        grey = grey.rotate(-report.skew_deg, resample=Image.BICUBIC, fillcolor=paper)
    grey.info["dpi"] = (dpi, dpi)
    return grey
