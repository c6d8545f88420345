"""The plain sections of a profile: the kiosk, secrets, rounds, the city link, the
devices other than the lock boards, and the screens. Each is strict (unknown keys are
refused) and frozen."""
from __future__ import annotations

import re
from datetime import time as dtime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


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
    # a simulator's profile: allows the unauthenticated remote-control socket
    simulated: bool = False
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
