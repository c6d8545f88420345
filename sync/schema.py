"""The sync area's tables in the kiosk database, added through the store's migrations.

- ``sync_catalog``: the procedure catalog as last fetched (works offline);
- ``sync_results``: results the city says are ready to load into a tray;
- ``sync_uploads``: scanned PDFs waiting to reach the city, with the resume point;
- ``sync_sms``: which SMS went out and by which route (idempotency across routes);
- ``outbox_dead_letters``: a view of events the city refused for good, for diagnostics.
"""
from __future__ import annotations

from kiosk.store import Store, register_migrations

SYNC_MIGRATIONS: list[tuple[str, list[str]]] = [
    ("sync-0001-tables", [
        """CREATE TABLE sync_catalog (
            code TEXT PRIMARY KEY, position INTEGER NOT NULL, data TEXT NOT NULL)""",
        """CREATE TABLE sync_results (
            result_id INTEGER PRIMARY KEY, dossier_code TEXT NOT NULL UNIQUE,
            procedure_code TEXT, procedure_name TEXT, citizen_name_masked TEXT,
            phone TEXT, phone_masked TEXT, phone_hmac TEXT,
            fee_due INTEGER NOT NULL DEFAULT 0, tray_size TEXT NOT NULL DEFAULT 'M',
            id_check INTEGER NOT NULL DEFAULT 0, ready_at TEXT, pulled_at TEXT NOT NULL,
            loaded_at TEXT)""",
        "CREATE INDEX sync_results_waiting ON sync_results(loaded_at, result_id)",
        """CREATE TABLE sync_uploads (
            key TEXT PRIMARY KEY, dossier_code TEXT, path TEXT NOT NULL,
            filename TEXT, length INTEGER NOT NULL, sha256 TEXT NOT NULL,
            location TEXT, offset INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT, created_at TEXT NOT NULL, done_at TEXT)""",
        "CREATE INDEX sync_uploads_pending ON sync_uploads(state, created_at)",
        """CREATE TABLE sync_sms (
            key TEXT PRIMARY KEY, via TEXT NOT NULL, phone_masked TEXT,
            reference TEXT, sent_at TEXT NOT NULL)""",
        """CREATE VIEW outbox_dead_letters AS
            SELECT id, key, kind, dossier_code, created_at, attempts, dead_letter,
                   last_error FROM outbox WHERE dead_letter IS NOT NULL""",
    ]),
]

register_migrations(SYNC_MIGRATIONS)


def ensure_schema(store: Store) -> list[str]:
    """Create the sync tables in an already open store (idempotent)."""
    register_migrations(SYNC_MIGRATIONS)
    return store.migrate()
