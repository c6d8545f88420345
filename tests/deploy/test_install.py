"""`kiosk install` into a temporary root: layout, modes, idempotence, clear refusals."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.cli.install_cmd import DEFAULT_PROFILE, install
from kiosk.config import load_config
from kiosk.secrets import read_secret, SecretFileError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def root(tmp_path):
    return tmp_path / "root"


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_layout_and_modes(root):
    report = install(root, kiosk_bin="/opt/kiosk/.venv/bin/kiosk")
    etc = root / "etc" / "kiosk"
    assert (etc / "kiosk.toml").read_bytes() == DEFAULT_PROFILE.read_bytes()
    assert mode(etc / "secrets") == 0o700
    key = etc / "secrets" / "hmac.key"
    assert mode(key) == 0o600 and len(read_secret(key)) == 64
    token = etc / "secrets" / "city.token"
    assert mode(token) == 0o600 and token.read_bytes() == b""
    with pytest.raises(SecretFileError, match="empty"):
        read_secret(token)                 # the kiosk refuses until the office's token is in
    assert mode(root / "var" / "lib" / "kiosk") == 0o750
    for f in ("etc/systemd/system/kiosk.service", "etc/udev/rules.d/99-kiosk.rules",
              "etc/systemd/journald.conf.d/kiosk.conf", "etc/pam.d/kiosk",
              "etc/polkit-1/rules.d/50-kiosk-power.rules"):
        assert mode(root / f) == 0o644, f
    assert report.status("user kiosk") == "skipped (not installing into /)"
    todo = "\n".join(report.todo)
    assert "useradd --system" in todo and "city.token" in todo and "99-kiosk.rules" in todo
    # the installed profile loads, and its data folder is the unit's StateDirectory
    cfg = load_config(etc / "kiosk.toml")
    assert str(cfg.data_dir) == "/var/lib/kiosk"


def test_second_run_changes_nothing(root):
    install(root)
    key = root / "etc/kiosk/secrets/hmac.key"
    before = key.read_bytes()
    report = install(root)
    assert key.read_bytes() == before
    assert {w for w, _ in report.lines} <= {"unchanged", "kept",
                                            "skipped (not installing into /)"}


def test_repairs_and_keeps_what_the_technician_edited(root):
    install(root)
    key = root / "etc/kiosk/secrets/hmac.key"
    key.chmod(0o644)
    rules = root / "etc/udev/rules.d/99-kiosk.rules"
    rules.write_text(rules.read_text().replace("REPLACE-LOCKS-A-SERIAL", "A10K3XYZ"))
    unit = root / "etc/systemd/system/kiosk.service"
    unit.write_text("[Unit]\nDescription=old\n")
    token = root / "etc/kiosk/secrets/city.token"
    token.write_text("tok-from-office\n")
    report = install(root)
    assert mode(key) == 0o600 and report.status(key) == "kept, mode 0644 -> 0600"
    assert "A10K3XYZ" in rules.read_text() and report.status(rules) == "kept"
    assert report.status(unit) == "updated" and "Type=notify" in unit.read_text()
    assert token.read_text() == "tok-from-office\n"
    assert not any("city.token" in t for t in report.todo)


def test_other_profile_kept_once_installed(root, tmp_path):
    install(root)
    other = tmp_path / "other.toml"
    data = (ROOT / "config" / "binh-tay.toml").read_text().replace("BINHTAY-KIOSK-01", "BINHTAY-KIOSK-02")
    other.write_text(data)
    report = install(root, other)
    assert report.status(root / "etc/kiosk/kiosk.toml").startswith("kept (differs from")
    assert "BINHTAY-KIOSK-01" in (root / "etc/kiosk/kiosk.toml").read_text()


def test_relative_data_dir_lands_under_the_root(root):
    install(root, ROOT / "config" / "sim.toml")
    # sim.toml keeps data in ../var/sim next to the profile, so under root/etc
    assert mode(root / "etc" / "var" / "sim" / "secrets" / "hmac.key") == 0o600


def test_invalid_profile_writes_nothing(root, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[kiosk]\nid = "x y"\n')
    rc = main(["install", "--root", str(root), "--config", str(bad)])
    assert rc == 2 and not root.exists()
    err = capsys.readouterr().err
    assert "kiosk.id" in err and "cabinets: missing" in err


def test_command_line(root):
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "install", "--root", str(root),
                          "--kiosk-bin", "/usr/local/bin/kiosk"],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Left to do on the kiosk" in out.stdout and "systemctl enable --now" in out.stdout
    unit = (root / "etc/systemd/system/kiosk.service").read_text()
    assert "-- /usr/local/bin/kiosk run --config /etc/kiosk/kiosk.toml" in unit
