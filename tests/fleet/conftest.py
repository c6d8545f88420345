"""A simulated kiosk for the fleet tests: the city simulator on 127.0.0.1, the lock
boards, printer and modem on pseudo-terminals, a real database, the real services with
metrics on a free port and the city's command key pinned in the profile."""
from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest
import requests

from kiosk.app import build_services
from kiosk.config import parse_config
from kiosk.secrets import write_secret
from sim.city.server import CitySim
from sim.lockboard.bus import SimLockBus
from sim.modem.device import ModemSim
from sim.printer.device import PrinterSim

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fleet-token-5b1e"


def wait_for(predicate, timeout=10.0, step=0.05):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class Machine:
    def __init__(self, tmp_path: Path):
        self.tmp = tmp_path
        self.city = None
        self.services = None
        self.sims: dict = {}
        self.data = tomllib.loads((ROOT / "config/sim.toml").read_text())

    def start_city(self):
        self.city = CitySim(self.tmp / "city" / "city.db",
                            tokens={TOKEN: self.data["kiosk"]["id"]}).start()
        return self.city

    def config(self, **sections):
        data = dict(self.data)
        data["kiosk"] = {**data["kiosk"], "data_dir": str(self.tmp / "run")}
        data["city"] = {**data["city"], "base_url": self.city.api_url, "heartbeat_s": 1}
        data["scanner"] = {"enabled": False}
        data["code_reader"] = {"enabled": False}
        data["commands"] = {"city_public_key": self.city.commands.public_key,
                            "poll_wait_s": 5}
        data.update(sections)
        return parse_config(data, "fleet-test.toml", str(self.tmp))

    def start_devices(self, cfg):
        dev = cfg.data_dir / "dev"
        if not self.sims:
            self.sims["locks"] = SimLockBus(dev / "lockbus-a", boards=[0, 1])
            self.sims["printer"] = PrinterSim(dev / "printer", self.tmp / "receipts")
            self.sims["modem"] = ModemSim(dev / "modem", self.tmp / "modem.jsonl")

    def start(self, **sections):
        if self.city is None:
            self.start_city()
        cfg = self.config(**sections)
        self.start_devices(cfg)
        write_secret(cfg.path(cfg.secrets.city_token_file), TOKEN.encode())
        self.services = build_services(cfg, create_secrets=True).start()
        return self.services

    def stop_kiosk(self):
        if self.services is not None:
            self.services.close()
            self.services = None

    @property
    def metrics_url(self) -> str:
        addr = (self.services.cfg.data_dir / "metrics.addr").read_text().strip()
        return f"http://{addr}/metrics"

    def send(self, command, args=None, **extra) -> str:
        r = requests.post(self.city.url + "/_sim/commands", timeout=5,
                          json={"kiosk": self.data["kiosk"]["id"], "command": command,
                                "args": args or {}, **extra})
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def commands(self) -> list[dict]:
        r = requests.get(self.city.url + "/_sim/commands",
                         params={"kiosk": self.data["kiosk"]["id"]}, timeout=5)
        return r.json()

    def outcome(self, cid, *, index=-1, timeout=10.0) -> dict:
        def settled():
            sends = [c for c in self.commands() if c["id"] == cid]
            return sends and sends[index]["status"] in ("done", "refused")
        assert wait_for(settled, timeout), self.commands()
        return [c for c in self.commands() if c["id"] == cid][index]

    def close(self):
        self.stop_kiosk()
        for s in self.sims.values():
            s.close()
        if self.city is not None:
            self.city.stop()


@pytest.fixture
def machine(tmp_path):
    m = Machine(tmp_path)
    yield m
    m.close()
