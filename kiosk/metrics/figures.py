"""The kiosk's figures, computed once from the store: trays by state, dossier events,
the outbox, citizen transaction times. Plain values, so that the metrics collector and
a report read the same numbers from the same queries.

A citizen transaction is timed from its first journal row (the tray reserved for a
deposit, the unlock for a pickup) to its last: the door shut on the dossier (deposit) or
the result taken and the tray empty (pickup). Journal rows are never edited, so the
dossier event counts only grow, as Prometheus counters must.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.clock import parse_iso
from kiosk.models import TrayState
from kiosk.store import register_migrations

# dossier state reached → the event name in ``kiosk_dossiers_total{event}``
DOSSIER_EVENTS = {
    "DEPOSITED": "deposited", "SUBMITTED_ONLINE": "submitted_online",
    "COLLECTED": "collected", "RESULT_LOADED": "result_loaded", "PICKED_UP": "picked_up",
    "EXPIRED": "expired", "RETURNED_TO_OFFICE": "returned", "CANCELLED": "cancelled",
}
FLOWS = ("deposit", "pickup")

register_migrations([("metrics-0001-journal-txn", [
    "CREATE INDEX IF NOT EXISTS journal_txn ON journal(txn)",
])])


def tray_counts(store) -> dict[str, int]:
    """Every tray state with its count (zero included): they sum to the tray count."""
    counts = {s.value: 0 for s in TrayState}
    for row in store.query("SELECT state, COUNT(*) AS n FROM trays GROUP BY state"):
        counts[row["state"]] = row["n"]
    return counts


def dossier_events(store) -> dict[str, int]:
    """How many times dossiers reached each state, from the journal (since the start)."""
    counts = {e: 0 for e in DOSSIER_EVENTS.values()}
    rows = store.query("SELECT to_state, COUNT(*) AS n FROM journal WHERE action IN "
                       "('dossier.state', 'dossier.created') GROUP BY to_state")
    for row in rows:
        event = DOSSIER_EVENTS.get(row["to_state"] or "")
        if event:
            counts[event] += row["n"]
    return counts


@dataclass(frozen=True)
class OutboxFigures:
    pending: int
    oldest_age_s: float | None
    dead_letters: int


def outbox(store, now: datetime) -> OutboxFigures:
    pending = store.query_one(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox "
        "WHERE delivered_at IS NULL AND dead_letter IS NULL")
    dead = store.query_one("SELECT COUNT(*) AS n FROM outbox "
                           "WHERE dead_letter IS NOT NULL")["n"]
    age = None
    if pending["oldest"]:
        age = max(0.0, (now - parse_iso(pending["oldest"])).total_seconds())
    return OutboxFigures(pending["n"], age, dead)


def active_alerts(store) -> dict[str, int]:
    """Active alerts of the alert book by kind (door.left_open, alarm.tamper, ...)."""
    try:
        rows = store.query("SELECT kind, COUNT(*) AS n FROM alerts "
                           "WHERE cleared_at IS NULL GROUP BY kind")
    except Exception:        # no alert book in this database (yet)
        return {}
    return {r["kind"]: r["n"] for r in rows}


def transactions(store, after_seq: int = 0, limit: int = 5000) -> tuple[list[tuple[str, float]], int]:
    """Citizen transactions finished after journal row ``after_seq``:
    ([(flow, seconds)], last journal seq looked at). Call again with that seq."""
    head = (store.query_one("SELECT MAX(seq) AS s FROM journal") or {}).get("s") or 0
    ends = store.query(
        "SELECT seq, at, txn, to_state FROM journal WHERE seq > ? AND seq <= ? "
        "AND actor = 'citizen' "
        "AND action = 'tray.state' AND txn IS NOT NULL AND ((to_state = 'OCCUPIED_DEPOSIT'"
        " AND from_state = 'OPEN') OR (to_state = 'EMPTY' AND from_state = 'OPEN' AND "
        "reason = 'result taken')) ORDER BY seq LIMIT ?", (after_seq, head, limit))
    out: list[tuple[str, float]] = []
    last = after_seq
    for row in ends:
        last = row["seq"]
        first = store.query_one("SELECT MIN(at) AS t FROM journal WHERE txn = ?",
                                (row["txn"],))
        if not first or not first["t"]:
            continue
        seconds = (parse_iso(row["at"]) - parse_iso(first["t"])).total_seconds()
        flow = "deposit" if row["to_state"] == "OCCUPIED_DEPOSIT" else "pickup"
        out.append((flow, max(0.0, seconds)))
    if len(ends) < limit:
        last = max(last, head)
    return out, last
