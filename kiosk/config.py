"""Load and validate a kiosk profile (TOML).

A profile is checked completely before any device is touched. Every problem becomes one
line naming the file, the key, what was found and what is expected (``ConfigError``);
the CLI prints them and exits with status 2.
"""
from __future__ import annotations

import re
import tomllib
from datetime import time as dtime
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (BaseModel, ConfigDict, Field, ValidationError, field_validator,
                      model_validator)

TRAY_SIZES = ("S", "M", "L")
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "sim.toml"


class ConfigError(Exception):
    """A profile that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KioskSection(_Section):
    id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: str = "Kiosk"
    office: str = ""
    office_address: str = ""
    timezone: str = "Asia/Ho_Chi_Minh"
    hotline: str = "1022"
    data_dir: str = "var/kiosk"
    languages: list[Literal["vi", "en", "zh"]] = ["vi", "en", "zh"]
    ward: str = ""                  # official 2025 name, e.g. "Phường Bình Tây"
    ward_code: str = ""             # its 5-digit code in the 2025 list (kiosk/wards.py)
    office_en: str = ""
    office_zh: str = ""
    office_hours: list[str] = ["07:30", "17:00"]

    @model_validator(mode="after")
    def _ward_in_2025_list(self):
        if self.ward or self.ward_code:
            from kiosk.wards import check_ward
            problems = check_ward(self.ward, self.ward_code)
            if problems:
                raise ValueError("\n".join(problems))
        from kiosk.calendar import parse_hhmm
        if len(self.office_hours) != 2:
            raise ValueError("kiosk.office_hours: expected [opens, closes], e.g. "
                             "['07:30', '17:00']")
        opens, closes = (parse_hhmm(t) for t in self.office_hours)
        if not opens < closes:
            raise ValueError("kiosk.office_hours: the office must open before it closes")
        return self

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}; expected an IANA name such as "
                             "'Asia/Ho_Chi_Minh'")
        return v


class SecretsSection(_Section):
    hmac_key_file: str = "{data_dir}/secrets/hmac.key"
    city_token_file: str = "{data_dir}/secrets/city.token"
    staff_totp_file: str = "{data_dir}/secrets/staff-totp.json"


class RoundsSection(_Section):
    times: list[str] = ["08:00", "13:30", "16:00"]
    expiry_days: Annotated[int, Field(ge=1, le=30)] = 3
    reminder_hours_before: Annotated[int, Field(ge=0, le=72)] = 24

    @field_validator("times")
    @classmethod
    def _times_valid(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("at least one round time is needed, e.g. ['08:00']")
        for t in v:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t):
                raise ValueError(f"round time {t!r} is not HH:MM (24-hour)")
        if len(set(v)) != len(v):
            raise ValueError("round times repeat")
        return sorted(v)

    def round_times(self) -> list[dtime]:
        return [dtime(int(t[:2]), int(t[3:])) for t in self.times]


class CitySection(_Section):
    base_url: Annotated[str, Field(pattern=r"^https?://")] = "http://127.0.0.1:8765/api/v1"
    timeout_s: Annotated[float, Field(gt=0, le=120)] = 5.0
    heartbeat_s: Annotated[float, Field(gt=0, le=3600)] = 60.0
    batch_size: Annotated[int, Field(ge=1, le=1000)] = 50
    retry_base_s: Annotated[float, Field(gt=0, le=60)] = 1.0
    retry_cap_s: Annotated[float, Field(gt=0, le=3600)] = 300.0
    results_poll_s: Annotated[float, Field(gt=0, le=3600)] = 60.0


class LockBus(_Section):
    id: Annotated[str, Field(min_length=1)]
    port: Annotated[str, Field(min_length=1)]
    baud: Literal[9600, 19200, 38400, 57600, 115200] = 19200
    reply_timeout_ms: Annotated[int, Field(ge=20, le=2000)] = 200
    retries: Annotated[int, Field(ge=0, le=10)] = 3


class LockBoard(_Section):
    bus: str
    address: Annotated[int, Field(ge=0, le=15)]
    locks: Annotated[int, Field(ge=1, le=16)] = 16
    item_sensors: bool = False


class TrayGroup(_Section):
    """A run of trays of one size on one board (or on GPIO pins)."""

    first: Annotated[int, Field(ge=1, le=99)]
    count: Annotated[int, Field(ge=1, le=99)]
    size: Literal["S", "M", "L"]
    board: int | None = None          # board address on the cabinet's boards
    first_lock: Annotated[int, Field(ge=1, le=16)] = 1
    relay_pins: list[int] | None = None   # GPIO alternative: one relay per tray
    door_pins: list[int] | None = None    # and one reed switch per door

    @model_validator(mode="after")
    def _one_driver(self):
        if self.board is None and self.relay_pins is None:
            raise ValueError("a tray group needs either 'board' or 'relay_pins'")
        if self.board is not None and self.relay_pins is not None:
            raise ValueError("a tray group takes 'board' or 'relay_pins', not both")
        if self.relay_pins is not None:
            if len(self.relay_pins) != self.count:
                raise ValueError(f"relay_pins has {len(self.relay_pins)} pins for "
                                 f"{self.count} trays")
            if self.door_pins is None or len(self.door_pins) != self.count:
                raise ValueError(f"door_pins must list one pin per tray ({self.count})")
        if self.board is not None and self.first_lock + self.count - 1 > 16:
            raise ValueError(f"locks {self.first_lock}..{self.first_lock + self.count - 1} "
                             "run past lock 16 of the board")
        return self


class Cabinet(_Section):
    id: Annotated[str, Field(pattern=r"^[A-Z]$")]
    tray_count: Annotated[int, Field(ge=1, le=99)]
    boards: list[LockBoard] = []
    trays: Annotated[list[TrayGroup], Field(min_length=1)]


class GpioSection(_Section):
    pin_factory: Literal["auto", "mock", "lgpio", "rpigpio", "native"] = "auto"
    relay_active_high: bool = True
    door_closed_when_high: bool = False   # reed switch to ground with pull-up
    pulse_ms: Annotated[int, Field(ge=50, le=3000)] = 500
    ups_on_battery_pin: int | None = None


class PrinterSection(_Section):
    enabled: bool = True
    transport: Literal["serial", "usb", "network", "file"] = "serial"
    port: str = "{data_dir}/dev/printer"
    baud: Literal[9600, 19200, 38400, 57600, 115200] = 38400
    usb_vendor: int | None = None
    usb_product: int | None = None
    host: str | None = None
    profile: str = "default"
    native_qr: bool = True
    width_dots: Annotated[int, Field(ge=384, le=832)] = 576


class ScannerSection(_Section):
    enabled: bool = True
    driver: Literal["sane", "folder"] = "sane"
    device: str = "test"
    folder: str = "{data_dir}/scans-in"
    dpi: Annotated[int, Field(ge=100, le=600)] = 200


class CodeReaderSection(_Section):
    enabled: bool = True
    driver: Literal["serial", "camera"] = "serial"
    port: str = "{data_dir}/dev/codereader"
    baud: Literal[9600, 19200, 38400, 57600, 115200] = 9600
    camera: int = 0


class ModemSection(_Section):
    enabled: bool = True
    port: str = "{data_dir}/dev/modem"
    baud: Literal[9600, 19200, 38400, 57600, 115200] = 115200


class UiSection(_Section):
    fullscreen: bool = True
    screen_dpi: Annotated[float, Field(ge=50, le=600)] = 96.0
    idle_timeout_s: Annotated[int, Field(ge=20, le=600)] = 60
    idle_warning_s: Annotated[int, Field(ge=20, le=120)] = 20
    door_open_alert_s: Annotated[int, Field(ge=10, le=1800)] = 120
    speech: bool = False


class KioskConfig(_Section):
    kiosk: KioskSection
    secrets: SecretsSection = SecretsSection()
    rounds: RoundsSection = RoundsSection()
    city: CitySection = CitySection()
    lock_buses: list[LockBus] = []
    cabinets: Annotated[list[Cabinet], Field(min_length=1)]
    gpio: GpioSection = GpioSection()
    printer: PrinterSection = PrinterSection()
    scanner: ScannerSection = ScannerSection()
    code_reader: CodeReaderSection = CodeReaderSection()
    modem: ModemSection = ModemSection()
    ui: UiSection = UiSection()

    # filled by load_config, not by the file
    source: str = ""
    base_dir: str = "."

    @model_validator(mode="after")
    def _cross_checks(self):
        problems: list[str] = []
        bus_ids = [b.id for b in self.lock_buses]
        for dup in sorted({b for b in bus_ids if bus_ids.count(b) > 1}):
            problems.append(f"lock_buses: bus id {dup!r} appears twice")
        cab_ids = [c.id for c in self.cabinets]
        for dup in sorted({c for c in cab_ids if cab_ids.count(c) > 1}):
            problems.append(f"cabinets: cabinet id {dup!r} appears twice")
        seen_trays: dict[str, str] = {}
        seen_locks: dict[tuple, str] = {}
        seen_pins: dict[int, str] = {}
        for ci, cab in enumerate(self.cabinets):
            where = f"cabinets[{ci}]"
            boards = {}
            for bi, board in enumerate(cab.boards):
                if board.bus not in bus_ids:
                    problems.append(f"{where}.boards[{bi}].bus: unknown bus {board.bus!r}; "
                                    f"expected one of {bus_ids or 'the [[lock_buses]] ids'}")
                key = (board.bus, board.address)
                if key in boards.values() or any(
                        (b.bus, b.address) == key for c in self.cabinets[:ci] for b in c.boards):
                    problems.append(f"{where}.boards[{bi}]: address {board.address} on bus "
                                    f"{board.bus!r} is used twice")
                boards[board.address] = key
            total = 0
            for gi, grp in enumerate(cab.trays):
                gwhere = f"{where}.trays[{gi}]"
                total += grp.count
                for n in range(grp.first, grp.first + grp.count):
                    tid = f"{cab.id}{n:02d}"
                    if tid in seen_trays:
                        problems.append(f"{gwhere}: duplicate tray id {tid} "
                                        f"(already in {seen_trays[tid]})")
                    seen_trays[tid] = gwhere
                if grp.board is not None:
                    match = [b for b in cab.boards if b.address == grp.board]
                    if not match:
                        problems.append(f"{gwhere}.board: unknown board {grp.board}; cabinet "
                                        f"{cab.id} has boards "
                                        f"{[b.address for b in cab.boards] or 'none'}")
                        continue
                    board = match[0]
                    last = grp.first_lock + grp.count - 1
                    if last > board.locks:
                        problems.append(f"{gwhere}: locks {grp.first_lock}..{last} but board "
                                        f"{board.address} has {board.locks} locks")
                    for lock in range(grp.first_lock, last + 1):
                        k = (board.bus, board.address, lock)
                        if k in seen_locks:
                            problems.append(f"{gwhere}: lock {lock} of board {board.address} "
                                            f"already drives {seen_locks[k]}")
                        seen_locks[k] = gwhere
                else:
                    for pin in (grp.relay_pins or []) + (grp.door_pins or []):
                        if pin in seen_pins:
                            problems.append(f"{gwhere}: GPIO pin {pin} already used by "
                                            f"{seen_pins[pin]}")
                        seen_pins[pin] = gwhere
            if total != cab.tray_count:
                problems.append(f"{where}.tray_count: cabinet {cab.id} says {cab.tray_count} trays but the "
                                f"tray groups define {total}")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    # ---- derived views -------------------------------------------------------------
    def path(self, template: str) -> Path:
        """Expand ``{data_dir}`` and make a path absolute against the profile's folder."""
        data_dir = Path(self.kiosk.data_dir).expanduser()
        if not data_dir.is_absolute():
            data_dir = Path(self.base_dir) / data_dir
        text = template.replace("{data_dir}", str(data_dir))
        p = Path(text).expanduser()
        return p if p.is_absolute() else Path(self.base_dir) / p

    @property
    def data_dir(self) -> Path:
        return self.path("{data_dir}")

    @property
    def db_path(self) -> Path:
        return self.data_dir / "kiosk.db"

    def trays(self) -> list["TraySpec"]:
        out = []
        for cab in self.cabinets:
            boards = {b.address: b for b in cab.boards}
            for grp in cab.trays:
                for i in range(grp.count):
                    tid = f"{cab.id}{grp.first + i:02d}"
                    if grp.board is not None:
                        b = boards[grp.board]
                        out.append(TraySpec(tid, cab.id, grp.size, b.bus, b.address,
                                            grp.first_lock + i, None, None, b.item_sensors))
                    else:
                        out.append(TraySpec(tid, cab.id, grp.size, None, None, None,
                                            grp.relay_pins[i], grp.door_pins[i], False))
        return out


