"""UPS on battery: debounce, refuse new transactions, drain, flush, shut down once."""
from __future__ import annotations

import threading

import pytest
from gpiozero.pins.mock import MockFactory

from kiosk.power import GpioPowerMonitor, PowerGuard, PowerRefused, build_power_guard
from tests.lock.conftest import sim_profile

UPS_PIN = 26


@pytest.fixture
def factory():
    f = MockFactory()
    yield f
    f.reset()


@pytest.fixture
def monitor(factory):
    m = GpioPowerMonitor(UPS_PIN, pin_factory=factory)
    yield m
    m.close()


class Recorder:
    def __init__(self):
        self.calls: list[str] = []
        self.done = threading.Event()

    def flush(self):
        self.calls.append("flush")

    def shutdown(self):
        self.calls.append("shutdown")
        self.done.set()


def journal_actions(store) -> list[str]:
    return [r["action"] for r in store.query(
        "SELECT action FROM journal WHERE actor = 'system:power' ORDER BY seq")]


def test_monitor_follows_the_pin(factory, monitor):
    pin = factory.pin(UPS_PIN)
    seen = []
    monitor.subscribe(seen.append)
    assert monitor.on_battery() is False
    pin.drive_low()
    assert monitor.on_battery() is True
    pin.drive_high()
    assert seen == [True, False]
    monitor.close()
    monitor.close()


def test_battery_shutdown_finishes_the_transaction_in_hand(factory, monitor, ledger, store):
    rec = Recorder()
    guard = PowerGuard(monitor, debounce_s=0.05, drain_timeout_s=30, flush=rec.flush,
                       shutdown=rec.shutdown, ledger=ledger, subject="TEST-ST").start()
    states = []
    guard.add_listener(states.append)
    draining = threading.Event()
    guard.add_listener(lambda s: s == guard.DRAINING and draining.set())
    try:
        with guard.transaction():                     # a citizen with a door open
            factory.pin(UPS_PIN).drive_low()
            assert draining.wait(10)
            assert not guard.accepting
            with pytest.raises(PowerRefused, match="battery"):
                with guard.transaction():
                    pass
            assert rec.calls == []                    # still waiting for the open door
        assert rec.done.wait(10)
        assert rec.calls == ["flush", "shutdown"]
        assert states == [guard.DRAINING, guard.SHUTTING_DOWN]
        assert journal_actions(store) == ["power.on_battery", "power.shutdown"]
        assert guard.shutdown_requested.is_set()
    finally:
        guard.close()


def test_a_blip_changes_nothing(factory, monitor):
    rec = Recorder()
    guard = PowerGuard(monitor, debounce_s=30, flush=rec.flush, shutdown=rec.shutdown)
    guard.start()
    try:
        pin = factory.pin(UPS_PIN)
        pin.drive_low()
        pin.drive_high()
        with guard.transaction():
            assert guard.accepting and guard.state == guard.MAINS
        assert rec.calls == []
    finally:
        guard.close()


def test_mains_back_while_draining_reopens(factory, monitor, ledger, store):
    rec = Recorder()
    guard = PowerGuard(monitor, debounce_s=0.05, drain_timeout_s=30, flush=rec.flush,
                       shutdown=rec.shutdown, ledger=ledger)
    reopened = threading.Event()
    draining = threading.Event()
    guard.add_listener(lambda s: (draining if s == guard.DRAINING else reopened).set())
    guard.start()
    try:
        with guard.transaction():
            factory.pin(UPS_PIN).drive_low()
            assert draining.wait(10)
            factory.pin(UPS_PIN).drive_high()
            assert reopened.wait(10)
        assert guard.accepting and rec.calls == []
        with guard.transaction():
            pass
        assert journal_actions(store) == ["power.on_battery", "power.restored"]
    finally:
        guard.close()


def test_started_on_battery_and_stuck_transaction_times_out(factory, monitor):
    rec = Recorder()
    factory.pin(UPS_PIN).drive_low()
    guard = PowerGuard(monitor, debounce_s=0.01, drain_timeout_s=0.2, flush=rec.flush,
                       shutdown=rec.shutdown)
    stuck = guard.transaction()
    stuck.__enter__()
    guard.start()
    try:
        assert rec.done.wait(10)
        assert rec.calls == ["flush", "shutdown"]
        assert guard.active_transactions == 1
    finally:
        stuck.__exit__(None, None, None)
        guard.close()


def test_flush_failure_still_shuts_down(factory, monitor):
    done = threading.Event()

    def bad_flush():
        raise OSError("disk gone")

    guard = PowerGuard(monitor, debounce_s=0.01, flush=bad_flush, shutdown=done.set)
    factory.pin(UPS_PIN).drive_low()
    guard.start()
    try:
        assert done.wait(10)
    finally:
        guard.close()


def test_factory_from_profile(tmp_path, factory):
    cfg = sim_profile(tmp_path, "/dev/null")
    assert build_power_guard(cfg, pin_factory=factory) is None
    cfg = sim_profile(tmp_path, "/dev/null", gpio={"ups_on_battery_pin": UPS_PIN})
    guard = build_power_guard(cfg, pin_factory=factory, shutdown=lambda: None)
    try:
        assert guard.accepting and isinstance(guard.monitor, GpioPowerMonitor)
    finally:
        guard.close()
    assert guard.monitor._button.closed        # the guard built the monitor, so it owns it
