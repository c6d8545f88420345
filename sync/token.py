"""The kiosk's bearer token for the city API, read from a file outside the database."""
from __future__ import annotations

import os

from kiosk.secrets import SecretFileError, read_secret
from sync.errors import TokenFileError


def read_token(path: str | os.PathLike) -> str:
    """The token text. Refuses a file that group or others may read (mode must be 0600)."""
    try:
        raw = read_secret(path)
    except SecretFileError as exc:
        raise TokenFileError(f"city API token: {exc}") from None
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise TokenFileError(f"city API token: {path} is not plain ASCII text; put only the "
                             "token the office issued in it") from None
