"""GSM modem over AT commands: the SMS path when the city link is down.

Text mode with UCS2, so Vietnamese arrives with its diacritics; texts longer than 70
characters go as numbered parts. One command at a time (a lock), replies read with a
deadline, and a dead port is reopened on the next call instead of wedging the kiosk.
"""
from __future__ import annotations

import logging
import threading
import time

import serial

from hardware.ports import DeviceError, DeviceHealth, DeviceStatus

from . import codec

log = logging.getLogger(__name__)

SETUP = ("AT", "AT+CMGF=1", 'AT+CSCS="UCS2"', "AT+CSMP=17,167,0,8")


class ModemError(DeviceError):
    """The modem could not send; the message says what to check."""


class ModemNotAnswering(ModemError):
    pass


class SmsRejected(ModemError):
    """The modem or network refused the SMS (+CMS ERROR); ``transient`` says retry later."""

    def __init__(self, code: int):
        meaning, transient = codec.describe_cms(code)
        advice = ("check the SIM card of the modem" if code in codec.SIM_PROBLEMS else
                  "retry later; the SMS stays queued" if transient else
                  "check the phone number")
        super().__init__(f"SMS refused: +CMS ERROR {code} ({meaning})", advice)
        self.code = code
        self.transient = transient


def _mask(number: str) -> str:
    return "*" * max(0, len(number) - 3) + number[-3:]


