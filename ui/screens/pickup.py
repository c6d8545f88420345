"""Pickup: each tray holding a result for the verified phone opens in turn; the citizen
takes the papers, closes the door and taps Finish. Results flagged for an identity
check first ask for the ID number."""
from __future__ import annotations

import uuid

from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen
from ui.widgets.door import DoorIndicator


class PickupScreen(Screen):
    name = "pickup-tray"
    title_key = "pickup.title"
    speak_key = ""

    def build(self):
        self.progress = self.label("muted")
        self.tray_lab = self.label("huge")
        self.instr = self.label("title")
        self.door = DoorIndicator(self.tr)
        self.reminder = self.label("warn")
        self.reminder.hide()
        for w in (self.progress, self.tray_lab, self.instr, self.door, self.reminder):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        self.finish_btn = self.button("primary", height_mm=24)
        self.finish_btn.clicked.connect(self.finish)
        row.addWidget(self.finish_btn)
        self.layout_.addLayout(row)
        self.txn = None
        self.keeps_awake = False
        self._opened_at = None
        self._open_result = None
        self.timer = QTimer(self)
        self.timer.setInterval(500)
        self.timer.timeout.connect(self.check_open_too_long)

    def check_open_too_long(self):
        if self._opened_at is None or self.reminder.isVisible():
            return
        if self.win.clock.monotonic() - self._opened_at >= self.win.cfg.ui.door_open_alert_s:
            self.reminder.setText(self.tr("pickup.reminder"))
            self.reminder.show()
            self.win.say(self.reminder.text())

    @property
    def results(self) -> list:
        return self.win.session.setdefault("results", [])

    def start_pickup(self):
        phone = self.win.session.get("verified_phone")
        self.win.ops.run(self.win.citizen.results_for, phone, on_success=self.found,
                         on_failure=lambda exc: self.win.problem("unexpected"))

    def found(self, results: list):
        if not results:
            self.win.problem("pickup.none")
            return
        self.win.session["results"] = [dict(r) for r in results]
        self.win.session["idx"] = 0
        self.txn = uuid.uuid4().hex
        self.next_result()

    def current_result(self):
        idx = self.win.session.get("idx", 0)
        return self.results[idx] if idx < len(self.results) else None

    def next_result(self):
        result = self.current_result()
        if result is None:
            self.win.go("rating", subject="pickup", replace=True)
            return
        if result.get("needs_id_check") and not result.get("_id_checked"):
            self.win.go("pickup-id")
            return
        self.win.go("pickup-tray")

    def enter(self, **ctx):
        super().enter(**ctx)
        result = self.current_result()
        if result is None:
            return
        self.finish_btn.setEnabled(False)
        self.reminder.hide()
        self.retranslate()
        self.instr.setText(self.tr("pickup.opening"))
        self.door.show_state("locked")
        self.win.ops.run(self.win.citizen.open_result, result, self.txn or uuid.uuid4().hex,
                         on_success=self.opened,
                         on_failure=lambda exc: self.win.problem(
                             getattr(exc, "reason", "unexpected")))

    def opened(self, ok: bool):
        if not ok:
            self.win.problem("tray.not_opened")
            return
        result = self.current_result()
        self._open_result = result          # opened and not finished yet
        self.keeps_awake = True
        self._opened_at = self.win.clock.monotonic()
        self.timer.start()
        self.finish_btn.setEnabled(True)
        self.door.show_state(self.win.citizen.door(result["tray_id"]))
        self.instr.setText(self.tr("pickup.take", tray=result["tray_id"]))
        self.win.say(self.instr.text())

    def door_event(self, tray, state, occupied):
        result = self.current_result()
        if result and tray == result["tray_id"]:
            self.door.show_state(state)
            self.keeps_awake = state == "open"
            if state != "open":
                self.timer.stop()
                self._opened_at = None
                self.reminder.hide()

    def on_back(self):
        if self._open_result is not None:
            # a tray is open for this citizen: say what to do instead of leaving it
            self.reminder.setText(self.tr("pickup.reminder"))
            self.reminder.show()
            return
        self.win.back()

    def finish(self):
        result = self.current_result()
        self.finish_btn.setEnabled(False)

        def done(_):
            self._open_result = None
            self.keeps_awake = False
            self.win.session["idx"] = self.win.session.get("idx", 0) + 1
            self.next_result()

        self.win.ops.run(self.win.citizen.finish_pickup, result, self.txn or "",
                         on_success=done, on_failure=lambda exc: self.win.problem("unexpected"))

    def leave(self):
        self.timer.stop()

    def wipe(self):
        result, self._open_result = self._open_result, None
        if result is not None:
            try:
                self.win.citizen.leave_pickup(result, self.txn or "")
            except Exception:
                pass                        # the door service still watches the tray
        self.timer.stop()
        self._opened_at = None
        self.reminder.hide()
        self.txn = None
        self.keeps_awake = False
        self.tray_lab.setText("")

    def retranslate(self):
        result = self.current_result() if self.win.session else None
        self.finish_btn.setText(self.tr("pickup.finish"))
        self.door.retranslate()
        if result:
            idx = self.win.session.get("idx", 0)
            self.progress.setText(self.tr("pickup.progress", n=idx + 1, total=len(self.results),
                                          code=result["code"]))
            self.tray_lab.setText(self.tr("tray.number", tray=result["tray_id"]))
