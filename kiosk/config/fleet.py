"""The profile sections of a kiosk in a city fleet: where ``/metrics`` is served and
which key the city signs its remote commands with (docs/fleet.md)."""
from __future__ import annotations

import base64
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

_LISTEN = re.compile(r"^(?P<host>[A-Za-z0-9_.:\[\]-]+):(?P<port>\d{1,5})$")


class MetricsSection(BaseModel):
    """``listen = "127.0.0.1:9464"``; port 0 picks a free port (the simulator), and the
    address really used is written to ``<data_dir>/metrics.addr``. Empty: no metrics."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    listen: str = ""

    @field_validator("listen")
    @classmethod
    def _host_port(cls, v: str) -> str:
        if v == "":
            return v
        m = _LISTEN.match(v)
        if not m or int(m["port"]) > 65535:
            raise ValueError(f"listen {v!r} is not host:port, e.g. '127.0.0.1:9464' "
                             "(port 0: any free port)")
        return v

    def host_port(self) -> tuple[str, int]:
        host, _, port = self.listen.rpartition(":")
        return host.strip("[]"), int(port)


class CommandsSection(BaseModel):
    """The city's Ed25519 public key (base64 of the 32 raw bytes), pinned here: a command
    signed by any other key is refused. Empty: remote commands are off."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    city_public_key: str = ""
    poll_wait_s: Annotated[float, Field(ge=1, le=60)] = 20.0
    max_lifetime_s: Annotated[float, Field(ge=10, le=7 * 86400)] = 86400.0

    @field_validator("city_public_key")
    @classmethod
    def _key(cls, v: str) -> str:
        v = v.strip()
        if not v:
            return v
        try:
            raw = base64.b64decode(v, validate=True)
        except ValueError:
            raw = b""
        if len(raw) != 32:
            raise ValueError("city_public_key must be the base64 of a 32-byte Ed25519 "
                             "public key (44 characters ending in '='); ask the city for it")
        return v
