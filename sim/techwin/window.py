"""The technician's window onto the simulated kiosk.

Everything here acts on the simulated world (``sim.launcher.SimLauncher``), never on the
kiosk's insides: a door is pushed shut on the lock board, paper is laid in a tray, a
printer runs out of paper, the network goes down, the clock jumps, the power is cut.
The kiosk then has to notice, as it would on site. What the kiosk believes about each
tray is read from its database (read-only) and shown next to what the hardware says.

The panels are in their own modules: ``cabinet`` (tray grid), ``switches`` (faults),
``roll`` (receipts and SMS), ``world`` (clock, power, code reader).
"""
from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtWidgets import (QCheckBox, QLabel, QMainWindow, QRadioButton, QSplitter,
                             QTabWidget)

from sim.scenario.citizens import make_citizens
from sim.techwin.cabinet import (DOOR_COLOURS, KIOSK_ALERT_STATES, SHORT_STATES,
                                 CabinetPanel, TrayTile)
from sim.techwin.roll import RollPanel, mask
from sim.techwin.switches import (BOARD_FAULT_HELP, CITY_FAULT_HELP, PRINTER_HELP,
                                  FaultPanel)
from sim.techwin.world import WorldPanel

__all__ = ["TechWindow", "TrayTile", "mask", "DOOR_COLOURS", "SHORT_STATES",
           "KIOSK_ALERT_STATES", "BOARD_FAULT_HELP", "CITY_FAULT_HELP", "PRINTER_HELP"]


class TechWindow(QMainWindow, CabinetPanel, FaultPanel, RollPanel, WorldPanel):
    def __init__(self, launcher, *, refresh_ms: int = 500):
        super().__init__()
        self.launcher = launcher
        self.setWindowTitle(f"Kiosk simulator — technician — {launcher.run}")
        self.setObjectName("technician_window")
        self.tiles: dict[str, TrayTile] = {}
        self.board_switches: dict[tuple[str, int, str], QCheckBox] = {}
        self.printer_switches: dict[str, QCheckBox] = {}
        self.modem_switches: dict[str, QCheckBox] = {}
        self.network_buttons: dict[str, QRadioButton] = {}
        self._receipts_shown: list[Path] = []
        self._sms_shown = 0
        self._citizens = make_citizens(50, seed=random.randrange(1 << 30))

        split = QSplitter(Qt.Horizontal)
        split.addWidget(self._build_cabinet())
        tabs = QTabWidget()
        tabs.addTab(self._build_faults(), "Faults")
        tabs.addTab(self._build_receipts(), "Receipts")
        tabs.addTab(self._build_sms(), "SMS")
        tabs.addTab(self._build_world(), "Clock, power, reader")
        self.tabs = tabs
        split.addWidget(tabs)
        split.setSizes([560, 900])
        self.setCentralWidget(split)
        self.status = QLabel()
        self.status.setObjectName("status_line")
        self.statusBar().addWidget(self.status, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(refresh_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def refresh(self) -> None:
        kiosk = self._refresh_cabinet()
        self._refresh_dossiers(kiosk)
        receipts = self._refresh_receipts()
        messages = self._refresh_sms()
        self._refresh_clock_and_power()
        alerts = [t for t, k in kiosk.items() if k.get("state") in KIOSK_ALERT_STATES]
        self.status.setText(f"{datetime.now():%H:%M:%S} network "
                            f"{self.launcher.network_mode} · "
                            f"{len(receipts)} receipts · {len(messages)} SMS · "
                            f"trays flagged: {', '.join(alerts) or 'none'}")

    def closeEvent(self, event):
        self.timer.stop()
        super().closeEvent(event)
