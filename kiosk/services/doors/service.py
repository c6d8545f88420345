"""The door service: trays that open only when they should, with what it knows of each
door and who listens to it."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from hardware.ports import DoorState, TrayReading
from kiosk.models import TrayState as T
from kiosk.services.doors.poller import PollerSteps
from kiosk.services.doors.shared import DOOR_SHUT, DoorListener
from kiosk.services.doors.technician import TechnicianSteps
from kiosk.services.doors.unlock import UnlockSteps

log = logging.getLogger(__name__)


class DoorService(UnlockSteps, TechnicianSteps, PollerSteps):
    """Every tray opening goes through here (citizen, staff, technician)."""

    def __init__(self, ledger, lock_bank, clock, *, poll_s: float = 2.0,
                 busy_poll_s: float = 0.5, confirm_s: float = 1.0,
                 confirm_poll_s: float = 0.2, door_open_alert_s: float = 120.0,
                 promise_s: float = 10.0):
        self.ledger = ledger
        self.bank = lock_bank
        self.clock = clock
        self.poll_s = poll_s
        self.busy_poll_s = busy_poll_s
        self.confirm_s = confirm_s
        self.confirm_poll_s = confirm_poll_s
        self.door_open_alert_s = door_open_alert_s
        self.promise_s = promise_s
        self._lock = threading.RLock()              # guards the dicts below
        self._door_moved = threading.Condition(self._lock)
        self._tray_locks: dict[str, threading.Lock] = {}
        self._busy: set[str] = set()                # open() in progress
        self._touched: dict[str, float] = {}        # when open()/resolve() last let go
        self._expect_open: dict[str, str] = {}      # tray -> txn, until the door shuts
        self._open_since: dict[str, float] = {}     # clock.monotonic() of the opening
        self._alerted: set[str] = set()
        self._promised: dict[str, float] = {}       # free_tray answers not yet reserved
        self._last: dict[str, TrayReading] = {}
        self._listeners: list[DoorListener] = []
        self._alert_listeners: list[Callable[[str, str], None]] = []
        self._poll_lock = threading.Lock()           # one poll at a time
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.polls = 0

    # ---- listeners ---------------------------------------------------------------------
    def add_listener(self, callback: DoorListener) -> None:
        """``callback(tray_id, DoorState, occupied)`` on every change of a door (poller
        thread): OPEN after an unlock, LOCKED/CLOSED when shut, TAMPERED, UNKNOWN."""
        self._listeners.append(callback)

    on_door = add_listener

    def add_alert_listener(self, callback: Callable[[str, str], None]) -> None:
        """``callback(tray_id, kind)`` for ``door.left_open`` and ``alarm.tamper``."""
        self._alert_listeners.append(callback)

    def _emit(self, tray: str, door: DoorState, occupied) -> None:
        for cb in list(self._listeners):
            try:
                cb(tray, door, occupied)
            except Exception:
                log.exception("door listener failed for tray %s", tray)

    def _alert(self, tray: str, kind: str) -> None:
        for cb in list(self._alert_listeners):
            try:
                cb(tray, kind)
            except Exception:
                log.exception("alert listener failed for tray %s", tray)

    # ---- reads -------------------------------------------------------------------------
    def door(self, tray_id: str) -> DoorState:
        """The last known door state (TAMPERED while the tray waits for a technician)."""
        with self._lock:
            reading = self._last.get(tray_id)
        if self.ledger.tray(tray_id)["state"] == T.TAMPERED.value:
            return DoorState.TAMPERED
        return reading.door if reading else DoorState.UNKNOWN

    def wait_closed(self, tray_id: str, timeout_s: float) -> TrayReading | None:
        """Block until the poller sees the door of an opened tray shut (or its board
        lost); None after ``timeout_s``. Needs the poller running (``start()``)."""
        with self._door_moved:
            if not self._door_moved.wait_for(lambda: tray_id not in self._expect_open,
                                             timeout_s):
                return None
            return self._last.get(tray_id)

    def reading(self, tray_id: str) -> TrayReading | None:
        with self._lock:
            return self._last.get(tray_id)

    def free_tray(self, size: str) -> str | None:
        """An EMPTY tray of ``size`` whose board answers and whose door is shut, or None.

        A tray handed out here is not handed out again for ``promise_s`` seconds, so two
        callers choosing at the same moment get two different trays.
        """
        rows = self.ledger.trays(state=T.EMPTY, size=size)   # not under self._lock
        now = time.monotonic()
        with self._lock:
            self._promised = {t: exp for t, exp in self._promised.items() if exp > now}
            for row in rows:
                tray = row["id"]
                reading = self._last.get(tray)
                if tray in self._busy or tray in self._promised:
                    continue
                if reading is not None and reading.door not in DOOR_SHUT:
                    continue
                self._promised[tray] = now + self.promise_s
                return tray
        return None


def build_door_service(cfg, ledger, lock_bank, clock) -> DoorService:
    """The door service for a profile (poll periods from the protocol, alert from cfg.ui)."""
    return DoorService(ledger, lock_bank, clock,
                       door_open_alert_s=float(cfg.ui.door_open_alert_s))
