"""Running on the UPS battery: finish what is in hand, take nothing new, shut down cleanly.

The UPS closes a contact when mains power fails; it is wired to a GPIO input
(``[gpio] ups_on_battery_pin``). A blip shorter than ``debounce_s`` changes nothing.
After that the kiosk refuses new citizen transactions (``PowerGuard.accepting`` is the
flag the UI reads to show its "temporarily closed" screen), waits for the transaction in
hand to finish (a door already open must still be confirmed closed), flushes, and asks
the system to power off while the battery still holds. Mains back before the shutdown
request reopens the kiosk.
"""
from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
from typing import Callable

log = logging.getLogger(__name__)

ACTOR = "system:power"


class PowerRefused(Exception):
    """A new transaction was refused because the kiosk runs on battery and shuts down."""

    def __init__(self):
        super().__init__("the kiosk is running on battery power and is shutting down; "
                         "no new transaction can start (come back when power is back)")


class PowerError(Exception):
    """The UPS input cannot be used; the message says what to check."""


class GpioPowerMonitor:
    """``hardware.ports.PowerMonitor`` on a gpiozero ``Button``.

    ``active_low``: the UPS contact pulls the pin to ground when on battery (the pin
    has its pull-up on), the usual dry-contact wiring.
    """

    def __init__(self, pin: int, *, active_low: bool = True, pin_factory=None):
        from gpiozero import Button   # only the real kiosk and its tests need gpiozero
        from gpiozero.exc import GPIOZeroError
        try:
            self._button = Button(pin, pull_up=active_low, bounce_time=None,
                                  pin_factory=pin_factory)
        except GPIOZeroError as exc:
            raise PowerError(f"cannot use GPIO pin {pin} for the UPS input ({exc}); check "
                             "[gpio] ups_on_battery_pin and that the kiosk user is in the "
                             "'gpio' group") from None
        self._callbacks: list[Callable[[bool], None]] = []
        self._button.when_pressed = lambda *_: self._fire(True)
        self._button.when_released = lambda *_: self._fire(False)
        self._closed = False

    def _fire(self, on_battery: bool) -> None:
        for cb in list(self._callbacks):
            try:
                cb(on_battery)
            except Exception:   # noqa: BLE001 - one bad listener must not silence the UPS
                log.exception("power listener failed")

    def on_battery(self) -> bool:
        return bool(self._button.is_pressed)

    def subscribe(self, callback: Callable[[bool], None]) -> None:
        self._callbacks.append(callback)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._button.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def request_poweroff() -> None:
    """Ask logind to power off (allowed to the kiosk user by the polkit rule that
    ``kiosk install`` puts in place)."""
    result = subprocess.run(["systemctl", "poweroff", "--no-wall"], capture_output=True,
                            text=True, timeout=30)
    if result.returncode != 0:
        raise PowerError(f"'systemctl poweroff' failed: {result.stderr.strip()}; check "
                         "/etc/polkit-1/rules.d/50-kiosk-power.rules")


