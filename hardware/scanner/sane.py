"""Scanner through SANE's ``scanimage`` (a subprocess, so a crashing backend cannot take
the kiosk with it). With a document feeder every page in it is scanned in one batch.
SANE's ``test`` backend stands in for a scanner with no hardware, and can be told to fail
with any SANE status (``--read-return-value``), which is how the faults are tested.
"""
from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
from pathlib import Path

from PIL import Image

from hardware.ports import DeviceHealth, DeviceStatus, ScannerState

from .errors import ScannerError, from_sane
from .watch import run_watched

log = logging.getLogger(__name__)
FEEDER_WORDS = ("feeder", "adf")


class SaneScanner:
    """``hardware.ports.Scanner`` over ``scanimage``."""

    def __init__(self, device: str = "test", dpi: int = 200, *, max_pages: int = 50,
                 options: dict[str, str] | None = None, timeout_s: float = 180.0,
                 stall_s: float = 20.0, grace_s: float = 3.0, probe_s: float = 15.0,
                 scanimage: str = "scanimage", name: str = "scanner"):
        self.device = device
        self.dpi = dpi
        self.max_pages = max_pages
        self.options = dict(options or {})
        self.timeout_s = timeout_s      # the whole batch
        self.stall_s = stall_s          # no new page bytes for this long: it hangs
        self.grace_s = grace_s          # outcome printed, yet no exit: see watch.py
        self.probe_s = probe_s          # options (-A) and health (-n) probes
        self.scanimage = scanimage
        self.name = name
        self.last_error: ScannerError | None = None
        self._feeder: str | None | bool = False      # False: not probed yet
        self._lock = threading.Lock()
        self._closed = False

    def _exe(self) -> str:
        exe = shutil.which(self.scanimage)
        if not exe:
            raise ScannerError(ScannerState.OFFLINE, "scanimage is not installed",
                               "apt-get install sane-utils")
        return exe

    def feeder_source(self) -> str | None:
        """The name of the document-feeder source, if the device has one."""
        if self._feeder is False:
            out = run_watched([self._exe(), "-d", self.device, "-A"], stall_s=self.probe_s,
                              total_s=self.probe_s, capture_stdout=True)
            if out.ended:
                raise ScannerError(ScannerState.OFFLINE, f"scanner {self.device} does not "
                                   f"answer ({out.ended})", "check its cable and power")
            if out.returncode != 0:
                raise from_sane(out.stderr, self.device)
            self._feeder = None
            m = re.search(r"--source\s+(\S[^\[\n]*?)\s*\[", out.stdout)
            if m:
                for choice in m.group(1).split("|"):
                    if any(w in choice.lower() for w in FEEDER_WORDS):
                        self._feeder = choice.strip()
                        break
        return self._feeder

    def scan(self, txn: str) -> list[Image.Image]:
        """Every page in the feeder (or the one on the glass), as 8-bit grey PIL images."""
        with self._lock:
            if self._closed:
                raise ScannerError(ScannerState.OFFLINE, "the scanner driver is closed")
            try:
                pages = self._scan()
            except ScannerError as exc:
                self.last_error = exc
                log.warning("scan for %s failed: %s", txn, exc)
                raise
            self.last_error = None
            log.info("scan for %s: %d page(s)", txn, len(pages))
            return pages

    def _scan(self) -> list[Image.Image]:
        source = self.feeder_source()
        with tempfile.TemporaryDirectory(prefix="kiosk-scan-") as tmp:
            args = [self._exe(), "-d", self.device, "--format=png", "--mode", "Gray",
                    "--resolution", str(self.dpi)]
            if source:
                args += ["--source", source, f"--batch={tmp}/page-%03d.png",
                         f"--batch-count={self.max_pages}"]
            else:
                args += ["-o", f"{tmp}/page-001.png"]
            args += [f"--{k}={v}" for k, v in self.options.items()]
            proc = run_watched(args, folder=Path(tmp), stall_s=self.stall_s,
                               grace_s=self.grace_s, total_s=self.timeout_s)
            err = proc.stderr
            if proc.ended and not any(m in err for m in ("sane_read:", "sane_start:",
                                                           "Batch terminated")):
                log.warning("scanimage on %s ended: %s", self.device, proc.ended)
                raise ScannerError(ScannerState.OFFLINE,
                                   f"scanner {self.device} stopped answering ({proc.ended})",
                                   "check the scanner's cable and power, then try again")
            if proc.ended:       # the outcome was printed, then it hung: the outcome stands
                log.warning("scanimage on %s hung after its outcome; ended", self.device)
            files = sorted(Path(tmp).glob("page-*.png"))
            # With a feeder, "out of documents" when the next sheet is fetched is the
            # normal end of a batch; anything during a page (sane_read) is a fault.
            feeder_done = bool(files) and re.search(
                r"sane_start: Document feeder out of documents", err)
            failed = "sane_read:" in err or (not feeder_done and (
                (proc.returncode or 0) != 0 or "sane_start:" in err))
            if failed:
                raise from_sane(err, self.device)
            if not files:
                raise ScannerError(ScannerState.NO_PAPER,
                                   f"scanner {self.device}: no page was scanned",
                                   "put the pages in the feeder and try again")
            pages = []
            for f in files:
                with Image.open(f) as im:
                    im.load()
                    page = im.convert("L")
                    page.info["dpi"] = (self.dpi, self.dpi)
                    pages.append(page)
            return pages

    def health(self) -> DeviceHealth:
        if self.last_error is not None:
            return DeviceHealth(self.name, DeviceStatus.HWERROR, str(self.last_error),
                                self.last_error.advice,
                                {"state": self.last_error.state.value})
        try:
            proc = run_watched([self._exe(), "-d", self.device, "-n"], stall_s=self.probe_s,
                               total_s=self.probe_s)
        except ScannerError as exc:
            return DeviceHealth(self.name, DeviceStatus.OFFLINE, str(exc), exc.advice)
        if proc.ended:
            return DeviceHealth(self.name, DeviceStatus.OFFLINE, "the scanner does not answer "
                                f"({proc.ended})", "check its cable and power")
        if proc.returncode != 0:
            exc = from_sane(proc.stderr, self.device)
            return DeviceHealth(self.name, DeviceStatus.OFFLINE, str(exc), exc.advice)
        return DeviceHealth(self.name, DeviceStatus.ONLINE, f"SANE device {self.device}",
                            extra={"state": ScannerState.OK.value})

    def close(self) -> None:
        self._closed = True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
