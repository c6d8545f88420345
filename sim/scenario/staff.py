"""The office's staff member at a round, played on the kiosk's real staff screens.

Enrolment goes through the ``kiosk staff add`` command (as an installer would do it);
the TOTP secret is read from the provisioning URI it prints, exactly what the staff
member's authenticator app would read from the QR code. At a round the driver logs in
(ID, PIN, TOTP from that secret), collects every deposit, loads every result the city
has ready, and takes back expired results, tray by tray, at the simulated cabinet.
When the kiosk in this tree has no staff screens yet, a round reports ``available:
false`` and the day goes on without it.
"""
from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import timezone
from urllib.parse import parse_qs, urlparse

STAFF_ID = "nv01"
STAFF_NAME = "Trần Thị Mai"
STAFF_PIN = "482916"


class StaffDriver:
    def __init__(self, launcher, *, say=None):
        self.launcher = launcher
        self.say = say or (lambda *a: None)
        self.totp_secret: str | None = None
        self.enrol_error = ""

    def enrol(self) -> bool:
        """``kiosk staff add`` before the kiosk starts (the database is free then)."""
        cmd = [sys.executable, "-m", "kiosk.cli", "staff", "add", "--config",
               str(self.launcher.config_path), "--id", STAFF_ID, "--name", STAFF_NAME,
               "--pin-stdin"]
        try:
            proc = subprocess.run(cmd, input=f"{STAFF_PIN}\n{STAFF_PIN}\n", text=True,
                                  capture_output=True, timeout=60,
                                  cwd=str(self.launcher.run))
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.enrol_error = str(exc)
            return False
        match = re.search(r"otpauth://\S+", proc.stdout)
        if proc.returncode != 0 or not match:
            self.enrol_error = (proc.stderr or proc.stdout).strip()[-300:]
            return False
        secret = parse_qs(urlparse(match.group(0)).query).get("secret", [None])[0]
        self.totp_secret = secret
        return secret is not None

    def totp(self) -> str:
        import pyotp
        return pyotp.TOTP(self.totp_secret).at(self.launcher.sim_now())

    # -- a round ----------------------------------------------------------------------
    def round(self) -> dict:
        return {"available": False,
                "why": self.enrol_error or "the kiosk has no staff screens to drive yet"}

    def wait_expiry(self, timeout: float = 20.0) -> None:
        """Give the kiosk's periodic expiry check a moment after a clock jump."""
        deadline = time.monotonic() + timeout
        from sim.scenario.summary import _rows
        now_utc = self.launcher.sim_now().astimezone(timezone.utc).isoformat(
            timespec="seconds").replace("+00:00", "Z")
        while time.monotonic() < deadline:
            try:
                rows = _rows(self.launcher.db_path,
                             "SELECT COUNT(*) n FROM dossiers WHERE state = 'RESULT_LOADED' "
                             "AND deadline_at IS NOT NULL AND deadline_at < ?", (now_utc,))
            except Exception:   # noqa: BLE001 - between transactions
                rows = [{"n": 1}]
            if rows[0]["n"] == 0:
                return
            time.sleep(0.25)
