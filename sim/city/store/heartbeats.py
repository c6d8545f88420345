"""Heartbeats: each kiosk's latest health report, kept whole for the technician."""
from __future__ import annotations

import json

from sim.city.clock import iso
from sim.city.store.core import StoreCore


class HeartbeatStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS heartbeats (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL,
        received_at TEXT NOT NULL, body TEXT NOT NULL)""",
    ]

    def heartbeat(self, kiosk_id: str, body: dict) -> None:
        with self._tx():
            self.conn.execute("INSERT INTO heartbeats(kiosk_id, received_at, body) "
                              "VALUES (?,?,?)", (kiosk_id, iso(self.clock.now()),
                                                 json.dumps(body, ensure_ascii=False)))
            self.journal.observe_head(kiosk_id, body.get("journal_head"))

    def last_heartbeat(self, kiosk_id: str | None = None) -> dict | None:
        sql = "SELECT * FROM heartbeats"
        args: tuple = ()
        if kiosk_id:
            sql, args = sql + " WHERE kiosk_id = ?", (kiosk_id,)
        rows = self.query(sql + " ORDER BY id DESC LIMIT 1", args)
        if not rows:
            return None
        return {"kiosk_id": rows[0]["kiosk_id"], "received_at": rows[0]["received_at"],
                **json.loads(rows[0]["body"])}
