"""The outbox against a city that fights back: every event exactly once, in order."""
from __future__ import annotations

import json

import pytest

from sim.city import FAULT_KINDS
from tests.sync.conftest import KIOSK, PHONE, TOKEN, make_service
from tests.sync.helpers import assert_exactly_once_in_order, fill_outbox, run_child


@pytest.mark.slow
def test_ten_thousand_events_through_random_faults(city, sync_store, ledger, capsys):
    fill_outbox(ledger, 10_000, dossiers=500)
    city.set_faults(rate=0.3, kinds=list(FAULT_KINDS), delay_s=0.05, retry_after_s=1,
                    seed=2026)
    sync_store.close()      # the child process is the only kiosk writer from here on
    proc = run_child(sync_store.path, city.api_url, TOKEN, KIOSK, 100)
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["drained"] and report["delivered"] == 10_000

    from kiosk.store import Store
    store = Store.open(sync_store.path)
    try:
        assert_exactly_once_in_order(city, store, KIOSK)
        injected = city.stats()["faults"]
        assert len(set(injected) & {"drop", "500", "429", "duplicate", "reorder"}) >= 4, \
            injected
        assert store.query_one("SELECT COUNT(*) n FROM outbox WHERE delivered_at IS NULL "
                               "OR dead_letter IS NOT NULL")["n"] == 0
        # plaintext phones went to the city, and are gone from the kiosk
        leftovers = store.query_one("SELECT COUNT(*) n FROM outbox WHERE payload LIKE ?",
                                    (f"%{PHONE}%",))["n"]
        assert leftovers == 0
        on_server = city.db.query("SELECT COUNT(*) n FROM events WHERE payload LIKE ?",
                                  (f"%{PHONE}%",))[0]["n"]
        assert on_server == 1000
    finally:
        store.close()
    with capsys.disabled():
        print(f"\n[sync] 10,000 events drained in {report['seconds']} s = "
              f"{10_000 / report['seconds']:.0f} events/s with faults "
              f"{injected}; worker RSS {report['rss_kb'] / 1024:.1f} MiB")


def test_timeouts_then_late_processing_still_once(city, sync_store, ledger, clock, tmp_path):
    """The city answers after the client gave up (it still applied the batch): the
    retry comes back as duplicates and nothing is stored twice."""
    fill_outbox(ledger, 120, dossiers=7)
    from sync.client import CityClient
    slow_client = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=0.5)
    city.set_faults(rate=0.5, kinds=["delay"], delay_s=1.0, seed=3)
    service = make_service(sync_store, ledger, clock, slow_client, tmp_path, batch_size=30)
    try:
        for _ in range(400):
            if service.outbox.depth() == 0:
                break
            service.run_once()
            clock.advance(1)
        assert service.outbox.depth() == 0
    finally:
        service.close()
    assert city.stats()["faults"].get("delay", 0) > 0
    assert_exactly_once_in_order(city, sync_store, KIOSK)


def test_rejected_event_becomes_a_dead_letter_and_the_rest_flows(city, sync_store, ledger,
                                                                 clock, tmp_path):
    fill_outbox(ledger, 5, dossiers=2, with_phone_every=0)
    ledger.event("test.refused", actor="test", subject="HS-X", dossier_code="HS-X",
                 city_extra={"phone": PHONE, "id_number": "079190001234"})
    # a row the city will refuse (as one written by an older kiosk version could be)
    with sync_store.write():
        sync_store.execute("UPDATE outbox SET kind = 'Not A Kind!' WHERE kind = 'test.refused'")
    fill_outbox(ledger, 5, dossiers=2, with_phone_every=0)
    seen = []
    service = make_service(sync_store, ledger, clock, CityClientFor(city), tmp_path)
    service.subscribe(seen.append)
    try:
        while service.run_once():
            pass
    finally:
        service.close()
    dead = service.outbox.dead_letters()
    assert len(dead) == 1 and dead[0]["kind"] == "Not A Kind!"
    assert "dotted lower-case" in dead[0]["dead_letter"]
    payload = sync_store.query_one("SELECT payload FROM outbox WHERE id = ?",
                                   (dead[0]["id"],))["payload"]
    assert PHONE not in payload and "079190001234" not in payload
    assert service.outbox.depth() == 0
    assert city.stats()["events"] == 10
    assert seen and seen[-1].dead_letters == 1 and seen[-1].online is True
    # a technician fixes nothing but re-queues it: it is refused again, parked again
    assert service.outbox.requeue_dead_letter(dead[0]["key"])
    assert service.outbox.depth() == 1


def CityClientFor(city, timeout_s: float = 5.0):
    from sync.client import CityClient
    return CityClient(city.api_url, TOKEN, KIOSK, timeout_s=timeout_s)
