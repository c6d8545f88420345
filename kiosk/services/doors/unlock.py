"""Opening a tray: intent committed before the pulse, then confirmation by the sensor
(OPEN, or "unlock sent, door did not open" and back to the state before)."""
from __future__ import annotations

import threading
import time

from hardware.ports import DeviceError, DoorState, TrayReading
from kiosk.crashpoints import crashpoint
from kiosk.models import TrayState as T
from kiosk.services.doors.shared import BOARD_OFFLINE_NOTE, DoorError, TrayBusy


class UnlockSteps:
    """The unlock of ``DoorService``; one tray is opened for one transaction at a time."""

    def _tray_lock(self, tray: str) -> threading.Lock:
        with self._lock:
            return self._tray_locks.setdefault(tray, threading.Lock())

    def open(self, tray_id: str, *, actor: str, reason: str, txn: str) -> bool:
        """Open one tray for one transaction; True once the sensor shows the door open.

        Raises TrayBusy when another transaction holds the tray, and
        ``IllegalTransition`` when the tray's state does not allow an unlock.
        """
        if not txn:
            raise DoorError("every unlock belongs to a transaction; pass its txn id")
        lock = self._tray_lock(tray_id)
        if not lock.acquire(blocking=False):
            raise TrayBusy(f"tray {tray_id} is being opened for another transaction; "
                           "choose another tray")
        try:
            with self._lock:
                self._busy.add(tray_id)
                self._promised.pop(tray_id, None)
            row = self.ledger.tray(tray_id)
            if row["state"] == T.RESERVED.value and row["txn"] and row["txn"] != txn:
                raise TrayBusy(f"tray {tray_id} is reserved for another transaction")
            prior = row["state"]
            # 1. intent, committed (synchronous=FULL) before any pulse
            self.ledger.move_tray(tray_id, T.UNLOCKING, actor=actor, reason=reason, txn=txn)
            crashpoint("lock.after_intent")
            with self._lock:
                self._expect_open[tray_id] = txn
            # 2. pulse
            try:
                reading = self.bank.unlock(tray_id, txn)
            except DeviceError as exc:
                self._unlock_failed(tray_id, prior, actor, txn, exc)
                return False
            except BaseException as exc:
                # Not a device answer at all: whether the latch moved is not known.
                with self._lock:
                    self._expect_open.pop(tray_id, None)
                self.ledger.move_tray(tray_id, T.UNKNOWN, actor=actor, txn=txn,
                                      reason=f"unlock interrupted ({type(exc).__name__}); "
                                             "a person must check the tray")
                raise
            crashpoint("lock.after_pulse")
            # 3. confirm by the sensor
            reading = self._confirm(tray_id, reading)
            if reading.door == DoorState.OPEN:
                with self._lock:
                    self._last[tray_id] = reading
                    self._open_since[tray_id] = self.clock.monotonic()
                    self._alerted.discard(tray_id)
                self.ledger.move_tray(tray_id, T.OPEN, actor=actor,
                                      reason=f"door opened ({reason})", txn=txn)
                self._emit(tray_id, DoorState.OPEN, reading.occupied)
                self._wake.set()
                return True
            with self._lock:
                self._expect_open.pop(tray_id, None)
                self._last[tray_id] = reading
            with self.ledger.transaction():
                self.ledger.event("door.not_opened", actor=actor, subject=tray_id, txn=txn,
                                  reason="unlock sent, door did not open",
                                  data={"door": reading.door.value, "for": reason})
                self.ledger.move_tray(tray_id, prior, actor=actor, txn=txn,
                                      reason=f"unlock sent, door did not open; back to "
                                             f"{prior}")
            return False
        finally:
            with self._lock:
                self._busy.discard(tray_id)
                self._touched[tray_id] = time.monotonic()
            lock.release()

    def _confirm(self, tray_id: str, reading: TrayReading) -> TrayReading:
        """The reply to the pulse, or status reads (several a second) for ``confirm_s``."""
        deadline = time.monotonic() + self.confirm_s
        while reading.door != DoorState.OPEN and time.monotonic() < deadline:
            time.sleep(self.confirm_poll_s)
            try:
                reading = self._read_tray(tray_id)
            except DeviceError:
                continue
        return reading

    def _read_tray(self, tray_id: str) -> TrayReading:
        if hasattr(self.bank, "read_tray"):
            return self.bank.read_tray(tray_id)
        return self.bank.status()[tray_id]

    def _unlock_failed(self, tray_id, prior, actor, txn, exc: DeviceError) -> None:
        """The board did not answer the unlock: the tray goes out of use (FAULT) until
        its board answers again; if the door did open meanwhile, the poller calls it
        tamper and a person checks."""
        with self._lock:
            self._expect_open.pop(tray_id, None)
        with self.ledger.transaction():
            self.ledger.event("door.not_opened", actor=actor, subject=tray_id, txn=txn,
                              reason=f"unlock not confirmed: {exc}",
                              data={"advice": getattr(exc, "advice", "")})
            self.ledger.move_tray(tray_id, prior, actor=actor, txn=txn,
                                  reason="unlock not confirmed; back to " + prior)
            self.ledger.move_tray(tray_id, T.FAULT, actor=actor, txn=txn,
                                  reason=f"lock board did not answer: {exc}",
                                  note=BOARD_OFFLINE_NOTE + prior)
