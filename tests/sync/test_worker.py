"""The sync service's link handling: backoff, Retry-After, online state."""
from __future__ import annotations

import random

from hypothesis import given, strategies as st

from sync.backoff import Backoff
from sync.client import CityClient
from tests.sync.conftest import KIOSK, TOKEN, make_service
from tests.sync.helpers import fill_outbox


@given(base=st.floats(0.01, 10), cap=st.floats(10, 3600), failures=st.integers(1, 60),
       seed=st.integers(0, 2**32))
def test_backoff_grows_but_never_passes_the_cap(base, cap, failures, seed):
    b = Backoff(base, cap, random.Random(seed))
    delays = [b.delay() for _ in range(failures)]
    for n, d in enumerate(delays):
        step = min(cap, base * 2 ** n)
        assert step / 2 <= d <= step <= cap
    b.reset()
    assert b.delay() <= base


def test_backoff_takes_retry_after_as_given():
    b = Backoff(1, 300, random.Random(1))
    for _ in range(10):
        b.delay()
    assert 7 <= b.delay(retry_after_s=7) <= 7.7


def test_retry_after_is_honoured(city, sync_store, ledger, clock, tmp_path):
    fill_outbox(ledger, 10, dossiers=2)
    service = make_service(sync_store, ledger, clock, CityClient(city.api_url, TOKEN, KIOSK),
                           tmp_path, base_s=0.01, cap_s=0.02)
    try:
        city.set_faults(rate=1.0, kinds=["429"], retry_after_s=30)
        assert service.run_once() is False
        assert service.status().retry_in_s >= 30 and service.online is True
        city.set_faults(rate=0.0)
        clock.advance(29)
        assert service.run_once() is False          # still waiting: no request made
        assert city.stats()["events"] == 0 and city.stats()["faults"] == {"429": 1}
        clock.advance(5)
        service.run_once()
        assert city.stats()["events"] == 10 and service.outbox.depth() == 0
    finally:
        service.close()


def test_online_state_follows_the_link_and_is_announced(city, sync_store, ledger, clock,
                                                        tmp_path):
    seen = []
    service = make_service(sync_store, ledger, clock, CityClient(city.api_url, TOKEN, KIOSK),
                           tmp_path, base_s=1, cap_s=4)
    service.subscribe(lambda s: seen.append((s.online, s.last_error != "")))
    try:
        assert service.online is None
        service.run_once()
        assert service.online is True
        city.set_faults(down=True)
        fill_outbox(ledger, 3, dossiers=1)
        service.run_once()
        assert service.online is False and "cannot reach" in service.status().last_error
        assert service.status().outbox_depth == 3
        rows = sync_store.query("SELECT attempts, next_attempt_at, last_error FROM outbox")
        assert all(r["attempts"] == 1 and r["next_attempt_at"] and "cannot reach"
                   in r["last_error"] for r in rows)
        city.set_faults(down=False)
        clock.advance(5)
        service.run_once()
        assert service.online is True and service.outbox.depth() == 0
    finally:
        service.close()
    assert seen == [(True, False), (False, True), (True, False)]


def test_a_wrong_token_keeps_events_queued_and_says_what_to_check(city, sync_store, ledger,
                                                                  clock, tmp_path):
    fill_outbox(ledger, 4, dossiers=1)
    service = make_service(sync_store, ledger, clock,
                           CityClient(city.api_url, "not-the-token", KIOSK), tmp_path)
    try:
        service.run_once()
    finally:
        service.close()
    assert service.online is False
    assert "city_token_file" in service.status().last_error
    assert service.outbox.depth() == 4 and not service.outbox.dead_letters()


def test_the_thread_wakes_on_a_new_event_and_stops_cleanly(city, sync_store, ledger, clock,
                                                            tmp_path):
    import time
    service = make_service(sync_store, ledger, clock, CityClient(city.api_url, TOKEN, KIOSK),
                           tmp_path, idle_s=0.2)
    with service:
        ledger.event("alarm.tamper", actor="system", subject="A03", reason="door opened "
                     "without an unlock command")
        end = time.monotonic() + 30
        while service.outbox.depth() and time.monotonic() < end:
            time.sleep(0.01)
        assert service.outbox.depth() == 0
    assert service._thread is None
    assert city.stats()["events"] == 1


def test_a_wrong_base_url_parks_nothing(city, sync_store, ledger, clock, tmp_path):
    fill_outbox(ledger, 6, dossiers=2)
    wrong = CityClient(city.url + "/api/v9", TOKEN, KIOSK)
    service = make_service(sync_store, ledger, clock, wrong, tmp_path)
    try:
        service.run_once()
    finally:
        service.close()
    assert service.online is False and "city.base_url" in service.status().last_error
    assert service.outbox.depth() == 6 and not service.outbox.dead_letters()


def test_scrub_masks_numbers_and_leaves_the_rest():
    from sync.scrub import scrub
    payload = {"to": "COLLECTED", "phone": "0912345678", "id_number": "079190001234",
               "data": {"phone": "*******678", "list": [{"phone": "0987654321"}]}}
    assert scrub(payload) == {"to": "COLLECTED", "phone": "*******678",
                              "id_number": "********1234",
                              "data": {"phone": "*******678",
                                       "list": [{"phone": "*******321"}]}}
