"""Secrets files that group or others may read are refused, with the chmod to run."""
from __future__ import annotations

import os

import pytest

from kiosk.app import build_services
from kiosk.auth.staff import TotpSecrets
from kiosk.secrets import SecretFileError, read_secret, write_secret
from sync.errors import TokenFileError
from sync.token import read_token
from tests.lock.conftest import sim_profile

LOOSE = [0o640, 0o604, 0o644, 0o660, 0o606, 0o664, 0o610, 0o601]


def secret_file(tmp_path, name: str, content: bytes, mode: int):
    path = tmp_path / "secrets" / name
    write_secret(path, content)
    os.chmod(path, mode)
    return path


@pytest.mark.parametrize("mode", LOOSE)
def test_loose_modes_refused(tmp_path, mode):
    key = secret_file(tmp_path, "hmac.key", b"k" * 64, mode)
    with pytest.raises(SecretFileError, match=f"chmod 600 {key}"):
        read_secret(key)
    token = secret_file(tmp_path, "city.token", b"tok-0123456789\n", mode)
    with pytest.raises(TokenFileError, match="readable by other users"):
        read_token(token)
    totp = secret_file(tmp_path, "staff-totp.json", b'{"s001": "JBSWY3DPEHPK3PXP"}', mode)
    with pytest.raises(SecretFileError):
        TotpSecrets(totp).get("s001")


def test_owner_only_modes_accepted(tmp_path):
    for mode in (0o600, 0o400):
        key = secret_file(tmp_path, f"hmac-{mode:o}.key", b"k" * 64, mode)
        assert read_secret(key) == b"k" * 64
    written = tmp_path / "new" / "city.token"
    write_secret(written, b"tok\n")
    assert written.stat().st_mode & 0o777 == 0o600
    assert written.parent.stat().st_mode & 0o077 == 0


def test_the_kiosk_does_not_start_with_a_readable_key(tmp_path):
    cfg = sim_profile(tmp_path, str(tmp_path / "dev" / "lockbus-a"))
    key = cfg.path(cfg.secrets.hmac_key_file)
    write_secret(key, b"0123456789abcdef0123456789abcdef\n")
    os.chmod(key, 0o644)
    with pytest.raises(SecretFileError, match="chmod 600"):
        build_services(cfg)
    assert not cfg.db_path.exists()          # refused before the database was opened


def test_a_left_over_new_file_does_not_lend_its_mode(tmp_path):
    """A crash left ``city.token.new`` with mode 0644: the next write must not keep it."""
    path = tmp_path / "secrets" / "city.token"
    path.parent.mkdir(mode=0o700)
    left = path.with_name("city.token.new")
    left.write_bytes(b"old")
    os.chmod(left, 0o644)
    old_umask = os.umask(0o000)
    try:
        write_secret(path, b"tok-0123456789\n")
    finally:
        os.umask(old_umask)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_secret(path) == b"tok-0123456789"


def test_a_planted_link_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not overwrite")
    path = tmp_path / "secrets" / "hmac.key"
    path.parent.mkdir(mode=0o700)
    path.with_name("hmac.key.new").symlink_to(victim)
    write_secret(path, b"k" * 64)
    assert victim.read_bytes() == b"do not overwrite"
    assert not path.is_symlink() and read_secret(path) == b"k" * 64
    link = tmp_path / "secrets" / "linked.key"
    link.symlink_to(path)
    with pytest.raises(SecretFileError, match="not a link"):
        read_secret(link)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user "
                                              "(CI runs as root)")
def test_a_secret_owned_by_someone_else_is_refused(tmp_path):
    key = secret_file(tmp_path, "hmac.key", b"k" * 64, 0o600)
    os.chown(key, 65534, 65534)
    with pytest.raises(SecretFileError, match="belongs to .* not to root"):
        read_secret(key)
