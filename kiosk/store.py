"""The kiosk's one SQLite database, opened once, with one writing connection.

WAL with ``synchronous=FULL`` (a committed "tray opened" must survive a power cut),
``BEGIN IMMEDIATE`` for every transaction that may write (a deferred one can fail with
SQLITE_BUSY at once in WAL mode), and forward-only migrations recorded by name.
See docs/design-notes.md and ../shared/RELIABILITY.md for why.
"""
from __future__ import annotations

import contextlib
import json
import secrets
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import sqlite_utils

SCHEMA_VERSION_KEY = "schema_version"

# (name, statements). Names sort in the order they were written; never edit an applied
# migration, add a new one.
CORE_MIGRATIONS: list[tuple[str, list[str]]] = [
    ("core-0001-initial", [
        """CREATE TABLE trays (
            id TEXT PRIMARY KEY, cabinet TEXT NOT NULL, size TEXT NOT NULL,
            state TEXT NOT NULL, dossier_code TEXT, purpose TEXT, prior_state TEXT,
            txn TEXT, state_since TEXT NOT NULL, note TEXT, actor TEXT)""",
        "CREATE UNIQUE INDEX trays_one_dossier ON trays(dossier_code) "
        "WHERE dossier_code IS NOT NULL",
        """CREATE TABLE dossiers (
            code TEXT PRIMARY KEY, procedure_code TEXT NOT NULL, procedure_name TEXT,
            state TEXT NOT NULL, tray_id TEXT, tray_size TEXT NOT NULL DEFAULT 'M',
            phone_hmac TEXT, phone_masked TEXT, id_hmac TEXT, id_masked TEXT,
            citizen_name_masked TEXT, fee INTEGER NOT NULL DEFAULT 0,
            payment TEXT NOT NULL DEFAULT 'none', channel TEXT NOT NULL DEFAULT 'kiosk',
            needs_id_check INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deposited_at TEXT,
            collected_at TEXT, result_loaded_at TEXT, deadline_at TEXT,
            reminder_sent_at TEXT, picked_up_at TEXT, closed_at TEXT, data TEXT)""",
        "CREATE UNIQUE INDEX dossiers_one_tray ON dossiers(tray_id) WHERE tray_id IS NOT NULL",
        "CREATE INDEX dossiers_phone ON dossiers(phone_hmac)",
        "CREATE INDEX dossiers_state ON dossiers(state)",
        """CREATE TABLE journal (
            seq INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL,
            action TEXT NOT NULL, subject TEXT, from_state TEXT, to_state TEXT,
            reason TEXT, txn TEXT, data TEXT, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
            dossier_code TEXT, payload TEXT NOT NULL, created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT,
            delivered_at TEXT, dead_letter TEXT, last_error TEXT, journal_seq INTEGER)""",
        "CREATE INDEX outbox_pending ON outbox(delivered_at, dead_letter, id)",
        "CREATE INDEX outbox_dossier ON outbox(dossier_code, id)",
        """CREATE TABLE staff (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL,
            pin_hash TEXT NOT NULL, last_totp_step INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0, locked_until TEXT,
            disabled INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL)""",
        """CREATE TABLE ratings (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, dossier_code TEXT,
            score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5), flow TEXT)""",
        """CREATE TABLE incidents (
            id INTEGER PRIMARY KEY, at TEXT NOT NULL, tray_id TEXT, kind TEXT NOT NULL,
            detail TEXT, actor TEXT, resolved_at TEXT, resolved_by TEXT)""",
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT)",
    ]),
]

_extra_migrations: list[tuple[str, list[str]]] = []


def register_migrations(migrations: list[tuple[str, list[str]]]) -> None:
    """Let another part (sync, staff) add its own tables; applied by ``Store.migrate``.
    Names must be unique across the project, e.g. ``sync-0001-catalog``."""
    known = {n for n, _ in CORE_MIGRATIONS + _extra_migrations}
    for name, statements in migrations:
        if name not in known:
            _extra_migrations.append((name, statements))
            known.add(name)


class StoreError(Exception):
    """The database cannot be used; the message says what to do."""


