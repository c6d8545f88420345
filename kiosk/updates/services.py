"""Stopping and starting the kiosk's service around an update (systemctl).

In a chroot or an image being built there is no running systemd: then there is no
service to stop or start, and that is said in the log rather than failed on.
"""
from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)


class ServiceError(Exception):
    pass


class Systemd:
    def __init__(self, unit: str = "kiosk.service"):
        self.unit = unit

    @property
    def running_systemd(self) -> bool:
        return Path("/run/systemd/system").is_dir()

    def _ctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["systemctl", *args], capture_output=True, text=True,
                              timeout=120)

    def is_active(self) -> bool:
        return self.running_systemd and self._ctl("is-active", "--quiet", self.unit).returncode == 0

    def stop(self) -> bool:
        """Stop the kiosk; True when it was running (so it must be started again)."""
        if not self.running_systemd:
            log.info("no running systemd: %s is not stopped", self.unit)
            return False
        was = self.is_active()
        r = self._ctl("stop", self.unit)
        if r.returncode != 0:
            raise ServiceError(f"systemctl stop {self.unit}: {r.stderr.strip()}")
        return was

    def start(self) -> None:
        if not self.running_systemd:
            log.info("no running systemd: %s is not started", self.unit)
            return
        r = self._ctl("start", self.unit)
        if r.returncode != 0:
            raise ServiceError(f"systemctl start {self.unit}: {r.stderr.strip()}")
