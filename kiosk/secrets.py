"""Secrets kept outside the database, in files only the kiosk user may read."""
from __future__ import annotations

import os
import secrets as _secrets
import stat
from pathlib import Path


class SecretFileError(Exception):
    """A secrets file that is missing, empty or readable by others."""


def _check_mode(path: Path) -> None:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretFileError(
            f"{path} is readable by other users (mode {stat.S_IMODE(mode):04o}); "
            f"run 'chmod 600 {path}' and start again")


def read_secret(path: str | os.PathLike, *, create: bool = False, nbytes: int = 32) -> bytes:
    """The bytes of a secrets file; with ``create``, a new random secret is written
    (mode 0600) when the file does not exist yet (first start of a simulator or test)."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise SecretFileError(f"{path} does not exist; create it with 'kiosk install' "
                                  "or copy the secret from the office, mode 0600")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        value = _secrets.token_hex(nbytes).encode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(value + b"\n")
        return value
    _check_mode(path)
    value = path.read_bytes().strip()
    if not value:
        raise SecretFileError(f"{path} is empty; put the secret in it (one line)")
    return value


def write_secret(path: str | os.PathLike, value: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(value)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
