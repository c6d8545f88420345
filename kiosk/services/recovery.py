"""What the kiosk does with half-finished work after a crash or a power cut.

A tray found UNLOCKING or OPEN may or may not have been pulsed, and may or may not hold
paper: it becomes UNKNOWN and waits for a person; software never re-pulses it. A tray
only RESERVED was never pulsed and goes back to EMPTY. Deposits in progress that are not
in a questionable tray are cancelled; the others wait with their tray.
"""
from __future__ import annotations

from kiosk.models import DossierState, TrayState
from kiosk.services.ledger import Ledger

ACTOR = "system:recovery"


def recover(ledger: Ledger) -> dict:
    report = {"unknown": [], "released": [], "cancelled": []}
    with ledger.transaction():
        for tray in ledger.trays(state=[TrayState.UNLOCKING, TrayState.OPEN]):
            ledger.move_tray(tray["id"], TrayState.UNKNOWN, actor=ACTOR,
                             reason=f"found {tray['state']} after a restart: may have been "
                                    "opened; a person must check it",
                             data={"was": tray["state"], "txn": tray["txn"]})
            report["unknown"].append(tray["id"])
        for tray in ledger.trays(state=TrayState.RESERVED):
            ledger.move_tray(tray["id"], TrayState.EMPTY, actor=ACTOR,
                             reason="reservation dropped by a restart (never unlocked)")
            report["released"].append(tray["id"])
        waiting = {t["dossier_code"] for t in ledger.trays(state=TrayState.UNKNOWN)}
        for d in ledger.dossiers(state=DossierState.DRAFT):
            if d["code"] in waiting:
                continue
            ledger.move_dossier(d["code"], DossierState.CANCELLED, actor=ACTOR,
                                reason="deposit interrupted by a restart before the door "
                                       "closed", tray_id=None)
            report["cancelled"].append(d["code"])
    if any(report.values()):
        ledger.event("kiosk.recovered", actor=ACTOR, subject=ledger.kiosk_id,
                     reason="state after restart", data=report)
    return report
