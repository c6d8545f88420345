"""The sync service: one thread that talks to the city for the whole kiosk.

Each pass does what is due: deliver the outbox (batches while there is more), push
queued uploads, send the heartbeat, pull results, refresh the catalog. The link has one
backoff: a network error, 5xx, 401/403 or 429 from any call pauses every call until the
delay is over (a ping probes the link before traffic resumes). ``online`` and
``subscribe`` give the UI the link state without Qt: callbacks run on the sync thread,
the UI marshals them to its own thread.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from datetime import timezone
from typing import Callable

from sync.backoff import Backoff
from sync.catalog import CatalogCache
from sync.client import CityClient
from sync.errors import CityAuthError, CityError, CityRateLimited
from sync.heartbeat import HeartbeatBuilder
from sync.outbox import OutboxSender
from sync.payments import CityPayments
from sync.results import ResultsInbox
from sync.sms import SmsRouter
from sync.uploads import UploadQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    online: bool | None          # None until the first contact
    outbox_depth: int = 0
    dead_letters: int = 0
    last_error: str = ""
    last_contact: str | None = None   # UTC ISO of the last answer from the city
    retry_in_s: float = 0.0


class SyncService:
    def __init__(self, *, client: CityClient, store, ledger, clock, outbox: OutboxSender,
                 results: ResultsInbox, catalog: CatalogCache, uploads: UploadQueue,
                 heartbeat: HeartbeatBuilder, sms: SmsRouter | None = None,
                 payments: CityPayments | None = None, backoff: Backoff | None = None,
                 heartbeat_s: float = 60.0, results_poll_s: float = 60.0,
                 catalog_refresh_s: float = 6 * 3600.0, idle_s: float = 1.0,
                 extra_clients: list[CityClient] = ()):
        self.client, self.store, self.ledger, self.clock = client, store, ledger, clock
        self.outbox, self.results, self.catalog, self.uploads = outbox, results, catalog, uploads
        self.heartbeat_builder, self.sms, self.payments = heartbeat, sms, payments
        self.backoff = backoff or Backoff()
        self.heartbeat_s, self.results_poll_s = heartbeat_s, results_poll_s
        self.catalog_refresh_s, self.idle_s = catalog_refresh_s, idle_s
        self._extra_clients = list(extra_clients)
        self._status = SyncStatus(online=None, outbox_depth=outbox.depth(),
                                  dead_letters=len(outbox.dead_letters()))
        self._listeners: list[Callable[[SyncStatus], None]] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        now = clock.monotonic()
        self._link_wait_until = now
        self._due = {"heartbeat": now, "results": now, "catalog": now}
        if sms is not None:
            sms.link_up = lambda: self._status.online is not False
        if ledger is not None and hasattr(ledger, "add_listener"):
            ledger.add_listener(lambda *_: self.kick())

    # ---- the outside view ------------------------------------------------------------
    @property
    def online(self) -> bool | None:
        return self._status.online

    def status(self) -> SyncStatus:
        """The link as last seen, with the outbox depth as it is now."""
        return replace(self._status, outbox_depth=self.outbox.depth())

    def subscribe(self, callback: Callable[[SyncStatus], None]) -> None:
        """``callback(status)`` whenever the online state or the dead-letter count
        changes (called on the sync thread)."""
        self._listeners.append(callback)

    def kick(self) -> None:
        """Something new to send: wake the thread now instead of at its next tick."""
        self._wake.set()

    # ---- life ------------------------------------------------------------------------
    def start(self) -> "SyncService":
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="city-sync", daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=30)
        self.client.close()
        for c in self._extra_clients:
            c.close()

    stop = close

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once()
            except Exception:     # never let the sync thread die: log and back off
                log.exception("sync pass failed")
                busy = False
            if busy:
                continue
            self._wake.wait(self._idle_wait())
            self._wake.clear()

    def _idle_wait(self) -> float:
        now = self.clock.monotonic()
        nxt = min([self._link_wait_until] + list(self._due.values()))
        return max(0.005, min(self.idle_s, nxt - now))

    # ---- one pass --------------------------------------------------------------------
    def run_once(self) -> bool:
        """Do what is due; True when there is more to do right away."""
        now = self.clock.monotonic()
        if now < self._link_wait_until:
            return False
        try:
            if self._status.online is False:
                self.client.ping()
                self._contact()
            busy = False
            outcome = self.outbox.send_batch()
            if outcome.sent:
                self._contact()
                busy = outcome.progressed or bool(outcome.left)
                if outcome.dead:
                    self._update(dead_letters=len(self.outbox.dead_letters()))
                if self._stop.is_set():
                    return False
            if self.uploads.pending():
                self.uploads.run_once(limit=1)
                self._contact()
                busy = busy or bool(self.uploads.pending())
            now = self.clock.monotonic()
            if now >= self._due["heartbeat"]:
                self.client.heartbeat(self.heartbeat_builder.build())
                self._due["heartbeat"] = now + self.heartbeat_s
                self._contact()
            if now >= self._due["results"]:
                self.results.pull()
                self._due["results"] = now + self.results_poll_s
                self._contact()
            if now >= self._due["catalog"]:
                self.catalog.refresh()
                self._due["catalog"] = now + self.catalog_refresh_s
                self._contact()
        except CityError as exc:
            self._link_failed(exc)
            return False
        return busy

    def _contact(self) -> None:
        self.backoff.reset()
        now = self.clock.now().astimezone(timezone.utc).isoformat(timespec="seconds")
        self._update(online=True, last_error="", retry_in_s=0.0, last_contact=now)

    def _link_failed(self, exc: CityError) -> None:
        if isinstance(exc, CityRateLimited):
            delay = self.backoff.delay(exc.retry_after_s)
            online = True
        else:
            delay = self.backoff.delay()
            online = False
        self._link_wait_until = self.clock.monotonic() + delay
        self.outbox.note_retry(delay)
        level = logging.ERROR if isinstance(exc, CityAuthError) else logging.INFO
        log.log(level, "city link: %s; next try in %.1f s", exc, delay)
        self._update(online=online, last_error=str(exc)[:300], retry_in_s=round(delay, 2))

    def _update(self, **changes) -> None:
        with self._lock:
            old = self._status
            new = replace(old, **changes)
            self._status = new
        if (old.online, old.dead_letters) != (new.online, new.dead_letters):
            for cb in list(self._listeners):
                try:
                    cb(new)
                except Exception:
                    log.exception("sync status listener failed")

    # ---- tests and diagnostics ---------------------------------------------------------
    def drain(self, timeout_s: float = 60.0) -> bool:
        """Block until the outbox is empty (or the timeout); True when it is."""
        import time
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.outbox.depth() == 0:
                return True
            self.kick()
            time.sleep(0.02)
        return self.outbox.depth() == 0
