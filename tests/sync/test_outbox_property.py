"""Property: whatever the faults and whenever new events arrive, every event reaches
the city once and each dossier's events arrive in the order they were written."""
from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.clock import ManualClock
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.city import FAULT_KINDS, CitySim
from sync.client import CityClient
from tests.sync.conftest import KIOSK, TOKEN, make_service
from tests.sync.helpers import assert_exactly_once_in_order

_run = itertools.count()


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), rate=st.floats(0.0, 0.6),
       batch=st.integers(1, 40), dossiers=st.integers(1, 6),
       waves=st.lists(st.integers(1, 30), min_size=1, max_size=4))
def test_any_faults_any_arrival_order_exactly_once_in_order(tmp_path_factory, seed, rate,
                                                            batch, dossiers, waves):
    base = tmp_path_factory.mktemp(f"prop{next(_run)}")
    clock = ManualClock()
    city = CitySim(base / "city.db", seed=seed, tokens={TOKEN: KIOSK}).start()
    store = Store.open(base / "kiosk.db")
    ledger = Ledger(store, clock, Pii(b"test-key-0123456789abcdef"), kiosk_id=KIOSK)
    client = CityClient(city.api_url, TOKEN, KIOSK, timeout_s=0.5)
    service = make_service(store, ledger, clock, client, base, batch_size=batch,
                           base_s=0.01, cap_s=0.05)
    city.set_faults(rate=rate, kinds=[k for k in FAULT_KINDS if k != "delay"], seed=seed,
                    retry_after_s=0)
    try:
        n = 0
        for wave in waves:           # new events arrive between delivery attempts
            for _ in range(wave):
                code = f"HS-{n % dossiers}"
                ledger.event("dossier.note", actor="test", subject=code, dossier_code=code,
                             data={"n": n})
                n += 1
            for _ in range(3):
                service.run_once()
                clock.advance(1)
        for _ in range(2000):
            if service.outbox.depth() == 0:
                break
            service.run_once()
            clock.advance(1)
        assert service.outbox.depth() == 0
        assert_exactly_once_in_order(city, store, KIOSK)
    finally:
        service.close()
        store.close()
        city.stop()
