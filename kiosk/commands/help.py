"""The hotline help screen's code: what lets a 1022 operator open one tray remotely.

The citizen presses "Gọi hỗ trợ 1022"; the screen shows a fresh 6-digit code valid for
two minutes (monotonic clock) and reads it to the operator on the phone. The operator's
``tray.open_for_help`` command carries that code and the tray. The code lives in memory
only (never in the database, the journal or a log), is used once, and dies when the
help screen closes: no screen, no remote opening.
"""
from __future__ import annotations

import hmac
import secrets
import threading

CODE_LIFETIME_S = 120.0
ACTOR = "citizen"


class HelpRefused(Exception):
    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


class HelpDesk:
    def __init__(self, ledger, clock, *, lifetime_s: float = CODE_LIFETIME_S):
        self.ledger, self.clock, self.lifetime_s = ledger, clock, lifetime_s
        self._lock = threading.Lock()
        self._code: str | None = None
        self._born = 0.0
        self._screen_up = False
        self._listeners = []

    def add_listener(self, callback) -> None:
        """``callback(what, tray)`` after a hotline opening ('opened'), on the command
        thread; the UI marshals it to its own thread."""
        self._listeners.append(callback)

    def opened(self, tray: str) -> None:
        for cb in list(self._listeners):
            try:
                cb("opened", tray)
            except Exception:
                pass

    def open_screen(self) -> str:
        """The help screen is up: a new code (any previous one is void)."""
        code = f"{secrets.randbelow(10 ** 6):06d}"
        with self._lock:
            self._code, self._born, self._screen_up = code, self.clock.monotonic(), True
        self.ledger.event("help.screen_opened", actor=ACTOR, subject="help",
                          reason="citizen pressed the hotline button",
                          data={"valid_s": int(self.lifetime_s)}, to_city=False)
        return code

    def close_screen(self) -> None:
        with self._lock:
            was_up, self._screen_up, self._code = self._screen_up, False, None
        if was_up:
            self.ledger.event("help.screen_closed", actor=ACTOR, subject="help",
                              reason="help screen left", to_city=False)

    @property
    def screen_up(self) -> bool:
        return self._screen_up

    def seconds_left(self) -> float:
        with self._lock:
            if not self._screen_up or self._code is None:
                return 0.0
            return max(0.0, self.lifetime_s - (self.clock.monotonic() - self._born))

    def redeem(self, code, *, consume: bool = True) -> None:
        """Use the code for one opening, or raise ``HelpRefused``; a wrong code does not
        void the right one (the operator may mistype), but a used one is gone.
        ``consume=False`` only checks (before the tray is checked)."""
        with self._lock:
            if self._screen_up and self._code is None:
                raise HelpRefused("help_code_used", "this help code opened a tray already; "
                                  "ask the citizen to press the hotline button again")
            if not self._screen_up:
                raise HelpRefused("help_screen_closed", "the kiosk's help screen is not up; "
                                  "ask the citizen to press 'Gọi hỗ trợ 1022' again")
            if self.clock.monotonic() - self._born >= self.lifetime_s:
                raise HelpRefused("help_code_expired", "the help code is older than "
                                  f"{self.lifetime_s:.0f} s; ask the citizen for the new one")
            if not isinstance(code, str) or not hmac.compare_digest(code, self._code):
                raise HelpRefused("help_code_wrong", "the help code does not match the one "
                                  "on the kiosk's screen")
            if consume:
                self._code = None
