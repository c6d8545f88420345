"""The kiosk as a child process, so that a power cut is a real ``kill -9``.

Every start runs on one keeper thread (see ``_keep``), and the child dies with the
launcher (``PR_SET_PDEATHSIG``), so no orphaned kiosk holds another run's devices.
"""
from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
from datetime import datetime

from sim.launch.runfolder import REPO, LaunchError

RESTART_STATUS = 75           # the kiosk's "start me again" (kiosk/cli/run_cmd.py)


def _die_with_parent() -> None:
    """In the kiosk child, before exec: die when the launcher dies, however it dies.

    An orphaned kiosk would keep reopening its device links, and once the simulator's
    pseudo-terminals are gone their numbers get reused by the next run, so the orphan
    would lock another run's devices (Linux ``PR_SET_PDEATHSIG``)."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class KioskProcess:
    """Start, power-cut and stop the kiosk (a mixin of ``SimLauncher``: needs
    ``kiosk_cmd``, ``kiosk_env``, ``use_remote``, ``headless``, ``config_path``,
    ``console_path``, ``remote_path``, ``run`` and ``_stopped``)."""

    def _init_kiosk_process(self) -> None:
        self.kiosk: subprocess.Popen | None = None
        self.power_cuts = 0
        self.kiosk_starts = 0
        # called with the kiosk dead and before it restarts (the power-loss layer)
        self.after_power_cut: list = []
        self._restart_timer: threading.Timer | None = None
        self._jobs: queue.Queue = queue.Queue()
        self._keeper: threading.Thread | None = None
        self._proc_lock = threading.RLock()
        self._log_file = None

    def kiosk_command(self) -> list[str]:
        cmd = self.kiosk_cmd or shlex.split(os.environ.get("KIOSK_SIM_KIOSK_CMD", ""))
        if cmd:          # another kiosk build, e.g. a wrapper with extra instrumentation
            return [*cmd, "--config", str(self.config_path)]
        return [sys.executable, "-m", "kiosk.cli", "run", "--config", str(self.config_path)]

    def kiosk_environment(self) -> dict:
        env = dict(os.environ)
        env["PYTHONUNBUFFERED"] = "1"
        env["KIOSK_SIM_RUN"] = str(self.run)
        if self.use_remote:
            env["KIOSK_REMOTE"] = self.remote_path
        if self.headless:
            env["QT_QPA_PLATFORM"] = "offscreen"
        env.pop("KIOSK_CRASHPOINT", None)
        env.update(self.kiosk_env)
        return env

    def _keep(self) -> None:
        """The one thread that forks kiosks. ``PR_SET_PDEATHSIG`` fires when the thread
        that forked the child ends, so a restart from a short-lived timer thread would
        kill the new kiosk at once; every start runs here instead."""
        while True:
            try:
                job = self._jobs.get(timeout=1.0)
            except queue.Empty:
                self._restart_if_asked()
                continue
            if job is None:
                return
            fn, done, box = job
            try:
                box["value"] = fn()
            except BaseException as exc:     # handed back to the caller
                box["error"] = exc
            done.set()

    def _restart_if_asked(self) -> None:
        """The kiosk left with status 75 (the city's ``kiosk.restart``): start it again,
        as systemd does on a real kiosk."""
        proc = self.kiosk
        if proc is not None and proc.poll() == RESTART_STATUS and not self._stopped:
            self.kiosk = None
            self._spawn()

    def _in_keeper(self, fn):
        if self._keeper is None:
            self._keeper = threading.Thread(target=self._keep, name="kiosk-keeper",
                                            daemon=True)
            self._keeper.start()
        if threading.current_thread() is self._keeper:
            return fn()
        done, box = threading.Event(), {}
        self._jobs.put((fn, done, box))
        done.wait()
        if "error" in box:
            raise box["error"]
        return box["value"]

    def start_kiosk(self) -> subprocess.Popen:
        return self._in_keeper(self._spawn)

    def _spawn(self) -> subprocess.Popen:
        with self._proc_lock:
            if self._stopped:
                raise LaunchError("the simulator is stopping; start a new one")
            if self.kiosk_running():
                return self.kiosk
            if self._log_file is None:
                self._log_file = open(self.console_path, "ab", buffering=0)
            self._log_file.write(f"--- kiosk-sim: start #{self.kiosk_starts + 1} at "
                                 f"{datetime.now().isoformat(timespec='seconds')}\n".encode())
            self.kiosk = subprocess.Popen(self.kiosk_command(), cwd=str(REPO),
                                          env=self.kiosk_environment(),
                                          stdin=subprocess.DEVNULL, stdout=self._log_file,
                                          stderr=subprocess.STDOUT, start_new_session=True,
                                          preexec_fn=_die_with_parent)
            self.kiosk_starts += 1
            return self.kiosk

    def kiosk_running(self) -> bool:
        return self.kiosk is not None and self.kiosk.poll() is None

    def power_cut(self, restart_after_s: float | None = 0.0) -> None:
        """``kill -9`` the kiosk (no goodbye, like a pulled plug); restart it after the
        delay in the background (``None``: leave it off)."""
        with self._proc_lock:
            if self._restart_timer is not None:
                self._restart_timer.cancel()
                self._restart_timer = None
            proc = self.kiosk
            if proc is not None and proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
                self.power_cuts += 1
                for hook in self.after_power_cut:
                    hook()
            if self._log_file is not None:
                self._log_file.write(b"--- kiosk-sim: power cut (kill -9)\n")
            if restart_after_s is None:
                return
            if restart_after_s > 0:
                self._restart_timer = threading.Timer(restart_after_s, self._restart_later)
                self._restart_timer.daemon = True
                self._restart_timer.start()
                return
        self.start_kiosk()          # outside the lock: the keeper thread takes it

    def _restart_later(self) -> None:
        with self._proc_lock:
            if self._restart_timer is None or self._stopped:
                return                  # cancelled meanwhile
            self._restart_timer = None
        self.start_kiosk()

    def stop_kiosk(self, timeout: float = 10.0) -> int | None:
        """Ask the kiosk to stop (SIGTERM), then kill it if it does not."""
        with self._proc_lock:
            if self._restart_timer is not None:
                self._restart_timer.cancel()
                self._restart_timer = None
            proc = self.kiosk
            if proc is None:
                return None
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            return proc.returncode

    def _end_kiosk_process(self) -> None:
        """Stop the kiosk and the keeper thread (the launcher's stop)."""
        self.stop_kiosk()
        if self._keeper is not None:
            self._jobs.put(None)
            self._keeper.join(timeout=5)

    def _close_console(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
