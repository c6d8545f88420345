"""Before the phone number: what it is used for and for how long; accept or print."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen


class PrivacyScreen(Screen):
    name = "deposit-privacy"
    title_key = "privacy.title"
    speak_key = "privacy.speak"

    def build(self):
        self.who = self.label()
        self.layout_.addWidget(self.who)
        frame, lay = self.panel()
        self.text = self.label()
        lay.addWidget(self.text)
        self.layout_.addWidget(frame)
        self.note = self.label("muted")
        self.layout_.addWidget(self.note)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.accept_btn = self.button("primary", height_mm=22)
        self.print_btn = self.button(height_mm=22)
        self.decline_btn = self.button(height_mm=22)
        self.accept_btn.clicked.connect(lambda: self.win.go("deposit-phone"))
        self.print_btn.clicked.connect(self.print_notice)
        self.decline_btn.clicked.connect(lambda: self.win.home("declined"))
        for b in (self.accept_btn, self.print_btn, self.decline_btn):
            row.addWidget(b)
        self.layout_.addLayout(row)

    def print_notice(self):
        self.note.setText(self.tr("privacy.printing"))
        self.win.ops.run(self.win.citizen.print_privacy_notice, self.tr.lang,
                         on_success=lambda _: self.note.setText(self.tr("privacy.printed")),
                         on_failure=lambda exc: self.note.setText(
                             self.tr("err.printer.unavailable")))

    def who_text(self) -> str:
        """Who was identified, and the card's address as read with its 2025 ward."""
        dep = self.win.session.get("deposit") if self.win.session else None
        if dep is None or not dep.name:
            return ""
        lines = [self.tr("identify.who", name=dep.name)]
        if dep.address is not None and dep.address.as_read:
            lines.append(self.tr("address.read", address=dep.address.as_read))
            now = dep.address.line(self.tr.lang)
            if now:
                lines.append(now)
        return "\n".join(lines)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()

    def wipe(self):
        self.who.setText("")

    def retranslate(self):
        self.who.setText(self.who_text())
        self.who.setVisible(bool(self.who.text()))
        self.text.setText(self.win.citizen.privacy_notice(self.tr.lang))
        self.accept_btn.setText(self.tr("privacy.accept"))
        self.print_btn.setText(self.tr("privacy.print"))
        self.decline_btn.setText(self.tr("privacy.decline"))
        self.note.setText("")
