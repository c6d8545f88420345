"""Reading a profile file and turning every validation error into one plain line:
the file, the key, what was found and what is expected."""
from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from kiosk.config.cabinets import TRAY_SIZES
from kiosk.config.profile import KioskConfig

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent.parent / "config" / "sim.toml"


class ConfigError(Exception):
    """A profile that cannot be used; ``problems`` holds one line per problem."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(problems))


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
