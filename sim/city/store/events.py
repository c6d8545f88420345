"""Events from the kiosks, and the dossiers the city follows through them.

Events are stored in the order received, once per key; a dossier's row is kept up to
date from its ``dossier.*`` events so that results can follow its collection.
"""
from __future__ import annotations

import json
import re

from sim.city.clock import iso
from sim.city.store.core import StoreCore

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
PHONE_RE = re.compile(r"^0\d{9}$")


class EventRejected(Exception):
    pass


class EventStore(StoreCore):
    SCHEMA = [
        """CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL, kind TEXT NOT NULL, dossier_code TEXT, kiosk_seq INTEGER,
        created_at TEXT, received_at TEXT NOT NULL, payload TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS events_dossier ON events(kiosk_id, dossier_code, kiosk_seq)",
        """CREATE TABLE IF NOT EXISTS dossiers (
        code TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, procedure_code TEXT, phone TEXT,
        citizen_name TEXT, state TEXT, collected_at TEXT, updated_at TEXT NOT NULL)""",
    ]

    @staticmethod
    def _check_event(ev) -> str | None:
        if not isinstance(ev, dict):
            return "an event must be a JSON object"
        key = ev.get("key")
        if not isinstance(key, str) or not 8 <= len(key) <= 100:
            return "key must be a text of 8 to 100 characters (a UUID)"
        kind = ev.get("kind")
        if not isinstance(kind, str) or not KIND_RE.match(kind):
            return f"kind {kind!r} is not a dotted lower-case name such as 'dossier.state'"
        if not isinstance(ev.get("payload"), dict):
            return "payload must be a JSON object"
        seq = ev.get("seq")
        if seq is not None and not isinstance(seq, int):
            return "seq must be an integer"
        code = ev.get("dossier_code")
        if code is not None and not isinstance(code, str):
            return "dossier_code must be a text or null"
        return None

    def ingest_events(self, kiosk_id: str, events: list) -> dict:
        """Store new events in the order given; the answer names new, duplicate and
        rejected keys. The whole batch is one transaction."""
        accepted, duplicates, rejected = [], [], []
        now = iso(self.clock.now())
        violations = 0
        with self._tx():
            c = self.conn
            for ev in events:
                problem = self._check_event(ev)
                if problem:
                    rejected.append({"key": ev.get("key") if isinstance(ev, dict) else None,
                                     "error": problem})
                    continue
                key = ev["key"]
                if c.execute("SELECT 1 FROM events WHERE key = ?", (key,)).fetchone():
                    duplicates.append(key)
                    continue
                code = ev.get("dossier_code")
                seq = ev.get("seq")
                if code and seq is not None:
                    last = c.execute("SELECT MAX(kiosk_seq) FROM events WHERE kiosk_id = ? "
                                     "AND dossier_code = ?", (kiosk_id, code)).fetchone()[0]
                    if last is not None and last > seq:
                        violations += 1
                c.execute("INSERT INTO events(key, kiosk_id, kind, dossier_code, kiosk_seq, "
                          "created_at, received_at, payload) VALUES (?,?,?,?,?,?,?,?)",
                          (key, kiosk_id, ev["kind"], code, seq, ev.get("created_at"), now,
                           json.dumps(ev["payload"], ensure_ascii=False)))
                self._track_dossier(kiosk_id, ev, now)
                self.journal.observe_event(kiosk_id, ev["payload"])
                accepted.append(key)
            for name, n in (("events_new", len(accepted)), ("events_duplicate", len(duplicates)),
                            ("events_rejected", len(rejected)), ("order_violations", violations)):
                if n:
                    self._add_counter(name, n)
        return {"accepted": accepted, "duplicates": duplicates, "rejected": rejected}

    def _track_dossier(self, kiosk_id: str, ev: dict, now: str) -> None:
        """Follow a dossier's life from the kiosk's events: who, what, and when it
        reached the office (then a result follows after the processing time)."""
        p = ev["payload"]
        code = ev.get("dossier_code")
        if not code or not ev["kind"].startswith("dossier."):
            return
        c = self.conn
        row = c.execute("SELECT * FROM dossiers WHERE code = ?", (code,)).fetchone()
        if row is None:
            c.execute("INSERT INTO dossiers(code, kiosk_id, updated_at) VALUES (?, ?, ?)",
                      (code, kiosk_id, now))
        sets = {"updated_at": now}
        if isinstance(p.get("procedure"), str):
            sets["procedure_code"] = p["procedure"]
        if isinstance(p.get("phone"), str) and PHONE_RE.match(p["phone"]):
            sets["phone"] = p["phone"]
        if isinstance(p.get("citizen_name"), str):
            sets["citizen_name"] = p["citizen_name"]
        to = p.get("to")
        if isinstance(to, str):
            sets["state"] = to
            if to == "COLLECTED" and p.get("from") in ("DEPOSITED", "SUBMITTED_ONLINE"):
                sets["collected_at"] = now
        assign = ", ".join(f"{k} = ?" for k in sets)
        c.execute(f"UPDATE dossiers SET {assign} WHERE code = ?", [*sets.values(), code])

    def events(self, kiosk_id: str | None = None) -> list[dict]:
        if kiosk_id:
            return self.query("SELECT * FROM events WHERE kiosk_id = ? ORDER BY seq",
                              (kiosk_id,))
        return self.query("SELECT * FROM events ORDER BY seq")
