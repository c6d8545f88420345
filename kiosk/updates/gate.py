"""The gate between open transactions and an update: one lock file, two kinds of hold.

The kiosk takes a *shared* ``flock`` for each citizen or staff transaction it opens;
the updater takes the *exclusive* lock before it stops the kiosk. So the updater waits
while any transaction is open, and while the updater holds the gate the kiosk refuses
new transactions (and says so on the screen). A process that dies drops its locks with
it: a crash can neither wedge the updates nor keep the kiosk closed.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path


class UpdateInProgress(Exception):
    """The updater holds the gate: no new transaction may start."""


class GateBusy(Exception):
    """A transaction is open: the update has to wait."""


class Hold:
    def __init__(self, fd: int):
        self._fd = fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)          # closing the descriptor drops the lock
            self._fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


class UpdateGate:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _open(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o640)

    def _try(self, how: int) -> Hold | None:
        fd = self._open()
        try:
            fcntl.flock(fd, how | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return Hold(fd)

    # ---- the kiosk's side --------------------------------------------------------
    def begin(self) -> Hold:
        """A transaction starts: hold the gate shared until ``release()``."""
        hold = self._try(fcntl.LOCK_SH)
        if hold is None:
            raise UpdateInProgress("an update is being installed")
        return hold

    @contextlib.contextmanager
    def transaction(self):
        with self.begin():
            yield

    @property
    def accepting(self) -> bool:
        """False while the updater holds the gate: show the maintenance screen."""
        hold = self._try(fcntl.LOCK_SH)
        if hold is None:
            return False
        hold.release()
        return True

    # ---- the updater's side ------------------------------------------------------
    def hold(self) -> Hold:
        """Close the gate; ``GateBusy`` while a transaction is open."""
        hold = self._try(fcntl.LOCK_EX)
        if hold is None:
            raise GateBusy("a citizen or staff transaction is open")
        return hold
