"""Scanned pages → one PDF: grayscale JPEG at 200 dpi, at most ~150 KB a page.

img2pdf embeds each JPEG as it is (no second lossy step), so the size of the PDF is the
sum of the pages. Paper grain near white is lifted to white first: it carries no text and
is what makes a JPEG of a plain page large. (Pushing ink to solid black
was tried and makes pages larger: sharper edges cost JPEG more than grey ones.)
"""
from __future__ import annotations

import io

import img2pdf
from PIL import Image, ImageOps

DPI = 200
MAX_PAGE_BYTES = 150_000
QUALITIES = (75, 65, 55, 45, 38, 30)
OPTIMISE_GAIN = 1.08       # Huffman optimisation saves up to ~8 % of a plain encode
WHITE_POINT = 215          # grey at or above this is paper, not ink


def prepare_page(image: Image.Image, dpi: int = DPI) -> Image.Image:
    """Grayscale, at ``dpi`` (downscaled if scanned finer), paper grain made white."""
    img = ImageOps.exif_transpose(image).convert("L")
    src_dpi = image.info.get("dpi", (dpi, dpi))[0] or dpi
    if src_dpi > dpi * 1.05:
        scale = dpi / float(src_dpi)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.LANCZOS)
    return img.point(lambda v: 255 if v >= WHITE_POINT else round(v * 255 / WHITE_POINT))


def compress_page(image: Image.Image, dpi: int = DPI,
                  max_bytes: int = MAX_PAGE_BYTES) -> bytes:
    """The page as a JPEG no larger than ``max_bytes`` if any quality down to 30 gets there.

    Quality stops at 30: below that small print smears, and a readable page a little over
    the budget is better than an unreadable one within it.
    """
    img = prepare_page(image, dpi)
    encoded: dict[tuple[int, bool], bytes] = {}

    def encode(i: int, optimize: bool = False) -> bytes:
        if (i, optimize) not in encoded:
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=QUALITIES[i], optimize=optimize,
                     dpi=(dpi, dpi))
            encoded[i, optimize] = buf.getvalue()
        return encoded[i, optimize]

    # The qualities are searched by bisection (size falls as quality falls) on plain
    # encodes, which are faster than Huffman-optimised ones and never smaller, so the
    # quality found always fits once optimised; only the page kept is optimised. When
    # the next finer quality missed narrowly, it is tried optimised too, so the quality
    # kept is the one trying each in turn with optimised encodes would find.
    if len(encode(0)) <= max_bytes:
        return encode(0, True)
    lo, hi = 1, len(QUALITIES) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if len(encode(mid)) <= max_bytes:
            hi = mid
        else:
            lo = mid + 1
    finer = lo - 1
    if len(encode(finer)) <= max_bytes * OPTIMISE_GAIN and len(encode(finer, True)) <= max_bytes:
        return encode(finer, True)
    return encode(lo, True)


def pages_to_pdf(pages: list[Image.Image], dpi: int = DPI,
                 max_page_bytes: int = MAX_PAGE_BYTES) -> bytes:
    if not pages:
        raise ValueError("no pages to put into a PDF")
    jpegs = [compress_page(p, dpi, max_page_bytes) for p in pages]
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    return img2pdf.convert(jpegs, layout_fun=layout)
