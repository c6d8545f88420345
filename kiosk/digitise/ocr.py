"""Clean pages → a searchable PDF/A-2b through OCRmyPDF (Tesseract, Vietnamese and
English), with the dossier's metadata.

The pages go in as grey JPEGs already within the page budget (``img2pdf``: embedded as
they are). OCRmyPDF adds the text layer and makes PDF/A-2b with its own conversion
(``pdfa_backend="internal"``), so the JPEGs pass through unchanged and Ghostscript is
never asked to transcode them; the result is validated by OCRmyPDF before it is
written. A file that cannot be made PDF/A is an error, never a plain PDF in disguise.

OCRmyPDF's documentation asks applications to call it from a child process (it starts
workers and handles signals); the kiosk does so with ``run_isolated`` and the command
line calls ``make_pdfa`` directly. Run as ``python -m kiosk.digitise.ocr IN OUT META``.
"""
from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)
TEXT_LAYER_BYTES = 24_000      # room a page keeps for its text layer within the budget


class OcrError(Exception):
    """OCR or the PDF/A conversion failed; the message says what to check."""


def metadata_fields(meta: dict) -> dict:
    """The document information OCRmyPDF writes (Info and XMP alike): the dossier code,
    procedure, kiosk and time, in standard fields so PDF/A needs no extension schema."""
    code = meta.get("dossier_code") or "?"
    proc = meta.get("procedure") or ""
    name = meta.get("procedure_name") or ""
    kiosk = meta.get("kiosk") or ""
    when = meta.get("time") or ""
    return {
        "title": f"Hồ sơ {code}",
        "subject": f"{proc} {name}".strip(),
        "author": kiosk,
        "keywords": f"dossier:{code}; procedure:{proc}; kiosk:{kiosk}; time:{when}",
    }


def images_pdf(jpegs: list[bytes], dpi: int = 200) -> bytes:
    import img2pdf
    if not jpegs:
        raise OcrError("no pages to read")
    return img2pdf.convert(jpegs, layout_fun=img2pdf.get_fixed_dpi_layout_fun((dpi, dpi)))


def make_pdfa(input_pdf: Path, output_pdf: Path, meta: dict, *,
              languages: list[str] = ("vie", "eng"), timeout_s: int = 300) -> None:
    """OCR ``input_pdf`` (pages as images) into ``output_pdf`` as PDF/A-2b."""
    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException
    try:
        code = ocrmypdf.ocr(
            input_pdf, output_pdf, language=list(languages), output_type="pdfa-2",
            pdfa_backend="internal", optimize=0, rotate_pages=False, deskew=False,
            progress_bar=False, jobs=1, use_threads=True, tesseract_timeout=timeout_s,
            **metadata_fields(meta))
    except ExitCodeException as exc:
        raise OcrError(f"OCR failed ({type(exc).__name__}): {exc}; check that "
                       f"tesseract-ocr-vie is installed ('tesseract --list-langs')") from None
    if int(code) != 0:
        raise OcrError(f"OCRmyPDF ended with code {int(code)}")


def run_isolated(input_pdf: Path, output_pdf: Path, meta: dict, *,
                 languages: list[str] = ("vie", "eng"), timeout_s: int = 300,
                 nice: int = 10) -> None:
    """``make_pdfa`` in a child process (lower priority than the screens)."""
    meta_path = output_pdf.with_name(output_pdf.name + ".meta.json")
    meta_path.write_text(json.dumps({"meta": meta, "languages": list(languages),
                                     "timeout_s": timeout_s}, ensure_ascii=False))
    try:
        # ``nice`` rather than preexec_fn: the kiosk has threads, and a child must not
        # run Python code between fork and exec
        prefix = ["nice", "-n", str(nice)] if nice and shutil.which("nice") else []
        proc = subprocess.run(
            [*prefix, sys.executable, "-m", "kiosk.digitise.ocr", str(input_pdf),
             str(output_pdf), str(meta_path)],
            capture_output=True, text=True, timeout=timeout_s * 2 + 60)
    except subprocess.TimeoutExpired:
        raise OcrError(f"OCR took longer than {timeout_s * 2 + 60} s and was stopped") \
            from None
    finally:
        meta_path.unlink(missing_ok=True)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise OcrError(f"OCR failed: {tail[0]}")


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.WARNING)
    src, dst, meta_path = (Path(a) for a in argv[:3])
    spec = json.loads(meta_path.read_text())
    try:
        make_pdfa(src, dst, spec["meta"], languages=spec["languages"],
                  timeout_s=spec["timeout_s"])
    except OcrError as exc:
        print(str(exc), file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
