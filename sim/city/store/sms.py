"""SMS the city sends for a kiosk: stored once per key and appended to a JSONL inbox
file, which the technician window and the tests read as the citizens' phones."""
from __future__ import annotations

import json

from sim.city.clock import iso
from sim.city.store.core import StoreCore


class SmsStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS sms (
        id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kiosk_id TEXT,
        to_phone TEXT NOT NULL, text TEXT NOT NULL, sent_at TEXT NOT NULL)""",
    ]

    def sms_send(self, kiosk_id: str, key: str, to: str, text: str) -> tuple[int, bool]:
        now = iso(self.clock.now())
        with self._tx():
            row = self.conn.execute("SELECT id FROM sms WHERE key = ?", (key,)).fetchone()
            if row:
                return row["id"], True
            cur = self.conn.execute("INSERT INTO sms(key, kiosk_id, to_phone, text, sent_at) "
                                    "VALUES (?,?,?,?,?)", (key, kiosk_id, to, text, now))
            with open(self.sms_inbox, "a", encoding="utf-8") as f:
                f.write(json.dumps({"id": cur.lastrowid, "at": now, "to": to, "text": text,
                                    "key": key, "kiosk": kiosk_id, "via": "city"},
                                   ensure_ascii=False) + "\n")
            return cur.lastrowid, False
