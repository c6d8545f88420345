"""The reference cabinet (config/binh-tay.toml): 90 trays, 6 boards on two serial ports."""
import tomllib
from pathlib import Path

import pytest

from hardware.lockboard.factory import build_lock_bank
from hardware.ports import DoorState
from kiosk.clock import ManualClock
from kiosk.config import parse_config
from kiosk.models import TrayState as T
from kiosk.pii import Pii
from kiosk.services.doors import DoorService
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.lockboard import SimLockBus

from .conftest import settle

PROFILE = Path(__file__).resolve().parents[2] / "config" / "binh-tay.toml"


@pytest.fixture
def cabinet(tmp_path):
    bus_a = SimLockBus(tmp_path / "locks-a", boards=[0, 1])
    bus_b = SimLockBus(tmp_path / "locks-b", boards=[2, 3, 4, 5])
    data = tomllib.loads(PROFILE.read_text("utf-8"))
    data["kiosk"]["data_dir"] = str(tmp_path)
    data["lock_buses"][0]["port"] = bus_a.path
    data["lock_buses"][1]["port"] = bus_b.path
    cfg = parse_config(data, str(PROFILE), str(tmp_path))
    bank = build_lock_bank(cfg)
    yield cfg, bank, bus_a, bus_b
    bank.close()
    bus_a.close()
    bus_b.close()


def test_tray_mapping(cabinet):
    cfg, bank, _, _ = cabinet
    serial = bank.banks[0]
    where = {t: (w.bus, w.board, w.lock) for t, w in serial.wiring.items()}
    assert len(where) == 90 and len(set(where.values())) == 90
    assert where["A01"] == ("bus-a", 0, 1)
    assert where["A30"] == ("bus-a", 1, 14)
    assert where["B01"] == ("bus-b", 2, 1)
    assert where["B60"] == ("bus-b", 5, 12)


def test_two_buses_and_one_dead(cabinet, tmp_path):
    cfg, bank, bus_a, bus_b = cabinet
    readings = bank.status()
    assert len(readings) == 90
    assert {r.door for r in readings.values()} == {DoorState.LOCKED}
    bank.unlock("B60", "txn-b60")
    assert bus_b.unlocks() == [(5, 12)] and bus_a.unlocks() == []

    store = Store.open(tmp_path / "kiosk.db")
    try:
        ledger = Ledger(store, ManualClock(), Pii(b"d6" * 16), kiosk_id=cfg.kiosk.id)
        ledger.sync_trays(cfg.trays())
        doors = DoorService(ledger, bank, ManualClock())
        bus_b.close_door(5, 12)
        bus_a.set_fault(0, "silent")
        bus_a.set_fault(1, "silent")
        bus_a.clear_log()
        bus_b.clear_log()
        doors.poll_once()
        # the buses are read side by side: cabinet B's boards were read while cabinet
        # A's silent boards were still being retried
        hosts_a = lambda: [e for e in bus_a.frames_log if e.direction == "host"]  # noqa
        assert settle(lambda: len(hosts_a()) >= 8) and len(hosts_a()) == 8
        assert max(e.at for e in bus_b.frames_log) < max(e.at for e in hosts_a())
        states = {t["id"]: t["state"] for t in ledger.trays()}
        assert {s for t, s in states.items() if t.startswith("A")} == {T.FAULT.value}
        assert {s for t, s in states.items() if t.startswith("B")} == {T.EMPTY.value}
        assert doors.free_tray("S") == "B01"       # cabinet A's small trays are out of use
        health = {h.device: h.status.value for h in bank.health()}
        assert health == {"lockboard:bus-a:0": "offline", "lockboard:bus-a:1": "offline",
                          "lockboard:bus-b:2": "online", "lockboard:bus-b:3": "online",
                          "lockboard:bus-b:4": "online", "lockboard:bus-b:5": "online"}
    finally:
        store.close()
