"""What is happening with the dossier(s), in plain words."""
from __future__ import annotations

from ui.screens.base import Screen


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
        self.done_btn = self.button("primary", height_mm=22)
        self.done_btn.clicked.connect(lambda: self.win.home("finished"))
        self.layout_.addWidget(self.done_btn)
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
        self.retranslate()
        if self.items:
            self.win.say(self.lines.text())

    def wipe(self):
        self.items = []
        self.lines.setText("")

    def retranslate(self):
        self.done_btn.setText(self.tr("done.finish"))
        if not self.items:
            self.lines.setText(self.tr("status.none"))
            return
        out = []
        for it in self.items:
            state = self.tr(f"state.{it['state']}", tray=it.get("tray") or "")
            out.append(f"{it['code']}  ·  {it.get('procedure') or ''}\n→ {state}")
        self.lines.setText("\n\n".join(out))
