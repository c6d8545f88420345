"""Outbox drain: events per second from the kiosk's outbox to the loopback city simulator.

Measured: ``sync.outbox.OutboxSender.send_batch`` in a loop until the outbox is empty
(read a batch in id order, POST it with ``sync.client.CityClient``, mark the rows
delivered and scrub their personal data in one commit), batches of 50 as in the
profiles. Limit: the same batches (same events, fresh keys) POSTed bare with one
``requests.Session`` to the same simulator, nothing stored on the kiosk's side, batch by
batch in turn with the real path. Both are held as time per event, so a ratio of 2 means
half the bare rate.
"""
from __future__ import annotations

import json
import tempfile
import time
import uuid
from pathlib import Path

import requests

from bench.stats import CACHE_DIR, Result, main_for
from kiosk.clock import SystemClock
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.city.server import CitySim
from sync.client import CityClient
from sync.outbox import OutboxSender
from sync.schema import ensure_schema

BATCH = 50


def _fill(ledger: Ledger, n: int) -> None:
    """``n`` outbox rows of the kinds a busy day writes, in one transaction."""
    with ledger.transaction():
        i = 0
        while i < n:
            phone = f"091{3000000 + i:07d}"
            d = ledger.create_dossier(procedure_code="1.001193", procedure_name="Khai sinh",
                                      state="DRAFT", actor="citizen", phone=phone)
            i += 1
            for action in ("sms.request", "rating.given", "door.not_opened"):
                if i >= n:
                    break
                ledger.event(action, actor="citizen", subject=d["code"],
                             dossier_code=d["code"], data={"n": i, "note": "Trần Thị Mai"})
                i += 1


class _NoFsyncMark(OutboxSender):
    """Prototype: the delivered marks committed without an fsync (synchronous=NORMAL for
    that one transaction). Losing them in a power cut only re-sends events the city
    deduplicates by key; the next FULL commit's fsync makes them durable anyway."""

    def send_batch(self):
        self.store.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            return super().send_batch()
        finally:
            self.store.conn.execute("PRAGMA synchronous = FULL")


def _sender(folder: Path, city: CitySim, n: int, cls=OutboxSender):
    """A fresh kiosk store with ``n`` outbox events and its sender (and what to close)."""
    store = Store.open(folder / f"kiosk-{cls.__name__}.db")
    ensure_schema(store)
    client = CityClient(city.api_url, "bench-token", "KIOSK-BENCH", timeout_s=10)
    ledger = Ledger(store, SystemClock(), Pii(b"bench-hmac-key-0123456789abcdef!"),
                    kiosk_id="KIOSK-BENCH")
    _fill(ledger, n)
    client.ping()                                   # connect before timing
    return cls(store, client, SystemClock(), batch_size=BATCH), store, client


def _timed_batch(sender) -> tuple[float, int]:
    t0 = time.perf_counter()
    outcome = sender.send_batch()
    return time.perf_counter() - t0, len(outcome.delivered)


def run(quick: bool = False) -> list[Result]:
    n = 1000 if quick else 5000
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    times = {"bare": 0.0, "ours": 0.0, "nofsync": 0.0}
    with tempfile.TemporaryDirectory(prefix="bench-outbox-", dir=CACHE_DIR) as d, \
            CitySim(Path(d) / "city.db", port=0) as city:
        folder = Path(d)
        ours, store_a, client_a = _sender(folder, city, n)
        proto, store_b, client_b = _sender(folder, city, n, _NoFsyncMark)
        bare = requests.Session()
        try:
            bare.headers.update(dict(client_a.session.headers))
            url = city.api_url + "/events"
            bare.post(url, json={"events": []}, timeout=10).raise_for_status()   # connect
            delivered = {"ours": 0, "nofsync": 0}
            # Batch by batch, the three ways in turn: a busy moment hits all three alike.
            while True:
                rows = ours.pending(BATCH)
                if not rows:
                    break
                events = [{"key": str(uuid.uuid4()), "kind": r["kind"],
                           "dossier_code": r["dossier_code"], "seq": r["id"],
                           "created_at": r["created_at"], "payload": json.loads(r["payload"])}
                          for r in rows]
                t0 = time.perf_counter()
                r = bare.post(url, json={"events": events}, timeout=10)
                r.raise_for_status()
                if len(r.json()["accepted"]) != len(events):
                    raise RuntimeError(f"the city refused a bare batch: {r.text[:200]}")
                times["bare"] += time.perf_counter() - t0
                for name, sender in (("ours", ours), ("nofsync", proto)):
                    secs, done = _timed_batch(sender)
                    times[name] += secs
                    delivered[name] += done
            for name, store in (("ours", store_a), ("nofsync", store_b)):
                left = store.query_one("SELECT COUNT(*) n FROM outbox WHERE delivered_at IS NULL")
                leaked = store.query_one("SELECT COUNT(*) n FROM outbox WHERE payload LIKE "
                                         "'%\"phone\": \"09%'")["n"]
                if delivered[name] != n or left["n"] or leaked:
                    raise RuntimeError(f"{name}: delivered {delivered[name]} of {n}, "
                                       f"{left['n']} left, {leaked} plaintext phones")
        finally:
            bare.close()
            for client, store in ((client_a, store_a), (client_b, store_b)):
                client.close()
                store.close()
    t_bare, t_ours, t_nofsync = times["bare"], times["ours"], times["nofsync"]
    ours_ms, bare_ms = t_ours * 1000 / n, t_bare * 1000 / n
    return [Result("outbox drain to the loopback city", ours_ms, bare_ms, "ms/ev",
                   how=f"{n} events, batches of {BATCH}, OutboxSender.send_batch",
                   limit_how="each batch also POSTed bare (fresh keys) with one "
                             "requests.Session, interleaved batch by batch",
                   notes=[f"{n / t_ours:.0f} events/s vs {n / t_bare:.0f} events/s bare",
                          f"prototype, delivered marks committed without fsync "
                          f"(interleaved the same way): {n / t_nofsync:.0f} events/s "
                          f"(ratio {t_nofsync / t_bare:.2f})"],
                   extra={"events_per_s": n / t_ours, "bare_events_per_s": n / t_bare,
                          "no_fsync_events_per_s": n / t_nofsync})]


if __name__ == "__main__":
    main_for(run)
