"""One pipeline for the deposit and for ``kiosk digitise``: checks → clean-up → OCR and
PDF/A-2b → PAdES signature.

``check`` is quick (the citizen waits for it at the glass); ``make`` is slow (OCR) and
runs in the background for a deposit. The files ``make`` writes appear only whole: each
step writes ``*.part`` and renames, so a power cut leaves either the old state or the
new one, never a half-written e-copy.
"""
from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kiosk.digitise.checks import PageReport, check_page
from kiosk.digitise.cleanup import clean_page
from kiosk.digitise.ocr import TEXT_LAYER_BYTES, images_pdf, make_pdfa, run_isolated
from kiosk.digitise.pki import Credentials
from kiosk.digitise.signing import sign_pdf

log = logging.getLogger(__name__)
DPI = 200


def _crashpoint(name: str) -> None:
    from kiosk.crashpoints import crashpoint
    crashpoint(name)


def write_whole(path: Path, data: bytes) -> None:
    """``path`` holds ``data`` entirely or is left as it was (fsync, then rename)."""
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@dataclass(frozen=True)
class Settings:
    languages: tuple = ("vie", "eng")
    max_skew_deg: float = 3.0
    page_budget_bytes: int = 150_000
    ocr_timeout_s: int = 300
    location: str = ""

    @classmethod
    def from_section(cls, section, location: str = "") -> "Settings":
        return cls(languages=tuple(section.languages), max_skew_deg=section.max_skew_deg,
                   page_budget_bytes=section.page_budget_bytes,
                   ocr_timeout_s=section.ocr_timeout_s, location=location)


class Digitiser:
    """``check(pages)`` at the glass; ``make(jpegs, meta, workdir)`` in the background."""

    def __init__(self, settings: Settings, credentials: Credentials, *, clock=None,
                 client=None, isolated: bool = True):
        self.settings, self.credentials = settings, credentials
        self.clock, self.client, self.isolated = clock, client, isolated

    # ---- at the glass ----------------------------------------------------------------
    def check(self, pages: list[Image.Image], first: int = 1) -> list[PageReport]:
        return [check_page(p, first + i, max_skew_deg=self.settings.max_skew_deg)
                for i, p in enumerate(pages)]

    def clean_jpegs(self, pages: list[Image.Image], reports: list[PageReport]) -> list[bytes]:
        """Each page cleaned and compressed to a grey JPEG that leaves room for its text
        layer within the page budget."""
        from hardware.scanner.pdf import compress_page
        budget = self.settings.page_budget_bytes - TEXT_LAYER_BYTES
        return [compress_page(clean_page(p, r), DPI, budget) for p, r in zip(pages, reports)]

    # ---- in the background -----------------------------------------------------------
    def ensure_credentials(self) -> str:
        from datetime import datetime, timezone
        now = self.clock.now() if self.clock is not None else datetime.now(timezone.utc)
        return self.credentials.ensure(self.client, now)

    def ocr(self, jpegs: list[bytes], meta: dict, workdir: Path) -> Path:
        """The PDF/A-2b with its text layer, as ``workdir/ocr.pdf`` (kept once whole)."""
        out = workdir / "ocr.pdf"
        if out.exists():
            return out
        src = workdir / "images.pdf"
        write_whole(src, images_pdf(jpegs, DPI))
        # a name of its own per run: a child left over from before a crash may still be
        # writing its file, and must not write into this one
        part = workdir / f"ocr-{uuid.uuid4().hex[:12]}.part"
        run = run_isolated if self.isolated else make_pdfa
        run(src, part, meta, languages=list(self.settings.languages),
            timeout_s=self.settings.ocr_timeout_s)
        _crashpoint("digitise.after_ocr")
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.replace(part, out)
        src.unlink(missing_ok=True)
        return out

    def sign(self, pdf: bytes, meta: dict) -> bytes:
        self.ensure_credentials()
        c = self.credentials
        return sign_pdf(pdf, c.key_file, c.cert_file, c.chain_file,
                        reason=f"Bản điện tử hồ sơ {meta.get('dossier_code', '')}",
                        location=self.settings.location)

    def make(self, jpegs: list[bytes], meta: dict, workdir: Path) -> Path:
        """OCR, PDF/A and signature; returns ``workdir/signed.pdf`` (whole or absent)."""
        signed = workdir / "signed.pdf"
        if signed.exists():
            return signed
        ocr_pdf = self.ocr(jpegs, meta, workdir)
        data = self.sign(ocr_pdf.read_bytes(), meta)
        _crashpoint("digitise.after_sign")
        write_whole(signed, data)
        return signed
