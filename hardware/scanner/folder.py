"""A network scanner that drops page files into a shared folder ("scan to folder").

A scan waits until pages have arrived and no file has grown for ``settle_s`` seconds (a
network scanner writes a page over a second or two), then takes every page in name order
and moves the files to ``done/<txn>/``, so the next citizen's scan starts empty.
"""
from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

from PIL import Image

from hardware.ports import DeviceHealth, DeviceStatus, ScannerState

from .errors import ScannerError

log = logging.getLogger(__name__)
PAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pnm", ".pgm", ".bmp"}


class FolderScanner:
    """``hardware.ports.Scanner`` over a watched folder."""

    def __init__(self, folder: str | Path, dpi: int = 200, *, settle_s: float = 1.5,
                 timeout_s: float = 60.0, poll_s: float = 0.1, name: str = "scanner"):
        self.folder = Path(folder)
        self.dpi = dpi
        self.settle_s = settle_s
        self.timeout_s = timeout_s
        self.poll_s = poll_s
        self.name = name
        self.last_error: ScannerError | None = None
        self._lock = threading.Lock()
        self._cancel = threading.Event()

    def _pages(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir()
                      if p.is_file() and p.suffix.lower() in PAGE_SUFFIXES
                      and not p.name.startswith("."))

    def cancel(self) -> None:
        """Stop a waiting scan (the citizen pressed Back)."""
        self._cancel.set()

    def scan(self, txn: str) -> list[Image.Image]:
        with self._lock:
            self._cancel.clear()
            try:
                pages = self._scan(txn)
            except ScannerError as exc:
                self.last_error = exc
                log.warning("scan for %s failed: %s", txn, exc)
                raise
            self.last_error = None
            return pages

    def _scan(self, txn: str) -> list[Image.Image]:
        if not self.folder.is_dir():
            raise ScannerError(ScannerState.OFFLINE,
                               f"the scan folder {self.folder} does not exist",
                               "check the network share the scanner writes to")
        deadline = time.monotonic() + self.timeout_s
        sizes: dict[Path, int] = {}
        stable_since = None
        while True:
            if self._cancel.is_set():
                raise ScannerError(ScannerState.NO_PAPER, "the scan was cancelled")
            files = self._pages()
            now_sizes = {p: p.stat().st_size for p in files if p.exists()}
            if now_sizes and now_sizes == sizes:
                stable_since = stable_since or time.monotonic()
                if time.monotonic() - stable_since >= self.settle_s:
                    break
            else:
                stable_since = None
                sizes = now_sizes
            if time.monotonic() >= deadline:
                if sizes:
                    break
                raise ScannerError(ScannerState.NO_PAPER,
                                   f"no pages came from the network scanner in "
                                   f"{self.timeout_s:g} s",
                                   "press Scan on the scanner, or check its network cable")
            time.sleep(self.poll_s)
        pages = []
        for path in sorted(sizes):
            try:
                with Image.open(path) as im:
                    im.load()
                    page = im.convert("L")
                    page.info["dpi"] = im.info.get("dpi", (self.dpi, self.dpi))
            except (OSError, ValueError) as exc:
                raise ScannerError(ScannerState.JAM,
                                   f"page file {path.name} from the network scanner is not a "
                                   f"readable image ({exc})",
                                   "scan the pages again; if it repeats, check the "
                                   "scanner's file format (PNG, JPEG or TIFF)") from None
            pages.append(page)
        done = self.folder / "done" / txn
        done.mkdir(parents=True, exist_ok=True)
        for path in sizes:
            shutil.move(str(path), done / path.name)
        log.info("scan for %s: %d page(s) from %s", txn, len(pages), self.folder)
        return pages

    def health(self) -> DeviceHealth:
        if not self.folder.is_dir():
            return DeviceHealth(self.name, DeviceStatus.OFFLINE,
                                f"the scan folder {self.folder} does not exist",
                                "check the network share the scanner writes to")
        if self.last_error is not None:
            return DeviceHealth(self.name, DeviceStatus.HWERROR, str(self.last_error),
                                self.last_error.advice, {"state": self.last_error.state.value})
        return DeviceHealth(self.name, DeviceStatus.ONLINE, f"watching {self.folder}",
                            extra={"state": ScannerState.OK.value})

    def close(self) -> None:
        self._cancel.set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
