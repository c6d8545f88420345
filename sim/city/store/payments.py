"""Payments: a VietQR code per request key, pending until confirmed (by the technician
or a test) or expired after 15 simulated minutes."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sim.city.clock import iso, parse_iso
from sim.city.store.core import StoreCore
from sim.city.vietqr import vietqr_payload

PAYMENT_BANK_BIN = "970415"
PAYMENT_ACCOUNT = "113366668888"


class PaymentStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS payments (
        id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, kiosk_id TEXT, dossier_code TEXT,
        amount INTEGER NOT NULL, purpose TEXT, qr TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, paid_at TEXT)""",
    ]

    def payment_create(self, kiosk_id: str, key: str, dossier_code: str | None, amount: int,
                       purpose: str) -> tuple[dict, bool]:
        now = self.clock.now()
        with self._tx():
            row = self.conn.execute("SELECT * FROM payments WHERE key = ?", (key,)).fetchone()
            if row:
                return dict(row), False
            pid = "PAY" + uuid.uuid4().hex[:12].upper()
            memo = f"{dossier_code} {pid}" if dossier_code else pid   # code first: 25 kept
            qr = vietqr_payload(PAYMENT_BANK_BIN, PAYMENT_ACCOUNT, amount, memo)
            self.conn.execute(
                "INSERT INTO payments(id, key, kiosk_id, dossier_code, amount, purpose, qr, "
                "status, created_at, expires_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (pid, key, kiosk_id, dossier_code, amount, purpose, qr, "pending", iso(now),
                 iso(now + timedelta(minutes=15))))
            return dict(self.conn.execute("SELECT * FROM payments WHERE id = ?",
                                          (pid,)).fetchone()), True

    def payment(self, pid: str) -> dict | None:
        rows = self.query("SELECT * FROM payments WHERE id = ?", (pid,))
        if not rows:
            return None
        row = rows[0]
        if row["status"] == "pending" and parse_iso(row["expires_at"]) < self.clock.now():
            row["status"] = "expired"
        return row

    def payment_confirm(self, pid: str) -> dict | None:
        with self._tx():
            self.conn.execute("UPDATE payments SET status = 'paid', paid_at = ? WHERE id = ? "
                              "AND status = 'pending'", (iso(self.clock.now()), pid))
        return self.payment(pid)
