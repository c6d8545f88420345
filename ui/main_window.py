"""The citizen's window: a header over a stack of screens, and the flows between them.

Screens never call devices or block: slow use cases go through ``OpRunner`` and come
back on the UI thread. Door and code-reader events arrive from device threads and are
turned into Qt signals here. Idle: after ``idle_timeout_s`` without a touch a warning
with a one-tap "more time" shows for ``idle_warning_s``; then everything personal is
wiped, a reserved tray released, and the welcome screen comes back in Vietnamese.
"""
from __future__ import annotations

import logging
import time

from PyQt5.QtCore import QEvent, QObject, QTimer, pyqtSignal
from PyQt5.QtWidgets import QApplication, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from ui import theme
from ui.i18n import I18n
from ui.ops import OpRunner
from ui.speech import Speaker
from ui.widgets.header import Header

log = logging.getLogger(__name__)


def screen_classes():
    from ui.screens import (catalog, done, help, identify, idle, otp, payment, phone,
                            pickup, pickup_id, privacy, problem, procedure, rating, scan,
                            status, status_result, tray, vneid, welcome)
    return [
        (welcome.WelcomeScreen, {}),
        (catalog.CatalogScreen, {}),
        (procedure.ProcedureScreen, {}),
        (identify.IdentifyScreen, {}),
        (vneid.VneidScreen, {}),
        (privacy.PrivacyScreen, {}),
        (phone.PhoneScreen, {"flow": "deposit"}),
        (otp.OtpScreen, {"flow": "deposit"}),
        (scan.ScanScreen, {}),
        (payment.PaymentScreen, {}),
        (tray.TrayScreen, {}),
        (done.DoneScreen, {}),
        (rating.RatingScreen, {}),
        (phone.PhoneScreen, {"flow": "pickup"}),
        (otp.OtpScreen, {"flow": "pickup"}),
        (pickup_id.PickupIdScreen, {}),
        (pickup.PickupScreen, {}),
        (status.StatusScreen, {}),
        (phone.PhoneScreen, {"flow": "status"}),
        (otp.OtpScreen, {"flow": "status"}),
        (status_result.StatusResultScreen, {}),
        (problem.ProblemScreen, {}),
        (help.HelpScreen, {}),
    ], idle.IdleOverlay


class _ActivityFilter(QObject):
    """Sees every touch: resets the idle clock and measures touch-to-paint."""

    def __init__(self, win: "CitizenWindow"):
        super().__init__(win)
        self.win = win

    def eventFilter(self, obj, event):
        t = event.type()
        if t in (QEvent.MouseButtonPress, QEvent.TouchBegin, QEvent.KeyPress):
            self.win.touched()
        elif t in (QEvent.MouseButtonRelease, QEvent.TouchEnd):
            self.win._touch_t0 = time.perf_counter()
        elif t == QEvent.Paint and self.win._touch_t0 is not None:
            self.win._touch_painted()
        return False