class AtModem:
    """``hardware.ports.SmsModem`` on a serial port (pseudo-terminal in the simulator)."""

    def __init__(self, port: str, baud: int = 115200, *, timeout: float = 5.0,
                 send_timeout: float = 60.0, name: str = "modem"):
        self.port = port
        self.baud = baud
        self.timeout = timeout
        self.send_timeout = send_timeout
        self.name = name
        self._ser: serial.Serial | None = None
        self._ready = False
        self._resync = False
        self._buf = b""
        self._lock = threading.Lock()
        self._closed = False

    # ---- link -----------------------------------------------------------------------
    def _open(self) -> serial.Serial:
        if self._closed:
            raise ModemError("the modem driver is closed")
        if self._ser is None:
            try:
                self._ser = serial.Serial(self.port, self.baud, timeout=0.05,
                                          write_timeout=self.timeout, exclusive=True)
            except (serial.SerialException, OSError, ValueError) as exc:
                advice = ("another program holds the port; stop the kiosk service first"
                          if "lock" in str(exc).lower() else
                          "check the modem's USB cable and [modem] port")
                raise ModemNotAnswering(f"cannot open the GSM modem on {self.port}: {exc}",
                                        advice) from None
            self._ready = False
            self._buf = b""
        return self._ser

    def _drop(self) -> None:
        if self._ser is not None:
            try:
                self._ser.close()
            except (serial.SerialException, OSError):
                pass
        self._ser = None
        self._ready = False

    def _write(self, data: bytes) -> None:
        try:
            self._open().write(data)
        except (serial.SerialException, OSError) as exc:
            self._drop()
            raise ModemNotAnswering(f"writing to the modem failed: {exc}",
                                    "check the modem's cable and power") from None

    def _read_until(self, done, timeout: float) -> list[str]:
        """Read lines until ``done(line)`` or a prompt; returns the non-empty lines."""
        ser = self._open()
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._buf or self._buf.lstrip().startswith(b">"):
                if self._buf.lstrip().startswith(b">"):
                    self._buf = self._buf.lstrip()[1:].lstrip(b" ")
                    lines.append(">")
                    if done(">"):
                        return lines
                    continue
                raw, self._buf = self._buf.split(b"\n", 1)
                line = raw.decode("ascii", "replace").strip()
                if line:
                    lines.append(line)
                    if done(line):
                        return lines
            if time.monotonic() >= deadline:
                self._ready = False           # resynchronise before the next command
                self._resync = True
                raise ModemNotAnswering(
                    f"the modem did not answer within {timeout:g} s (got {lines[-3:]})",
                    "check the modem's power and cable; SMS stay queued meanwhile")
            try:
                self._buf += ser.read(256)
            except (serial.SerialException, OSError) as exc:
                self._drop()
                raise ModemNotAnswering(f"reading from the modem failed: {exc}",
                                        "check the modem's cable and power") from None

    def _command(self, command: str, timeout: float | None = None) -> list[str]:
        self._write(command.encode("ascii") + b"\r")
        lines = self._read_until(
            lambda ln: ln in ("OK", "ERROR") or ln.startswith(("+CMS ERROR", "+CME ERROR")),
            timeout or self.timeout)
        last = lines[-1]
        code = codec.cms_error(last)
        if code is not None:
            raise SmsRejected(code)
        if last != "OK":
            raise ModemError(f"the modem answered {last!r} to {command.split('=')[0]}",
                             "check the SIM card and that the modem takes text-mode SMS")
        return [ln for ln in lines[:-1] if ln != command]      # drop echo and OK

    def _setup(self) -> None:
        if self._ready:
            return
        if self._resync:
            # ESC ends a half-entered message left by a timeout; then drop stale replies.
            self._write(b"\x1b")
            time.sleep(0.1)
            try:
                self._open().reset_input_buffer()
            except (serial.SerialException, OSError):
                self._drop()
            self._resync = False
        self._buf = b""
        for cmd in SETUP:
            self._command(cmd)
        self._ready = True

    # ---- the port ---------------------------------------------------------------------
    def send(self, number: str, text: str) -> str:
        """Send ``text`` (split into 70-character parts if longer); returns the refs."""
        parts = codec.split_sms(text)
        refs = []
        with self._lock:
            self._setup()
            for part in parts:
                refs.append(self._send_part(number, part))
        log.info("SMS to %s sent in %d part(s), ref %s", _mask(number), len(parts),
                 ",".join(refs))
        return ",".join(refs)

    def _send_part(self, number: str, text: str) -> str:
        self._write(f'AT+CMGS="{codec.to_ucs2_hex(number)}"\r'.encode("ascii"))
        lines = self._read_until(lambda ln: ln == ">" or ln.startswith(
            ("+CMS ERROR", "+CME ERROR", "ERROR")), self.timeout)
        if lines[-1] != ">":
            code = codec.cms_error(lines[-1])
            if code is not None:
                raise SmsRejected(code)
            raise ModemError(f"the modem answered {lines[-1]!r} instead of the text prompt",
                             "check that the modem is in text mode (AT+CMGF=1)")
        self._write(codec.to_ucs2_hex(text).encode("ascii") + codec.CTRL_Z)
        lines = self._read_until(
            lambda ln: ln in ("OK", "ERROR") or ln.startswith(("+CMS ERROR", "+CME ERROR")),
            self.send_timeout)
        code = codec.cms_error(lines[-1])
        if code is not None:
            raise SmsRejected(code)
        if lines[-1] != "OK":
            raise ModemError(f"the modem answered {lines[-1]!r} to the message text")
        for ln in lines:
            ref = codec.message_ref(ln)
            if ref is not None:
                return ref
        raise ModemError("the modem said OK but gave no message reference (+CMGS)")

    def signal(self) -> tuple[int, int]:
        with self._lock:
            self._setup()
            for ln in self._command("AT+CSQ"):
                csq = codec.parse_csq(ln)
                if csq:
                    return csq
        raise ModemError("the modem gave no +CSQ reading")

    def health(self) -> DeviceHealth:
        try:
            rssi, ber = self.signal()
        except ModemNotAnswering as exc:
            return DeviceHealth(self.name, DeviceStatus.OFFLINE, str(exc), exc.advice)
        except ModemError as exc:
            return DeviceHealth(self.name, DeviceStatus.HWERROR, str(exc), exc.advice)
        dbm = codec.rssi_dbm(rssi)
        if dbm is None:
            return DeviceHealth(self.name, DeviceStatus.HWERROR, "no mobile network signal",
                                "check the antenna and the SIM card", {"rssi": rssi})
        return DeviceHealth(self.name, DeviceStatus.ONLINE, f"signal {dbm} dBm",
                            extra={"rssi": rssi, "dbm": dbm, "ber": ber})

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
