"""A pseudo-terminal pair with a stable name, the simulators' stand-in for a serial cable.

The simulator keeps the master side; the kiosk opens the slave side by the symlink path,
exactly as it would open ``/dev/ttyUSB0``. Raw mode, so every byte passes untouched.
"""
from __future__ import annotations

import os
import select
import threading
import tty
from pathlib import Path


class PtyLink:
    def __init__(self, link: str | os.PathLike | None = None):
        self.master_fd, self.slave_fd = os.openpty()
        tty.setraw(self.slave_fd)
        tty.setraw(self.master_fd)
        self.slave_name = os.ttyname(self.slave_fd)
        self.link = Path(link) if link else None
        if self.link:
            self.link.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.link.with_name(self.link.name + ".tmp")
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()
            os.symlink(self.slave_name, tmp)
            os.replace(tmp, self.link)
        self._closed = False
        self._wlock = threading.Lock()

    @property
    def path(self) -> str:
        """What the kiosk opens: the symlink when there is one, else the slave device."""
        return str(self.link) if self.link else self.slave_name

    def read(self, timeout: float = 0.1, size: int = 4096) -> bytes:
        """Bytes the kiosk wrote, or b'' after ``timeout`` seconds of silence."""
        if self._closed:
            return b""
        r, _, _ = select.select([self.master_fd], [], [], timeout)
        if not r:
            return b""
        try:
            return os.read(self.master_fd, size)
        except OSError:
            return b""

    def write(self, data: bytes) -> None:
        """Bytes for the kiosk to read."""
        with self._wlock:
            view = memoryview(data)
            while view and not self._closed:
                n = os.write(self.master_fd, view)
                view = view[n:]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for fd in (self.master_fd, self.slave_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.link and self.link.is_symlink():
            try:
                self.link.unlink()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class PtyDevice:
    """The lifetime every threaded device simulator shares: one ``PtyLink`` served by one
    thread until ``close()`` (idempotent), usable as a context manager. A subclass sets
    ``link``, ``_stop`` (a ``threading.Event``) and ``_thread``."""

    link: PtyLink
    _stop: threading.Event
    _thread: threading.Thread

    def close(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._thread.join(timeout=2)
        self.link.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
