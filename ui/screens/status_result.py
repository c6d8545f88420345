"""What is happening with the dossier(s), in plain words."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen

READY = ("RESULT_LOADED", "EXPIRED")


class StatusResultScreen(Screen):
    name = "status-result"
    title_key = "status_result.title"
    speak_key = ""

    def build(self):
        self.frame, self.box = self.panel()
        self.lines = self.label()
        self.box.addWidget(self.lines)
        self.layout_.addWidget(self.frame)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.pickup_btn = self.button("primary", height_mm=22)
        self.pickup_btn.clicked.connect(self.go_pickup)
        self.pickup_btn.hide()
        self.done_btn = self.button(height_mm=22)
        self.done_btn.clicked.connect(lambda: self.win.home("finished"))
        row.addWidget(self.pickup_btn)
        row.addWidget(self.done_btn)
        self.layout_.addLayout(row)
        self.items: list[dict] = []

    def enter(self, **ctx):
        super().enter(**ctx)
        self.items = ctx.get("items") or []
        if ctx.get("by_phone"):
            phone = self.win.session.get("verified_phone")
            self.lines.setText(self.tr("status.looking"))
            self.win.ops.run(self.win.citizen.statuses_for, phone, on_success=self.show_items)
        else:
            self.show_items(self.items)

    def show_items(self, items):
        self.items = items
        self.pickup_btn.setVisible(any(it["state"] in READY and it.get("tray")
                                       for it in items))
        self.retranslate()
        if self.items:
            self.win.say(self.lines.text())

    def go_pickup(self):
        """A result is waiting: pick it up now (a phone already verified needs no new code)."""
        if self.win.session.get("verified_phone"):
            self.win.session["flow"] = "pickup"
            self.win.screens["pickup-tray"].start_pickup()
        else:
            self.win.session = {"flow": "pickup"}
            self.win.go("pickup-phone")

    def wipe(self):
        self.pickup_btn.hide()
        self.items = []
        self.lines.setText("")

    def retranslate(self):
        self.done_btn.setText(self.tr("done.finish"))
        self.pickup_btn.setText(self.tr("status_result.pickup"))
        if not self.items:
            self.lines.setText(self.tr("status.none"))
            return
        out = []
        for it in self.items:
            state = self.tr(f"state.{it['state']}", tray=it.get("tray") or "")
            line = f"{it['code']}  ·  {it.get('procedure') or ''}\n→ {state}"
            due = it.get("appointment_date")
            if due and it["state"] not in READY + ("PICKED_UP", "CLOSED"):
                line += "\n" + self.tr("appointment", date=f"{due:%d/%m/%Y}")
            out.append(line)
        self.lines.setText("\n\n".join(out))
