"""What a technician does with a tray that waits for a person: open it to look inside,
give the verdict on what it holds, or take it out of service."""
from __future__ import annotations

import time

from hardware.ports import DeviceError, DoorState
from kiosk.models import TRAY_NEEDS_TECHNICIAN, TrayState as T
from kiosk.services.doors.shared import DOOR_SHUT, DoorError, TrayBusy


class TechnicianSteps:
    """Technician steps of ``DoorService``."""

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
        if reading.door not in DOOR_SHUT:
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
