"""The technician's window onto the simulated kiosk.

Everything here acts on the simulated world (``sim.launcher.SimLauncher``), never on the
kiosk's insides: a door is pushed shut on the lock board, paper is laid in a tray, a
printer runs out of paper, the network goes down, the clock jumps, the power is cut.
The kiosk then has to notice, as it would on site. What the kiosk believes about each
tray is read from its database (read-only) and shown next to what the hardware says.
"""
from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

from PyQt5.QtCore import Qt, QTimer
from PyQt5.QtGui import QIcon, QPixmap
from PyQt5.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QComboBox,
                             QDoubleSpinBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                             QLineEdit, QListWidget, QListWidgetItem, QMainWindow, QMenu,
                             QPushButton, QRadioButton, QScrollArea, QSplitter, QTableWidget,
                             QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget)

from sim.city import FAULT_KINDS as CITY_FAULTS
from sim.lockboard import FAULTS as BOARD_FAULTS
from sim.printer.device import SWITCHES as PRINTER_SWITCHES
from sim.scenario.citizens import make_citizens

DOOR_COLOURS = {"locked": "#2e7d32", "closed": "#558b2f", "open": "#f9a825",
                "tampered": "#c62828"}
SHORT_STATES = {"OCCUPIED_DEPOSIT": "deposit", "OCCUPIED_RESULT": "result",
                "OUT_OF_SERVICE": "out of svc", "UNLOCKING": "unlocking"}
KIOSK_ALERT_STATES = {"UNKNOWN", "FAULT", "TAMPERED", "OUT_OF_SERVICE"}
BOARD_FAULT_HELP = {
    "silent": "board dead: no reply at all",
    "stuck_latch": "unlock pulses do nothing",
    "broken_sensor": "hook sensors read 'open' (cut wire)",
    "slow": "replies come 0.5 s late",
    "corrupt": "every reply has a bad checksum",
    "garbage": "noise bytes before each reply",
}
CITY_FAULT_HELP = {
    "drop": "connection closed without an answer (before or after the work was done)",
    "delay": "answer 0.5 s late", "500": "server error", "429": "too many requests",
    "duplicate": "the request is applied twice", "reorder": "lists come shuffled",
    "cut": "an upload breaks off half way"}
PRINTER_HELP = {"paper_near_end": "paper near end", "paper_end": "paper out",
                "cover_open": "cover open", "error": "cutter error", "offline": "unplugged"}


