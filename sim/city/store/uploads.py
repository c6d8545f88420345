"""Resumable uploads: bytes kept in a file per upload next to the database, the offset
and declared SHA-256 in the table, so a cut connection resumes where it stopped."""
from __future__ import annotations

import hashlib
import uuid

from sim.city.clock import iso
from sim.city.store.core import StoreCore


class UploadStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS uploads (
        id TEXT PRIMARY KEY, key TEXT UNIQUE, kiosk_id TEXT NOT NULL, dossier_code TEXT,
        filename TEXT, length INTEGER NOT NULL, offset INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
        completed_at TEXT)""",
    ]

    def upload_create(self, kiosk_id: str, key: str | None, length: int, sha256: str,
                      dossier_code: str | None, filename: str | None) -> tuple[dict, bool]:
        with self._tx():
            if key:
                row = self.conn.execute("SELECT * FROM uploads WHERE key = ?",
                                        (key,)).fetchone()
                if row:
                    return dict(row), False
            uid = uuid.uuid4().hex
            self.conn.execute(
                "INSERT INTO uploads(id, key, kiosk_id, dossier_code, filename, length, "
                "offset, sha256, created_at) VALUES (?,?,?,?,?,?,0,?,?)",
                (uid, key, kiosk_id, dossier_code, filename, length, sha256.lower(),
                 iso(self.clock.now())))
            (self.upload_dir / uid).write_bytes(b"")
            return dict(self.conn.execute("SELECT * FROM uploads WHERE id = ?",
                                          (uid,)).fetchone()), True

    def upload(self, uid: str) -> dict | None:
        rows = self.query("SELECT * FROM uploads WHERE id = ?", (uid,))
        return rows[0] if rows else None

    def upload_append(self, uid: str, offset: int, chunk: bytes) -> dict:
        """Append bytes at ``offset`` (must equal the stored offset)."""
        with self._tx():
            row = dict(self.conn.execute("SELECT * FROM uploads WHERE id = ?",
                                         (uid,)).fetchone())
            if row["offset"] != offset:
                raise ValueError(row["offset"])
            chunk = chunk[:row["length"] - offset]
            path = self.upload_dir / uid
            with open(path, "r+b") as f:
                f.truncate(offset)
                f.seek(offset)
                f.write(chunk)
            new = offset + len(chunk)
            self.conn.execute("UPDATE uploads SET offset = ? WHERE id = ?", (new, uid))
            row["offset"] = new
            return row

    def upload_finish(self, uid: str) -> bool:
        """Check the SHA-256 of a whole file; a mismatch starts the upload over."""
        path = self.upload_dir / uid
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with self._tx():
            row = self.conn.execute("SELECT sha256 FROM uploads WHERE id = ?",
                                    (uid,)).fetchone()
            if digest == row["sha256"]:
                self.conn.execute("UPDATE uploads SET complete = 1, completed_at = ? "
                                  "WHERE id = ?", (iso(self.clock.now()), uid))
                return True
            self.conn.execute("UPDATE uploads SET offset = 0 WHERE id = ?", (uid,))
            path.write_bytes(b"")
            return False

    def upload_bytes(self, uid: str) -> bytes:
        return (self.upload_dir / uid).read_bytes()