def utcnow_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Store:
    def __init__(self, conn: sqlite3.Connection, path: str):
        self.conn = conn
        self.path = path
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        self._depth = 0

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True) -> "Store":
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=5.0)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 5000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the database {path}: {exc}; if the file is "
                             "damaged restore it from the latest backup "
                             "(never delete the -wal file)") from None
        store = cls(conn, path)
        sync = conn.execute("PRAGMA synchronous").fetchone()[0]
        if path != ":memory:" and (mode.lower() != "wal" or sync != 2):
            raise StoreError(f"{path}: SQLite refused WAL/synchronous=FULL "
                             f"(journal_mode={mode}, synchronous={sync})")
        if migrate:
            store.migrate()
        return store

    # ---- transactions --------------------------------------------------------------
    @contextlib.contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sqlite_utils.Database]:
        """One write transaction (BEGIN IMMEDIATE); nested blocks are savepoints.

        ``durable=False`` commits without waiting for the disk (WAL, synchronous=NORMAL):
        only for bookkeeping whose loss in a power cut is harmless because it is redone
        (marking outbox rows delivered: the city drops the resend as a duplicate). The
        next durable commit makes it durable too, since the WAL is written in order.
        """
        with self._lock:
            if self._depth == 0 and not durable:
                self.conn.execute("PRAGMA synchronous = NORMAL")
                try:
                    with self.write() as db:
                        yield db
                finally:
                    self.conn.execute("PRAGMA synchronous = FULL")
                return
            if self._depth == 0:
                self.conn.execute("BEGIN IMMEDIATE")
                self._depth = 1
                try:
                    yield self.db
                except BaseException:
                    self._depth = 0
                    if self.conn.in_transaction:
                        self.conn.execute("ROLLBACK")
                    raise
                else:
                    self._depth = 0
                    try:
                        self.conn.execute("COMMIT")
                    except BaseException:
                        if self.conn.in_transaction:
                            self.conn.execute("ROLLBACK")
                        raise
            else:
                name = f"sp_{secrets.token_hex(6)}"
                self.conn.execute(f"SAVEPOINT {name}")
                self._depth += 1
                try:
                    yield self.db
                except BaseException:
                    self._depth -= 1
                    self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                else:
                    self._depth -= 1
                    self.conn.execute(f"RELEASE SAVEPOINT {name}")

    @property
    def in_write(self) -> bool:
        return self._depth > 0

    def query(self, sql: str, params=()) -> list[dict]:
        with self._lock:
            return [dict(r) for r in self.conn.execute(sql, params).fetchall()]

    def rows(self, sql: str, params=()) -> list:
        """Rows as they come (``sqlite3.Row``, read by index), for hot read paths that
        would otherwise pay for a dict per row."""
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params=()) -> dict | None:
        with self._lock:
            row = self.conn.execute(sql, params).fetchone()
        return dict(row) if row else None

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        """A statement that writes; only inside ``write()``."""
        if not self.in_write:
            raise StoreError("write outside a transaction: wrap it in 'with store.write():'")
        return self.conn.execute(sql, params)

    # ---- settings ------------------------------------------------------------------
    def get_setting(self, key: str, default=None):
        row = self.query_one("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(row["value"]) if row else default

    def set_setting(self, key: str, value) -> None:
        with self.write():
            self.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                         (key, json.dumps(value)))

    # ---- schema --------------------------------------------------------------------
    def migrate(self) -> list[str]:
        """Apply every migration not applied yet, each in its own transaction."""
        with self._lock:
            self.conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                              "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {r["name"] for r in self.query("SELECT name FROM schema_migrations")}
            applied = []
            for name, statements in CORE_MIGRATIONS + _extra_migrations:
                if name in done:
                    continue
                with self.write():
                    for sql in statements:
                        self.conn.execute(sql)
                    self.conn.execute("INSERT INTO schema_migrations VALUES (?, ?)",
                                      (name, utcnow_iso()))
                    if name.startswith("core-"):
                        self.conn.execute(
                            "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) "
                            "DO UPDATE SET value = excluded.value",
                            (SCHEMA_VERSION_KEY, json.dumps(int(name.split("-")[1]))))
                applied.append(name)
            return applied

    def schema_version(self) -> int:
        return int(self.get_setting(SCHEMA_VERSION_KEY, 0))

    def integrity_check(self) -> str:
        return self.query_one("PRAGMA integrity_check")["integrity_check"]

    def backup(self, dest: str | Path) -> None:
        """A consistent copy of the live database (never copy the file itself)."""
        with self._lock:
            self.conn.execute("VACUUM INTO ?", (str(dest),))

    def close(self) -> None:
        with self._lock:
            try:
                self.conn.close()
            except sqlite3.Error:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
