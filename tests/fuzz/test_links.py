"""Garbage on real pseudo-terminals: the modem driver and the serial code reader.

The device side answers with drawn bytes; the kiosk side must raise only its own error
type (``ModemError``) or, for the code reader, keep reading lines after any noise.
"""
from __future__ import annotations

import threading
from datetime import date

import pytest
from hypothesis import given, strategies as st

from hardware.codereader.serial_reader import SerialCodeReader
from hardware.modem.driver import AtModem, ModemError
from kiosk import cccd
from sim.ptylink import PtyLink
from tests.fuzz.conftest import fuzz_settings


class ScriptedModem:
    """Answers each command (ended by CR or Ctrl-Z) with the next scripted bytes."""

    def __init__(self, link: PtyLink, answers: list[bytes]):
        self.link, self.answers = link, list(answers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="fuzz-modem")
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            data = self.link.read(timeout=0.02)
            for _ in range(data.count(b"\r") + data.count(b"\x1a")):
                if self.answers:
                    self.link.write(self.answers.pop(0))

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)


ANSWER = st.one_of(
    st.sampled_from([b"OK\r\n", b"\r\nOK\r\n", b"ERROR\r\n", b"> ", b"\r\n> ",
                     b"+CMGS: 17\r\n\r\nOK\r\n", b"+CMS ERROR: 42\r\n", b"+CMS ERROR: 310\r\n",
                     b"+CME ERROR: SIM busy\r\n", b"+CMS ERROR: network\r\n",
                     b"+CSQ: 17,0\r\n\r\nOK\r\n", b"+CSQ: 99,99\r\nOK\r\n", b"+CSQ: x\r\nOK\r\n",
                     b"AT\r\r\nOK\r\n", b"\r\n", b"", b"OK", b">>>\r\n", b"+CMGS:\r\nOK\r\n"]),
    st.binary(max_size=64),
    st.text(max_size=40).map(lambda t: t.encode("utf-8") + b"\r\n"))
SETUP_OK = [b"OK\r\n"] * 4


@fuzz_settings(160)
@given(st.booleans(), st.lists(ANSWER, max_size=6), st.sampled_from(["send", "signal"]))
def test_modem_driver_answers(tried, past_setup, answers, call):
    tried("modem driver (pty)")
    link = PtyLink()
    device = ScriptedModem(link, (SETUP_OK if past_setup else []) + answers)
    modem = AtModem(link.path, timeout=0.15, send_timeout=0.15)
    try:
        if call == "send":
            refs = modem.send("0912345678", "Hồ sơ HS261127-7KQ4M đã có kết quả")
            assert refs
        else:
            rssi, ber = modem.signal()
            assert isinstance(rssi, int) and isinstance(ber, int)
    except ModemError as exc:
        assert str(exc)
    finally:
        modem.close()
        device.close()
        link.close()


@pytest.fixture(scope="module")
def reader_link():
    link = PtyLink()
    reader = SerialCodeReader(link.path, reconnect_s=0.1)
    assert reader.wait_connected(5)
    yield link, reader
    reader.close()
    link.close()


@fuzz_settings(320)
@given(noise=st.one_of(st.binary(max_size=300),
                       st.lists(st.sampled_from([b"\r", b"\n", b"\r\n", b"|", b"\xef\xbb\xbf",
                                                 b"079123456789|", b"\xff\xfe", b"\x00",
                                                 "Trần Thị Mai|".encode()]),
                                max_size=20).map(b"".join),
                       st.integers(4000, 5000).map(lambda n: b"x" * n)))
def test_code_reader_lines(tried, reader_link, noise):
    tried("code reader lines (pty)")
    link, reader = reader_link
    seen: list[str] = []
    sentinel = f"HS261127-{len(noise) % 10}KQ4M"
    got = threading.Event()

    def on_code(text):
        seen.append(text)
        if text == sentinel:
            got.set()

    reader._subscribers[:] = [on_code]
    link.write(noise + b"\r\n" + sentinel.encode() + b"\r\n")
    assert got.wait(5), f"the reader stopped after {noise[:40]!r}"
    for text in seen:
        assert text and "\r" not in text and "\n" not in text
        try:
            cccd.parse_cccd(text, today=date(2026, 11, 27))
        except cccd.NotAnIdCard:
            pass
    assert reader.health().ok
