"""The "Clock, power, reader" tab of the technician window: jump the simulated clock
(kiosk and city together), cut the power, show a QR code to the code reader."""
from __future__ import annotations

import random

from PyQt5.QtWidgets import (QComboBox, QDoubleSpinBox, QGroupBox, QHBoxLayout, QLabel,
                             QLineEdit, QPushButton, QVBoxLayout, QWidget)


class WorldPanel:
    """A mixin of ``TechWindow`` (needs ``launcher``, ``status`` and ``_citizens``)."""

    def _build_world(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.addWidget(self._build_clock())
        col.addWidget(self._build_power())
        col.addWidget(self._build_reader())
        col.addStretch(1)
        return page

    def _buttons(self, row: QHBoxLayout, buttons) -> None:
        for label, name, fn in buttons:
            b = QPushButton(label)
            b.setObjectName(name)
            b.clicked.connect(fn)
            row.addWidget(b)

    def _build_clock(self) -> QGroupBox:
        clock = QGroupBox("Clock (the kiosk and the city move together)")
        c = QVBoxLayout(clock)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("sim_clock")
        c.addWidget(self.clock_label)
        row = QHBoxLayout()
        self._buttons(row, (("Next round", "clock_next_round", self.next_round),
                            ("+1 hour", "clock_plus_hour", lambda: self.advance(3600)),
                            ("+1 day", "clock_plus_day", lambda: self.advance(86400))))
        c.addLayout(row)
        return clock

    def _build_power(self) -> QGroupBox:
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
        return power

    def _build_reader(self) -> QGroupBox:
        reader = QGroupBox("Code reader: show this QR")
        r = QVBoxLayout(reader)
        self.code_field = QLineEdit()
        self.code_field.setObjectName("code_text")
        self.code_field.setPlaceholderText("CCCD QR text or dossier code")
        r.addWidget(self.code_field)
        row = QHBoxLayout()
        self._buttons(row, (("An ID card (made-up citizen)", "code_id_card",
                             self.fill_id_card),
                            ("Show", "code_show", self.show_code)))
        self.dossier_combo = QComboBox()
        self.dossier_combo.setObjectName("code_dossier")
        self.dossier_combo.activated.connect(
            lambda i: self.code_field.setText(self.dossier_combo.itemText(i)))
        row.addWidget(QLabel("or a dossier:"))
        row.addWidget(self.dossier_combo, 1)
        r.addLayout(row)
        return reader

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

    def _refresh_dossiers(self, kiosk: dict[str, dict]) -> None:
        codes = sorted({t["dossier_code"] for t in kiosk.values() if t.get("dossier_code")})
        if codes != [self.dossier_combo.itemText(i) for i in range(self.dossier_combo.count())]:
            self.dossier_combo.clear()
            self.dossier_combo.addItems(codes)

    def _refresh_clock_and_power(self) -> None:
        L = self.launcher
        now = L.sim_now()
        self.clock_label.setText(f"{now:%A %d/%m/%Y %H:%M:%S} (offset "
                                 f"{L.clock_offset() / 3600:.1f} h); next round "
                                 f"{L.next_round(now):%a %H:%M}")
        running = L.kiosk_running()
        restarting = getattr(L, "_restart_timer", None) is not None
        self.power_label.setText(("kiosk running" if running else
                                  "power off, restart pending" if restarting else
                                  "kiosk off") + f" · power cuts: {L.power_cuts}")
