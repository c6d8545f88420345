"""The ``[updates]`` section of a profile: which suite, when, and from where."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

WINDOW_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


class UpdatesSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # the repository suite this kiosk follows: a few kiosks on "canary" first, then "stable"
    suite: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")] = "stable"
    # local time (the kiosk's time zone), HH:MM-HH:MM; may cross midnight
    window: str = "02:00-04:00"
    # the city's repository; empty: use the apt sources already on the machine
    repository: str = ""
    keyring: str = "/usr/share/keyrings/kiosk-archive-keyring.gpg"
    # how long the restarted kiosk keeps refusing new transactions
    quiet_s: Annotated[int, Field(ge=0, le=600)] = 60
    doctor_timeout_s: Annotated[int, Field(ge=10, le=1800)] = 300
    package: str = "kiosk"
    # where the .deb files of the installed and the previous version are kept
    keep_dir: str = "{data_dir}/updates"

    @field_validator("window")
    @classmethod
    def _window_valid(cls, v: str) -> str:
        m = WINDOW_RE.match(v.replace(" ", ""))
        if not m:
            raise ValueError(f"window {v!r} is not HH:MM-HH:MM (24-hour), e.g. '02:00-04:00'")
        if m.group(1, 2) == m.group(3, 4):
            raise ValueError(f"window {v!r} is empty: start and end are the same")
        return v.replace(" ", "")

    @field_validator("repository")
    @classmethod
    def _repo_valid(cls, v: str) -> str:
        if v and not re.match(r"^(https?|file):/", v):
            raise ValueError(f"repository {v!r} must be an http(s):// or file:/ URL")
        return v
