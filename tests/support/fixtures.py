"""Fixtures every test area shares: a manual clock, a real SQLite store under
``tmp_path``, a ledger on it, and the lock boards of config/sim.toml simulated on a pty.

An area changes what differs by overriding a small fixture in its own conftest:
``kiosk_id`` (the ledger's kiosk), ``ledger_trays`` (trays the ledger starts with; none
by default), ``bus_seed`` (the simulated lock bus), or ``clock`` and ``profile``
themselves.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from hardware.lockboard.driver import TrayWiring
from hardware.lockboard.factory import build_lock_bank
from kiosk.clock import ManualClock
from kiosk.config import DEFAULT_CONFIG, KioskConfig, parse_config
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.store import Store

PII_KEY = b"test-key-0123456789abcdef"


# ---- helpers ----------------------------------------------------------------------------
def sim_profile(data_dir: Path, port: str, *, kiosk_id: str | None = None,
                **overrides) -> KioskConfig:
    """config/sim.toml with the lock bus on ``port`` and data under ``data_dir``; each
    keyword replaces that whole section (``gpio={...}``, ``cabinets=[...]``)."""
    data = tomllib.loads(Path(DEFAULT_CONFIG).read_text("utf-8"))
    data["kiosk"]["data_dir"] = str(data_dir)
    if kiosk_id is not None:
        data["kiosk"]["id"] = kiosk_id
    data["lock_buses"][0]["port"] = port
    for key, value in overrides.items():
        data[key] = value
    return parse_config(data, "test-profile", str(data_dir))


def wiring_for(cfg) -> list[TrayWiring]:
    return [TrayWiring(t.id, t.bus, t.board, t.lock, t.item_sensor) for t in cfg.trays()
            if t.bus is not None]


def board_lock(profile, tray_id: str) -> tuple[int, int]:
    spec = next(t for t in profile.trays() if t.id == tray_id)
    return spec.board, spec.lock


# ---- clock, store, ledger ---------------------------------------------------------------
@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "kiosk.db")
    yield s
    s.close()


@pytest.fixture
def kiosk_id() -> str:
    return "TEST-01"


@pytest.fixture
def ledger_trays() -> list:
    """The trays the ledger fixture starts with (``TraySpec``s); none by default."""
    return []


@pytest.fixture
def ledger(store, clock, kiosk_id, ledger_trays):
    led = Ledger(store, clock, Pii(PII_KEY), kiosk_id=kiosk_id)
    if ledger_trays:
        led.sync_trays(ledger_trays)
    return led


# ---- lock boards of config/sim.toml on a pty ----------------------------------------------
@pytest.fixture
def bus_seed() -> int:
    return 7


@pytest.fixture
def sim_bus(tmp_path, bus_seed):
    from sim.lockboard import SimLockBus
    bus = SimLockBus(tmp_path / "dev" / "lockbus-a", boards=[0, 1], seed=bus_seed)
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
