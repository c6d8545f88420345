"""The tray is open: put the dossier in and close the door, with the live door state.

The deposit is recorded by the citizen service when the door closes (the item sensor,
where there is one, must see the papers). A door left open too long gets a spoken and
written reminder (the door service alerts the technician); while the door is open the
idle reset waits.
"""
from __future__ import annotations

from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen
from ui.widgets.door import DoorIndicator


class TrayScreen(Screen):
    name = "deposit-tray"
    title_key = "tray.title"
    speak_key = "tray.speak"

    def build(self):
        self.tray_lab = self.label("huge")
        self.instr = self.label("title")
        self.door = DoorIndicator(self.tr)
        self.reminder = self.label("warn")
        self.reminder.hide()
        for w in (self.tray_lab, self.instr, self.door, self.reminder):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.reopen_btn = self.button("primary", height_mm=22)
        self.reopen_btn.clicked.connect(self.open_tray)
        self.cancel_btn = self.button("danger", height_mm=22)
        self.cancel_btn.clicked.connect(self.cancel)
        row.addWidget(self.reopen_btn)
        row.addWidget(self.cancel_btn)
        self.layout_.addLayout(row)
        self.keeps_awake = False
        self.cancelling = False
        self._opened_at = None
        self._alerted = False
        self.timer = QTimer(self)
        self.timer.setInterval(500)
        self.timer.timeout.connect(self.check_open_too_long)

    @property
    def deposit(self):
        return self.win.session.get("deposit")

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()
        self.reminder.hide()
        self.reopen_btn.hide()
        self.cancel_btn.show()
        self.cancelling = False
        self.tray_lab.setText("…")
        self.instr.setText(self.tr("tray.preparing"))
        self.door.show_state("locked")
        self.win.ops.run(self.win.citizen.reserve_tray, self.deposit,
                         on_success=lambda _: self.open_tray(), on_failure=self.failed)

    def open_tray(self):
        dep = self.deposit
        self.reopen_btn.hide()
        self.tray_lab.setText(self.tr("tray.number", tray=dep.tray_id))
        self.instr.setText(self.tr("tray.opening"))
        self.win.ops.run(self.win.citizen.open_tray, dep, on_success=self.opened,
                         on_failure=self.failed)

    def opened(self, ok: bool):
        if not ok:
            self.win.problem("tray.not_opened")
            return
        self.keeps_awake = True
        self._opened_at = self.win.clock.monotonic()
        self._alerted = False
        self.timer.start()
        self.instr.setText(self.tr("tray.put_in", tray=self.deposit.tray_id))
        self.door.show_state(self.win.citizen.door(self.deposit.tray_id))
        self.win.say(self.instr.text())

    def door_event(self, tray: str, state: str, occupied):
        dep = self.deposit
        if dep is None or tray != dep.tray_id:
            return
        self.door.show_state(state)
        if state in ("closed", "locked"):
            self.keeps_awake = False
            self.timer.stop()
            if self.cancelling:
                self.win.home("cancel")
                return
            if dep.closed_empty:
                self.instr.setText(self.tr("tray.empty"))
                self.reopen_btn.setText(self.tr("tray.reopen"))
                self.reopen_btn.show()
                self.win.say(self.instr.text())
        elif state == "open":
            self.keeps_awake = True

    def deposit_recorded(self, deposit):
        if deposit is self.deposit and self.cancelling:
            self.win.home("cancel")         # papers left in: kept as a deposit
        elif deposit is self.deposit:
            self.timer.stop()
            self.keeps_awake = False
            self.win.go("deposit-done")

    def check_open_too_long(self):
        if self._opened_at is None or self._alerted:
            return
        if self.win.clock.monotonic() - self._opened_at >= self.win.cfg.ui.door_open_alert_s:
            self._alerted = True
            self.reminder.setText(self.tr("tray.reminder"))
            self.reminder.show()
            self.win.say(self.reminder.text())
            # the door service itself records door.left_open and alerts the technician

    def on_back(self):
        """Back at the open tray means backing out: never re-open or leave it behind."""
        self.cancel()

    def cancel(self):
        if self.door.state != "open":
            self.win.home("cancel")
            return
        # the door is open: the papers go back to the citizen first
        self.win.citizen.cancel(self.deposit, reason="citizen backed out")
        self.cancelling = True
        self.cancel_btn.hide()
        self.reopen_btn.hide()
        self.instr.setText(self.tr("tray.take_back"))
        self.win.say(self.instr.text())

    def leave(self):
        self.timer.stop()
        self.keeps_awake = False

    def wipe(self):
        self.timer.stop()
        self.keeps_awake = False
        self.cancelling = False
        self._opened_at = None
        self.reminder.hide()

    def failed(self, exc):
        self.keeps_awake = False
        self.win.problem(getattr(exc, "reason", "unexpected"),
                         size=getattr(exc, "details", {}).get("size", ""))

    def retranslate(self):
        self.cancel_btn.setText(self.tr("tray.cancel"))
        self.reopen_btn.setText(self.tr("tray.reopen"))
        self.door.retranslate()
