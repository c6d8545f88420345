"""Scanned dossiers on their way to signed e-copies, on a thread of their own.

``submit`` only writes the checked pages to disk (one folder per dossier, made under a
temporary name and renamed when whole) and returns: the citizen's screen is free. The
worker then cleans, reads (OCR), makes the PDF/A, signs it and hands it to the upload
queue with its SHA-256; the folder is removed only after the upload is queued. After a
power cut the folders still there are taken up again from the last whole step, and a
folder that never became whole is thrown away at start: nothing half-written reaches
the upload queue.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from pathlib import Path

from PIL import Image

from kiosk.digitise.checks import PageReport
from kiosk.digitise.pipeline import Digitiser, _crashpoint, write_whole

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_S = 60.0


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class EcopyQueue:
    """``submit(code, pages, reports, meta)``; ``start()``/``stop()``; ``run_once()``."""

    def __init__(self, folder: str | Path, digitiser: Digitiser, uploads, *, ledger=None,
                 resolve_txn=None):
        self.folder = Path(folder)
        # txn → dossier code, or None when no dossier was recorded for it (kiosk.app
        # looks it up in the ledger); used for folders staged before a power cut
        self.resolve_txn = resolve_txn
        self.digitiser, self.uploads, self.ledger = digitiser, uploads, ledger
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.listeners: list = []           # called with (dossier_code, sha256) when queued
        self._sweep()

    def _sweep(self) -> None:
        """Folders that were being written when the power went: gone, never uploaded."""
        for tmp in self.folder.glob("*.new"):
            shutil.rmtree(tmp, ignore_errors=True)
        for job in self.folder.glob("*.job"):
            for part in job.glob("*.part"):
                part.unlink(missing_ok=True)
        if self.resolve_txn is None:
            return
        for staged in self.folder.glob("*.staged"):   # staged, then the power went
            code = self.resolve_txn(staged.stem)
            if code:
                self.commit(staged.stem, code)
            else:                  # the dossier was never recorded: nothing to send
                log.warning("pages staged for %s had no dossier; removed", staged.stem)
                shutil.rmtree(staged, ignore_errors=True)

    # ---- the citizen's side: quick ---------------------------------------------------
    def submit(self, dossier_code: str, pages: list[Image.Image],
               reports: list[PageReport], meta: dict) -> Path:
        job = self.folder / f"{dossier_code}.job"
        if job.exists():
            return job
        self._write(dossier_code, pages, reports, {**meta, "dossier_code": dossier_code}, job)
        self._wake.set()
        return job

    def stage(self, txn: str, pages: list[Image.Image], reports: list[PageReport],
              meta: dict) -> Path:
        """The pages on disk before the dossier is recorded (``commit`` once it is): a
        power cut in between loses neither."""
        staged = self.folder / f"{txn}.staged"
        if not staged.exists():
            self._write(txn, pages, reports, {**meta, "txn": txn}, staged)
        return staged

    def commit(self, txn: str, dossier_code: str) -> Path:
        staged, job = self.folder / f"{txn}.staged", self.folder / f"{dossier_code}.job"
        if staged.exists() and not job.exists():
            spec = json.loads((staged / "job.json").read_text())
            spec["meta"]["dossier_code"] = dossier_code
            write_whole(staged / "job.json", json.dumps(spec, ensure_ascii=False).encode())
            _crashpoint("digitise.before_commit_rename")
            os.replace(staged, job)
            _fsync_dir(self.folder)
        self._wake.set()
        return job

    def _write(self, name: str, pages, reports, meta: dict, final: Path) -> None:
        tmp = self.folder / f"{name}.new"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(mode=0o700)
        for i, page in enumerate(pages):
            path = tmp / f"page-{i:03d}.png"
            with open(path, "wb") as f:
                page.convert("L").save(f, format="PNG", compress_level=1,
                                       dpi=page.info.get("dpi") or (200, 200))
                f.flush()
                os.fsync(f.fileno())
        spec = {"meta": meta,
                "reports": [{"number": r.number, "skew_deg": r.skew_deg, "rotate": r.rotate,
                             "paper": r.paper, "findings": r.keys} for r in reports]}
        write_whole(tmp / "job.json", json.dumps(spec, ensure_ascii=False).encode())
        _fsync_dir(tmp)
        _crashpoint("digitise.before_job_rename")
        os.replace(tmp, final)
        _fsync_dir(self.folder)

    # ---- the worker ------------------------------------------------------------------
    def pending(self) -> list[Path]:
        return sorted(p for p in self.folder.glob("*.job")
                      if not (p / "failed").exists())

    def run_once(self) -> int:
        """Take every waiting dossier one step to the upload queue; returns how many."""
        done = 0
        with self._lock:
            for job in self.pending():
                if self._stop.is_set():
                    break
                try:
                    self.process(job)
                    done += 1
                except Exception as exc:
                    self._failed(job, exc)
        return done

    def process(self, job: Path) -> str:
        spec = json.loads((job / "job.json").read_text())
        meta, code = spec["meta"], spec["meta"]["dossier_code"]
        signed = job / "signed.pdf"
        if not signed.exists():
            pages = []
            for path in sorted(job.glob("page-*.png")):
                with Image.open(path) as img:
                    img.load()
                    pages.append(img)
            reports = [PageReport(number=r["number"], skew_deg=r["skew_deg"],
                                  rotate=r["rotate"], paper=r["paper"])
                       for r in spec["reports"]]
            jpegs = self.digitiser.clean_jpegs(pages, reports)
            signed = self.digitiser.make(jpegs, meta, job)
        data = signed.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        self.uploads.upload(code, data, key=f"upload-{code}")
        _crashpoint("digitise.after_queue")
        if self.ledger is not None:
            self.ledger.event("ecopy.queued", actor="kiosk", subject=code, to_city=False,
                              dossier_code=code,
                              data={"sha256": sha, "bytes": len(data),
                                    "pages": len(spec["reports"])})
        shutil.rmtree(job, ignore_errors=True)
        for cb in list(self.listeners):
            try:
                cb(code, sha)
            except Exception:
                log.exception("e-copy listener failed")
        return sha

    def _failed(self, job: Path, exc: Exception) -> None:
        from kiosk.digitise.pki import NotEnrolled
        if isinstance(exc, NotEnrolled):       # waits for the city; not the file's fault
            log.warning("e-copy %s waits: %s", job.stem, exc)
            return
        tries_file = job / "attempts"
        tries = int(tries_file.read_text() or 0) + 1 if tries_file.exists() else 1
        write_whole(tries_file, str(tries).encode())
        log.error("e-copy %s failed (try %d of %d): %s", job.stem, tries, MAX_ATTEMPTS, exc)
        if tries >= MAX_ATTEMPTS:
            write_whole(job / "failed", str(exc).encode())
            if self.ledger is not None:
                self.ledger.event("ecopy.failed", actor="kiosk", subject=job.stem,
                                  to_city=False, reason=str(exc)[:300])

    def _loop(self) -> None:
        try:   # OCR is background work: below the screens and the door thread
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (OSError, AttributeError):
            pass
        while not self._stop.is_set():
            self._wake.clear()
            enrolled = self.enrol()
            try:
                if enrolled:
                    self.run_once()
            except Exception:
                log.exception("e-copy worker")
            # wake for new work, and at least hourly to renew the certificate in time
            self._wake.wait(RETRY_S if (self.pending() or not enrolled) else 3600)

    def enrol(self) -> bool:
        """Enrol at first start with the city reachable, renew when due; False while
        there is no valid certificate to sign with."""
        from kiosk.digitise.pki import NotEnrolled
        try:
            self.digitiser.ensure_credentials()
            return True
        except NotEnrolled as exc:
            log.warning("e-copies wait for a certificate: %s", exc)
            return False

    def start(self) -> "EcopyQueue":
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="ecopies", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    close = stop
