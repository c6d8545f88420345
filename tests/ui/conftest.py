"""The citizen screens against the real kiosk services, with every device simulated on a
pseudo-terminal and the city simulator on a loopback port."""
from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

# tests/conftest.py puts tests/ on sys.path, where the package tests/sync would shadow
# the project's sync package; make sure the project's packages come first.
_ROOT = str(Path(__file__).resolve().parents[2])
if sys.path[0] != _ROOT:
    sys.path.insert(0, _ROOT)
if "sync" in sys.modules and not hasattr(sys.modules["sync"], "build_sync"):
    for _name in [n for n in sys.modules if n == "sync" or n.startswith("sync.")]:
        del sys.modules[_name]

import pytest
from PyQt5.QtCore import Qt

from kiosk.clock import OffsetClock
from kiosk.config import DEFAULT_CONFIG, parse_config
from sim.city import CitySim
from sim.codereader import CodeReaderSim
from sim.lockboard import SimLockBus
from sim.modem import ModemSim
from sim.printer import PrinterSim

TOKEN = "tok-ui-test-0123456789"
PHONE = "0912345678"            # Trần Thị Mai, a made-up citizen
CCCD_QR = "079190012345|271234567|Trần Thị Mai|01011960|Nữ|12 Hậu Giang, Q6, TP.HCM|01012021"


class Kiosk:
    """Handles a test needs: the window, services, simulators, and a few clicks."""

    def __init__(self, qtbot, tmp_path: Path):
        from kiosk.app import build_services
        from ui.main_window import CitizenWindow
        self.qtbot = qtbot
        data = tomllib.loads(Path(DEFAULT_CONFIG).read_text("utf-8"))
        data["kiosk"]["data_dir"] = str(tmp_path / "data")
        data["scanner"] = {"driver": "folder", "folder": "{data_dir}/scans-in"}
        data["ui"]["fullscreen"] = False
        self.city = CitySim(tmp_path / "city" / "city.db", seed=3,
                            tokens={TOKEN: data["kiosk"]["id"]}, processing_s=3600).start()
        data["city"]["base_url"] = self.city.api_url
        data["city"]["timeout_s"] = 2
        self.cfg = cfg = parse_config(data, "ui-test", str(tmp_path))
        self.lock = SimLockBus(cfg.path(cfg.lock_buses[0].port), boards=[0, 1], seed=5)
        self.printer = PrinterSim(cfg.path(cfg.printer.port), tmp_path / "receipts")
        self.modem = ModemSim(cfg.path(cfg.modem.port), tmp_path / "modem" / "inbox.jsonl")
        self.reader = CodeReaderSim(cfg.path(cfg.code_reader.port))
        token_file = cfg.path(cfg.secrets.city_token_file)
        token_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(TOKEN + "\n")
        self.clock = OffsetClock(cfg.kiosk.timezone)
        self.services = build_services(cfg, clock=self.clock, create_secrets=True).start()
        self.services.sync.catalog.refresh()
        self.specs = {t.id: t for t in cfg.trays()}
        self.win = CitizenWindow(self.services.citizen, cfg, self.clock,
                                 code_reader=self.services.code_reader,
                                 vneid=self.services.vneid)
        qtbot.addWidget(self.win)
        self.win.resize(1920, 1080)
        self.win.show()

    # -- driving the screens -------------------------------------------------------------
    @property
    def ledger(self):
        return self.services.ledger

    def screen(self):
        return self.win.current()

    def wait_screen(self, name: str, timeout: int = 15000):
        self.qtbot.waitUntil(lambda: self.win.current().name == name, timeout=timeout)
        return self.win.current()

    def click(self, button):
        self.qtbot.waitUntil(lambda: button.isVisible() and button.isEnabled(), timeout=5000)
        self.qtbot.mouseClick(button, Qt.LeftButton)

    def type_on(self, keypad, text: str, ok: bool = True):
        for ch in text:
            self.click(keypad.keys[ch])
        if ok:
            self.click(keypad.keys["OK"])

    def sms_texts(self) -> list[str]:
        return [r["text"] for r in self.city.db.query("SELECT text FROM sms ORDER BY id")]

    def last_code(self) -> str:
        import re
        for text in reversed(self.sms_texts()):
            m = re.search(r"\b(\d{6})\b", text)
            if m:
                return m.group(1)
        raise AssertionError("no OTP SMS reached the city")

    def wait_sms(self, count: int):
        self.qtbot.waitUntil(lambda: len(self.sms_texts()) >= count, timeout=10000)

    def board_lock(self, tray_id: str) -> tuple[int, int]:
        spec = self.specs[tray_id]
        return spec.board, spec.lock

    def free_procedure(self, *, fee: bool, size: str | None = None) -> str:
        for p in self.services.citizen.catalog.items():
            if (p.fee > 0) == fee and (size is None or p.tray_size == size):
                return p.code
        raise AssertionError("no such procedure in the city catalog")

    def verify_phone(self, flow: str, phone: str = PHONE):
        """On the <flow>-phone screen: type the number, then the SMS code."""
        before = len(self.sms_texts())
        self.type_on(self.wait_screen(f"{flow}-phone").keypad, phone)
        self.wait_screen(f"{flow}-otp")
        self.wait_sms(before + 1)
        self.type_on(self.screen().keypad, self.last_code())

    def load_result(self, phone: str = PHONE, **kw) -> dict:
        """A result put into a tray the way staff do it (tray opened, paper in, closed)."""
        from kiosk.models import DossierState as D, TrayState as T
        tray = self.services.doors.free_tray("M")
        board, lock = self.board_lock(tray)
        with self.ledger.transaction():
            d = self.ledger.create_dossier(procedure_code="HT-001", procedure_name="Kết quả",
                                           state=D.COLLECTED, actor="staff:S001",
                                           phone=phone, tray_size="M", **kw)
            for state in (T.RESERVED, T.UNLOCKING, T.OPEN, T.OCCUPIED_RESULT):
                self.ledger.move_tray(tray, state, actor="staff:S001", reason="load result",
                                      dossier_code=d["code"], purpose="result", txn="t-load")
            d = self.ledger.move_dossier(d["code"], D.RESULT_LOADED, actor="staff:S001",
                                         reason="result loaded", tray_id=tray)
        self.lock.put_item(board, lock)
        return d

    def close(self):
        self.win.shutdown()
        self.win.close()
        self.services.close()
        for dev in (self.reader, self.modem, self.printer, self.lock):
            dev.close()
        self.stop_city()

    def stop_city(self):
        """Network down (or the end of the test); the simulator is stopped only once."""
        if not getattr(self, "_city_stopped", False):
            self._city_stopped = True
            self.city.stop()


@pytest.fixture
def kiosk(qtbot, tmp_path):
    k = Kiosk(qtbot, tmp_path)
    yield k
    k.close()
