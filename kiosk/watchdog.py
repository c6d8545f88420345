"""The systemd watchdog, petted only by a loop that has really done its work.

``kiosk.service`` is ``Type=notify`` with ``WatchdogSec=``. The kiosk says READY=1 once
it has recovered its state, and WATCHDOG=1 from the UI thread's timer, and only after
that tick has serviced the devices and the database (each ``check`` passed). A side
thread never pets it: a wedged UI loop next to a live thread would look alive and never
be restarted. Without ``NOTIFY_SOCKET`` (a laptop, the tests, the simulator) every call
does nothing.

The UI wires it with a QTimer in its own thread::

    timer = QTimer(); timer.timeout.connect(watchdog.tick); timer.start(watchdog.interval_ms)
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Callable, Mapping

import socket

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_MS = 5000
Check = Callable[[], object]


class WatchdogError(Exception):
    """The watchdog was used in a way that would hide a frozen kiosk."""


def _connect(name: str) -> socket.socket | None:
    """The notify socket (sd_notify(3) protocol, as the ``sdnotify`` package speaks it);
    a name starting with '@' is in the abstract namespace."""
    address = "\0" + name[1:] if name.startswith("@") else name
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
    try:
        sock.connect(address)
    except OSError as exc:
        sock.close()
        log.warning("NOTIFY_SOCKET=%s cannot be reached (%s); systemd will not hear from "
                    "the kiosk", name, exc)
        return None
    return sock


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:200]


class Watchdog:
    """``Watchdog(checks={'database': fn, 'doors': fn})``; call ``tick()`` from the UI thread.

    A check passes when it returns anything but ``False`` and raises nothing.
    """

    def __init__(self, checks: Mapping[str, Check] | None = None, *,
                 env: Mapping[str, str] | None = None,
                 owner: threading.Thread | None = None,
                 monotonic: Callable[[], float] = time.monotonic):
        env = os.environ if env is None else env
        self._socket_name = env.get("NOTIFY_SOCKET") or None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        self.timeout_s = int(usec) / 1e6 if usec.isdigit() and int(usec) > 0 else None
        if pid.isdigit() and int(pid) != os.getpid():
            self.timeout_s = None          # the watchdog is meant for another process
        self._checks: dict[str, Check] = dict(checks or {})
        self._owner = owner or threading.main_thread()
        self._monotonic = monotonic
        self._sock: socket.socket | None = None
        if self._socket_name:
            self._sock = _connect(self._socket_name)
        self.sent: list[str] = []          # what was sent, for diagnostics
        self.pets = 0
        self.last_pet_at: float | None = None
        self.last_failure: str | None = None
        self._lock = threading.Lock()

    # ---- what the kiosk checks before it pets -------------------------------------
    def add_check(self, name: str, check: Check) -> None:
        self._checks[name] = check

    @property
    def enabled(self) -> bool:
        return self._sock is not None

    @property
    def interval_ms(self) -> int:
        """A third of the watchdog timeout: two ticks may be slow before systemd acts."""
        if self.timeout_s is None:
            return DEFAULT_INTERVAL_MS
        return max(100, int(self.timeout_s * 1000 / 3))

    # ---- messages -------------------------------------------------------------------
    def _send(self, message: str) -> None:
        with self._lock:
            self.sent.append(message.split("=", 1)[0])
            del self.sent[:-50]
            if self._sock is not None:
                try:
                    self._sock.send(message.encode())
                except OSError as exc:   # systemd restarting: the next tick tries again
                    log.warning("cannot notify systemd (%s): %s", self._socket_name, exc)

    def ready(self, status: str = "serving citizens") -> None:
        """The kiosk has recovered and shows the welcome screen."""
        self._send(f"READY=1\nSTATUS={_one_line(status)}")

    def status(self, text: str) -> None:
        self._send(f"STATUS={_one_line(text)}")

    def stopping(self, status: str = "stopping") -> None:
        self._send(f"STOPPING=1\nSTATUS={_one_line(status)}")

    def tick(self) -> bool:
        """Run every check and pet the watchdog if all passed; True when petted."""
        if threading.current_thread() is not self._owner:
            self.last_failure = (f"tick() called from thread "
                                 f"{threading.current_thread().name!r}, not the UI thread")
            log.error("watchdog: %s; not petting", self.last_failure)
            return False
        for name, check in list(self._checks.items()):
            try:
                ok = check()
            except Exception as exc:   # noqa: BLE001 - any failure means "do not pet"
                self._fail(f"{name}: {type(exc).__name__}: {exc}")
                return False
            if ok is False:
                self._fail(f"{name}: check failed")
                return False
        if self.last_failure is not None:
            log.info("watchdog: checks pass again after %s", self.last_failure)
            self.last_failure = None
        self._send("WATCHDOG=1")
        self.pets += 1
        self.last_pet_at = self._monotonic()
        return True

    def _fail(self, why: str) -> None:
        if why != self.last_failure:
            log.error("watchdog not petted: %s", _one_line(why))
            self.status(f"unhealthy: {why}")
        self.last_failure = why

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


def database_check(store) -> Check:
    """The database answers a read (a wedged writer holds its lock and this blocks)."""
    return lambda: store.query_one("SELECT 1 AS ok")["ok"] == 1


def freshness_check(last_done: Callable[[], float | None], max_age_s: float,
                    monotonic: Callable[[], float] = time.monotonic) -> Check:
    """A worker loop (the door poller, the sync thread) finished a round recently."""
    def check():
        at = last_done()
        return at is not None and monotonic() - at <= max_age_s
    return check


def progress_check(counter: Callable[[], int], max_age_s: float,
                   monotonic: Callable[[], float] = time.monotonic) -> Check:
    """A worker's round counter (e.g. ``DoorService.polls``) moved within ``max_age_s``."""
    state = {"value": None, "since": None}

    def check():
        value, now = counter(), monotonic()
        if value != state["value"]:
            state["value"], state["since"] = value, now
            return True
        return now - state["since"] <= max_age_s
    return check


def build_watchdog(cfg=None, store=None, doors=None) -> Watchdog:
    """The watchdog of a kiosk process: the database answers and the door poller goes
    round; the UI may add more with ``add_check`` and calls ``tick`` from its timer."""
    wd = Watchdog()
    if store is not None:
        wd.add_check("database", database_check(store))
    if doors is not None:
        wd.add_check("door poller", progress_check(lambda: doors.polls, 30.0))
    return wd
