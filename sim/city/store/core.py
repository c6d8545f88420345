"""What every city table module shares: one SQLite connection behind one lock.

The simulator serves a handful of kiosks, not a city, so a single connection guarded by
a re-entrant lock is enough and keeps each request's writes in one transaction.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sim.city.catalog import by_code
from sim.city.clock import SimClock


class _Tx:
    """``with db._tx():`` one ``BEGIN IMMEDIATE`` transaction holding the lock."""

    def __init__(self, db: "StoreCore"):
        self.db = db

    def __enter__(self):
        self.db.lock.acquire()
        try:
            self.db.conn.execute("BEGIN IMMEDIATE")
        except BaseException:      # closed or busy: never keep the lock
            self.db.lock.release()
            raise

    def __exit__(self, et, ev, tb):
        try:
            self.db.conn.execute("ROLLBACK" if et else "COMMIT")
        finally:
            self.db.lock.release()


class StoreCore:
    SCHEMA = [
        "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    ]

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
        for sql in self.schema():
            self.conn.execute(sql)
        self._closed = False

    @classmethod
    def schema(cls) -> list[str]:
        """Every table module's statements, in the order the class bases are listed."""
        out: list[str] = []
        for klass in cls.__mro__:
            for sql in klass.__dict__.get("SCHEMA", ()):
                if sql not in out:
                    out.append(sql)
        return out

    def _tx(self) -> _Tx:
        return _Tx(self)

    def query(self, sql: str, params=()) -> list[dict]:
        with self.lock:
            return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def _add_counter(self, name: str, by: int) -> None:
        """Inside a transaction the caller holds."""
        self.conn.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) DO "
                          "UPDATE SET value = value + excluded.value", (name, by))

    def bump(self, name: str, by: int = 1) -> None:
        with self._tx():
            self._add_counter(name, by)

    def counters(self) -> dict[str, int]:
        return {r["name"]: r["value"] for r in self.query("SELECT * FROM counters")}

    def close(self) -> None:
        with self.lock:
            if not self._closed:
                self._closed = True
                self.conn.close()