class PowerGuard:
    """Watches a ``PowerMonitor`` and runs the battery shutdown once.

    Services wrap each citizen or staff transaction in ``with guard.transaction():``;
    it raises ``PowerRefused`` once the kiosk stopped accepting.
    """

    MAINS, ON_BATTERY, DRAINING, SHUTTING_DOWN = ("mains", "on-battery", "draining",
                                                  "shutting-down")

    def __init__(self, monitor, *, debounce_s: float = 30.0, drain_timeout_s: float = 120.0,
                 flush: Callable[[], None] = lambda: None,
                 shutdown: Callable[[], None] = request_poweroff, ledger=None,
                 subject: str = "kiosk"):
        self.monitor = monitor
        self.debounce_s = debounce_s
        self.drain_timeout_s = drain_timeout_s
        self._flush = flush
        self._shutdown = shutdown
        self._ledger = ledger
        self._subject = subject
        self._cond = threading.Condition()
        self._on_battery = False
        self._active = 0
        self._accepting = True
        self._state = self.MAINS
        self._stop = False
        self._listeners: list[Callable[[str], None]] = []
        self._thread: threading.Thread | None = None
        self.shutdown_requested = threading.Event()
        self.owns_monitor = False

    # ---- what the UI and the services read ---------------------------------------
    @property
    def accepting(self) -> bool:
        """False while the kiosk runs down on battery: show the closed screen."""
        return self._accepting

    @property
    def state(self) -> str:
        return self._state

    def add_listener(self, callback: Callable[[str], None]) -> None:
        """``callback(state)`` on each change (from the guard's thread)."""
        self._listeners.append(callback)

    @contextlib.contextmanager
    def transaction(self):
        with self._cond:
            if not self._accepting:
                raise PowerRefused()
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @property
    def active_transactions(self) -> int:
        return self._active

    # ---- the monitor ------------------------------------------------------------------
    def start(self) -> "PowerGuard":
        self.monitor.subscribe(self._on_input)
        self._on_input(bool(self.monitor.on_battery()))
        self._thread = threading.Thread(target=self._run, name="power-guard", daemon=True)
        self._thread.start()
        return self

    def _on_input(self, on_battery: bool) -> None:
        with self._cond:
            self._on_battery = on_battery
            self._cond.notify_all()

    def _set_state(self, state: str) -> None:
        self._state = state
        for cb in list(self._listeners):
            try:
                cb(state)
            except Exception:   # noqa: BLE001
                log.exception("power state listener failed")

    def _event(self, action: str, reason: str) -> None:
        if self._ledger is None:
            return
        try:
            self._ledger.event(action, actor=ACTOR, subject=self._subject, reason=reason)
        except Exception:   # noqa: BLE001 - the shutdown must go on even if this fails
            log.exception("could not journal %s", action)

    def _run(self) -> None:
        with self._cond:
            while not self._stop:
                self._cond.wait_for(lambda: self._on_battery or self._stop)
                if self._stop:
                    return
                # debounce: a blip shorter than debounce_s changes nothing
                if self._cond.wait_for(lambda: not self._on_battery or self._stop,
                                       timeout=self.debounce_s):
                    continue
                self._accepting = False
                self._cond.release()
                try:
                    log.warning("on battery for %.0f s: refusing new transactions",
                                self.debounce_s)
                    self._set_state(self.DRAINING)
                    self._event("power.on_battery", "mains power lost; finishing the "
                                "transaction in hand, then shutting down")
                finally:
                    self._cond.acquire()
                drained = self._cond.wait_for(
                    lambda: self._active == 0 or not self._on_battery or self._stop,
                    timeout=self.drain_timeout_s)
                if self._stop:
                    return
                if not self._on_battery:
                    self._accepting = True
                    self._cond.release()
                    try:
                        log.warning("mains power back before shutdown: open again")
                        self._set_state(self.MAINS)
                        self._event("power.restored", "mains power back before shutdown")
                    finally:
                        self._cond.acquire()
                    continue
                self._cond.release()
                try:
                    self._power_down(drained)
                finally:
                    self._cond.acquire()
                return

    def _power_down(self, drained: bool) -> None:
        self._set_state(self.SHUTTING_DOWN)
        self._event("power.shutdown", "shutting down on battery" +
                    ("" if drained else f" with {self._active} transaction(s) still open "
                     f"after {self.drain_timeout_s:.0f} s"))
        try:
            self._flush()
        except Exception:   # noqa: BLE001 - still shut down: the battery will not wait
            log.exception("flush before shutdown failed")
        self.shutdown_requested.set()
        try:
            self._shutdown()
        except Exception:   # noqa: BLE001
            log.exception("shutdown request failed; the UPS will cut power")

    def close(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        if self.owns_monitor:
            self.monitor.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def build_power_guard(cfg, *, ledger=None, flush: Callable[[], None] = lambda: None,
                      shutdown: Callable[[], None] = request_poweroff, pin_factory=None,
                      debounce_s: float = 30.0) -> PowerGuard | None:
    """The battery guard of a profile (not started), or None with no UPS pin configured."""
    pin = cfg.gpio.ups_on_battery_pin
    if pin is None:
        return None
    monitor = GpioPowerMonitor(pin, pin_factory=pin_factory)
    guard = PowerGuard(monitor, ledger=ledger, flush=flush, shutdown=shutdown,
                       debounce_s=debounce_s, subject=cfg.kiosk.id)
    guard.owns_monitor = True
    return guard