class TraySpec:
    """Where one tray is wired: (bus, board, lock) or (relay pin, door pin)."""

    __slots__ = ("id", "cabinet", "size", "bus", "board", "lock", "relay_pin", "door_pin",
                 "item_sensor")

    def __init__(self, id, cabinet, size, bus, board, lock, relay_pin, door_pin, item_sensor):
        self.id, self.cabinet, self.size = id, cabinet, size
        self.bus, self.board, self.lock = bus, board, lock
        self.relay_pin, self.door_pin, self.item_sensor = relay_pin, door_pin, item_sensor

    def __repr__(self):
        return f"TraySpec({self.id}, {self.size}, bus={self.bus}, board={self.board}, lock={self.lock})"


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _describe(err: dict) -> str:
    key = _loc(tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p)))
    typ = err["type"]
    found = err.get("input")
    msg = err["msg"].removeprefix("Value error, ")
    if typ == "missing":
        return f"{key}: missing; this key is required"
    if typ == "extra_forbidden":
        return f"{key}: unknown key (found {found!r}); check the spelling against config/sim.toml"
    shown = repr(found)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if not err["loc"]:
        return msg
    if typ == "value_error":
        return f"{key}: {msg} (found {shown})" if not isinstance(found, (dict, list)) \
            else f"{key}: {msg}"
    expected = msg
    if typ == "too_short" and isinstance(found, list):
        return f"{key}: the list is empty; at least one entry is needed"
    for prefix in ("Input should be ", "Value should be ", "String should "):
        if expected.startswith(prefix):
            expected = ("" if prefix != "String should " else "a text that should ") + \
                expected[len(prefix):]
    return f"{key}: found {shown}; expected {expected}"


