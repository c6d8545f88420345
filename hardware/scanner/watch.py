"""Run ``scanimage`` so that it always ends within a budget a citizen can bear.

Why a scan can hang (found with gdb on SANE 1.1.1, see docs/devices.md): when
``sane_read`` returns an error (a jam, an open cover) while the backend's reader thread
is still writing the page, ``sane_cancel`` signals that thread and joins it; if the
signal lands while the thread holds the malloc lock, the thread never exits and
``scanimage`` waits in ``pthread_join`` for ever, after it has already printed the
fault. A real scanner that stops answering mid-page does the same without printing
anything. So the process is watched, not just waited for:

- progress is new error output or page bytes growing in the output folder; no progress
  for ``stall_s`` ends it (the scanner stopped answering);
- once the outcome has been printed (``sane_read:``, ``sane_start:``, "Batch
  terminated"), it gets ``grace_s`` to exit, then it is ended and the printed outcome
  stands;
- ``total_s`` caps the whole batch.

Ending means SIGKILL to the process group (``scanimage`` runs in its own session), so
a backend helper that holds the pipes cannot keep the kiosk waiting either.
"""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# What scanimage prints when the scan's outcome is known; after it only clean-up is left.
OUTCOME_MARKS = ("sane_read:", "sane_start:", "Batch terminated", "scanimage: open of device",
                 "scanimage: no SANE devices")


@dataclass
class Watched:
    returncode: int | None        # None: it had to be ended
    stderr: str
    ended: str = ""               # why it was ended ("" when it exited by itself)
    seconds: float = 0.0
    stdout: str = ""              # only with capture_stdout (the -A option list)


def _folder_bytes(folder: Path | None) -> int:
    if folder is None:
        return 0
    total = 0
    try:
        for entry in os.scandir(folder):
            try:
                total += entry.stat().st_size
            except OSError:
                pass
    except OSError:
        pass
    return total


def _end_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:   # pragma: no cover - SIGKILL does not fail
        pass


def run_watched(args: list[str], *, folder: Path | None = None, stall_s: float = 20.0,
                grace_s: float = 3.0, total_s: float = 180.0, poll_s: float = 0.05,
                env: dict | None = None, capture_stdout: bool = False) -> Watched:
    """Run ``args``; return its exit code and error text, or end it (see module doc)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
                            start_new_session=True, env=env)
    chunks: list[bytes] = []
    out: list[bytes] = []

    def pump(stream, into):
        for line in iter(stream.readline, b""):
            into.append(line)
    readers = [threading.Thread(target=pump, args=(proc.stderr, chunks), daemon=True,
                                name="scanimage-stderr")]
    if capture_stdout:
        readers.append(threading.Thread(target=pump, args=(proc.stdout, out), daemon=True,
                                        name="scanimage-stdout"))
    for r in readers:
        r.start()
    ended, seen, size = "", 0, -1
    last_progress, outcome_at = t0, None
    try:
        while proc.poll() is None:
            now = time.monotonic()
            if len(chunks) + len(out) != seen or _folder_bytes(folder) != size:
                seen, size, last_progress = len(chunks) + len(out), _folder_bytes(folder), now
                if outcome_at is None and any(
                        m in b"".join(chunks).decode("utf-8", "replace") for m in OUTCOME_MARKS):
                    outcome_at = now
            if outcome_at is not None and now - outcome_at > grace_s:
                ended = f"did not exit within {grace_s:g} s after its outcome"
            elif now - last_progress > stall_s:
                ended = f"no progress for {stall_s:g} s"
            elif now - t0 > total_s:
                ended = f"not done after {total_s:g} s"
            if ended:
                _end_group(proc)
                break
            time.sleep(poll_s)
    except BaseException:
        _end_group(proc)
        raise
    else:
        if not ended:          # scanimage is gone; end any helper it left in its group
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    for r in readers:
        r.join(timeout=2)
    for stream in (proc.stderr, proc.stdout):
        if stream is not None:
            stream.close()
    return Watched(None if ended else proc.returncode,
                   b"".join(chunks).decode("utf-8", "replace"), ended,
                   time.monotonic() - t0, b"".join(out).decode("utf-8", "replace"))
