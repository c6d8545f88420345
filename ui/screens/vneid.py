"""Identify with VNeID: a one-time QR to scan in the app, then the city's confirmation.

The work is ``kiosk.vneid.VneidIdentifier`` (run off the UI thread); this screen only
shows the QR, counts down, polls and says what went wrong in plain words. A confirmed
identity fills the deposit as a scanned card would and the deposit goes on.
"""
from __future__ import annotations

import time

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout

from kiosk.pii import mask_id
from kiosk.vneid import VneidProblem
from ui.screens.base import Screen
from ui.screens.payment import qr_pixmap

POLL_MS = 1500
TIMEOUT_S = 120          # the kiosk stops waiting even if the city never says "expired"


class VneidScreen(Screen):
    name = "deposit-vneid"
    title_key = "vneid.title"
    speak_key = "vneid.speak"

    def build(self):
        row = QHBoxLayout()
        row.setSpacing(48)
        self.qr = QLabel()
        self.qr.setFixedSize(self.win.px(110), self.win.px(110))
        self.qr.setAlignment(Qt.AlignCenter)
        row.addWidget(self.qr)
        col = QVBoxLayout()
        self.how = self.label()
        self.state = self.label("warn")
        self.error = self.label("error")
        for w in (self.how, self.state, self.error):
            col.addWidget(w)
        col.addStretch(1)
        buttons = QHBoxLayout()
        self.new_btn = self.button("primary", height_mm=20)
        self.new_btn.clicked.connect(self.begin)
        self.card_btn = self.button(height_mm=20)
        self.card_btn.clicked.connect(lambda: self.win.go("deposit-identify"))
        buttons.addWidget(self.new_btn)
        buttons.addWidget(self.card_btn)
        col.addLayout(buttons)
        row.addLayout(col, 1)
        self.layout_.addLayout(row, 1)
        self.request = None
        self._deadline = 0.0
        self._polling = False

    @property
    def identifier(self):
        return getattr(self.win, "vneid", None)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()
        self.begin()

    def begin(self):
        self._polling = False
        self.request = None
        self.qr.clear()
        self.error.hide()
        self.new_btn.hide()
        self.state.show()
        self.state.setText(self.tr("vneid.preparing"))
        if self.identifier is None:
            self.failed(VneidProblem("vneid.unavailable"))
            return
        self.win.ops.run(self.identifier.begin, on_success=self.started,
                         on_failure=self.failed)

    def started(self, request):
        self.request = request
        self.qr.setPixmap(qr_pixmap(request.qr, self.qr.width()))
        self._deadline = time.monotonic() + TIMEOUT_S
        self._polling = True
        self._show_wait()
        self.win.ops.later(POLL_MS, self.poll)

    def _show_wait(self):
        left = max(0, int(self._deadline - time.monotonic()))
        self.state.setText(self.tr("vneid.waiting", seconds=left))

    def poll(self):
        if not self._polling or self.win.current() is not self or self.request is None:
            return
        if time.monotonic() >= self._deadline:
            self.failed(VneidProblem("vneid.expired"))
            return
        self._show_wait()
        self.win.ops.run(self.identifier.check, self.request, on_success=self.polled,
                         on_failure=self.failed)

    def polled(self, answer):
        if not self._polling:
            return
        if answer is None:
            self.win.ops.later(POLL_MS, self.poll)
            return
        self._polling = False
        dep = self.win.session.get("deposit")
        if dep is None:
            self.win.home("lost")
            return
        self.identifier.apply(dep, answer)
        self.qr.clear()
        self.state.setText(self.tr("vneid.confirmed", name=dep.name,
                                   id=mask_id(dep.id_number)))
        self.win.go("deposit-privacy")

    def failed(self, exc):
        self._polling = False
        reason = getattr(exc, "reason", "vneid.unavailable")
        if not str(reason).startswith("vneid."):
            reason = "vneid.unavailable"
        self.qr.clear()
        self.state.hide()
        self.error.setText(self.tr(f"err.{reason}"))
        self.error.show()
        self.new_btn.setVisible(reason != "vneid.unavailable")

    def leave(self):
        self._polling = False

    def wipe(self):
        self._polling = False
        self.request = None
        self.qr.clear()
        self.error.hide()

    def retranslate(self):
        self.how.setText(self.tr("vneid.how"))
        self.new_btn.setText(self.tr("vneid.new"))
        self.card_btn.setText(self.tr("vneid.card"))
