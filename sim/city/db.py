"""The city simulator's own SQLite: events, dossiers, results, uploads, SMS, payments.

One connection guarded by a lock (the simulator serves a handful of kiosks, not a city).
Time comes from ``SimClock`` so a test or the technician can fast-forward processing.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sim.city.catalog import by_code
from sim.city.vietqr import vietqr_payload

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL, kind TEXT NOT NULL, dossier_code TEXT, kiosk_seq INTEGER,
        created_at TEXT, received_at TEXT NOT NULL, payload TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS events_dossier ON events(kiosk_id, dossier_code, kiosk_seq)",
    """CREATE TABLE IF NOT EXISTS dossiers (
        code TEXT PRIMARY KEY, kiosk_id TEXT NOT NULL, procedure_code TEXT, phone TEXT,
        citizen_name TEXT, state TEXT, collected_at TEXT, updated_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS results (
        id INTEGER PRIMARY KEY AUTOINCREMENT, dossier_code TEXT NOT NULL UNIQUE,
        kiosk_id TEXT NOT NULL, procedure_code TEXT, procedure_name TEXT,
        citizen_name_masked TEXT, phone TEXT, fee_due INTEGER NOT NULL DEFAULT 0,
        tray_size TEXT NOT NULL DEFAULT 'M', id_check INTEGER NOT NULL DEFAULT 0,
        ready_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS uploads (
        id TEXT PRIMARY KEY, key TEXT UNIQUE, kiosk_id TEXT NOT NULL, dossier_code TEXT,
        filename TEXT, length INTEGER NOT NULL, offset INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT NOT NULL, complete INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL,
        completed_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS sms (
        id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, kiosk_id TEXT,
        to_phone TEXT NOT NULL, text TEXT NOT NULL, sent_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS payments (
        id TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, kiosk_id TEXT, dossier_code TEXT,
        amount INTEGER NOT NULL, purpose TEXT, qr TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, expires_at TEXT NOT NULL, paid_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS heartbeats (
        id INTEGER PRIMARY KEY AUTOINCREMENT, kiosk_id TEXT NOT NULL,
        received_at TEXT NOT NULL, body TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)""",
]

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
PHONE_RE = re.compile(r"^0\d{9}$")
# Made-up citizens for dossiers whose events carry no name.
_NAMES = ["Trần Thị Mai", "Nguyễn Văn An", "Lê Thị Hồng", "Phạm Minh Tuấn", "Võ Thị Lan",
          "Huỳnh Văn Phúc", "Đặng Thị Thu", "Bùi Quốc Bảo", "Đỗ Thị Ngọc", "Hồ Văn Dũng",
          "Lý Mỹ Linh", "Trương Gia Huy"]
PAYMENT_BANK_BIN = "970415"
PAYMENT_ACCOUNT = "113366668888"


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def mask_name(name: str) -> str:
    parts = name.split()
    return " ".join([p[0] + "*" * (len(p) - 1) for p in parts[:-1]] + parts[-1:])


class SimClock:
    """Real UTC time plus an offset the technician or a test can push forward."""

    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            off = self._offset
        return datetime.now(timezone.utc) + timedelta(seconds=off)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += float(seconds)

    @property
    def offset_s(self) -> float:
        return self._offset


class EventRejected(Exception):
    pass


class CityDb:
    def __init__(self, path: str | Path, clock: SimClock, processing_s: float = 60.0,
                 sms_inbox: str | Path | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.upload_dir = self.path.with_name(self.path.name + ".uploads")
        self.upload_dir.mkdir(exist_ok=True)
        self.sms_inbox = Path(sms_inbox) if sms_inbox else \
            self.path.with_name(self.path.name + ".sms.jsonl")
        self.clock = clock
        self.processing_s = float(processing_s)
        self.catalog = by_code()
        self.lock = threading.RLock()
        self.conn = sqlite3.connect(str(self.path), check_same_thread=False,
                                    isolation_level=None, timeout=10)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        for sql in SCHEMA:
            self.conn.execute(sql)
        self._closed = False

    # ---- helpers ---------------------------------------------------------------------
    def _tx(self):
        db = self

        class _T:
            def __enter__(self_inner):
                db.lock.acquire()
                try:
                    db.conn.execute("BEGIN IMMEDIATE")
                except BaseException:      # closed or busy: never keep the lock
                    db.lock.release()
                    raise

            def __exit__(self_inner, et, ev, tb):
                try:
                    db.conn.execute("ROLLBACK" if et else "COMMIT")
                finally:
                    db.lock.release()
        return _T()

    def query(self, sql: str, params=()) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def bump(self, name: str, by: int = 1) -> None:
        with self._tx():
            self.conn.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) DO "
                              "UPDATE SET value = value + excluded.value", (name, by))

    def counters(self) -> dict[str, int]:
        return {r["name"]: r["value"] for r in self.query("SELECT * FROM counters")}

    def close(self) -> None:
        with self.lock:
            if not self._closed:
                self._closed = True
                self.conn.close()

    # ---- events ----------------------------------------------------------------------
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
                accepted.append(key)
            for name, n in (("events_new", len(accepted)), ("events_duplicate", len(duplicates)),
                            ("events_rejected", len(rejected)), ("order_violations", violations)):
                if n:
                    c.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) DO "
                              "UPDATE SET value = value + excluded.value", (name, n))
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

    # ---- results ---------------------------------------------------------------------
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

    # ---- uploads ---------------------------------------------------------------------
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

    # ---- SMS -------------------------------------------------------------------------
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

    # ---- payments --------------------------------------------------------------------
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

    # ---- heartbeats ------------------------------------------------------------------
    def heartbeat(self, kiosk_id: str, body: dict) -> None:
        with self._tx():
            self.conn.execute("INSERT INTO heartbeats(kiosk_id, received_at, body) "
                              "VALUES (?,?,?)", (kiosk_id, iso(self.clock.now()),
                                                 json.dumps(body, ensure_ascii=False)))

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


