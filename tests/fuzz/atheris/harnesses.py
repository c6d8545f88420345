"""Coverage-guided fuzzing with atheris (libFuzzer), by hand, where atheris installs.

    pip install atheris                     # not a project dependency
    python tests/fuzz/atheris/harnesses.py lockboard -atheris_runs=200000
    python tests/fuzz/atheris/harnesses.py list

Each target feeds the fuzzer's bytes to one parser of outside input and lets only that
parser's own error type pass; anything else is a crash that libFuzzer reports with the
input saved as crash-<sha1> (replay it: ``harnesses.py TARGET crash-<sha1>``).
"""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

import atheris  # noqa: E402

with atheris.instrument_imports():
    import requests
    from requests.adapters import BaseAdapter

    from hardware.lockboard import codec as lock
    from hardware.modem import codec as modem
    from hardware.printer import status as printer
    from kiosk import cccd
    from kiosk.config import ConfigError, parse_config
    from kiosk.pii import InvalidPhone, normalize_phone
    from kiosk.services.citizen import CitizenError, parse_id_text
    from sync.client import CityClient, parse_retry_after
    from sync.errors import CityError

import tomllib  # noqa: E402


def lockboard(data: bytes) -> None:
    try:
        lock.decode_reply(data)
    except lock.FrameError:
        pass
    try:
        lock.decode_command(data[:5])
    except lock.FrameError:
        pass
    lock.find_reply(data, data[0] & 0x0F if data else 0)


def printer_status(data: bytes) -> None:
    replies = {n: (data[n] if n < len(data) and data[0] >> n & 1 else None) for n in (1, 2, 3, 4)}
    printer.decode(replies)


def modem_lines(data: bytes) -> None:
    line = data.decode("ascii", "replace")
    if SKIP_KNOWN and any(len(run) > 4300 for run in line.split()):
        return                    # known: int() of more than 4300 digits raises
    modem.cms_error(line)
    modem.message_ref(line)
    modem.parse_csq(line)
    try:
        modem.from_ucs2_hex(line)
    except ValueError:
        pass


def code_reader(data: bytes) -> None:
    text = data.decode("utf-8", "replace").strip().lstrip("\ufeff")
    try:
        cccd.parse_cccd(text, today=date(2026, 11, 27))
    except cccd.NotAnIdCard:
        pass
    try:
        cccd.normalize_dossier_code(text)
    except ValueError:
        pass
    try:
        parse_id_text(text)
    except CitizenError:
        pass
    try:
        normalize_phone(text)
    except InvalidPhone:
        pass


# Set KIOSK_FUZZ_SKIP_KNOWN=1 to steer around bugs already reported, to look for others.
SKIP_KNOWN = os.environ.get("KIOSK_FUZZ_SKIP_KNOWN") == "1"


class _Canned(BaseAdapter):
    """A requests transport that answers with the fuzzer's bytes (status, headers, body)."""

    data = b""

    def send(self, request, **kw):
        fdp = atheris.FuzzedDataProvider(self.data)
        resp = requests.Response()
        resp.status_code = fdp.ConsumeIntInRange(200, 599)
        if SKIP_KNOWN and 300 <= resp.status_code < 400:
            resp.status_code += 100   # known: a redirect to a non-UTF-8 Location escapes
        for name in ("Retry-After", "Upload-Offset", "Upload-Length", "Location", "ETag"):
            if fdp.ConsumeBool():
                resp.headers[name] = fdp.ConsumeBytes(20).decode("latin-1")   # as http.client does
        resp._content = fdp.ConsumeBytes(fdp.remaining_bytes())
        resp.url = request.url
        resp.request = request
        return resp

    def close(self):
        pass


_client = CityClient("http://city.invalid/api/v1", "tok", "FUZZ-01")
_adapter = _Canned()
_client.session.mount("http://", _adapter)
_CALLS = [lambda c: c.ping(), lambda c: c.catalog("x"), lambda c: c.results(0, 5),
          lambda c: c.send_events([]), lambda c: c.upload_offset("/api/v1/uploads/u"),
          lambda c: c.upload_patch("/api/v1/uploads/u", 0, b"x"),
          lambda c: c.upload_create(key="k", length=1, sha256="0", dossier_code=None,
                                    filename=None)]


def city_answers(data: bytes) -> None:
    if not data:
        return
    _adapter.data = data[1:]
    try:
        _CALLS[data[0] % len(_CALLS)](_client)
    except CityError:
        pass
    parse_retry_after(data.decode("latin-1"))


def config_files(data: bytes) -> None:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return
    try:
        parse_config(doc, "fuzz.toml", "/tmp")
    except ConfigError:
        pass


TARGETS = {f.__name__: f for f in (lockboard, printer_status, modem_lines, code_reader,
                                   city_answers, config_files)}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in TARGETS:
        print("targets:", " ".join(TARGETS))
        sys.exit(0 if len(argv) > 1 and argv[1] == "list" else 2)
    target = TARGETS[argv[1]]
    atheris.Setup([argv[0]] + argv[2:], target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
