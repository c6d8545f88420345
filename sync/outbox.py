"""Delivery of the outbox to the city: batches in id order, at least once.

Rows go in ascending id, so the events of one dossier reach the city in the order they
happened (a batch is stored by the city in the order sent). A key the city reports as
``accepted`` or ``duplicate`` is delivered; a ``rejected`` one is parked as a dead letter
(the city will never take it; diagnostics shows it). A network error, 5xx or 429 leaves
every row pending and backs the link off. Delivered and parked rows lose their plaintext
phone and ID numbers.
"""
from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from kiosk.crashpoints import crashpoint
from kiosk.store import Store
from sync.client import CityClient
from sync.errors import CityRejected, CityServerError
from sync.scrub import scrub

log = logging.getLogger(__name__)
# Whole-request answers that blame the events themselves; any other 4xx (404, 405, ...)
# means the kiosk is talking to the wrong place, and parking the outbox would be wrong.
EVENT_FAULT_STATUSES = {400, 409, 413, 415, 422}


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class BatchOutcome:
    sent: int = 0
    delivered: list[str] = field(default_factory=list)
    duplicates: int = 0
    dead: list[str] = field(default_factory=list)
    left: int = 0           # keys the answer did not mention (stay pending)

    @property
    def progressed(self) -> bool:
        return bool(self.delivered or self.dead)


