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

from sim.scenario.flows import POLL_S
from sim.scenario.remote_client import RemoteError

STAFF_ID = "NV01"          # typed on the console's letter keypad (no O or I there)
STAFF_NAME = "Trần Thị Mai"
STAFF_PIN = "482916"


CONSOLE_SCREENS = {"signin", "overview", "collect", "load", "retrieve", "report"}
TRAY_LABEL = re.compile(r"^Ô ([A-Z][0-9]{2})$")


class StaffStuck(Exception):
    """The console did not show what a staff member waits for."""


class StaffDriver:
    def __init__(self, launcher, *, driver=None, say=None):
        self.launcher = launcher
        self.driver = driver
        self.loaded_codes: set[str] = set()
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
        """One staff round on the service console; what was done, tray by tray."""
        if self.remote is None:
            return {"available": False, "why": "no remote control"}
        if not self.totp_secret:
            return {"available": False, "why": self.enrol_error or "no staff enrolled"}
        report = {"collected": [], "loaded": [], "retrieved": [], "problems": []}
        try:
            if not self._sign_in(report):
                return report
            self._take("collect", "Thu hồ sơ ›", report["collected"], report)
            self._load(report)
            self._take("retrieve", "Lấy về ›", report["retrieved"], report)
            self._finish(report)
        except (RemoteError, StaffStuck) as exc:
            report["problems"].append(str(exc)[:300])
            self._leave()
        return report

    @property
    def remote(self):
        return self.driver.remote if self.driver is not None else None

    def _screen(self) -> str:
        return self.driver.screen()         # the driver keeps a picture of each new screen

    def _wait(self, cond, what: str, timeout: float = 20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = cond()
            if value:
                return value
            time.sleep(POLL_S)
        raise StaffStuck(f"staff round: waited for {what} on {self._screen()!r}")

    def _texts(self) -> list[str]:
        return [w["text"] for w in self.remote.widgets() if w["text"]]

    def _button(self, text: str) -> dict | None:
        for w in self.remote.widgets():
            if w["class"].endswith("Button") and w["text"] == text:
                return w
        return None

    def _click(self, text: str, timeout: float = 20.0) -> None:
        self._wait(lambda: (b := self._button(text)) is not None and b["enabled"],
                   f"the button {text!r}", timeout)
        self.remote.click(text)

    def _sign_in(self, report) -> bool:
        self.remote.call("key", key="F12", modifiers=["Ctrl", "Alt"])
        self._wait(lambda: self._screen() == "signin", "the sign-in screen")
        for value in (STAFF_ID, STAFF_PIN, self.totp()):
            self.remote.type(value, via="keys")
            self.remote.click("OK")
        try:
            self._wait(lambda: self._screen() == "overview", "the round overview", 15)
        except StaffStuck:
            report["problems"].append("sign-in refused: " + " / ".join(
                t for t in self._texts() if "Sai" in t or "khóa" in t)[:200])
            self._leave()
            return False
        # the overview of *this* round has come once it names the round after it (the
        # labels of the last round stay on the screen until then)
        nxt = self.launcher.next_round(self.launcher.sim_now())
        mark = f"Đợt kế tiếp: {nxt:%H:%M %d/%m}"
        self._wait(lambda: any(mark in t for t in self._texts()), "this round's overview")
        return True

    def _open(self, action: str, screen: str) -> None:
        """Tap a job on the overview until its screen shows (the round may still be
        starting on the kiosk's worker thread; a tap before that does nothing)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            self.remote.click(action)
            try:
                self._wait(lambda: self._screen() == screen, f"the {screen} screen", 1.0)
                return
            except StaffStuck:
                continue
        raise StaffStuck(f"staff round: {action!r} did not open the {screen} screen")

    def _tray_on_screen(self) -> str | None:
        for t in self._texts():
            m = TRAY_LABEL.match(t)
            if m:
                return m.group(1)
            if t == "✓":
                return "done"
        return None

    def _take(self, screen: str, action: str, done: list, report) -> None:
        button = self._button(action)
        if button is None or not button["enabled"]:
            return
        self._open(action, screen)
        last = None
        while True:
            tray = self._wait(lambda: (t := self._tray_on_screen()) not in (None, last) and t,
                              "the next tray", 30)
            if tray == "done":
                break
            L = self.launcher
            self._wait(lambda: L.door_open(tray), f"the door of {tray} to open", 15)
            L.take_paper(tray)
            self._click("Đã lấy hồ sơ / Taken")
            self._wait(lambda: self._button("Ô tiếp theo / Next tray") is not None,
                       "the next-tray button")
            L.close_door(tray)
            done.append(tray)
            last = tray
            self.remote.click("Ô tiếp theo / Next tray")
        self.remote.click("⌂ Tổng quan")
        self._wait(lambda: self._screen() == "overview", "the overview")

    def ready_results(self) -> list[dict]:
        """The result sheets the office sends with the staff member: every result the
        city has for this kiosk that is not in a tray yet (the office prints them
        whether or not the kiosk's link is up)."""
        city = self.launcher.city
        rows, _cursor, _more = city.db.results_after(self.launcher.kiosk_id, 0, 10000)
        return [r for r in rows if r["dossier_code"] not in self.loaded_codes]

    def _load(self, report) -> None:
        results = self.ready_results()
        if not results:
            return
        self._open("Nạp kết quả ›", "load")
        L = self.launcher
        for result in results:
            code = result["dossier_code"]
            # the result sheet's cover carries the dossier code as a QR: scan it
            L.show_code(code)
            known = self._wait(lambda: next((t for t in self._texts()
                                             if " · cỡ " in t or "Không có trong" in t), None),
                               f"the kiosk's look-up of {code}", 10)
            if "Không có trong" in known:
                # not in the kiosk's list (link down): the phone from the sheet, the size
                if not result.get("phone"):
                    report["problems"].append(f"{code}: unknown to the kiosk, no phone")
                    continue
                self.remote.type(result["phone"], via="keys")
                self.remote.click(f"Cỡ {result.get('tray_size') or 'M'}")
                report.setdefault("loaded_offline", []).append(code)
            before = len(L.unlocks_seen())
            self._click("Mở ô trống / Open a free tray")
            try:
                self._wait(lambda: len(L.unlocks_seen()) > before, "a tray to open", 15)
            except StaffStuck:
                report["problems"].append(f"{code}: no tray opened ("
                                          + " / ".join(self._texts()[-3:])[:160] + ")")
                continue
            tray = L.unlocks_seen()[before]
            self._wait(lambda: L.door_open(tray), f"the door of {tray}", 15)
            L.put_paper(tray)
            L.close_door(tray)
            self._wait(lambda: any(t.startswith(f"Đã nạp {code}") or "chưa nạp" in t
                                   or "Không ghi nhận" in t for t in self._texts()),
                       f"the kiosk to record {code}", 20)
            if any(t.startswith(f"Đã nạp {code}") for t in self._texts()):
                report["loaded"].append(code)
                self.loaded_codes.add(code)
            else:
                report["problems"].append(f"{code}: load not recorded in {tray}")
        self.remote.click("⌂ Tổng quan")
        self._wait(lambda: self._screen() == "overview", "the overview")

    def _finish(self, report) -> None:
        self._click("Kết thúc đợt và in báo cáo / Finish and print report")
        self._wait(lambda: self._screen() == "report", "the report screen")
        self._wait(lambda: any(t.startswith("Đợt ") and ":" in t for t in self._texts()),
                   "the round report", 30)
        self._leave()

    def _leave(self) -> None:
        """Sign out; the console closes and the citizen screens are back."""
        try:
            if self._button("Đăng xuất") is not None:
                self.remote.click("Đăng xuất")
            elif self._button("Đóng / Close") is not None:
                self.remote.click("Đóng / Close")
            self._wait(lambda: self._screen() not in CONSOLE_SCREENS, "the citizen screens",
                       10)
            if self._screen() != "welcome":
                # codes scanned at the console also reached the citizen screens behind it
                self.driver.home()
        except (RemoteError, StaffStuck) as exc:
            self.say(f"  could not leave the service console: {exc}")

    def wait_expiry(self, timeout: float = 75.0) -> None:
        """Give the kiosk's periodic expiry check (once a minute at most) time to see
        the results past their deadline after a clock jump."""
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
