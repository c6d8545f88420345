"""What the parts of the door service share: its refusals, its journal actor, the note
on a tray whose board went offline, and the door states that count as shut."""
from __future__ import annotations

from typing import Callable

from hardware.ports import DoorState
from kiosk.models import TrayState as T

ACTOR = "system:doors"
BOARD_OFFLINE_NOTE = "board-offline:"   # note on a FAULT tray: the state to go back to
DOOR_SHUT = (DoorState.LOCKED, DoorState.CLOSED)
# States in which an open door is not news: a person already has to look at the tray,
# or the service itself is pulsing it.
NO_TAMPER_CHECK = {T.UNLOCKING, T.TAMPERED, T.UNKNOWN, T.FAULT, T.OUT_OF_SERVICE}

DoorListener = Callable[[str, DoorState, "bool | None"], None]


class DoorError(Exception):
    """A tray cannot be opened or resolved now; the message says why and what to do."""


class TrayBusy(DoorError):
    """The tray is being opened, or is reserved, for another transaction."""
