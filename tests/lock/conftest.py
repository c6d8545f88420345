"""Fixtures of the lock tests: simulated boards on a real pty, a real SQLite ledger."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hardware.lockboard.driver import BusSpec, SerialLockBank, TrayWiring
from hardware.lockboard.factory import build_lock_bank
from kiosk.clock import ManualClock
from kiosk.config import DEFAULT_CONFIG, parse_config
from kiosk.pii import Pii
from kiosk.services.doors import DoorService
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.lockboard import SimLockBus

FAST_DELAYS = (0.01, 0.01, 0.01)


def sim_profile(data_dir: Path, port: str, **overrides) -> "KioskConfig":  # noqa: F821
    """config/sim.toml with the lock bus on ``port`` and data under ``data_dir``."""
    data = tomllib.loads(Path(DEFAULT_CONFIG).read_text("utf-8"))
    data["kiosk"]["data_dir"] = str(data_dir)
    data["lock_buses"][0]["port"] = port
    for key, value in overrides.items():
        data[key] = value
    return parse_config(data, "test-profile", str(data_dir))


def wiring_for(cfg) -> list[TrayWiring]:
    return [TrayWiring(t.id, t.bus, t.board, t.lock, t.item_sensor) for t in cfg.trays()
            if t.bus is not None]


@pytest.fixture
def sim_bus(tmp_path):
    bus = SimLockBus(tmp_path / "dev" / "lockbus-a", boards=[0, 1], seed=7)
    yield bus
    bus.close()


@pytest.fixture
def profile(tmp_path, sim_bus):
    return sim_profile(tmp_path, sim_bus.path)


@pytest.fixture
def bank(profile):
    """The driver for sim.toml's 24 trays, with the real 200 ms timeout and retries."""
    b = build_lock_bank(profile)
    yield b
    b.close()


@pytest.fixture
def quick_bank(profile):
    """Same trays, short retry gaps (tests that expect many silent commands)."""
    spec = profile.lock_buses[0]
    b = SerialLockBank([BusSpec(spec.id, str(profile.path(spec.port)), spec.baud, 0.1,
                                spec.retries)], wiring_for(profile), retry_delays=FAST_DELAYS)
    yield b
    b.close()


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "kiosk.db")
    yield s
    s.close()


@pytest.fixture
def ledger(store, clock, profile):
    led = Ledger(store, clock, Pii(b"lock-test-key-0123456789abcdef"), kiosk_id="TEST-LOCK")
    led.sync_trays(profile.trays())
    return led


@pytest.fixture
def doors(ledger, bank, clock):
    """A door service whose poller is not started: tests call poll_once() themselves."""
    svc = DoorService(ledger, bank, clock, poll_s=2.0, busy_poll_s=0.5, confirm_s=0.3,
                      confirm_poll_s=0.05, door_open_alert_s=120)
    yield svc
    svc.close()


def board_lock(profile, tray_id: str) -> tuple[int, int]:
    spec = next(t for t in profile.trays() if t.id == tray_id)
    return spec.board, spec.lock


def settle(condition, timeout_s: float = 5.0) -> bool:
    """True once ``condition()`` holds: the simulator logs a frame from its own thread,
    a moment after the driver gave up waiting for it."""
    import time
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
