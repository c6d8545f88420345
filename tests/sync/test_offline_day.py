"""A day with the city link down: the kiosk keeps working, then everything drains."""
from __future__ import annotations

import json
import time

import pytest

from kiosk.models import DossierState as D
from tests.sync.conftest import KIOSK, PHONE, RecordingModem, make_service
from tests.sync.helpers import assert_exactly_once_in_order


def wait_for(condition, what: str, limit_s: float = 90.0, clock=None, step_s: float = 0.0):
    """Poll a condition the sync thread will make true (no timing is asserted). With a
    clock, kiosk time moves ``step_s`` per poll, so a backoff or a schedule the thread
    set a moment ago always runs out."""
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        if clock is not None:
            clock.advance(step_s)
        time.sleep(0.02)
    pytest.fail(f"gave up waiting for {what}")


@pytest.mark.slow
def test_a_day_offline_then_the_link_returns(city, sync_store, ledger, clock, tmp_path):
    modem = RecordingModem()
    from hardware.ports import DeviceHealth, DeviceStatus
    health = lambda: [DeviceHealth("printer", DeviceStatus.ONLINE, "ready"),   # noqa: E731
                      DeviceHealth("lockboard:bus-a:1", DeviceStatus.OFFLINE, "no answer")]
    service = make_service(sync_store, ledger, clock, _client(city), tmp_path, modem=modem,
                           heartbeat_s=60, results_poll_s=300, cap_s=120, health=health)
    changes = []
    service.subscribe(lambda s: changes.append(s.online))
    city.set_faults(down=True)
    service.start()
    try:
        wait_for(lambda: service.online is False, "the link to be seen down")
        codes = []
        for hour in range(24):
            for _ in range(3):
                d = ledger.create_dossier(procedure_code="1.004873", procedure_name="Xác nhận "
                                          "tình trạng hôn nhân", state=D.DRAFT, actor="citizen",
                                          phone=PHONE, citizen_name="Trần Thị Mai")
                ledger.move_dossier(d["code"], D.DEPOSITED, actor="citizen",
                                    reason="door closed with the dossier inside")
                codes.append(d["code"])
            if hour in (8, 13, 16):
                for code in codes[-9:]:
                    ledger.move_dossier(code, D.COLLECTED, actor="staff:NV001",
                                        reason="collected at the round")
            if hour == 20:
                assert service.sms.send(PHONE, "Hồ sơ của bạn đã được tiếp nhận",
                                        key="receipt-offline") == "modem"
            clock.advance(hours=1)
        assert service.outbox.depth() == 24 * 3 * 2 + 27
        assert service.online is False
        beat = service.heartbeat_builder.build()
        assert beat["oldest_undelivered_age_s"] >= 23 * 3600
        assert city.stats()["events"] == 0 and city.stats()["faults"].get("down", 0) > 0

        city.set_faults(down=False)
        wait_for(lambda: service.outbox.depth() == 0, "the outbox to drain",
                 clock=clock, step_s=10)      # soon past the capped backoff (120 s)
        wait_for(lambda: service.online, "the link to be seen up")
        head = ledger.journal_head()
        beat = wait_for(lambda: _beat_with_depth_zero(city), "a heartbeat after the drain",
                        clock=clock, step_s=10)   # heartbeats every 60 s
        assert beat["journal_head"] == head
        assert beat["oldest_undelivered_age_s"] is None and beat["dead_letters"] == 0
        assert beat["devices"] == [
            {"device": "printer", "status": "online", "detail": "ready"},
            {"device": "lockboard:bus-a:1", "status": "offline", "detail": "no answer"}]

        # collected dossiers turn into results on the city side; the kiosk pulls them
        city.advance(3601)
        rows = wait_for(lambda: service.results.waiting(), "results to be pulled",
                        clock=clock, step_s=30)   # results polled every 300 s
        wait_for(lambda: len(service.results.waiting()) == 27, "all 27 results",
                 clock=clock, step_s=30)
    finally:
        service.close()
    assert_exactly_once_in_order(city, sync_store, KIOSK)
    last = city.db.query("SELECT payload FROM events ORDER BY seq DESC LIMIT 1")[0]
    assert json.loads(last["payload"])["journal_hash"] == head["hash"]
    assert changes[:1] == [False] and changes[-1] is True
    assert modem.sent == [(PHONE, "Hồ sơ của bạn đã được tiếp nhận")]
    assert {r["dossier_code"] for r in rows} <= set(codes)
    assert all(r["phone_masked"] == "*******678" for r in service.results.waiting())


def _beat_with_depth_zero(city):
    beat = city.db.last_heartbeat(KIOSK)
    return beat if beat and beat["outbox_depth"] == 0 else None


def _client(city):
    from sync.client import CityClient
    from tests.sync.conftest import TOKEN
    return CityClient(city.api_url, TOKEN, KIOSK, timeout_s=2)
