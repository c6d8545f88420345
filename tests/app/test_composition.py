"""The composition root on a simulated machine: every device on a pseudo-terminal, the
city simulator on 127.0.0.1, a real database file. And the same with devices missing:
the kiosk still starts and says which device is gone and what to check."""
import time
import tomllib
from pathlib import Path

import pytest

from hardware.ports import DeviceStatus
from kiosk.app import build_services
from kiosk.config import parse_config
from kiosk.secrets import write_secret
from sim.city.server import CitySim
from sim.lockboard.bus import SimLockBus
from sim.modem.device import ModemSim
from sim.printer.device import PrinterSim

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-token-7f3a9c"


def wait_for(predicate, timeout=10.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@pytest.fixture
def machine(tmp_path):
    """Returns a function that starts the chosen simulators and builds the services."""
    started = []

    def start(devices=("locks", "printer", "modem"), gpio=None):
        data = tomllib.loads((ROOT / "config/sim.toml").read_text())
        city = CitySim(tmp_path / "city.db", tokens={TOKEN: data["kiosk"]["id"]}).start()
        started.append(city)
        data["kiosk"]["data_dir"] = str(tmp_path / "run")
        data["city"]["base_url"] = city.api_url
        data["scanner"] = {"enabled": False}
        data["code_reader"] = {"enabled": False}
        if gpio:
            data["gpio"] = gpio
        cfg = parse_config(data, "test.toml", str(tmp_path))
        dev = cfg.data_dir / "dev"
        sims = {}
        if "locks" in devices:
            sims["locks"] = SimLockBus(dev / "lockbus-a", boards=[0, 1])
        if "printer" in devices:
            sims["printer"] = PrinterSim(dev / "printer", tmp_path / "receipts")
        if "modem" in devices:
            sims["modem"] = ModemSim(dev / "modem", tmp_path / "modem.jsonl")
        started.extend(sims.values())
        write_secret(cfg.path(cfg.secrets.city_token_file), TOKEN.encode())
        services = build_services(cfg, create_secrets=True)
        if services.power is not None:       # tests drive the UPS faster than 30 s
            services.power.debounce_s = 0.2
        services.start()
        started.append(services)
        return services, sims, city

    yield start
    for thing in reversed(started):
        (getattr(thing, "close", None) or thing.stop)()


def test_everything_online_and_the_catalog_arrives(machine):
    services, sims, city = machine()
    health = {h.device: h for h in services.device_health()}
    assert not services.startup_problems
    assert all(h.ok for h in health.values()), health
    assert wait_for(lambda: len(services.sync.catalog.procedures()) >= 40)
    assert len(services.ledger.trays()) == 24
    # a door opened through the whole stack reaches the simulated board
    services.ledger.move_tray("A09", "RESERVED", actor="citizen", reason="deposit")
    assert services.doors.open("A09", actor="citizen", reason="deposit", txn="t-1") is True
    assert sims["locks"].unlocks() == [(0, 9)]
    assert services.ledger.tray("A09")["state"] == "OPEN"


def test_missing_devices_do_not_stop_the_kiosk(machine):
    services, sims, city = machine(devices=("modem",))
    health = {h.device: h for h in services.device_health()}
    assert "printer" in services.startup_problems
    assert health["printer"].status == DeviceStatus.OFFLINE
    assert wait_for(lambda: all(t["state"] == "FAULT" for t in services.ledger.trays()),
                    timeout=15), "trays of a silent bus must be taken out of use"
    assert services.doors.free_tray("M") is None
    assert services.citizen is not None and not services.citizen.printer_ok()
    down = {h.device for h in services.device_health() if not h.ok}
    assert "printer" in down and any("board" in d or "lock" in d for d in down), down


def test_ups_on_battery_refuses_new_work_and_shuts_down(machine, tmp_path):
    import threading

    from kiosk.services.citizen import CitizenError
    services, sims, city = machine(gpio={"pin_factory": "mock", "ups_on_battery_pin": 26})
    guard = services.power
    assert guard is not None and guard.accepting
    shut = threading.Event()
    guard._shutdown = shut.set
    # a citizen is at an open tray when the mains fail
    services.ledger.move_tray("A02", "RESERVED", actor="citizen", reason="deposit")
    assert services.doors.open("A02", actor="citizen", reason="deposit", txn="t-ups")
    guard.monitor._button.pin.drive_low()            # the UPS contact closes
    assert wait_for(lambda: not guard.accepting, timeout=5)
    assert wait_for(lambda: services.citizen.catalog.items())
    deposit = services.citizen.start_deposit(services.citizen.catalog.items()[0].code)
    with pytest.raises(CitizenError) as info:
        services.citizen.reserve_tray(deposit)
    assert info.value.reason == "power.closed"
    assert not shut.wait(1.0), "shut down while a door was still open"
    sims["locks"].close_door(0, 2)
    wait_for(lambda: services.ledger.tray("A02")["state"] != "OPEN", timeout=1)
    services.ledger.move_tray("A02", "EMPTY", actor="citizen", reason="backed out")
    assert shut.wait(10), "no clean shutdown once the transaction in hand ended"
    actions = [r["action"] for r in services.store.query("SELECT action FROM journal")]
    assert "power.on_battery" in actions and "power.shutdown" in actions


def test_a_fault_raises_one_alert_that_reaches_the_heartbeat(machine):
    services, sims, city = machine()
    sims["printer"].set(paper_end=True)
    for _ in range(3):
        services.upkeep.run_once()
    kinds = [(a.kind, a.subject) for a in services.alerts.active()]
    assert ("printer.paper_out", "printer") in kinds
    raised = services.store.query("SELECT * FROM journal WHERE action = 'alert.raised'")
    assert len(raised) == 1                                # once, not a flood
    beat = {h.device for h in services.heartbeat_health()}
    assert any("paper_out" in d for d in beat), beat
    sims["printer"].set(paper_end=False)
