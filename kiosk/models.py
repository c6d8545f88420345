"""The two state machines of the kiosk: trays and dossiers.

The tables below are the whole truth about which moves are legal; the ledger refuses
anything else before it writes a byte. ``TAMPERED`` (door opened with no command),
``DRAFT`` (a deposit in progress, so that backing out can be recorded as ``CANCELLED``)
and ``SUBMITTED_ONLINE`` (scanned and uploaded at the machine, no paper left) are
additions to the design's lists, explained in docs/design-notes.md.
"""
from __future__ import annotations

import enum


class TrayState(str, enum.Enum):
    EMPTY = "EMPTY"
    RESERVED = "RESERVED"
    UNLOCKING = "UNLOCKING"
    OPEN = "OPEN"
    OCCUPIED_DEPOSIT = "OCCUPIED_DEPOSIT"
    OCCUPIED_RESULT = "OCCUPIED_RESULT"
    EXPIRED = "EXPIRED"
    UNKNOWN = "UNKNOWN"
    OUT_OF_SERVICE = "OUT_OF_SERVICE"
    FAULT = "FAULT"
    TAMPERED = "TAMPERED"


class DossierState(str, enum.Enum):
    DRAFT = "DRAFT"
    DEPOSITED = "DEPOSITED"
    SUBMITTED_ONLINE = "SUBMITTED_ONLINE"
    COLLECTED = "COLLECTED"
    RESULT_LOADED = "RESULT_LOADED"
    PICKED_UP = "PICKED_UP"
    EXPIRED = "EXPIRED"
    RETURNED_TO_OFFICE = "RETURNED_TO_OFFICE"
    CANCELLED = "CANCELLED"


class IllegalTransition(Exception):
    """A move the state machine does not allow; nothing was changed."""


T = TrayState
D = DossierState

# States in which a tray rests with its door shut and a known content.
TRAY_AT_REST = {T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED}
# States a person must look at before the tray is used again.
TRAY_NEEDS_TECHNICIAN = {T.UNKNOWN, T.TAMPERED, T.OUT_OF_SERVICE, T.FAULT}
_ANY_BUT = lambda *excl: {s for s in T if s not in excl}  # noqa: E731

TRAY_TRANSITIONS: dict[TrayState, set[TrayState]] = {
    T.EMPTY: {T.RESERVED},
    T.RESERVED: {T.EMPTY, T.UNLOCKING},
    # Unlock for staff collecting, a citizen picking up, staff taking back expired ones.
    T.OCCUPIED_DEPOSIT: {T.UNLOCKING},
    T.OCCUPIED_RESULT: {T.UNLOCKING, T.EXPIRED},
    T.EXPIRED: {T.UNLOCKING},
    # The pulse either shows an open door, or the door stayed shut and the tray goes
    # back to what it was ("unlock sent, door did not open").
    T.UNLOCKING: {T.OPEN, T.RESERVED, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED,
                  T.EMPTY},
    # Door closed again: what is inside decides the state.
    T.OPEN: {T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED},
    # A technician's check decides what a questionable tray holds.
    T.UNKNOWN: {T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED},
    T.TAMPERED: {T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED},
    T.OUT_OF_SERVICE: {T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED},
    T.FAULT: {T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED, T.RESERVED,
              T.UNKNOWN},
}
# Moves allowed from (almost) anywhere: crash recovery, alarms, faults, service.
for _s in T:
    if _s not in (T.OUT_OF_SERVICE,):
        TRAY_TRANSITIONS[_s] = TRAY_TRANSITIONS[_s] | {T.OUT_OF_SERVICE}
    if _s not in (T.TAMPERED,):
        TRAY_TRANSITIONS[_s] = TRAY_TRANSITIONS[_s] | {T.TAMPERED}
    if _s not in (T.FAULT, T.UNKNOWN):
        TRAY_TRANSITIONS[_s] = TRAY_TRANSITIONS[_s] | {T.FAULT}
for _s in (T.UNLOCKING, T.OPEN, T.RESERVED):
    TRAY_TRANSITIONS[_s] = TRAY_TRANSITIONS[_s] | {T.UNKNOWN}

DOSSIER_TRANSITIONS: dict[DossierState, set[DossierState]] = {
    D.DRAFT: {D.DEPOSITED, D.SUBMITTED_ONLINE, D.CANCELLED},
    D.DEPOSITED: {D.COLLECTED},
    D.SUBMITTED_ONLINE: {D.COLLECTED, D.RESULT_LOADED},
    D.COLLECTED: {D.RESULT_LOADED},
    D.RESULT_LOADED: {D.PICKED_UP, D.EXPIRED},
    D.EXPIRED: {D.RETURNED_TO_OFFICE, D.PICKED_UP},
    D.PICKED_UP: set(),
    D.RETURNED_TO_OFFICE: set(),
    D.CANCELLED: set(),
}
# A dossier first seen by the kiosk is a deposit in progress, an online submission made
# elsewhere whose result comes to the kiosk (it starts as COLLECTED: in the office's
# hands), or an expired result found during a technician's check.
DOSSIER_INITIAL = {D.DRAFT, D.COLLECTED}

# Which dossier state a tray's content means, to cross-check the two tables.
TRAY_HOLDS = {
    T.OCCUPIED_DEPOSIT: {D.DEPOSITED},
    T.OCCUPIED_RESULT: {D.RESULT_LOADED},
    T.EXPIRED: {D.EXPIRED},
}
TERMINAL_DOSSIER = {D.PICKED_UP, D.RETURNED_TO_OFFICE, D.CANCELLED}


def check_tray(src: TrayState | str, dst: TrayState | str) -> None:
    src, dst = T(src), T(dst)
    if dst not in TRAY_TRANSITIONS[src]:
        raise IllegalTransition(f"tray cannot go from {src.value} to {dst.value}")


def check_dossier(src: DossierState | str | None, dst: DossierState | str) -> None:
    dst = D(dst)
    if src is None:
        if dst not in DOSSIER_INITIAL:
            raise IllegalTransition(f"a new dossier cannot start as {dst.value}")
        return
    src = D(src)
    if dst not in DOSSIER_TRANSITIONS[src]:
        raise IllegalTransition(f"dossier cannot go from {src.value} to {dst.value}")
