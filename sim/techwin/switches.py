"""The fault switches of the technician window: network, city faults, each lock board,
the receipt printer and the GSM modem. Each switch acts on a simulator, never on the
kiosk, which has to notice as it would on site."""
from __future__ import annotations

from PyQt5.QtWidgets import (QButtonGroup, QCheckBox, QDoubleSpinBox, QGridLayout,
                             QGroupBox, QHBoxLayout, QLabel, QRadioButton, QScrollArea,
                             QVBoxLayout, QWidget)

from sim.city import FAULT_KINDS as CITY_FAULTS
from sim.lockboard import FAULTS as BOARD_FAULTS
from sim.printer.device import SWITCHES as PRINTER_SWITCHES

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
MODEM_SWITCHES = (("no_network", "no mobile network"),
                  ("silent", "hung (answers nothing)"),
                  ("cms_error", "refuses every SMS (+CMS ERROR 500)"))


class FaultPanel:
    """A mixin of ``TechWindow``: the "Faults" tab; switches kept in
    ``network_buttons``, ``city_fault_switches``, ``board_switches``,
    ``printer_switches`` and ``modem_switches``."""

    def _build_faults(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        L = self.launcher
        col.addWidget(self._build_network(L))
        col.addWidget(self._build_city_faults())
        for bus_id, bus in L.buses.items():
            for addr in sorted(bus.boards):
                col.addWidget(self._build_board(bus_id, addr))
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
            for name, label in MODEM_SWITCHES:
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

    def _build_network(self, L) -> QGroupBox:
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
        return net

    def _build_city_faults(self) -> QGroupBox:
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
        return flaky

    def _build_board(self, bus_id: str, addr: int) -> QGroupBox:
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
        return gb

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
