"""``kiosk db check`` and ``kiosk audit verify``: read-only looks at a kiosk database."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path



def _open_readonly(path: str) -> sqlite3.Connection | None:
    if not Path(path).exists():
        print(f"kiosk: no database at {path}; check the path (the kiosk keeps it in its "
              "data folder as kiosk.db)", file=sys.stderr)
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


def db_check(args) -> int:
    from kiosk.models import DossierState, TrayState
    conn = _open_readonly(args.db)
    if conn is None:
        return 2
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        trays = {s.value: 0 for s in TrayState}
        for r in conn.execute("SELECT state, COUNT(*) n FROM trays GROUP BY state"):
            trays[r["state"]] = r["n"]
        dossiers = {s.value: 0 for s in DossierState}
        for r in conn.execute("SELECT state, COUNT(*) n FROM dossiers GROUP BY state"):
            dossiers[r["state"]] = r["n"]
        version = conn.execute("SELECT value FROM settings WHERE key='schema_version'"
                               ).fetchone()
        migrations = [r[0] for r in conn.execute(
            "SELECT name FROM schema_migrations ORDER BY name")]
        pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL "
                               "AND dead_letter IS NULL").fetchone()[0]
        dead = conn.execute("SELECT COUNT(*) FROM outbox WHERE dead_letter IS NOT NULL"
                            ).fetchone()[0]
    except sqlite3.DatabaseError as exc:
        print(f"kiosk: {args.db} is not a usable kiosk database: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    report = {"db": args.db, "schema_version": json.loads(version[0]) if version else 0,
              "migrations": migrations, "integrity_check": integrity, "trays": trays,
              "dossiers": dossiers, "outbox_pending": pending, "outbox_dead_letters": dead}
    print(json.dumps(report, indent=2))
    return 0 if integrity == "ok" else 1


def audit_verify(args) -> int:
    from kiosk.journal import verify_chain
    from kiosk.services.ledger import HEAD_KEY
    conn = _open_readonly(args.db)
    if conn is None:
        return 2
    try:
        rows = conn.execute("SELECT * FROM journal ORDER BY rowid")
        head = conn.execute("SELECT value FROM settings WHERE key = ?", (HEAD_KEY,)).fetchone()
        report = verify_chain((dict(r) for r in rows), json.loads(head[0]) if head else None)
    except sqlite3.DatabaseError as exc:
        print(f"kiosk: cannot read the journal of {args.db}: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if report.ok:
        print(f"journal ok: {report.rows} rows, head {report.head_hash[:16]}…")
        return 0
    print(f"journal BROKEN at row {report.first_bad_seq}: {report.problem}. "
          f"{report.rows} rows before it hold. Keep this database as evidence and tell the "
          "office.", file=sys.stderr)
    return 1


def register(sub, groups) -> None:
    p = groups["db"].add_parser("check", help="integrity, schema version, trays and "
                                "dossiers per state, as JSON")
    p.add_argument("--db", required=True, help="path of kiosk.db")
    p.set_defaults(func=db_check)
    p = groups["audit"].add_parser("verify", help="walk the hash chain of the journal")
    p.add_argument("--db", required=True, help="path of kiosk.db")
    p.set_defaults(func=audit_verify)