def parse_config(data: dict, source: str = "<memory>", base_dir: str = ".") -> KioskConfig:
    try:
        cfg = KioskConfig.model_validate({**data, "source": source, "base_dir": base_dir})
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            text = _describe(err)
            for part in text.split("\n"):
                problems.append(f"{source}: {part}")
        raise ConfigError(source, problems) from None
    return cfg


def load_config(path: str | Path | None = None) -> KioskConfig:
    path = Path(path) if path else DEFAULT_CONFIG
    if not path.exists():
        raise ConfigError(path, [f"{path}: file not found; pass --config with a profile "
                                 f"such as config/sim.toml"])
    try:
        raw = path.read_bytes().decode("utf-8")
        data = tomllib.loads(raw)
    except UnicodeDecodeError as exc:
        raise ConfigError(path, [f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); "
                                 "save the profile as UTF-8"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, [f"{path}: not valid TOML: {exc}; fix the syntax"]) from None
    return parse_config(data, str(path), str(path.resolve().parent))


def summary(cfg: KioskConfig) -> dict:
    trays = cfg.trays()
    sizes = {s: sum(1 for t in trays if t.size == s) for s in TRAY_SIZES}
    return {
        "config": cfg.source,
        "kiosk": cfg.kiosk.id,
        "ward": cfg.kiosk.ward, "ward_code": cfg.kiosk.ward_code,
        "office": cfg.kiosk.office, "office_hours": cfg.kiosk.office_hours,
        "cabinets": len(cfg.cabinets),
        "trays": len(trays),
        "trays_by_cabinet": {c.id: c.tray_count for c in cfg.cabinets},
        "trays_by_size": sizes,
        "lock_buses": [{"id": b.id, "port": b.port, "baud": b.baud} for b in cfg.lock_buses],
        "lock_boards": sum(len(c.boards) for c in cfg.cabinets),
        "devices": {
            "printer": cfg.printer.transport if cfg.printer.enabled else "disabled",
            "scanner": cfg.scanner.driver if cfg.scanner.enabled else "disabled",
            "code_reader": cfg.code_reader.driver if cfg.code_reader.enabled else "disabled",
            "modem": "serial" if cfg.modem.enabled else "disabled",
        },
        "rounds": cfg.rounds.times,
        "expiry_days": cfg.rounds.expiry_days,
        "timezone": cfg.kiosk.timezone,
    }
