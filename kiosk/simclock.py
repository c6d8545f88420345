"""The simulator's movable clock: system time plus an offset kept in a file.

The technician window (or a scripted day) fast-forwards time by writing a number of
seconds into ``<data_dir>/clock-offset``. The kiosk re-reads that file when it changes,
so a running kiosk jumps forward at once and a kiosk restarted after a power cut comes
back at the same simulated time. The file lives outside the database on purpose: it is
the simulated world's time, not the kiosk's state.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from kiosk.clock import OffsetClock

OFFSET_FILE = "clock-offset"
RECHECK_S = 0.2          # how often at most the file's mtime is looked at


class ClockOffsetError(Exception):
    """The offset file holds something that is not a number of seconds."""


def read_offset(path: str | os.PathLike) -> float:
    """Seconds in the file; 0 when it is missing or empty."""
    try:
        text = Path(path).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return 0.0
    if not text:
        return 0.0
    try:
        return float(text)
    except ValueError:
        raise ClockOffsetError(f"{path} holds {text[:40]!r}, not a number of seconds; "
                               "write e.g. 86400 (one day ahead) or delete the file") from None


def write_offset(path: str | os.PathLike, seconds: float) -> None:
    """Atomically replace the offset (the simulator's side of the file)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{float(seconds):.3f}\n", encoding="utf-8")
    os.replace(tmp, path)


class FileOffsetClock(OffsetClock):
    """An ``OffsetClock`` whose offset follows a file.

    Monotonic time never goes backwards: it follows the largest offset seen, so a
    smaller number in the file moves the wall clock back but not OTP lifetimes.
    """

    def __init__(self, path: str | os.PathLike, zone: str = "Asia/Ho_Chi_Minh"):
        self.path = Path(path)
        super().__init__(zone, read_offset(self.path))
        self._mono_offset = self._offset
        self._stamp = self._file_stamp()
        self._checked_at = time.monotonic()
        self._check_lock = threading.Lock()

    def _file_stamp(self):
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < RECHECK_S:
            return
        with self._check_lock:
            self._checked_at = now
            stamp = self._file_stamp()
            if stamp == self._stamp:
                return
            self._stamp = stamp
            try:
                offset = read_offset(self.path)
            except (ClockOffsetError, OSError):
                return                  # keep the last good offset
            with self._lock:
                self._offset = offset
                self._mono_offset = max(self._mono_offset, offset)

    @property
    def offset_s(self) -> float:
        self._refresh()
        with self._lock:
            return self._offset

    def now(self):
        self._refresh()
        return super().now()

    def monotonic(self) -> float:
        self._refresh()
        with self._lock:
            off = self._mono_offset
        return time.monotonic() + off

    def advance(self, seconds: float) -> None:
        """Move forward and write it down, so that other readers of the file follow."""
        with self._lock:
            self._offset += seconds
            self._mono_offset = max(self._mono_offset, self._offset)
            value = self._offset
        write_offset(self.path, value)
        self._stamp = self._file_stamp()


def offset_path(cfg) -> Path:
    return Path(cfg.path("{data_dir}/" + OFFSET_FILE))


def clock_for(cfg):
    """The clock for a simulator run: a ``FileOffsetClock`` on ``<data_dir>/clock-offset``."""
    return FileOffsetClock(offset_path(cfg), cfg.kiosk.timezone)
