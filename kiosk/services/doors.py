"""Trays that open only when they should: intent first, confirmation by the sensor.

``DoorService.open`` commits UNLOCKING (who, why, which transaction) before the latch is
pulsed, then confirms by the door reading: OPEN, or "unlock sent, door did not open"
and back to the state before. One tray is opened for one transaction at a time.

A poller thread reads every board (every ``poll_s``, every ``busy_poll_s`` while a
door is expected to move) and turns readings into facts:
- a door that closes after an open: listeners hear ``(tray, DoorState, occupied)``;
- a door open with no unlock command: ``alarm.tamper`` and TAMPERED, in one transaction;
- a board that stops answering: its trays go FAULT (and back when it answers again);
- a door left open longer than ``door_open_alert_s``: ``door.left_open``, once.
The service never re-pulses a lock by itself.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from hardware.ports import DeviceError, DoorState, TrayReading
from kiosk.crashpoints import crashpoint
from kiosk.models import TRAY_NEEDS_TECHNICIAN, TrayState as T

log = logging.getLogger(__name__)

ACTOR = "system:doors"
BOARD_OFFLINE_NOTE = "board-offline:"   # note on a FAULT tray: the state to go back to
_DOOR_SHUT = (DoorState.LOCKED, DoorState.CLOSED)
# States in which an open door is not news: a person already has to look at the tray,
# or the service itself is pulsing it.
_NO_TAMPER_CHECK = {T.UNLOCKING, T.TAMPERED, T.UNKNOWN, T.FAULT, T.OUT_OF_SERVICE}

DoorListener = Callable[[str, DoorState, "bool | None"], None]


class DoorError(Exception):
    """A tray cannot be opened or resolved now; the message says why and what to do."""


class TrayBusy(DoorError):
    """The tray is being opened, or is reserved, for another transaction."""


class DoorService:
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
                if reading is not None and reading.door not in _DOOR_SHUT:
                    continue
                self._promised[tray] = now + self.promise_s
                return tray
        return None

    # ---- open --------------------------------------------------------------------------
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

    # ---- technician --------------------------------------------------------------------
    def service_open(self, tray_id: str, *, actor: str, reason: str, txn: str) -> bool:
        """A technician opens a tray that waits for a person (UNKNOWN, TAMPERED, FAULT,
        OUT_OF_SERVICE) to look inside; the tray keeps its state. The intent is journalled
        before the pulse."""
        lock = self._tray_lock(tray_id)
        if not lock.acquire(blocking=False):
            raise TrayBusy(f"tray {tray_id} is being opened for another transaction")
        try:
            state = T(self.ledger.tray(tray_id)["state"])
            if state not in TRAY_NEEDS_TECHNICIAN:
                raise DoorError(f"tray {tray_id} is {state.value}; a service opening is only "
                                "for trays that wait for a technician")
            with self._lock:
                self._busy.add(tray_id)
            self.ledger.event("door.service_open", actor=actor, subject=tray_id, txn=txn,
                              reason=reason, data={"state": state.value})
            with self._lock:
                self._expect_open[tray_id] = txn
            try:
                reading = self._confirm(tray_id, self.bank.unlock(tray_id, txn))
            except DeviceError as exc:
                with self._lock:
                    self._expect_open.pop(tray_id, None)
                self.ledger.event("door.not_opened", actor=actor, subject=tray_id, txn=txn,
                                  reason=f"unlock not confirmed: {exc}")
                return False
            with self._lock:
                self._last[tray_id] = reading
                if reading.door == DoorState.OPEN:
                    self._open_since[tray_id] = self.clock.monotonic()
                    self._alerted.discard(tray_id)
                else:
                    self._expect_open.pop(tray_id, None)
            return reading.door == DoorState.OPEN
        finally:
            with self._lock:
                self._busy.discard(tray_id)
                self._touched[tray_id] = time.monotonic()
            lock.release()

    def resolve(self, tray_id: str, to_state, *, actor: str, reason: str,
                dossier_code=None) -> dict:
        """A technician's verdict on a tray that waited for a person: what it holds now.

        The door must be shut (a fresh reading) so that the tray is usable at once.
        """
        to_state = T(to_state)
        state = T(self.ledger.tray(tray_id)["state"])
        if state not in TRAY_NEEDS_TECHNICIAN:
            raise DoorError(f"tray {tray_id} is {state.value}; nothing to resolve")
        if not reason.strip():
            raise DoorError("say what was found in the tray (reason)")
        try:
            reading = self._read_tray(tray_id)
        except DeviceError as exc:
            raise DoorError(f"tray {tray_id}: cannot read its door ({exc}); fix the board "
                            "first") from exc
        if reading.door not in _DOOR_SHUT:
            raise DoorError(f"tray {tray_id}: the door reads {reading.door.value}; close it "
                            "firmly, then resolve")
        kwargs = {} if dossier_code is None else {"dossier_code": dossier_code}
        row = self.ledger.move_tray(tray_id, to_state, actor=actor, reason=reason,
                                    note=None, **kwargs)
        with self._lock:
            self._last[tray_id] = reading
            self._expect_open.pop(tray_id, None)
            self._open_since.pop(tray_id, None)
            self._alerted.discard(tray_id)
            self._touched[tray_id] = time.monotonic()
        return row

    def take_out_of_service(self, tray_id: str, *, actor: str, reason: str) -> dict:
        """A technician takes a tray out of use (broken latch, sensor, hinge); it is not
        offered by ``free_tray`` and its door raises no alarm until ``resolve``."""
        if not reason.strip():
            raise DoorError("say why the tray goes out of service (reason)")
        lock = self._tray_lock(tray_id)
        if not lock.acquire(blocking=False):
            raise TrayBusy(f"tray {tray_id} is being opened right now; try again")
        try:
            row = self.ledger.move_tray(tray_id, T.OUT_OF_SERVICE, actor=actor,
                                        reason=reason)
            with self._lock:
                self._expect_open.pop(tray_id, None)
                self._touched[tray_id] = time.monotonic()
                self._door_moved.notify_all()
            return row
        finally:
            lock.release()

    # ---- the poller --------------------------------------------------------------------
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
            if state in _NO_TAMPER_CHECK:
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
        elif before is not None and before.door not in _DOOR_SHUT:
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


def build_door_service(cfg, ledger, lock_bank, clock) -> DoorService:
    """The door service for a profile (poll periods from the protocol, alert from cfg.ui)."""
    return DoorService(ledger, lock_bank, clock,
                       door_open_alert_s=float(cfg.ui.door_open_alert_s))