def mask(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return "*" * max(0, len(digits) - 3) + digits[-3:] if digits else number


class TrayTile(QPushButton):
    """One tray: its door and paper as the hardware has them, its state as the kiosk
    has it. Click for what a person can do at that door."""

    def __init__(self, tray: str, size: str, win: "TechWindow"):
        super().__init__()
        self.tray, self.size, self.win = tray, size, win
        self.setObjectName(f"tray_{tray}")
        self.setMinimumSize(96, 64)
        self.clicked.connect(self.show_menu)
        self.door = "locked"
        self.paper = False
        self.kiosk_state = ""

    def update_view(self, hw: dict, kiosk: dict | None) -> None:
        self.door, self.paper = hw["door"], hw["paper"]
        self.kiosk_state = (kiosk or {}).get("state", "")
        code = (kiosk or {}).get("dossier_code") or ""
        lines = [f"{self.tray} {self.size}" + (" ▣" if self.paper else ""), self.door,
                 SHORT_STATES.get(self.kiosk_state, self.kiosk_state.lower())]
        if code:
            lines.append(code[-5:])
        self.setText("\n".join(lines))
        colour = DOOR_COLOURS.get(self.door, "#757575")
        border = "#c62828" if self.kiosk_state in KIOSK_ALERT_STATES else "#263238"
        self.setStyleSheet(f"QPushButton {{ background: {colour}; color: white; "
                           f"border: 3px solid {border}; border-radius: 6px; "
                           "font-size: 11px; padding: 2px; }")
        self.setToolTip(f"tray {self.tray}: door {self.door}, "
                        f"{'paper inside' if self.paper else 'empty'}; kiosk says "
                        f"{self.kiosk_state or '?'} {code}")

    def actions(self) -> list[tuple[str, callable]]:
        L = self.win.launcher
        acts = []
        if self.door in ("open", "tampered"):
            acts.append(("Close the door", lambda: L.close_door(self.tray)))
        else:
            acts.append(("Pry the door open (tamper)", lambda: L.force_open(self.tray)))
        if self.paper:
            acts.append(("Take the paper out", lambda: L.take_paper(self.tray)))
        else:
            acts.append(("Put paper in", lambda: L.put_paper(self.tray)))
        return acts

    def show_menu(self) -> None:
        menu = QMenu(self)
        for label, fn in self.actions():
            menu.addAction(label, lambda fn=fn: (fn(), self.win.refresh()))
        menu.popup(self.mapToGlobal(self.rect().center()))


class TechWindow(QMainWindow):
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

    # -- cabinet ---------------------------------------------------------------------
    def _build_cabinet(self) -> QWidget:
        box = QWidget()
        col = QVBoxLayout(box)
        legend = QLabel("▣ paper inside. Door: <b style='color:#2e7d32'>locked</b> · "
                        "<b style='color:#f9a825'>open</b> · "
                        "<b style='color:#c62828'>tampered</b>; red frame: the kiosk "
                        "flags the tray. Click a tray to act at its door.")
        legend.setWordWrap(True)
        col.addWidget(legend)
        cabinets: dict[str, list] = {}
        for p in self.launcher.places:
            cabinets.setdefault(p.cabinet, []).append(p)
        row = QHBoxLayout()
        for cab, places in cabinets.items():
            group = QGroupBox(f"Cabinet {cab}")
            grid = QGridLayout(group)
            grid.setSpacing(4)
            per_col = 8 if len(places) <= 32 else 12
            for i, p in enumerate(places):
                tile = TrayTile(p.tray, p.size, self)
                self.tiles[p.tray] = tile
                grid.addWidget(tile, i % per_col, i // per_col)
            row.addWidget(group)
        col.addLayout(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(box)
        return scroll

    # -- faults ----------------------------------------------------------------------
    def _build_faults(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        L = self.launcher

        net = QGroupBox("City network")
        nrow = QHBoxLayout(net)
        group = QButtonGroup(net)
        for mode, label in (("up", "up"), ("slow", "slow (3 s answers)"), ("down", "down")):
            rb = QRadioButton(label)
            rb.setObjectName(f"network_{mode}")
            rb.setChecked(mode == getattr(L, "network_mode", "up"))
            rb.toggled.connect(lambda on, m=mode: on and self.set_network(m))
            group.addButton(rb)
            nrow.addWidget(rb)
            self.network_buttons[mode] = rb
        col.addWidget(net)

        flaky = QGroupBox("City faults while the network is up")
        frow = QHBoxLayout(flaky)
        self.city_fault_switches: dict[str, QCheckBox] = {}
        for kind in CITY_FAULTS:
            cb = QCheckBox(kind)
            cb.setObjectName(f"city_fault_{kind}")
            cb.setToolTip(CITY_FAULT_HELP.get(kind, ""))
            cb.toggled.connect(lambda _on: self.set_flaky())
            frow.addWidget(cb)
            self.city_fault_switches[kind] = cb
        self.city_fault_rate = QDoubleSpinBox()
        self.city_fault_rate.setObjectName("city_fault_rate")
        self.city_fault_rate.setRange(0, 100)
        self.city_fault_rate.setValue(20)
        self.city_fault_rate.setSuffix(" % of requests")
        self.city_fault_rate.valueChanged.connect(lambda _v: self.set_flaky())
        frow.addWidget(self.city_fault_rate)
        col.addWidget(flaky)

        for bus_id, bus in L.buses.items():
            for addr in sorted(bus.boards):
                gb = QGroupBox(f"Lock board {addr} on {bus_id}")
                grid = QGridLayout(gb)
                for i, name in enumerate(BOARD_FAULTS):
                    cb = QCheckBox(name.replace("_", " "))
                    cb.setToolTip(BOARD_FAULT_HELP.get(name, ""))
                    cb.setObjectName(f"fault_{bus_id}_{addr}_{name}")
                    cb.toggled.connect(lambda on, b=bus_id, a=addr, n=name:
                                       self.set_board_fault(b, a, n, on))
                    grid.addWidget(cb, i // 3, i % 3)
                    self.board_switches[(bus_id, addr, name)] = cb
                col.addWidget(gb)

        if L.printer is not None:
            gb = QGroupBox("Receipt printer")
            row = QHBoxLayout(gb)
            for name in PRINTER_SWITCHES:
                cb = QCheckBox(PRINTER_HELP.get(name, name))
                cb.setObjectName(f"printer_{name}")
                cb.toggled.connect(lambda on, n=name: L.printer.set(**{n: on}))
                row.addWidget(cb)
                self.printer_switches[name] = cb
            col.addWidget(gb)

        if L.modem is not None:
            gb = QGroupBox("GSM modem")
            row = QHBoxLayout(gb)
            for name, label in (("no_network", "no mobile network"),
                                ("silent", "hung (answers nothing)"),
                                ("cms_error", "refuses every SMS (+CMS ERROR 500)")):
                cb = QCheckBox(label)
                cb.setObjectName(f"modem_{name}")
                cb.toggled.connect(lambda on, n=name: self.set_modem(n, on))
                row.addWidget(cb)
                self.modem_switches[name] = cb
            col.addWidget(gb)
        note = QLabel("The scanner is SANE's 'test' device and the code reader has no "
                      "faults of its own: unplug them by editing the profile.")
        note.setWordWrap(True)
        col.addWidget(note)
        col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def set_network(self, mode: str) -> None:
        self.launcher.network(mode)
        self.refresh()

    def set_flaky(self) -> None:
        kinds = [k for k, cb in self.city_fault_switches.items() if cb.isChecked()]
        self.launcher.flaky(kinds, self.city_fault_rate.value() / 100.0)

    def set_board_fault(self, bus: str, address: int, name: str, on: bool) -> None:
        params = {"delay_s": 0.5} if name == "slow" and on else {}
        self.launcher.buses[bus].set_fault(address, name, on, **params)
        self.refresh()

    def set_modem(self, name: str, on: bool) -> None:
        modem = self.launcher.modem
        if name == "cms_error":
            modem.cms_error = 500 if on else None
        else:
            setattr(modem, name, on)

    # -- receipts and SMS ------------------------------------------------------------
    def _build_receipts(self) -> QWidget:
        split = QSplitter(Qt.Vertical)
        self.receipt_list = QListWidget()
        self.receipt_list.setObjectName("receipt_roll")
        self.receipt_list.setViewMode(QListWidget.IconMode)
        self.receipt_list.setIconSize(QPixmap(96, 160).size())
        self.receipt_list.currentItemChanged.connect(self._show_receipt)
        self.receipt_view = QLabel("Pick a receipt")
        self.receipt_view.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.receipt_view)
        split.addWidget(self.receipt_list)
        split.addWidget(scroll)
        split.setSizes([200, 500])
        return split

    def receipts(self) -> list[Path]:
        root = self.launcher.run / "receipts"
        if not root.exists():
            return []
        return sorted(root.glob("*/*.png"), key=lambda p: (p.stat().st_mtime, p.name))

    def _show_receipt(self, item) -> None:
        if item is None:
            return
        pix = QPixmap(item.data(Qt.UserRole))
        self.receipt_view.setPixmap(pix.scaledToWidth(min(pix.width(), 420),
                                                      Qt.SmoothTransformation))

    def _build_sms(self) -> QWidget:
        self.sms_table = QTableWidget(0, 4)
        self.sms_table.setObjectName("sms_inbox")
        self.sms_table.setHorizontalHeaderLabels(["time", "via", "to", "text"])
        self.sms_table.horizontalHeader().setStretchLastSection(True)
        self.sms_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.sms_table.setWordWrap(True)
        return self.sms_table

    # -- clock, power, code reader ----------------------------------------------------
    def _build_world(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)

        clock = QGroupBox("Clock (the kiosk and the city move together)")
        c = QVBoxLayout(clock)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("sim_clock")
        c.addWidget(self.clock_label)
        row = QHBoxLayout()
        for label, name, fn in (("Next round", "clock_next_round", self.next_round),
                                ("+1 hour", "clock_plus_hour",
                                 lambda: self.advance(3600)),
                                ("+1 day", "clock_plus_day", lambda: self.advance(86400))):
            b = QPushButton(label)
            b.setObjectName(name)
            b.clicked.connect(fn)
            row.addWidget(b)
        c.addLayout(row)
        col.addWidget(clock)

        power = QGroupBox("Power")
        p = QHBoxLayout(power)
        p.addWidget(QLabel("restart after"))
        self.power_delay = QDoubleSpinBox()
        self.power_delay.setObjectName("power_delay")
        self.power_delay.setRange(0, 600)
        self.power_delay.setValue(3)
        self.power_delay.setSuffix(" s")
        p.addWidget(self.power_delay)
        cut = QPushButton("Cut the power (kill -9)")
        cut.setObjectName("power_cut")
        cut.clicked.connect(self.power_cut)
        p.addWidget(cut)
        self.power_label = QLabel()
        self.power_label.setObjectName("power_state")
        p.addWidget(self.power_label, 1)
        col.addWidget(power)

        reader = QGroupBox("Code reader: show this QR")
        r = QVBoxLayout(reader)
        self.code_field = QLineEdit()
        self.code_field.setObjectName("code_text")
        self.code_field.setPlaceholderText("CCCD QR text or dossier code")
        r.addWidget(self.code_field)
        row = QHBoxLayout()
        for label, name, fn in (("An ID card (made-up citizen)", "code_id_card",
                                 self.fill_id_card),
                                ("Show", "code_show", self.show_code)):
            b = QPushButton(label)
            b.setObjectName(name)
            b.clicked.connect(fn)
            row.addWidget(b)
        self.dossier_combo = QComboBox()
        self.dossier_combo.setObjectName("code_dossier")
        self.dossier_combo.activated.connect(
            lambda i: self.code_field.setText(self.dossier_combo.itemText(i)))
        row.addWidget(QLabel("or a dossier:"))
        row.addWidget(self.dossier_combo, 1)
        r.addLayout(row)
        col.addWidget(reader)
        col.addStretch(1)
        return page

    def advance(self, seconds: float) -> None:
        self.launcher.advance_clock(seconds)
        self.refresh()

    def next_round(self) -> None:
        self.launcher.to_next_round()
        self.refresh()

    def power_cut(self) -> None:
        delay = float(self.power_delay.value())
        self.launcher.power_cut(restart_after_s=delay)
        self.refresh()

    def fill_id_card(self) -> None:
        self.code_field.setText(random.choice(self._citizens).cccd_qr())

    def show_code(self) -> None:
        text = self.code_field.text().strip()
        if text:
            self.launcher.show_code(text)
            self.status.setText(f"code reader showed {text[:24]}…")

    # -- refresh -------------------------------------------------------------------
    def refresh(self) -> None:
        L = self.launcher
        hw = L.cabinet()
        kiosk = L.kiosk_trays()
        for tray, tile in self.tiles.items():
            tile.update_view(hw[tray], kiosk.get(tray))
        codes = sorted({t["dossier_code"] for t in kiosk.values() if t.get("dossier_code")})
        if codes != [self.dossier_combo.itemText(i) for i in range(self.dossier_combo.count())]:
            self.dossier_combo.clear()
            self.dossier_combo.addItems(codes)
        receipts = self.receipts()
        if receipts != self._receipts_shown:
            for path in receipts[len(self._receipts_shown):] if \
                    receipts[:len(self._receipts_shown)] == self._receipts_shown else receipts:
                item = QListWidgetItem(path.stem)
                item.setData(Qt.UserRole, str(path))
                pix = QPixmap(str(path))
                if not pix.isNull():
                    item.setIcon(QIcon(pix.scaledToWidth(96)))
                self.receipt_list.addItem(item)
            self._receipts_shown = receipts
        messages = L.sms()
        if len(messages) != self._sms_shown:
            self.sms_table.setRowCount(len(messages))
            for i, m in enumerate(messages):
                for j, value in enumerate((m["time"], m["via"], mask(m["to"]), m["text"])):
                    self.sms_table.setItem(i, j, QTableWidgetItem(value))
            self._sms_shown = len(messages)
            self.sms_table.scrollToBottom()
        now = L.sim_now()
        self.clock_label.setText(f"{now:%A %d/%m/%Y %H:%M:%S} (offset "
                                 f"{L.clock_offset() / 3600:.1f} h); next round "
                                 f"{L.next_round(now):%a %H:%M}")
        running = L.kiosk_running()
        restarting = getattr(L, "_restart_timer", None) is not None
        self.power_label.setText(("kiosk running" if running else
                                  "power off, restart pending" if restarting else
                                  "kiosk off") + f" · power cuts: {L.power_cuts}")
        alerts = [t for t, k in kiosk.items() if k.get("state") in KIOSK_ALERT_STATES]
        self.status.setText(f"{datetime.now():%H:%M:%S} network {L.network_mode} · "
                            f"{len(receipts)} receipts · {len(messages)} SMS · "
                            f"trays flagged: {', '.join(alerts) or 'none'}")

    def closeEvent(self, event):
        self.timer.stop()
        super().closeEvent(event)
