"""How was it? One tap, 1 to 5."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.screens.base import Screen


class RatingScreen(Screen):
    name = "rating"
    title_key = "rating.title"
    speak_key = "rating.speak"

    def build(self):
        self.ask = self.label("title")
        self.layout_.addWidget(self.ask)
        row = QHBoxLayout()
        row.setSpacing(20)
        self.stars = []
        for score in range(1, 6):
            b = self.button("primary" if score >= 4 else "secondary", height_mm=45)
            b.clicked.connect(lambda _=False, s=score: self.rate(s))
            row.addWidget(b)
            self.stars.append(b)
        self.layout_.addLayout(row)
        self.thanks = self.label("ok")
        self.thanks.hide()
        self.layout_.addWidget(self.thanks)
        self.layout_.addStretch(1)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.thanks.hide()
        for b in self.stars:
            b.setEnabled(True)

    def on_back(self):
        self.win.home("finished")

    def rate(self, score: int):
        for b in self.stars:
            b.setEnabled(False)
        self.win.ops.run(self.win.citizen.rate, score, self.ctx.get("subject"))
        self.thanks.show()
        self.win.say(self.thanks.text())
        self.win.ops.later(2500, lambda: self.win.current() is self and
                           self.win.home("finished"))

    def retranslate(self):
        self.ask.setText(self.tr("rating.ask"))
        self.thanks.setText(self.tr("rating.thanks"))
        for score, b in enumerate(self.stars, 1):
            b.setText("★" * score + "\n" + self.tr(f"rating.{score}"))
