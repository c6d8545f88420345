"""Results the city hands back: made from collected dossiers after the processing time,
or added directly for dossiers submitted online elsewhere."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from sim.city.clock import iso
from sim.city.store.core import StoreCore

# Made-up citizens for dossiers whose events carry no name.
_NAMES = ["Trần Thị Mai", "Nguyễn Văn An", "Lê Thị Hồng", "Phạm Minh Tuấn", "Võ Thị Lan",
          "Huỳnh Văn Phúc", "Đặng Thị Thu", "Bùi Quốc Bảo", "Đỗ Thị Ngọc", "Hồ Văn Dũng",
          "Lý Mỹ Linh", "Trương Gia Huy"]


def mask_name(name: str) -> str:
    parts = name.split()
    return " ".join([p[0] + "*" * (len(p) - 1) for p in parts[:-1]] + parts[-1:])


class ResultStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS results (
        id INTEGER PRIMARY KEY AUTOINCREMENT, dossier_code TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL, procedure_code TEXT, procedure_name TEXT,
        citizen_name_masked TEXT, phone TEXT, fee_due INTEGER NOT NULL DEFAULT 0,
        tray_size TEXT NOT NULL DEFAULT 'M', id_check INTEGER NOT NULL DEFAULT 0,
        ready_at TEXT NOT NULL)""",
    ]

    def _materialize_results(self) -> None:
        """Dossiers collected longer ago than the processing time get their result,
        unless the procedure's result is handed over at the office only."""
        now = self.clock.now()
        cutoff = iso(now - timedelta(seconds=self.processing_s))
        office_only = [c for c, p in self.catalog.items() if not p["kiosk_return"]]
        marks = ",".join("?" * len(office_only))
        with self._tx():
            rows = self.conn.execute(
                "SELECT d.* FROM dossiers d LEFT JOIN results r ON r.dossier_code = d.code "
                "WHERE r.id IS NULL AND d.collected_at IS NOT NULL AND d.collected_at <= ? "
                f"AND COALESCE(d.procedure_code, '') NOT IN ({marks}) "
                "ORDER BY d.collected_at, d.code", (cutoff, *office_only)).fetchall()
            for d in rows:
                self._insert_result(dict(d), iso(now))

    def _insert_result(self, d: dict, ready_at: str, fee_due: int | None = None,
                       id_check: bool | None = None) -> None:
        proc = self.catalog.get(d.get("procedure_code") or "")
        digest = int(hashlib.sha256(d["code"].encode()).hexdigest(), 16)
        name = d.get("citizen_name") or _NAMES[digest % len(_NAMES)]
        if fee_due is None:
            paid = self.conn.execute("SELECT 1 FROM payments WHERE dossier_code = ? AND "
                                     "status = 'paid'", (d["code"],)).fetchone()
            fee_due = 0 if paid or not proc else proc["fee"]
        if id_check is None:
            id_check = proc["id_check"] if proc else digest % 4 == 0
        self.conn.execute(
            "INSERT OR IGNORE INTO results(dossier_code, kiosk_id, procedure_code, "
            "procedure_name, citizen_name_masked, phone, fee_due, tray_size, id_check, "
            "ready_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (d["code"], d["kiosk_id"], d.get("procedure_code"),
             proc["name"]["vi"] if proc else None, mask_name(name), d.get("phone"),
             int(fee_due), proc["tray_size"] if proc else "M", int(bool(id_check)), ready_at))

    def add_result(self, *, dossier_code: str, kiosk_id: str, procedure_code: str,
                   phone: str | None = None, citizen_name: str | None = None,
                   fee_due: int | None = None, id_check: bool | None = None) -> dict:
        """A result for a dossier submitted online elsewhere, to be picked up here."""
        now = iso(self.clock.now())
        with self._tx():
            self.conn.execute(
                "INSERT INTO dossiers(code, kiosk_id, procedure_code, phone, citizen_name, "
                "state, updated_at) VALUES (?,?,?,?,?,?,?) ON CONFLICT(code) DO NOTHING",
                (dossier_code, kiosk_id, procedure_code, phone, citizen_name, "ONLINE", now))
            d = dict(self.conn.execute("SELECT * FROM dossiers WHERE code = ?",
                                       (dossier_code,)).fetchone())
            self._insert_result(d, now, fee_due, id_check)
        return self.query("SELECT * FROM results WHERE dossier_code = ?", (dossier_code,))[0]

    def results_after(self, kiosk_id: str, after: int, limit: int) -> tuple[list[dict], int,
                                                                           bool]:
        self._materialize_results()
        rows = self.query("SELECT * FROM results WHERE kiosk_id = ? AND id > ? ORDER BY id "
                          "LIMIT ?", (kiosk_id, after, limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = rows[-1]["id"] if rows else after
        out = [{"result_id": r["id"], "dossier_code": r["dossier_code"],
                "procedure_code": r["procedure_code"], "procedure_name": r["procedure_name"],
                "citizen_name_masked": r["citizen_name_masked"], "phone": r["phone"],
                "fee_due": r["fee_due"], "tray_size": r["tray_size"],
                "id_check": bool(r["id_check"]), "ready_at": r["ready_at"]} for r in rows]
        return out, cursor, more
