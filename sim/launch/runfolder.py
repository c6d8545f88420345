"""The run folder: every file of one simulated kiosk, and the profile rewritten for it.

Any profile becomes one the simulators serve: data and secrets in the folder, every
serial port a pseudo-terminal link under ``<run>/dev``, the city pointed at the city
simulator. The folder survives a stop, so a second start continues the same world.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_PROFILE = REPO / "config" / "sim.toml"
DEFAULT_RUN = REPO / "var" / "sim"
OFFSET_FILE = "clock-offset"


class LaunchError(Exception):
    """The simulated kiosk cannot be started; the message says what to fix."""


@dataclass(frozen=True)
class TrayPlace:
    """Where a tray's latch is wired: which bus, board and lock."""
    tray: str
    cabinet: str
    size: str
    bus: str
    board: int
    lock: int


def write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def expand(template: str, run: Path) -> Path:
    p = Path(template.replace("{data_dir}", str(run))).expanduser()
    return p if p.is_absolute() else run / p


def tray_places(profile: dict) -> list[TrayPlace]:
    """The trays the profile wires to lock boards (GPIO trays have no simulated board)."""
    out = []
    for cab in profile.get("cabinets", []):
        boards = {b["address"]: b for b in cab.get("boards", [])}
        for grp in cab.get("trays", []):
            if grp.get("board") is None:
                continue
            bus = boards[grp["board"]]["bus"]
            for i in range(grp["count"]):
                out.append(TrayPlace(f"{cab['id']}{grp['first'] + i:02d}", cab["id"],
                                     grp["size"], bus, grp["board"],
                                     grp.get("first_lock", 1) + i))
    return out


def _section_lines(text: str):
    """(section header or '', line) for each line of a TOML text."""
    section = ""
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped.strip("[]").strip()
        yield section, line


_KEY = re.compile(r'^(\s*)([A-Za-z0-9_]+)(\s*=\s*)(.*)$')


def simulate_profile(text: str, run: Path, *, headless: bool = False) -> str:
    """Any profile turned into one the simulators can serve: data and secrets in the run
    folder, every serial port a pseudo-terminal link under ``<run>/dev``, SANE's test
    scanner, GPIO on the mock pin factory, a window instead of full screen. Comments
    stay, so the file still reads like the profile it came from."""
    out = []
    for section, line in _section_lines(text):
        m = _KEY.match(line)
        if not m:
            out.append(line)
            continue
        indent, key, eq, value = m.groups()
        new = None
        if section == "kiosk" and key == "data_dir":
            new = json.dumps(str(run)) + ("" if "simulated" in tomllib.loads(text).get(
                "kiosk", {}) else "\nsimulated = true")
        elif section == "kiosk" and key == "simulated":
            new = "true"                  # this profile drives simulators
        elif key == "port" and section in ("lock_buses", "printer", "code_reader", "modem"):
            path = json.loads(value.split("#")[0].strip())
            if not path.startswith("{data_dir}"):
                new = json.dumps("{data_dir}/dev/" + Path(path).name)
        elif section == "secrets" and key.endswith("_file"):
            path = json.loads(value.split("#")[0].strip())
            new = json.dumps("{data_dir}/secrets/" + Path(path).name)
        elif section == "scanner" and key == "device":
            new = '"test"'
        elif section == "scanner" and key == "driver":
            new = '"sane"'
        elif section == "code_reader" and key == "driver":
            new = '"serial"'
        elif section == "printer" and key == "transport":
            new = '"serial"'
        elif section == "gpio" and key == "pin_factory":
            new = '"mock"'
        elif section == "ui" and key == "fullscreen":
            new = "false"
        out.append(f"{indent}{key}{eq}{new}" if new is not None else line)
    return "\n".join(out)


def set_city(text: str, city_url: str, city: dict | None = None) -> str:
    """The [city] section pointed at the simulator, with the given settings."""
    return set_section(text, "city", {"base_url": city_url, **(city or {})})


def set_section(text: str, name: str, settings: dict) -> str:
    """A ``[name]`` section with these keys set (added when missing)."""
    out, in_city, written = [], False, False
    for section, line in _section_lines(text):
        if line.strip().startswith("["):
            in_city = line.strip() == f"[{name}]"
            out.append(line)
            if in_city:
                out.extend(f"{k} = {json.dumps(v)}" for k, v in settings.items())
                written = True
            continue
        m = _KEY.match(line)
        if in_city and m and m.group(2) in settings:
            continue
        out.append(line)
    if not written:
        out.append(f"\n[{name}]")
        out.extend(f"{k} = {json.dumps(v)}" for k, v in settings.items())
    return "\n".join(out)


class RunFolder:
    """Paths in the run folder, the written profile and the secrets (a mixin of
    ``SimLauncher``: needs ``run``, ``profile``, ``profile_src``, ``profile_text``,
    ``city``, ``city_settings``)."""

    @property
    def config_path(self) -> Path:
        return self.run / "kiosk.toml"

    @property
    def db_path(self) -> Path:
        return self.run / "kiosk.db"

    @property
    def log_path(self) -> Path:
        return self.run / "kiosk.log"

    @property
    def console_path(self) -> Path:
        """The kiosk process's stdout and stderr (tracebacks of a crash land here)."""
        return self.run / "kiosk-console.log"

    @property
    def offset_path(self) -> Path:
        return self.run / OFFSET_FILE

    @property
    def modem_inbox(self) -> Path:
        return self.run / "modem-inbox.jsonl"

    @property
    def remote_path(self) -> str:
        path = self.run / "remote.sock"
        if len(str(path)) < 100:
            return str(path)
        digest = hashlib.sha256(str(self.run).encode()).hexdigest()[:12]
        return f"/tmp/kiosk-remote-{digest}.sock"      # unix socket paths are short

    @property
    def kiosk_id(self) -> str:
        return self.profile["kiosk"]["id"]

    def dev(self, template: str) -> Path:
        return expand(template, self.run)

    def _write_profile(self) -> None:
        header = (f"# Written by kiosk-sim from {self.profile_src} for the run folder "
                  f"{self.run}; edits are overwritten at the next start.\n")
        body = set_city(self.profile_text, self.city.api_url, self.city_settings)
        # the city simulator's signing key pinned; metrics on a free port (metrics.addr)
        body = set_section(body, "commands", {"city_public_key": self.city.commands.public_key})
        body = set_section(body, "metrics", {"listen": "127.0.0.1:0"})
        tmp = self.config_path.with_suffix(".toml.new")
        tmp.write_text(header + body, encoding="utf-8")
        os.replace(tmp, self.config_path)

    def _secret_path(self, key: str, default: str) -> Path:
        return expand(self.profile.get("secrets", {}).get(key, default), self.run)

    def _token(self) -> str:
        path = self._secret_path("city_token_file", "{data_dir}/secrets/city.token")
        if path.exists():
            value = path.read_text().strip()
            if value:
                return value
        value = secrets.token_urlsafe(24)
        write_private(path, value.encode() + b"\n")
        return value

    def _write_secrets(self) -> None:
        path = self._secret_path("hmac_key_file", "{data_dir}/secrets/hmac.key")
        if not path.exists():
            write_private(path, secrets.token_hex(32).encode() + b"\n")
