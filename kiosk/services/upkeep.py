"""Background upkeep of a running kiosk: the alert book's probes, on a thread of its own.

The probes ask devices for their status (a printer's DLE EOT, a board's reply): slow I/O
that must never run on the UI thread, and must not hold up the door poller either.
"""
from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class Upkeep:
    def __init__(self, alerts, *, every_s: float = 15.0):
        self.alerts = alerts
        self.every_s = every_s
        self.rounds = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> None:
        try:
            self.alerts.evaluate()
        except Exception:           # a failing probe must not end the upkeep
            log.exception("alert probes failed")
        self.rounds += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.every_s)

    def start(self) -> "Upkeep":
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kiosk-upkeep",
                                            daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


def trays_at_rest(ledger, timeout_s: float) -> bool:
    """Wait until no tray is reserved, unlocking or open (the transactions in hand have
    finished), at most ``timeout_s`` seconds of monotonic time."""
    deadline = time.monotonic() + timeout_s
    busy = ("RESERVED", "UNLOCKING", "OPEN")
    while time.monotonic() < deadline:
        if not ledger.trays(state=busy):
            return True
        time.sleep(0.5)
    return not ledger.trays(state=busy)
