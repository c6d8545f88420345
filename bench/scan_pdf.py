"""Scan → PDF: seconds and KB per A4 page at 200 dpi.

Pages are rendered A4 forms in grey at 200 dpi (SANE's ``test`` backend stops at
200 x 200 mm, so it cannot give an A4 page). Measured: ``hardware.scanner.pages_to_pdf``
(grey JPEG within 150 KB a page, img2pdf embed), and the path a deposit takes today,
``CitizenService.pages_pdf``. Limit: img2pdf alone on the same pages as the scanner hands
them over (PNG files from ``scanimage``), embedded losslessly.
"""
from __future__ import annotations

import io
import time
from types import SimpleNamespace

import img2pdf

from bench.frames import a4_page
from bench.stats import Result, main_for, median
from hardware.scanner.pdf import MAX_PAGE_BYTES, QUALITIES, pages_to_pdf, prepare_page
from kiosk.services.citizen import CitizenService


def _best_of(fn, repeats: int) -> tuple[float, bytes]:
    times, out = [], b""
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return median(times), out


def _one_pass_pdf(pages) -> bytes:
    """One JPEG encode per page at the first quality, then img2pdf: the floor for any
    JPEG-in-PDF path, to tell the quality search's cost from the encoder's."""
    blobs = []
    for p in pages:
        buf = io.BytesIO()
        prepare_page(p).save(buf, format="JPEG", quality=QUALITIES[0], optimize=True,
                             dpi=(200, 200))
        blobs.append(buf.getvalue())
    return img2pdf.convert(blobs, layout_fun=img2pdf.get_fixed_dpi_layout_fun((200, 200)))


def _bisect_pdf(pages, max_bytes: int = MAX_PAGE_BYTES) -> bytes:
    """Prototype of ``compress_page`` with the same qualities and budget, searched by
    bisection: the first quality is tried first (most pages fit), then halving; at most
    1 + ceil(log2(len(QUALITIES) - 1)) + 1 encodes instead of up to len(QUALITIES)."""
    blobs = []
    for p in pages:
        img = prepare_page(p)
        cache: dict[int, bytes] = {}

        def enc(i: int) -> bytes:
            if i not in cache:
                buf = io.BytesIO()
                img.save(buf, format="JPEG", quality=QUALITIES[i], optimize=True,
                         dpi=(200, 200))
                cache[i] = buf.getvalue()
            return cache[i]

        if len(enc(0)) <= max_bytes:
            blobs.append(enc(0))
            continue
        lo, hi = 1, len(QUALITIES) - 1          # find the best quality that fits
        while lo < hi:
            mid = (lo + hi) // 2
            if len(enc(mid)) <= max_bytes:
                hi = mid
            else:
                lo = mid + 1
        blobs.append(enc(lo))
    return img2pdf.convert(blobs, layout_fun=img2pdf.get_fixed_dpi_layout_fun((200, 200)))


def run(quick: bool = False) -> list[Result]:
    n_pages = 3 if quick else 5
    repeats = 2 if quick else 5
    pages = [a4_page(i) for i in range(n_pages)]
    pngs = []
    for p in pages:
        buf = io.BytesIO()
        p.save(buf, format="PNG", dpi=(200, 200))
        pngs.append(buf.getvalue())
    t_ours, pdf_ours = _best_of(lambda: pages_to_pdf(pages), repeats)
    t_bare, pdf_bare = _best_of(lambda: img2pdf.convert(pngs), repeats)
    # the deposit path as kiosk/app.py wires it: the citizen service with the scanner's maker
    wired = SimpleNamespace(pdf_maker=lambda p: pages_to_pdf(p))
    t_cit, pdf_cit = _best_of(lambda: CitizenService.pages_pdf(wired, pages), repeats)
    t_one, pdf_one = _best_of(lambda: _one_pass_pdf(pages), repeats)
    t_bis, pdf_bis = _best_of(lambda: _bisect_pdf(pages), repeats)
    per = lambda t: t / n_pages          # noqa: E731
    kb = lambda b: len(b) / n_pages / 1024   # noqa: E731
    return [
        Result("scan → PDF, time per A4 page (pages_to_pdf)", per(t_ours), per(t_bare), "s",
               how=f"median of {repeats} runs over {n_pages} rendered A4 pages, 200 dpi grey",
               limit_how="img2pdf.convert alone on the same pages as PNG (lossless embed)",
               notes=[f"one JPEG pass (q{QUALITIES[0]}) + img2pdf: {per(t_one):.3f} s/page, "
                      f"{kb(pdf_one):.0f} KB/page — the quality search re-encodes until the "
                      f"page fits {MAX_PAGE_BYTES // 1000} KB",
                      f"prototype, the same qualities searched by bisection: "
                      f"{per(t_bis):.3f} s/page (ratio {t_bis / t_bare:.2f}), "
                      f"{kb(pdf_bis):.0f} KB/page"],
               extra={"one_pass_s": per(t_one), "one_pass_kb": kb(pdf_one),
                      "bisect_s": per(t_bis), "bisect_kb": kb(pdf_bis)}),
        Result("scan → PDF, KB per A4 page (pages_to_pdf)", kb(pdf_ours), kb(pdf_bare), "KB",
               how="PDF size / pages", limit_how="img2pdf alone, lossless PNG embed",
               extra={"budget_kb": MAX_PAGE_BYTES / 1024}),
        Result("scan → PDF on the deposit path (CitizenService.pages_pdf)", kb(pdf_cit),
               kb(pdf_bare), "KB",
               how="PDF size / pages; this is what submit_online uploads",
               limit_how="img2pdf alone, lossless PNG embed",
               notes=[f"{per(t_cit):.3f} s/page; {kb(pdf_cit) / (MAX_PAGE_BYTES / 1024):.1f}x "
                      f"the {MAX_PAGE_BYTES // 1000} KB page budget of hardware.scanner.pdf"],
               extra={"s_per_page": per(t_cit)}),
    ]


if __name__ == "__main__":
    main_for(run)
