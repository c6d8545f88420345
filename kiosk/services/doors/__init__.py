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

Parts: ``unlock`` (open and confirm), ``technician`` (service opening, resolve, out of
service), ``poller``; ``service`` puts them together as ``DoorService``.
"""
from __future__ import annotations

from kiosk.services.doors.service import DoorService, build_door_service
from kiosk.services.doors.shared import (ACTOR, BOARD_OFFLINE_NOTE, DOOR_SHUT, DoorError,
                                         DoorListener, TrayBusy)

__all__ = ["ACTOR", "BOARD_OFFLINE_NOTE", "DOOR_SHUT", "DoorError", "DoorListener", "DoorService",
           "TrayBusy", "build_door_service"]