class CitizenWindow(QMainWindow):
    door_changed = pyqtSignal(str, str, object)    # tray, door state, occupied
    deposit_recorded = pyqtSignal(object)
    code_read = pyqtSignal(str)
    reset_done = pyqtSignal(str)                   # reason

    def __init__(self, citizen, cfg, clock, *, speaker: Speaker | None = None,
                 code_reader=None, help_desk=None, overrides=None, vneid=None):
        """``citizen=None``: only the welcome screen, saying the kiosk is starting; the
        composition root calls ``attach`` once the services exist (ui/boot.py)."""
        super().__init__()
        self.help_desk = help_desk
        self.citizen, self.cfg, self.clock = citizen, cfg, clock
        self.vneid = vneid          # kiosk.vneid.VneidIdentifier, None without the link
        self.tr = I18n(cfg.kiosk.languages[0] if cfg.kiosk.languages else "vi")
        self.ops = OpRunner(self)
        self.speaker = speaker or Speaker(enabled=cfg.ui.speech)
        self.dpi = cfg.ui.screen_dpi
        self.target_px = theme.mm_to_px(theme.MIN_TARGET_MM, self.dpi)
        self.key_px = max(self.target_px, theme.mm_to_px(24, self.dpi))
        self.palette_name, self.large_text = "default", False
        self.session: dict = {}
        self.history: list[tuple[str, dict]] = []
        self.touch_to_paint_ms: list[float] = []
        self._touch_t0: float | None = None
        self.first_paint_at: float | None = None
        self._last_activity = clock.monotonic()
        self.setWindowTitle(cfg.kiosk.name)

        central = QWidget()
        col = QVBoxLayout(central)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(0)
        self.header = Header(self.tr, target_px=self.target_px,
                             languages=tuple(cfg.kiosk.languages))
        self.header.hotline_number = cfg.kiosk.hotline
        self.header.voice_btn.setEnabled(self.speaker.available)
        self.stack = QStackedWidget()
        col.addWidget(self.header)
        col.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.screens: dict = {}
        if citizen is None:               # first paint before the services: welcome only
            from ui.screens.idle import IdleOverlay
            from ui.screens.welcome import WelcomeScreen
            self._add_screens([(WelcomeScreen, {})])
            self.idle_overlay = IdleOverlay(self, central)
        else:
            classes, overlay_cls = screen_classes()
            self._add_screens(classes)
            self.idle_overlay = overlay_cls(self, central)

        self.header.back.connect(self.on_back)
        self.header.home.connect(lambda: self.home("home"))
        self.header.language.connect(self.set_language)
        self.header.large_text.connect(self.set_large_text)
        self.header.high_contrast.connect(self.set_high_contrast)
        self.header.voice.connect(self.set_voice)
        if citizen is not None:
            self._install_fleet(help_desk, overrides)
        self.door_changed.connect(self._on_door)
        self.deposit_recorded.connect(self._on_deposit_recorded)
        self.code_read.connect(self._on_code)
        if citizen is not None:
            self._listen(citizen, code_reader)

        self._filter = _ActivityFilter(self)
        QApplication.instance().installEventFilter(self._filter)
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(250)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start()
        self.apply_theme()
        self.retranslate()
        self.go("welcome")

    def _add_screens(self, classes) -> None:
        for cls, kwargs in classes:
            screen = cls(self, **kwargs)
            if screen.name in self.screens:
                continue
            self.screens[screen.name] = screen
            self.stack.addWidget(screen)

    def _listen(self, citizen, code_reader) -> None:
        citizen.add_door_listener(
            lambda tray, state, occ: self.door_changed.emit(tray, getattr(state, "value",
                                                                          str(state)), occ))
        citizen.add_completed_listener(lambda dep: self.deposit_recorded.emit(dep))
        if code_reader is not None:
            code_reader.subscribe(lambda text: self.code_read.emit(text))

    def _install_fleet(self, help_desk, overrides) -> None:
        """The hotline help button and the city's notice (docs/fleet.md)."""
        self.help_desk = help_desk
        if help_desk is not None:
            from ui.screens.help import install_help
            install_help(self, help_desk)
        if overrides is not None:
            from ui.screens.welcome import install_notice
            install_notice(self, overrides)

    @property
    def ready(self) -> bool:
        return self.citizen is not None

    def attach(self, citizen, cfg, clock, *, code_reader=None, not_ready=(),
               help_desk=None, overrides=None, vneid=None) -> None:
        """The services exist now: build the other screens and open the welcome choices.
        ``not_ready`` names the devices that could not be opened, for the welcome screen."""
        self.citizen, self.cfg, self.clock = citizen, cfg, clock
        self.vneid = vneid
        classes, _ = screen_classes()
        self._add_screens([(c, kw) for c, kw in classes if c.name != "welcome"])
        self._listen(citizen, code_reader)
        self._install_fleet(help_desk, overrides)
        self.screens["welcome"].set_ready(True, list(not_ready))
        self.retranslate()

    # -- metrics and look ------------------------------------------------------------------
    def px(self, mm: float) -> int:
        return theme.mm_to_px(mm, self.dpi)

    def apply_theme(self) -> None:
        self.setStyleSheet(theme.stylesheet(self.palette_name, self.large_text))

    def set_large_text(self, on: bool) -> None:
        self.large_text = bool(on)
        if self.header.large_btn.isChecked() != self.large_text:
            self.header.large_btn.setChecked(self.large_text)
        self.apply_theme()

    def set_high_contrast(self, on: bool) -> None:
        self.palette_name = "high_contrast" if on else "default"
        if self.header.contrast_btn.isChecked() != bool(on):
            self.header.contrast_btn.setChecked(bool(on))
        self.apply_theme()

    def set_voice(self, on: bool) -> None:
        self.speaker.set_enabled(on)
        self.say_screen()

    def set_language(self, lang: str) -> None:
        self.tr.set_language(lang)
        self.retranslate()
        self.say_screen()

    def retranslate(self) -> None:
        self.header.retranslate(self.tr.lang)
        for screen in self.screens.values():
            screen.retranslate()
        self.idle_overlay.retranslate()
        self._update_header()

    def say(self, text: str) -> None:
        self.speaker.say(text, self.tr.lang)

    def say_screen(self) -> None:
        screen = self.current()
        if screen is not None and screen.speak_key:
            self.say(self.tr(screen.speak_key))

    # -- navigation ------------------------------------------------------------------------
    def current(self):
        return self.stack.currentWidget()

    def go(self, name: str, *, replace: bool = False, **ctx) -> None:
        sessions = getattr(self, "sessions", None)
        if name not in ("welcome", "problem") and sessions is not None \
                and not sessions.open("citizen"):
            name, ctx = "problem", {"reason": "update.closed", "retry": None, "details": {}}
        screen = self.screens[name]
        old = self.current()
        if old is not None and old is not screen:
            old.leave()
        if replace and self.history:
            self.history.pop()
        if name == "welcome":
            self.history = []
        self.history.append((name, ctx))
        self.stack.setCurrentWidget(screen)
        screen.enter(**ctx)
        self._update_header()
        self.say_screen()

    def on_back(self) -> None:
        screen = self.current()
        if screen is not None:
            screen.on_back()

    def back(self) -> None:
        if len(self.history) <= 1:
            self.home("back")
            return
        self.history.pop()
        name, ctx = self.history.pop()
        self.go(name, **ctx)

    def _update_header(self) -> None:
        screen = self.current()
        if screen is not None:
            self.header.set_screen(screen.title(), show_nav=screen.show_nav)

    def problem(self, reason: str, *, retry=None, **details) -> None:
        self.go("problem", reason=reason, retry=retry, details=details)

    def home(self, reason: str = "home") -> None:
        """Start again: drop running work, release a reserved tray, wipe every screen."""
        self.ops.cancel_all()
        deposit = self.session.get("deposit")
        if deposit is not None and not deposit.finished:
            try:
                self.citizen.cancel(deposit, reason=f"citizen left ({reason})")
            except Exception:
                log.exception("could not release the deposit's tray")
        for challenge in (self.session.get("challenge"),):
            if challenge:
                self.citizen.otp.forget(challenge)
        self.session = {}
        for screen in self.screens.values():
            screen.wipe()
        self.idle_overlay.hide()
        if reason == "idle":
            self.tr.set_language("vi")
            self.set_large_text(False)
            self.set_high_contrast(False)
            self.retranslate()
        if getattr(self, "sessions", None) is not None:
            self.sessions.close("citizen")          # an update may go ahead now
        self.go("welcome")
        self._last_activity = self.clock.monotonic()
        self.reset_done.emit(reason)

    # -- idle --------------------------------------------------------------------------------
    def touched(self) -> None:
        self._last_activity = self.clock.monotonic()
        if self.idle_overlay.isVisible():
            self.idle_overlay.hide()

    def idle_seconds(self) -> float:
        return self.clock.monotonic() - self._last_activity

    def check_idle(self) -> None:
        screen = self.current()
        if screen is None or screen.name == "welcome":
            self._last_activity = self.clock.monotonic()
            return
        if getattr(screen, "keeps_awake", False):   # a door is open: the tray screen warns
            self._last_activity = self.clock.monotonic()
            return
        idle = self.idle_seconds()
        timeout, warning = self.cfg.ui.idle_timeout_s, self.cfg.ui.idle_warning_s
        if idle >= timeout + warning:
            self.home("idle")
        elif idle >= timeout:
            self.idle_overlay.show_countdown(int(timeout + warning - idle + 0.999))

    # -- device events --------------------------------------------------------------------
    def _on_door(self, tray: str, state: str, occupied) -> None:
        screen = self.current()
        if hasattr(screen, "door_event"):
            screen.door_event(tray, state, occupied)

    def _on_deposit_recorded(self, deposit) -> None:
        screen = self.current()
        if hasattr(screen, "deposit_recorded"):
            screen.deposit_recorded(deposit)

    def _on_code(self, text: str) -> None:
        console = getattr(self, "_service_console", None)
        if console is not None and console.isVisible():
            return      # staff are scanning at the service console in front
        self.touched()
        screen = self.current()
        if screen is not None and screen.on_code(text):
            return
        if screen is not None and screen.name == "welcome" and \
                self.citizen.is_dossier_code(text):
            self.go("status")
            self.current().on_code(text)

    # -- measurements -----------------------------------------------------------------------
    def _touch_painted(self) -> None:
        t0, self._touch_t0 = self._touch_t0, None
        self.touch_to_paint_ms.append((time.perf_counter() - t0) * 1000.0)

    def paintEvent(self, event):
        if self.first_paint_at is None:
            self.first_paint_at = time.perf_counter()
        super().paintEvent(event)

    def closeEvent(self, event):
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        self.idle_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self._filter)
        self.ops.close()
        self.speaker.close()


def build_citizen_window(services, *, code_reader=None) -> CitizenWindow:
    """Factory for the composition root; a simulator profile also gets the scripted
    day's remote control (``ui.remote``)."""
    from ui import remote
    from ui.boot import service_parts
    window = CitizenWindow(services.citizen, services.cfg, services.clock,
                           code_reader=code_reader, **service_parts(services))
    window.sessions = getattr(services, "sessions", None)
    if getattr(services.cfg.kiosk, "simulated", False):
        remote.install(window, root=str(services.cfg.data_dir))
    return window


def main(argv=None) -> int:
    """Show the citizen screens on an in-memory demo world (ui/demo_main.py)."""
    from ui.demo_main import main as demo
    return demo(argv)


if __name__ == "__main__":
    raise SystemExit(main())
