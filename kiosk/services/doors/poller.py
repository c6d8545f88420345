"""The poller: reads every board and turns readings into facts (a door shut after an
open, tamper, a board lost and back, a door left open too long). It never re-pulses a
lock by itself."""
from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from hardware.ports import DoorState, TrayReading
from kiosk.models import TrayState as T
from kiosk.services.doors.shared import (ACTOR, DOOR_SHUT, NO_TAMPER_CHECK,
                                         BOARD_OFFLINE_NOTE)

if TYPE_CHECKING:
    from kiosk.services.doors.service import DoorService

log = logging.getLogger(__name__)


class PollerSteps:
    """The poller thread of ``DoorService`` and its judgement of each reading."""

    def start(self) -> "DoorService":
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="door-poller",
                                            daemon=True)
            self._thread.start()
        return self

    def _interval(self) -> float:
        with self._lock:
            busy = bool(self._expect_open or self._busy)
        return self.busy_poll_s if busy else self.poll_s

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("door poll failed; trying again")
            self._wake.wait(self._interval())
            self._wake.clear()

    def poll_once(self) -> dict[str, TrayReading]:
        """Read every board once and act on what changed (also callable from tests)."""
        with self._poll_lock:
            started = time.monotonic()
            readings = self.bank.status()
            events: list[tuple[str, DoorState, object]] = []
            alerts: list[tuple[str, str]] = []
            for tray, reading in readings.items():
                with self._lock:
                    # A reading taken while open()/resolve() worked on the tray may be
                    # older than what they know: leave that tray to the next poll.
                    if tray in self._busy or self._touched.get(tray, -1.0) >= started:
                        continue
                    before = self._last.get(tray)
                    self._last[tray] = reading
                try:
                    row = self.ledger.tray(tray)
                except KeyError:
                    continue
                self._judge(tray, T(row["state"]), row, before, reading, events, alerts)
            self.polls += 1
        for tray, door, occupied in events:
            self._emit(tray, door, occupied)
        for tray, kind in alerts:
            self._alert(tray, kind)
        return readings

    def _judge(self, tray, state, row, before, reading, events, alerts) -> None:
        door = reading.door
        if door == DoorState.UNKNOWN:
            if state not in (T.FAULT, T.UNKNOWN, T.TAMPERED, T.OUT_OF_SERVICE):
                self.ledger.move_tray(tray, T.FAULT, actor=ACTOR,
                                      reason="lock board does not answer",
                                      note=BOARD_OFFLINE_NOTE + state.value)
                with self._lock:
                    self._expect_open.pop(tray, None)
                    self._door_moved.notify_all()
                events.append((tray, DoorState.UNKNOWN, None))
            return
        if state == T.FAULT and (row.get("note") or "").startswith(BOARD_OFFLINE_NOTE):
            was = T(row["note"][len(BOARD_OFFLINE_NOTE):])
            back = T.UNKNOWN if was in (T.OPEN, T.UNLOCKING) else was
            self.ledger.move_tray(tray, back, actor=ACTOR, note=None,
                                  reason="lock board answers again" +
                                         ("; the door may have moved meanwhile, a person "
                                          "must check" if back == T.UNKNOWN else ""))
            state = back
            before = None
        with self._lock:
            expected = tray in self._expect_open
        if door == DoorState.OPEN:
            if expected:                 # opened by our unlock, not shut since
                self._check_left_open(tray, alerts)
                return
            if state in NO_TAMPER_CHECK:
                return
            # Open, and no unlock asked for it: tamper (alarm and state in one commit).
            with self.ledger.transaction():
                self.ledger.event("alarm.tamper", actor=ACTOR, subject=tray,
                                  reason="door opened with no unlock command",
                                  data={"state": state.value, "occupied": reading.occupied,
                                        "dossier": row.get("dossier_code")})
                self.ledger.move_tray(tray, T.TAMPERED, actor=ACTOR,
                                      reason="door opened with no unlock command; a "
                                             "technician must check the tray")
            log.error("tray %s: door opened with no unlock command (tamper)", tray)
            events.append((tray, DoorState.TAMPERED, reading.occupied))
            alerts.append((tray, "alarm.tamper"))
            return
        # the door is shut
        if expected:
            with self._lock:
                txn = self._expect_open.pop(tray, None)
                self._open_since.pop(tray, None)
                self._alerted.discard(tray)
                self._door_moved.notify_all()
            self.ledger.event("door.closed", actor=ACTOR, subject=tray, txn=txn,
                              reason="door shut after an unlock", to_city=False,
                              data={"occupied": reading.occupied})
            events.append((tray, door, reading.occupied))
        elif before is not None and before.door not in DOOR_SHUT:
            events.append((tray, door, reading.occupied))

    def _check_left_open(self, tray: str, alerts) -> None:
        with self._lock:
            since = self._open_since.get(tray)
            if since is None or tray in self._alerted:
                return
            if self.clock.monotonic() - since < self.door_open_alert_s:
                return
            self._alerted.add(tray)
            txn = self._expect_open.get(tray)
        self.ledger.event("door.left_open", actor=ACTOR, subject=tray, txn=txn,
                          reason=f"door open for more than {self.door_open_alert_s:.0f} s")
        alerts.append((tray, "door.left_open"))

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
