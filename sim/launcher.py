"""Start the whole kiosk on one machine: city, devices, and the kiosk in its own process.

Everything lives in one run folder (printed at start; a second start reuses it):

    <run>/kiosk.toml           the kiosk's profile (config/sim.toml with this folder and
                               this city's address)
    <run>/secrets/             HMAC key and city token, mode 0600
    <run>/dev/                 pseudo-terminal links the kiosk opens (lock buses, printer,
                               code reader, modem)
    <run>/kiosk.db, kiosk.log  the kiosk's database and its log
    <run>/kiosk-console.log    the kiosk process's own output (crash tracebacks)
    <run>/clock-offset         seconds the simulated world runs ahead (kiosk/simclock.py)
    <run>/city/city.db         the city simulator's database and SMS inbox
    <run>/receipts/<start>/    the printer's PNG receipts
    <run>/modem-inbox.jsonl    every SMS the modem sent

The kiosk runs as a child process so that a power cut is a real ``kill -9``; the
simulators stay up across it, as the cabinet and the city do when the kiosk PC dies.
Here: starting and stopping the whole; the parts are in ``sim/launch/`` (run folder,
kiosk process, clock and network, cabinet, SMS).
"""
from __future__ import annotations

import logging
import os
import tomllib
from datetime import datetime
from pathlib import Path

from sim.city import CitySim
from sim.codereader import CodeReaderSim
from sim.launch.cabinet import Cabinet
from sim.launch.kiosk import KioskProcess, _die_with_parent
from sim.launch.runfolder import (DEFAULT_PROFILE, DEFAULT_RUN, OFFSET_FILE, REPO,
                                  LaunchError, RunFolder, TrayPlace, expand, set_city,
                                  simulate_profile, tray_places, write_private)
from sim.launch.sms import SmsLog
from sim.launch.world import CITY_FAULTS, NETWORK_MODES, World
from sim.lockboard import SimLockBus
from sim.modem import ModemSim
from sim.printer import PrinterSim

__all__ = ["SimLauncher", "LaunchError", "TrayPlace", "REPO", "DEFAULT_PROFILE",
           "DEFAULT_RUN", "OFFSET_FILE", "NETWORK_MODES", "CITY_FAULTS", "set_city",
           "simulate_profile", "tray_places", "write_private", "_die_with_parent"]

log = logging.getLogger(__name__)
_expand = expand


class SimLauncher(RunFolder, KioskProcess, World, Cabinet, SmsLog):
    """The simulated world around one kiosk process. Use as a context manager."""

    def __init__(self, run_dir: str | os.PathLike | None = None, *,
                 profile: str | os.PathLike = DEFAULT_PROFILE, seed: int = 0,
                 headless: bool = False, city_port: int = 0, city: dict | None = None,
                 city_processing_s: float = 3600.0, kiosk_cmd: list[str] | None = None,
                 kiosk_env: dict | None = None, remote: bool = True):
        self.run = Path(run_dir or DEFAULT_RUN).resolve()
        self.profile_src = Path(profile)
        self.seed = seed
        self.headless = headless
        self.city_port = city_port
        self.city_settings = {"heartbeat_s": 5, "results_poll_s": 5, "retry_cap_s": 10,
                              **(city or {})}
        self.city_processing_s = city_processing_s
        self.kiosk_cmd = kiosk_cmd
        self.kiosk_env = dict(kiosk_env or {})
        self.use_remote = remote
        try:
            self.profile_text = simulate_profile(self.profile_src.read_text(encoding="utf-8"),
                                                 self.run)
            self.profile = tomllib.loads(self.profile_text)
        except (OSError, tomllib.TOMLDecodeError, ValueError) as exc:
            raise LaunchError(f"cannot use the profile {self.profile_src}: {exc}; pass a "
                              "profile such as config/sim.toml") from None
        self.places = tray_places(self.profile)
        self.city: CitySim | None = None
        self.buses: dict[str, SimLockBus] = {}
        self.printer: PrinterSim | None = None
        self.code_reader: CodeReaderSim | None = None
        self.modem: ModemSim | None = None
        self._init_kiosk_process()
        self._init_cabinet()
        self._init_sms()
        self._stopped = False

    # ---- start ------------------------------------------------------------------------
    def start(self, *, kiosk: bool = True) -> "SimLauncher":
        self.run.mkdir(parents=True, exist_ok=True)
        try:
            self._start_city()
            self._start_devices()
            self._write_profile()
            self._write_secrets()
            if kiosk:
                self.start_kiosk()
        except Exception:
            self.stop()
            raise
        return self

    def _start_city(self) -> None:
        city_dir = self.run / "city"
        city_dir.mkdir(exist_ok=True)
        token = self._token()
        self.city = CitySim(city_dir / "city.db", port=self.city_port, seed=self.seed,
                            tokens={token: self.kiosk_id},
                            processing_s=self.city_processing_s)
        self.city.start()
        offset = self.clock_offset()
        if offset and self.city.clock.offset_s < offset:
            self.city.advance(offset - self.city.clock.offset_s)

    def _start_devices(self) -> None:
        boards: dict[str, dict[int, dict]] = {}
        for cab in self.profile.get("cabinets", []):
            for b in cab.get("boards", []):
                boards.setdefault(b["bus"], {})[b["address"]] = {
                    "item_sensors": b.get("item_sensors", False)}
        for bus in self.profile.get("lock_buses", []):
            specs = boards.get(bus["id"])
            if specs:
                self.buses[bus["id"]] = SimLockBus(self.dev(bus["port"]), specs,
                                                   seed=self.seed)
                self._watch_pulses(bus["id"], self.buses[bus["id"]])
        printer = self.profile.get("printer", {})
        if printer.get("enabled", True) and printer.get("transport", "serial") == "serial":
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            self.printer = PrinterSim(self.dev(printer.get("port", "{data_dir}/dev/printer")),
                                      self.run / "receipts" / stamp)
        reader = self.profile.get("code_reader", {})
        if reader.get("enabled", True) and reader.get("driver", "serial") == "serial":
            self.code_reader = CodeReaderSim(self.dev(reader.get("port",
                                                                 "{data_dir}/dev/codereader")))
        modem = self.profile.get("modem", {})
        if modem.get("enabled", True):
            self.modem = ModemSim(self.dev(modem.get("port", "{data_dir}/dev/modem")),
                                  self.modem_inbox)

    def show_code(self, text: str) -> None:
        if self.code_reader is None:
            raise LaunchError("this profile has no serial code reader to simulate")
        self.code_reader.show(text)

    # ---- stop -------------------------------------------------------------------------
    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._end_kiosk_process()
        finally:
            for dev in (*self.buses.values(), self.printer, self.code_reader, self.modem):
                if dev is not None:
                    try:
                        dev.close()
                    except Exception:
                        log.exception("closing a simulator")
            if self.city is not None:
                self.city.stop()
            self._close_console()

    close = stop

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
