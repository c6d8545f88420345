"""Resumable upload of scanned PDFs (tus-style: create, HEAD for the offset, PATCH).

``upload()`` only writes the PDF to the kiosk's disk and queues it, so a deposit never
waits for the network. ``run_once()`` (sync thread) sends queued files in chunks; after a
cut it asks the server where it stopped and goes on from there. The server checks the
SHA-256 at the end; a mismatch starts the file over. The local copy is deleted once the
city confirmed the whole file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
from datetime import timezone
from pathlib import Path

from kiosk.crashpoints import crashpoint
from kiosk.store import Store
from sync.client import CityClient
from sync.errors import (CityError, CityRejected, UploadChecksumMismatch,
                         UploadOffsetMismatch)

log = logging.getLogger(__name__)
CHUNK = 256 * 1024
MAX_ROUNDS = 64


class UploadQueue:
    def __init__(self, store: Store, client: CityClient | None, clock, folder: str | Path,
                 *, chunk_size: int = CHUNK):
        self.store, self.client, self.clock = store, client, clock
        self.folder = Path(folder)
        self.chunk_size = chunk_size

    def _now(self) -> str:
        return self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")

    # ---- the port the citizen service calls ------------------------------------------
    def upload(self, dossier_code: str, pdf: bytes, *, key: str,
               filename: str | None = None) -> None:
        """Queue one PDF (or another file named ``filename``; idempotent per key);
        returns at once."""
        if self.store.query_one("SELECT 1 FROM sync_uploads WHERE key = ?", (key,)):
            return
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", key):
            raise ValueError(f"upload key {key!r}: use letters, digits, '-', '_' or '.'")
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.folder / (f"{key}.pdf" if filename is None else key)
        tmp = path.with_suffix(".part")
        with open(tmp, "wb") as f:
            f.write(pdf)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        with self.store.write():
            self.store.execute(
                "INSERT OR IGNORE INTO sync_uploads(key, dossier_code, path, filename, "
                "length, sha256, created_at) VALUES (?,?,?,?,?,?,?)",
                (key, dossier_code, str(path), filename or f"{dossier_code}.pdf", len(pdf),
                 hashlib.sha256(pdf).hexdigest(), self._now()))

    # ---- the sync thread ---------------------------------------------------------------
    def pending(self) -> list[dict]:
        return self.store.query("SELECT * FROM sync_uploads WHERE state = 'pending' "
                                "ORDER BY created_at, key")

    def run_once(self, limit: int = 10) -> int:
        """Send up to ``limit`` queued files; returns how many completed. A link failure
        raises (the worker backs off); a refused file is marked failed."""
        done = 0
        for row in self.pending()[:limit]:
            try:
                if self.send(row):
                    done += 1
            except CityRejected as exc:
                self._set(row["key"], state="failed", last_error=str(exc)[:300])
                log.error("upload %s refused by the city: %s", row["key"], exc)
        return done

    def send(self, row: dict) -> bool:
        key = row["key"]
        data = Path(row["path"]).read_bytes()
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            self._set(key, state="failed", last_error="local copy changed on disk")
            raise CityRejected(f"upload {key}: the local PDF no longer matches its SHA-256")
        location = row["location"]
        try:
            if not location:
                created = self.client.upload_create(key=key, length=row["length"],
                                                    sha256=row["sha256"],
                                                    dossier_code=row["dossier_code"],
                                                    filename=row["filename"])
                location = created["location"]
                crashpoint("sync.upload.after_create")
                self._set(key, location=location)
            offset, _length, complete = self.client.upload_offset(location)
            for _ in range(MAX_ROUNDS):
                if complete:
                    break
                chunk = data[offset:offset + self.chunk_size]
                try:
                    offset, complete = self.client.upload_patch(location, offset, chunk)
                except UploadOffsetMismatch as exc:
                    offset = exc.offset if exc.offset is not None else \
                        self.client.upload_offset(location)[0]
                except UploadChecksumMismatch:
                    log.warning("upload %s: checksum mismatch at the end; starting over", key)
                    offset = 0
                crashpoint("sync.upload.after_patch")
                self._set(key, offset=offset)
            else:
                raise CityError(f"upload {key}: no progress after {MAX_ROUNDS} rounds")
        except CityError as exc:
            if exc.retryable:
                self._set(key, attempts_inc=True, last_error=str(exc)[:300])
            raise
        self._set(key, state="done", offset=row["length"], done_at=self._now(),
                  last_error=None)
        try:
            Path(row["path"]).unlink()
        except OSError:
            pass
        return True

    def _set(self, key: str, attempts_inc: bool = False, **fields) -> None:
        sets = [f"{k} = ?" for k in fields]
        if attempts_inc:
            sets.append("attempts = attempts + 1")
        with self.store.write():
            self.store.execute(f"UPDATE sync_uploads SET {', '.join(sets)} WHERE key = ?",
                               [*fields.values(), key])

    def status(self, key: str) -> dict | None:
        return self.store.query_one("SELECT * FROM sync_uploads WHERE key = ?", (key,))
