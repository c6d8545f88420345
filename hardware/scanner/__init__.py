"""Scanners: SANE through scanimage, or a folder a network scanner writes to; pages → PDF."""
from __future__ import annotations

import logging

from .errors import ScannerError, from_sane
from .folder import FolderScanner
from .pdf import compress_page, pages_to_pdf
from .sane import SaneScanner

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["SaneScanner", "FolderScanner", "ScannerError", "from_sane", "pages_to_pdf",
           "compress_page", "build_scanner", "scan_to_pdf"]


def build_scanner(cfg):
    """The scanner of a kiosk profile, or None when ``[scanner] enabled = false``."""
    s = cfg.scanner
    if not s.enabled:
        return None
    if s.driver == "folder":
        folder = cfg.path(s.folder)
        folder.mkdir(parents=True, exist_ok=True)
        return FolderScanner(folder, s.dpi)
    options = {"test-picture": "Grid"} if s.device.startswith("test") else None
    return SaneScanner(s.device, s.dpi, options=options)


def scan_to_pdf(scanner, txn: str, dpi: int = 200) -> tuple[bytes, int]:
    """Scan every page and return (PDF bytes, page count)."""
    pages = scanner.scan(txn)
    return pages_to_pdf(pages, dpi), len(pages)
