"""The paper invariants, both ways: a tray that holds something holds a dossier in the
matching state, and a dossier whose paper is in the cabinet is in exactly one tray."""
from __future__ import annotations

from kiosk.models import TRAY_HOLDS, DossierState as D, TrayState as T

# dossier states whose paper sits in a tray, and the tray states that may hold it
IN_A_TRAY = {d: {t for t, held in TRAY_HOLDS.items() if d in held} | {T.UNKNOWN}
             for held in TRAY_HOLDS.values() for d in held}


def paper_problems(led) -> list[str]:
    """Every way the trays table and the dossiers table disagree about paper."""
    problems = []
    trays = led.trays()
    by_dossier: dict[str, list[dict]] = {}
    for t in trays:
        if t["dossier_code"]:
            by_dossier.setdefault(t["dossier_code"], []).append(t)
        allowed = TRAY_HOLDS.get(T(t["state"]))
        if allowed:
            d = led.dossier(t["dossier_code"]) if t["dossier_code"] else None
            if d is None or D(d["state"]) not in allowed:
                problems.append(f"tray {t['id']} is {t['state']} but holds "
                                f"{d['state'] if d else 'no dossier'}")
    for state, tray_states in IN_A_TRAY.items():
        for d in led.dossiers(state=state):
            holders = [t for t in by_dossier.get(d["code"], [])
                       if T(t["state"]) in tray_states]
            if len(holders) != 1:
                problems.append(f"dossier {d['code']} is {state.value} but is in "
                                f"{len(holders)} trays (no tray: its paper is lost)"
                                if not holders else
                                f"dossier {d['code']} is in {len(holders)} trays")
            elif d["tray_id"] != holders[0]["id"]:
                problems.append(f"dossier {d['code']} says tray {d['tray_id']}, tray "
                                f"{holders[0]['id']} holds it")
    return problems
