"""Every fault gets a screen that says what happened and what to do next."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen


class ProblemScreen(Screen):
    name = "problem"
    title_key = "problem.title"

    def build(self):
        self.what = self.label("error")
        self.todo = self.label("title")
        self.layout_.addWidget(self.what)
        self.layout_.addWidget(self.todo)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.retry_btn = self.button("primary", height_mm=22)
        self.retry_btn.clicked.connect(self.retry)
        self.home_btn = self.button(height_mm=22)
        self.home_btn.clicked.connect(lambda: self.win.home("problem"))
        row.addWidget(self.retry_btn)
        row.addWidget(self.home_btn)
        self.layout_.addLayout(row)

    @property
    def reason(self) -> str:
        return self.ctx.get("reason") or "unexpected"

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()
        self.win.say(self.what.text() + " " + self.todo.text())

    def retry(self):
        if self.ctx.get("retry"):
            self.ctx["retry"]()
        else:
            self.win.back()

    def retranslate(self):
        details = dict(self.ctx.get("details") or {})
        details.setdefault("hotline", self.win.cfg.kiosk.hotline)
        details.setdefault("size", "")
        key = f"err.{self.reason}"
        if not self.tr.has(key):
            key = "err.unexpected"
        self.what.setText(self.tr(key, **details))
        self.todo.setText(self.tr(f"{key}.todo", **details) if self.tr.has(f"{key}.todo")
                          else self.tr("err.unexpected.todo", **details))
        self.retry_btn.setText(self.tr("problem.retry"))
        self.home_btn.setText(self.tr("problem.home"))
