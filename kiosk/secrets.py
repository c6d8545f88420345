"""Secrets kept outside the database, in files only the kiosk user may read."""
from __future__ import annotations

import os
import pwd
import secrets as _secrets
import stat
from pathlib import Path

# a new secrets file: never an existing file or a link planted where it will be written
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


class SecretFileError(Exception):
    """A secrets file that is missing, empty, readable by others or owned by another user."""


def _owner_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def _check(path: Path, st: os.stat_result) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise SecretFileError(f"{path} is not a regular file; put the secret in a plain "
                              "file, mode 0600")
    if st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretFileError(
            f"{path} is readable by other users (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run 'chmod 600 {path}' and start again")
    me = os.geteuid()
    if st.st_uid != me:
        # someone else could rewrite the secret (or has replaced the file)
        raise SecretFileError(
            f"{path} belongs to {_owner_name(st.st_uid)}, not to {_owner_name(me)} who runs "
            f"the kiosk; run 'chown {_owner_name(me)} {path}' if the file is the right one, "
            "otherwise write the secret again")


def _create(path: Path, value: bytes) -> None:
    fd = os.open(path, _CREATE, 0o600)
    try:
        os.fchmod(fd, 0o600)          # whatever the umask
        os.write(fd, value)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_secret(path: str | os.PathLike, *, create: bool = False, nbytes: int = 32) -> bytes:
    """The bytes of a secrets file; with ``create``, a new random secret is written
    (mode 0600) when the file does not exist yet (first start of a simulator or test)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        if not create:
            raise SecretFileError(f"{path} does not exist; create it with 'kiosk install' "
                                  "or copy the secret from the office, mode 0600")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        value = _secrets.token_hex(nbytes).encode()
        _create(path, value + b"\n")
        return value
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise SecretFileError(f"{path} cannot be read ({exc.strerror}); a secrets file is "
                              "a plain file (not a link), mode 0600") from None
    with os.fdopen(fd, "rb") as f:
        _check(path, os.fstat(f.fileno()))       # the file read is the file checked
        value = f.read().strip()
    if not value:
        raise SecretFileError(f"{path} is empty; put the secret in it (one line)")
    return value


def write_secret(path: str | os.PathLike, value: bytes) -> None:
    """Write a fresh file beside the old one and rename it over: a left-over ``.new``
    (from a crash, or planted) is removed first, never reused with its mode or owner."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".new")
    try:
        os.unlink(tmp)               # a link is removed, not followed
    except FileNotFoundError:
        pass
    _create(tmp, value)
    os.replace(tmp, path)
    dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)                # the rename survives a power cut too
    finally:
        os.close(dfd)
