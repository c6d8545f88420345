"""A kiosk process that only delivers: used by the kill test and the 10,000-event test.

``python -m tests.sync.worker_child DB URL TOKEN KIOSK BATCH`` opens the real database,
runs the sync service until the outbox is empty, prints one JSON line (delivered count,
seconds, resident memory) and exits.
"""
from __future__ import annotations

import json
import sys
import time

from kiosk.clock import SystemClock
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sync.backoff import Backoff
from sync.client import CityClient
from sync.schema import ensure_schema
from sync.worker import SyncService
from sync.outbox import OutboxSender
from sync.results import ResultsInbox
from sync.catalog import CatalogCache
from sync.uploads import UploadQueue
from sync.heartbeat import HeartbeatBuilder


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main(argv: list[str]) -> int:
    db, url, token, kiosk, batch = argv[0], argv[1], argv[2], argv[3], int(argv[4])
    clock = SystemClock()
    store = Store.open(db)
    ensure_schema(store)
    ledger = Ledger(store, clock, Pii(b"test-key-0123456789abcdef"), kiosk_id=kiosk)
    client = CityClient(url, token, kiosk, timeout_s=5)
    outbox = OutboxSender(store, client, clock, batch_size=batch)
    service = SyncService(
        client=client, store=store, ledger=ledger, clock=clock, outbox=outbox,
        results=ResultsInbox(store, client, clock), catalog=CatalogCache(store, client, clock),
        uploads=UploadQueue(store, client, clock, db + ".uploads"),
        heartbeat=HeartbeatBuilder(kiosk, ledger, outbox, clock),
        backoff=Backoff(0.05, 0.5), heartbeat_s=3600, results_poll_s=3600,
        catalog_refresh_s=1e9, idle_s=0.05)
    before = outbox.depth()
    start = time.monotonic()
    service.start()
    print(json.dumps({"ready": True, "pending": before, "rss_kb": rss_kb()}), flush=True)
    ok = service.drain(timeout_s=240)
    while ok and service.uploads.pending() and time.monotonic() - start < 240:
        service.kick()
        time.sleep(0.02)
    ok = ok and not service.uploads.pending()
    elapsed = time.monotonic() - start
    service.close()
    print(json.dumps({"drained": ok, "delivered": before - outbox.depth(),
                      "seconds": round(elapsed, 3), "rss_kb": rss_kb()}), flush=True)
    store.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
