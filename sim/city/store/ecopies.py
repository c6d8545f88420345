"""Signed e-copies at the city: the certificates its CA issued to kiosks, and the verdict
of the check of every finished upload (a refused upload stays refused)."""
from __future__ import annotations

from sim.city.clock import iso
from sim.city.store.core import StoreCore


class EcopyStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS ecopy_checks (
        upload_id TEXT PRIMARY KEY, kiosk_id TEXT, dossier_code TEXT, ok INTEGER NOT NULL,
        code TEXT, message TEXT, signer TEXT, pdfa TEXT, pages INTEGER, checked_at TEXT)""",
        """CREATE TABLE IF NOT EXISTS certificates (
        serial TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, not_after TEXT, issued_at TEXT)""",
    ]

    def certificate_issued(self, serial: str, kiosk_id: str, not_after: str) -> None:
        with self._tx():
            self.conn.execute("INSERT INTO certificates(serial, kiosk_id, not_after, "
                              "issued_at) VALUES (?,?,?,?)",
                              (serial, kiosk_id, not_after, iso(self.clock.now())))

    def ecopy_verdict(self, upload_id: str) -> dict | None:
        rows = self.query("SELECT * FROM ecopy_checks WHERE upload_id = ?", (upload_id,))
        return rows[0] if rows else None

    def ecopy_record(self, row: dict, verdict) -> None:
        with self._tx():
            self.conn.execute(
                "INSERT OR REPLACE INTO ecopy_checks(upload_id, kiosk_id, dossier_code, ok, "
                "code, message, signer, pdfa, pages, checked_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (row["id"], row["kiosk_id"], row.get("dossier_code"), int(verdict.ok),
                 verdict.code, verdict.message, verdict.signer, verdict.pdfa, verdict.pages,
                 iso(self.clock.now())))
