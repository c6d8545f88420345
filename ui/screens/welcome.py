"""Home: three big choices, in plain words."""
from __future__ import annotations

from PyQt5.QtCore import QObject, pyqtSignal
from PyQt5.QtWidgets import QVBoxLayout

from ui.screens.base import Screen


class WelcomeScreen(Screen):
    name = "welcome"
    title_key = "welcome.title"
    show_nav = False
    speak_key = "welcome.speak"

    def build(self):
        self.hello = self.label("huge")
        self.intro = self.label()
        self.notice = self.label("warn")      # the city's notice (config.set notice.text)
        self.notice.hide()
        self.notices: dict = {}
        self.layout_.addWidget(self.notice)
        self.layout_.addWidget(self.hello)
        self.layout_.addWidget(self.intro)
        row = QVBoxLayout()          # full-width bars: long translations never squeeze
        row.setSpacing(24)
        self.choices = {}
        for key, target in (("deposit", "deposit-catalog"), ("pickup", "pickup-phone"),
                            ("status", "status")):
            b = self.button("primary" if key == "deposit" else "secondary", height_mm=45)
            b.setProperty("hero", True)
            b.clicked.connect(lambda _=False, t=target, k=key: self.start(k, t))
            row.addWidget(b)
            self.choices[key] = b
        self.layout_.addLayout(row, 1)
        self.help = self.label("muted")
        self.layout_.addWidget(self.help)
        self.readiness = self.label("muted")     # starting / which device is not ready
        self.layout_.addWidget(self.readiness)
        self.not_ready: list[str] = []
        self.set_ready(self.win.citizen is not None, [])

    def set_ready(self, ready: bool, not_ready: list[str]) -> None:
        """Before the services exist the choices are shown but closed, and the screen says
        the kiosk is starting; after, it names any device that is not ready."""
        self.is_ready, self.not_ready = ready, list(not_ready)
        for b in self.choices.values():
            b.setEnabled(ready)
        self.retranslate()

    def start(self, flow: str, target: str) -> None:
        self.win.session = {"flow": flow}
        self.win.go(target)

    def retranslate(self):
        self.hello.setText(self.tr("welcome.hello"))
        self.intro.setText(self.tr("welcome.intro"))
        for key, b in self.choices.items():
            b.setText(self.tr(f"welcome.{key}") + "\n" + self.tr(f"welcome.{key}.hint"))
        self.help.setText(self.tr("welcome.help", hotline=self.win.cfg.kiosk.hotline))
        if not getattr(self, "is_ready", True):
            self.readiness.setText(self.tr("welcome.starting"))
        elif getattr(self, "not_ready", None):
            self.readiness.setText(self.tr("welcome.not_ready", devices=", ".join(
                self.tr(f"device.{d}") for d in self.not_ready)))
        else:
            self.readiness.setText("")
        self.readiness.setVisible(bool(self.readiness.text()))
        text = self.notices.get(self.tr.lang) or self.notices.get("vi") or ""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def set_notice(self, texts: dict) -> None:
        self.notices = dict(texts or {})
        self.retranslate()


class _NoticeBridge(QObject):
    changed = pyqtSignal(object)


def install_notice(win, overrides) -> None:
    """The city's notice on the welcome screen, updated live from any thread."""
    bridge = _NoticeBridge(win)
    win._notice_bridge = bridge
    bridge.changed.connect(win.screens["welcome"].set_notice)
    overrides.subscribe("notice.text", bridge.changed.emit)
