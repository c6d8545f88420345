"""The kiosk's side of the update gate: one shared hold per open session.

A citizen session runs from the first screen after the welcome screen back to it; while
it is open the updater waits. When the updater holds the gate, a new session is refused
and the citizen sees the "being updated, back in a minute" screen instead.
"""
from __future__ import annotations

import threading

from kiosk.updates.gate import Hold, UpdateGate, UpdateInProgress


class Sessions:
    def __init__(self, gate: UpdateGate):
        self.gate = gate
        self._holds: dict[str, Hold] = {}
        self._lock = threading.Lock()

    def open(self, who: str) -> bool:
        """True when the session ``who`` may go on (already open, or opened now)."""
        with self._lock:
            if who in self._holds:
                return True
            try:
                self._holds[who] = self.gate.begin()
            except (UpdateInProgress, OSError):
                return False
            return True

    def close(self, who: str) -> None:
        with self._lock:
            hold = self._holds.pop(who, None)
        if hold is not None:
            hold.release()

    @property
    def accepting(self) -> bool:
        return self.gate.accepting