class OutboxSender:
    def __init__(self, store: Store, client: CityClient, clock, *, batch_size: int = 50):
        self.store, self.client, self.clock = store, client, clock
        self.batch_size = batch_size
        self._single_until = 0    # after a whole-batch 4xx: one by one up to this id
        self._failed_ids: list[int] = []

    # ---- what is waiting -------------------------------------------------------------
    def pending(self, limit: int) -> list[dict]:
        return self.store.query(
            "SELECT id, key, kind, dossier_code, payload, created_at FROM outbox "
            "WHERE delivered_at IS NULL AND dead_letter IS NULL ORDER BY id LIMIT ?",
            (limit,))

    def depth(self) -> int:
        return self.store.query_one(
            "SELECT COUNT(*) n FROM outbox WHERE delivered_at IS NULL "
            "AND dead_letter IS NULL")["n"]

    def oldest_age_s(self) -> float | None:
        row = self.store.query_one(
            "SELECT MIN(created_at) t FROM outbox WHERE delivered_at IS NULL "
            "AND dead_letter IS NULL")
        if not row or not row["t"]:
            return None
        born = datetime.fromisoformat(row["t"].replace("Z", "+00:00"))
        return max(0.0, (self.clock.now() - born).total_seconds())

    def dead_letters(self) -> list[dict]:
        return self.store.query("SELECT * FROM outbox_dead_letters ORDER BY id")

    # ---- one round trip --------------------------------------------------------------
    def send_batch(self) -> BatchOutcome:
        """Send the next batch; raises a retryable ``CityError`` when the link fails."""
        rows = self.pending(self.batch_size)       # one read; one-by-one mode slices it
        if not rows:
            return BatchOutcome()
        if rows[0]["id"] <= self._single_until:
            rows = rows[:1]
        events = [{"key": r["key"], "kind": r["kind"], "dossier_code": r["dossier_code"],
                   "seq": r["id"], "created_at": r["created_at"],
                   "payload": json.loads(r["payload"])} for r in rows]
        for r, e in zip(rows, events):
            r["parsed"] = e["payload"]             # scrubbed from this, not parsed again
        try:
            answer = self.client.send_events(events)
        except CityRejected as exc:
            if exc.status not in EVENT_FAULT_STATUSES:
                self._note_failure(rows, exc)
                raise CityServerError(f"{exc}; the events stay queued: check city.base_url "
                                      "in the profile", status=exc.status) from None
            if len(rows) > 1:
                # The batch as a whole was refused: find the culprit one event at a time.
                self._single_until = rows[-1]["id"]
                log.warning("city refused a batch of %d events (%s); sending them one by one",
                            len(rows), exc)
                return BatchOutcome(sent=len(rows), left=len(rows))
            self._park(rows, {rows[0]["key"]: str(exc)})
            return BatchOutcome(sent=1, dead=[rows[0]["key"]])
        except Exception as exc:
            self._note_failure(rows, exc)
            raise
        crashpoint("sync.outbox.after_send")
        by_key = {r["key"]: r for r in rows}
        done = [k for k in answer.get("accepted", []) + answer.get("duplicates", [])
                if k in by_key]
        refused = {}
        for item in answer.get("rejected", []):
            if isinstance(item, dict) and item.get("key") in by_key:
                refused[item["key"]] = str(item.get("error") or "rejected")
        done = [k for k in dict.fromkeys(done) if k not in refused]
        # Not durable: a mark lost in a power cut only resends events the city already
        # holds, and it drops them as duplicates by their idempotency key.
        with self.store.write(durable=False):
            self._mark_delivered([by_key[k] for k in done])
            self._park([by_key[k] for k in refused], refused)
        crashpoint("sync.outbox.after_mark")
        left = len(rows) - len(done) - len(refused)
        if left and not done and not refused:
            raise CityServerError(f"POST /events: the answer mentions none of the {len(rows)} "
                                  "keys sent; they stay queued")
        if left:
            log.warning("city answer left %d of %d events unmentioned; they stay queued",
                        left, len(rows))
        return BatchOutcome(sent=len(rows), delivered=done,
                            duplicates=len(set(answer.get("duplicates", [])) & set(done)),
                            dead=list(refused), left=left)

    def _write(self):
        """A write transaction, or none when send_batch already holds one (no savepoint
        per batch: nothing inside needs rolling back on its own)."""
        return contextlib.nullcontext() if self.store.in_write else self.store.write()

    def _mark_delivered(self, rows: list[dict]) -> None:
        if not rows:
            return
        now = _iso(self.clock.now())
        params = [(now, json.dumps(scrub(r["parsed"] if "parsed" in r
                                         else json.loads(r["payload"])), ensure_ascii=False),
                   r["id"]) for r in rows]
        with self._write():
            self.store.conn.executemany(
                "UPDATE outbox SET delivered_at = ?, payload = ?, attempts = attempts + 1, "
                "next_attempt_at = NULL, last_error = NULL WHERE id = ?", params)

    def _park(self, rows: list[dict], reasons: dict[str, str]) -> None:
        if not rows:
            return
        now = _iso(self.clock.now())
        with self._write():
            for r in rows:
                reason = reasons.get(r["key"], "rejected")
                self.store.execute(
                    "UPDATE outbox SET dead_letter = ?, last_error = ?, payload = ?, "
                    "attempts = attempts + 1, next_attempt_at = NULL WHERE id = ?",
                    (f"{now} {reason}", reason,
                     json.dumps(scrub(json.loads(r["payload"])), ensure_ascii=False), r["id"]))
                log.error("outbox event %s (%s) parked as a dead letter: %s", r["key"],
                          r["kind"], reason)

    def _note_failure(self, rows: list[dict], exc: Exception) -> None:
        """Count the attempt on the rows so diagnostics shows what failed and how often."""
        self._failed_ids = [r["id"] for r in rows]
        with self.store.write():
            self.store.conn.executemany(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?",
                [(str(exc)[:300], r["id"]) for r in rows])

    def note_retry(self, delay_s: float) -> None:
        """Write when the rows of the batch that just failed will be tried again."""
        ids, self._failed_ids = self._failed_ids, []
        if not ids:
            return
        when = _iso(self.clock.now() + timedelta(seconds=delay_s))
        with self.store.write():
            self.store.conn.executemany(
                "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL",
                [(when, i) for i in ids])

    def requeue_dead_letter(self, key: str) -> bool:
        """A technician fixed the cause: give a parked event another try."""
        with self.store.write():
            cur = self.store.execute("UPDATE outbox SET dead_letter = NULL WHERE key = ? AND "
                                     "dead_letter IS NOT NULL AND delivered_at IS NULL", (key,))
            return cur.rowcount > 0
