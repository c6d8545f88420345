"""A citizen's deposit and pickup played on the real screens through the remote control.

The script does only what a person at the machine does: taps what is on the screen
(found by its visible text, as the screens are labelled for people), types on the
keypad, shows a card to the code reader, reads the SMS on their phone, puts paper in the
tray that opened and pushes the door shut. What the kiosk decides (which tray, which
code) is read back from the screen and from the simulated hardware, never from inside.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from sim.scenario.citizens import Citizen
from sim.scenario.summary import _rows
from sim.scenario.remote_client import RemoteClient, RemoteError, RemoteGone

REPO = Path(__file__).resolve().parents[2]
I18N = REPO / "ui" / "i18n"
CODE_RE = re.compile(r"HS[0-9]{6}-[2-9A-HJ-NP-Z]{5}")
OTP_RE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
POLL_S = 0.02          # a look at the screen costs one local round trip


class FlowFailed(Exception):
    """The citizen could not finish; ``stage`` says where, the message what was seen."""

    def __init__(self, stage: str, message: str):
        super().__init__(f"{stage}: {message}")
        self.stage = stage


class PowerCut(Exception):
    """The flow was interrupted by a power cut the scenario ordered."""


def load_texts(lang: str = "vi") -> dict:
    return json.loads((I18N / f"{lang}.json").read_text(encoding="utf-8"))


@dataclass
class Outcome:
    kind: str                  # deposit | pickup
    citizen: str               # masked phone
    ok: bool = False
    code: str | None = None
    tray: str | None = None
    trays: list = field(default_factory=list)
    stage: str = ""
    detail: str = ""
    power_cut: bool = False
    seconds: float = 0.0


class KioskDriver:
    """Drives one kiosk (``SimLauncher``) like a stream of people would."""

    def __init__(self, launcher, *, screens_dir: Path | None = None, lang: str = "vi",
                 step_timeout: float = 20.0, on_cut=None):
        self.launcher = launcher
        self.t = load_texts(lang)
        self.remote = RemoteClient(launcher.remote_path)
        self.screens_dir = screens_dir
        self.step_timeout = step_timeout
        self.seen_screens: set[str] = set()
        self.cut_here: str | None = None         # stage at which to cut the power
        self.on_cut = on_cut                     # callback that performs the cut
        self.shots = 0

    # -- connection and screens --------------------------------------------------------
    def connect(self, wait_s: float = 90.0) -> None:
        if not self.remote.connected:
            self.remote.connect(wait_s)

    def text(self, key: str, **kw) -> str:
        value = self.t.get(key, key)
        return value.format(**kw) if kw else value

    def screen(self) -> str:
        name = self.remote.screen()
        if name not in self.seen_screens:
            self.seen_screens.add(name)
            self.shot(name)
        return name

    def shot(self, name: str) -> None:
        if self.screens_dir is None:
            return
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        try:
            self.remote.screenshot(str(self.screens_dir / f"{safe}.png"))
            self.shots += 1
        except RemoteError:
            pass

    def wait_screen(self, names, stage: str, timeout: float | None = None) -> str:
        names = {names} if isinstance(names, str) else set(names)
        deadline = time.monotonic() + (timeout or self.step_timeout)
        current = ""
        while time.monotonic() < deadline:
            current = self.screen()
            if current in names:
                return current
            if current == "problem" and "problem" not in names:
                raise FlowFailed(stage, "problem screen: " + self.problem_text())
            time.sleep(POLL_S)
        raise FlowFailed(stage, f"waited for {sorted(names)}, still on {current!r}")

    def problem_text(self) -> str:
        try:
            return " / ".join(w["text"] for w in self.remote.widgets()
                              if w["class"] == "QLabel" and w["text"]
                              and w["y"] > 100)[:300]
        except (RemoteError, RemoteGone):
            return "?"

    def click(self, key: str | None = None, *, text: str | None = None, stage: str,
              contains: bool = False, wait_enabled: float = 10.0) -> None:
        label = text if text is not None else self.text(key)
        deadline = time.monotonic() + wait_enabled
        while True:
            try:
                self.remote.click(label, contains=contains)
                return
            except RemoteError as exc:
                if time.monotonic() > deadline:
                    raise FlowFailed(stage, f"cannot tap {label!r}: {exc}") from None
                time.sleep(POLL_S)

    def maybe_cut(self, stage: str) -> None:
        if self.cut_here == stage and self.on_cut is not None:
            self.cut_here = None
            self.on_cut(stage)
            raise PowerCut(stage)

    def home(self) -> None:
        """Back to the welcome screen from wherever the last person left it."""
        for _ in range(4):
            name = self.screen()
            if name == "welcome":
                return
            for label in (self.text("nav.home"), self.text("problem.home"),
                          self.text("done.finish")):
                try:
                    self.remote.click(label, contains=True)
                    break
                except RemoteError:
                    continue
            time.sleep(0.1)
        self.wait_screen("welcome", "home")

    # -- what a citizen's phone shows --------------------------------------------------
    def sms_count(self, phone: str) -> int:
        return len(self._sms_to(phone))

    def _sms_to(self, phone: str) -> list[dict]:
        tail = phone[-9:]
        return [m for m in self.launcher.sms() if re.sub(r"\D", "", m["to"])[-9:] == tail]

    def wait_code(self, phone: str, before: int, stage: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msgs = self._sms_to(phone)
            for m in reversed(msgs[before:]):
                # a result-ready SMS may arrive meanwhile: its dossier code has 6 digits too
                found = OTP_RE.search(CODE_RE.sub("", m["text"]))
                if found:
                    return found.group(1)
            if self.screen() == "problem":
                raise FlowFailed(stage, "problem screen: " + self.problem_text())
            time.sleep(POLL_S)
        raise FlowFailed(stage, f"no SMS with a code reached {phone[:3]}*****{phone[-2:]}")

    # -- the cabinet ---------------------------------------------------------------------
    def wait_unlock(self, before: int, stage: str, timeout: float | None = None) -> str:
        deadline = time.monotonic() + (timeout or self.step_timeout)
        while time.monotonic() < deadline:
            seen = self.launcher.unlocks_seen()
            if len(seen) > before:
                tray = seen[before]
                if self.launcher.door_open(tray):
                    return tray
            if self.screen() == "problem":
                raise FlowFailed(stage, "problem screen: " + self.problem_text())
            time.sleep(POLL_S)
        raise FlowFailed(stage, "no tray opened")

    def wait_kiosk_sees_open(self, tray: str, timeout: float = 5.0) -> None:
        """A person waits for the screen to say the door is open before reaching in: the
        kiosk has confirmed the opening once its journal says OPEN (a retried unlock after
        a garbled reply pulses the latch again, and a door shut in between springs open)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                rows = _rows(self.launcher.db_path, "SELECT state FROM trays WHERE id = ?",
                             (tray,))
            except Exception:          # the kiosk is writing: try again
                rows = []
            if rows and rows[0]["state"] != "UNLOCKING":
                return
            time.sleep(POLL_S)

    # -- deposit ---------------------------------------------------------------------------
    def _visit(self, kind: str, citizen: Citizen, play) -> Outcome:
        """One visit timed, with where and why it stopped (or that the power went)."""
        out = Outcome(kind, citizen.masked_phone)
        t0 = time.monotonic()
        try:
            play(out)
            out.ok = True
        except FlowFailed as exc:
            out.stage, out.detail = exc.stage, str(exc)
        except PowerCut as exc:
            out.stage, out.power_cut = str(exc), True
        out.seconds = time.monotonic() - t0
        return out

    def deposit(self, citizen: Citizen, procedure_name: str, *, via_qr: bool,
                fee: bool) -> Outcome:
        return self._visit("deposit", citizen, lambda out: self._deposit(
            citizen, procedure_name, via_qr, fee, out))

    def _deposit(self, c: Citizen, proc: str, via_qr: bool, fee: bool, out: Outcome) -> None:
        for attempt in range(3):
            self.home()
            self.click("welcome.deposit", stage="start")
            self.wait_screen("deposit-catalog", "catalog")
            try:
                # the catalog may still be on its way from the city just after a start:
                # a person would go back and look again
                self.click(text=proc, stage="catalog", wait_enabled=2 if attempt < 2 else 5)
                break
            except FlowFailed:
                if attempt == 2:
                    raise
                time.sleep(1.0)
        self.wait_screen("deposit-procedure", "procedure")
        self.click("procedure.paper", stage="procedure")
        self.wait_screen("deposit-identify", "identify")
        if via_qr:
            self.launcher.show_code(c.cccd_qr())
        else:
            self.remote.type(c.id_number, via="keys")
            self.click(text="OK", stage="identify")
        self.wait_screen("deposit-privacy", "identify")
        self.click("privacy.accept", stage="privacy")
        self.wait_screen("deposit-phone", "privacy")
        before = self.sms_count(c.phone)
        self.remote.type(c.phone, via="keys")
        self.click(text="OK", stage="phone")
        self.maybe_cut("phone")
        self.wait_screen("deposit-otp", "phone", timeout=30)
        code = self.wait_code(c.phone, before, "otp")
        self.remote.type(code, via="keys")
        self.click(text="OK", stage="otp")
        name = self.wait_screen({"deposit-scan", "deposit-payment", "deposit-tray"}, "otp")
        unlocks = len(self.launcher.unlocks_seen())
        if name == "deposit-scan":
            self.click("scan.skip", stage="scan")
            name = self.wait_screen({"deposit-payment", "deposit-tray"}, "scan")
        if name == "deposit-payment":
            self.click(text="quầy", contains=True, stage="payment", wait_enabled=20)
            self.wait_screen("deposit-tray", "payment")
        tray = self.wait_unlock(unlocks, "tray")
        out.tray = tray
        self.maybe_cut("tray-open")
        self.wait_kiosk_sees_open(tray)
        self.launcher.put_paper(tray)
        self.launcher.close_door(tray)
        self.maybe_cut("door-closed")
        self.wait_screen("deposit-done", "door", timeout=30)
        deadline = time.monotonic() + self.step_timeout
        while out.code is None and time.monotonic() < deadline:
            for t in self.remote.texts():
                m = CODE_RE.search(t)
                if m:
                    out.code = m.group(0)
                    break
            else:
                time.sleep(POLL_S)
        if out.code is None:
            raise FlowFailed("done", "no dossier code on the done screen")
        self.click("done.finish", stage="done")
        self.wait_screen("welcome", "done")

    # -- pickup ------------------------------------------------------------------------------
    def pickup(self, citizen: Citizen, *, rate: int | None = 5) -> Outcome:
        return self._visit("pickup", citizen, lambda out: self._pickup(citizen, rate, out))

    def _pickup(self, c: Citizen, rate: int | None, out: Outcome) -> None:
        self.home()
        self.click("welcome.pickup", stage="start")
        self.wait_screen("pickup-phone", "start")
        before = self.sms_count(c.phone)
        self.remote.type(c.phone, via="keys")
        self.click(text="OK", stage="phone")
        self.wait_screen("pickup-otp", "phone", timeout=30)
        code = self.wait_code(c.phone, before, "otp")
        unlocks = len(self.launcher.unlocks_seen())
        self.remote.type(code, via="keys")
        self.click(text="OK", stage="otp")
        while True:
            name = self.wait_screen({"pickup-tray", "pickup-id", "rating", "welcome"},
                                    "pickup", timeout=30)
            if name == "pickup-id":
                self.remote.type(c.id_number, via="keys")
                self.click(text="OK", stage="pickup-id")
                self.wait_screen({"pickup-tray", "rating"}, "pickup-id")
                continue
            if name != "pickup-tray":
                break
            tray = self.wait_unlock(unlocks, "pickup-tray")
            unlocks += 1
            out.trays.append(tray)
            self.maybe_cut("pickup-open")
            self.wait_kiosk_sees_open(tray)
            self.launcher.take_paper(tray)
            self.launcher.close_door(tray)
            self.click("pickup.finish", stage="pickup-finish", wait_enabled=20)
            # the next tray (or the rating) comes up once the pickup is recorded
            deadline = time.monotonic() + self.step_timeout
            while time.monotonic() < deadline:
                if len(self.launcher.unlocks_seen()) > unlocks or \
                        self.screen() in ("rating", "welcome", "pickup-id", "problem"):
                    break
                time.sleep(POLL_S)
        if name == "rating":
            if rate:
                self.click(text="★" * rate, stage="rating")
            self.click("nav.home", stage="rating", contains=True)
        self.wait_screen("welcome", "end", timeout=10)
