"""A GSM modem's device side on a pseudo-terminal, written from docs/devices.md.

Answers the AT commands a kiosk uses and appends every SMS it "sends" to an inbox file,
one JSON object a line: {"time", "to", "text"}. Faults a technician or a test can set:
``no_network`` (+CMS ERROR: 331, no signal), ``cms_error = <code>`` (that error for
every message) and ``silent`` (the modem answers nothing, as when it hangs).
"""
from __future__ import annotations

import json
import os
import re
import threading
from datetime import datetime, timezone
from pathlib import Path

from sim.ptylink import PtyDevice, PtyLink

CR, LF, CTRL_Z, ESC = 0x0D, 0x0A, 0x1A, 0x1B


def _decode(text: str, charset: str) -> str:
    if charset == "UCS2":
        try:
            return bytes.fromhex(text).decode("utf-16-be")
        except ValueError:
            return text
    return text


class ModemSim(PtyDevice):
    def __init__(self, link: str | os.PathLike | None, inbox: str | os.PathLike, *,
                 echo: bool = False, rssi: int = 20):
        self.link = PtyLink(link)
        self.inbox = Path(inbox)
        self.inbox.parent.mkdir(parents=True, exist_ok=True)
        self.echo = echo
        self.rssi = rssi
        self.no_network = False
        self.cms_error: int | None = None
        self.silent = False
        self.commands: list[str] = []
        self._charset = "GSM"
        self._text_mode = False
        self._dcs = 0
        self._pending_to: str | None = None
        self._line = bytearray()
        self._ref = 0
        self._sent = threading.Condition()
        self.sent: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-modem", daemon=True)
        self._thread.start()

    @property
    def path(self) -> str:
        return self.link.path

    def wait_sent(self, count: int, timeout: float = 10.0) -> list[dict]:
        with self._sent:
            self._sent.wait_for(lambda: len(self.sent) >= count, timeout)
            return list(self.sent)

    def _answer(self, *lines: str) -> None:
        if self.silent:
            return
        self.link.write(b"".join(b"\r\n" + ln.encode("ascii") + b"\r\n" for ln in lines))

    def _run(self) -> None:
        while not self._stop.is_set():
            data = self.link.read(0.05)
            for byte in data:
                self._byte(byte)

    def _byte(self, b: int) -> None:
        if self._pending_to is not None:            # collecting the message body
            if b == CTRL_Z:
                body = self._line.decode("ascii", "replace")
                self._line.clear()
                to, self._pending_to = self._pending_to, None
                self._deliver(to, body)
            elif b == ESC:
                self._line.clear()
                self._pending_to = None
                self._answer("OK")
            elif b not in (CR, LF):
                self._line.append(b)
            return
        if b == ESC:                                # nothing to cancel outside a message
            return
        if b in (CR, LF):
            if self._line:
                cmd = self._line.decode("ascii", "replace").strip()
                self._line.clear()
                if self.echo and not self.silent:
                    self.link.write(cmd.encode() + b"\r")
                self._command(cmd)
            return
        self._line.append(b)

    def _command(self, cmd: str) -> None:
        self.commands.append(cmd)
        up = cmd.upper()
        if up in ("AT", "ATE0", "ATE1", "ATZ"):
            if up == "ATE0":
                self.echo = False
            elif up == "ATE1":
                self.echo = True
            self._answer("OK")
        elif up.startswith("AT+CMGF="):
            self._text_mode = up.endswith("1")
            self._answer("OK")
        elif up.startswith("AT+CSCS="):
            m = re.fullmatch(r'AT\+CSCS="([A-Z0-9]+)"', up)
            if m and m.group(1) in ("GSM", "UCS2", "IRA"):
                self._charset = m.group(1)
                self._answer("OK")
            else:
                self._answer("ERROR")
        elif up.startswith("AT+CSMP="):
            parts = up[8:].split(",")
            if len(parts) == 4 and all(p.strip().isdigit() for p in parts):
                self._dcs = int(parts[3])
                self._answer("OK")
            else:
                self._answer("ERROR")
        elif up == "AT+CSQ":
            self._answer(f"+CSQ: {99 if self.no_network else self.rssi},0", "OK")
        elif up.startswith("AT+CMGS="):
            m = re.fullmatch(r'AT\+CMGS="([^"]+)"(,\d+)?', cmd, re.IGNORECASE)
            if not self._text_mode:
                self._answer("+CMS ERROR: 302")
            elif not m:
                self._answer("+CMS ERROR: 96")
            elif self.no_network:
                self._answer("+CMS ERROR: 331")
            else:
                self._pending_to = _decode(m.group(1), self._charset)
                if not self.silent:
                    self.link.write(b"\r\n> ")
        else:
            self._answer("ERROR")

    def _deliver(self, to: str, body: str) -> None:
        if self.no_network:
            self._answer("+CMS ERROR: 331")
            return
        if self.cms_error is not None:
            self._answer(f"+CMS ERROR: {self.cms_error}")
            return
        text = _decode(body, self._charset)
        self._ref = (self._ref + 1) % 256
        record = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "to": to, "text": text}
        with self._sent:
            with self.inbox.open("a", encoding="utf-8") as f:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.sent.append(record)
            self._sent.notify_all()
        self._answer(f"+CMGS: {self._ref}", "OK")
