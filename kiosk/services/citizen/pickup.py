"""Picking up a result: find it by verified phone, check the ID, open, take, or leave."""
from __future__ import annotations

from hardware.ports import DoorState
from kiosk.models import DossierState as D, TrayState as T
from kiosk.services.citizen.errors import ACTOR, CitizenError
from kiosk.services.citizen.identity import parse_id_text


class PickupSteps:
    """Pickup steps of ``CitizenService``."""

    def results_for(self, phone: str) -> list[dict]:
        """Results waiting in trays for a verified phone (loaded or just expired)."""
        self._check_power()
        found = []
        for state in (D.RESULT_LOADED, D.EXPIRED):
            for d in self.ledger.dossiers(state=state, phone=phone):
                if d.get("tray_id"):
                    found.append(d)
        return found

    def check_id_for(self, dossier: dict, id_text: str) -> None:
        number = parse_id_text(id_text)["id_number"]
        if not dossier.get("id_hmac") or dossier["id_hmac"] != self.pii.id_hmac(number):
            raise CitizenError("id.mismatch", "this ID number is not the one on the dossier")

    def open_result(self, dossier: dict, txn: str) -> bool:
        """Blocking (lock board): open the tray holding one result."""
        if dossier.get("needs_id_check") and not dossier.get("_id_checked"):
            raise CitizenError("id.needed")
        opened = bool(self.doors.open(dossier["tray_id"], actor=ACTOR, reason="pickup",
                                      txn=txn))
        if opened:
            with self._lock:
                self._pickups[dossier["tray_id"]] = {"code": dossier["code"], "txn": txn,
                                                     "left": False}
        return opened

    def leave_pickup(self, dossier: dict, txn: str) -> None:
        """The citizen went away (Home, idle) from an opened result tray without Finish.

        Door shut: the item sensor decides (empty → picked up; papers inside or no
        sensor → the result waits in the tray again). Door still open: decided the same
        way when it shuts."""
        tray_id = dossier["tray_id"]
        with self._lock:
            pending = self._pickups.get(tray_id)
            if pending is None or pending["code"] != dossier["code"]:
                return
            pending["left"] = True
        door = self.doors.door(tray_id)
        if door in (DoorState.CLOSED, DoorState.LOCKED):
            reading = getattr(self.doors, "reading", lambda _t: None)(tray_id)
            self._settle_left_pickup(tray_id, getattr(reading, "occupied", None))

    def _settle_left_pickup(self, tray_id: str, occupied: bool | None) -> None:
        with self._lock:
            pending = self._pickups.pop(tray_id, None)
        if pending is None:
            return
        if occupied is False:
            self.finish_pickup({"tray_id": tray_id, "code": pending["code"]}, pending["txn"])
            return
        with self.ledger.transaction():
            if self.ledger.tray(tray_id)["state"] == T.OPEN.value:
                self.ledger.move_tray(tray_id, T.OCCUPIED_RESULT, actor=ACTOR,
                                      reason="citizen left without Finish; the result "
                                             "waits in the tray", txn=pending["txn"])

    def finish_pickup(self, dossier: dict, txn: str) -> None:
        """The citizen took the result and closed the door (Finish)."""
        tray_id = dossier["tray_id"]
        with self._lock:
            self._pickups.pop(tray_id, None)
        with self.ledger.transaction():
            tray = self.ledger.tray(tray_id)
            if tray["state"] in (T.OPEN.value,):
                self.ledger.move_tray(tray_id, T.EMPTY, actor=ACTOR, reason="result taken",
                                      txn=txn, dossier_code=None, purpose=None)
            current = self.ledger.dossier(dossier["code"])
            if current["state"] != D.PICKED_UP.value:
                self.ledger.move_dossier(dossier["code"], D.PICKED_UP, actor=ACTOR,
                                         reason="picked up", tray_id=None)
