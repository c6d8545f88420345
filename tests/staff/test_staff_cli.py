"""`kiosk staff add|list|disable` on a real profile and database."""
import io
import os
import stat
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main as cli
from kiosk.config import DEFAULT_CONFIG


@pytest.fixture
def config(tmp_path):
    text = Path(DEFAULT_CONFIG).read_text("utf-8").replace(
        'data_dir = "../var/sim"', f'data_dir = "{tmp_path / "data"}"')
    assert tomllib.loads(text)["kiosk"]["data_dir"] == str(tmp_path / "data")
    path = tmp_path / "kiosk.toml"
    path.write_text(text, "utf-8")
    return str(path)


def test_add_list_disable(config, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("482913\n"))
    assert cli(["staff", "add", "--id", "nv01", "--name", "Lê Văn Nam", "--pin-stdin",
                "--config", config]) == 0
    out = capsys.readouterr().out
    assert "otpauth://totp/" in out and "482913" not in out
    assert "█" in out or "▀" in out                   # the terminal QR
    secrets = tmp_path / "data" / "secrets" / "staff-totp.json"
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    monkeypatch.setattr("sys.stdin", io.StringIO("739164\n"))
    assert cli(["staff", "add", "--id", "kt01", "--name", "Phạm Minh Tuấn", "--role",
                "technician", "--pin-stdin", "--config", config]) == 0
    capsys.readouterr()
    assert cli(["staff", "list", "--config", config]) == 0
    listing = capsys.readouterr().out
    assert "nv01" in listing and "kt01" in listing and "technician" in listing
    assert cli(["staff", "disable", "nv01", "--config", config]) == 0
    capsys.readouterr()
    cli(["staff", "list", "--config", config])
    assert "disabled" in [ln for ln in capsys.readouterr().out.splitlines()
                          if ln.startswith("nv01")][0]


def test_refusals_say_why(config, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("123456\n"))
    assert cli(["staff", "add", "--id", "nv09", "--name", "Trần Thị Mai", "--pin-stdin",
                "--config", config]) == 1
    assert "PIN" in capsys.readouterr().err
    assert cli(["staff", "disable", "nobody", "--config", config]) == 1
    assert "no staff ID nobody" in capsys.readouterr().err


def test_pins_must_match(config, monkeypatch, capsys):
    answers = iter(["482913", "482914"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli(["staff", "add", "--id", "nv02", "--name", "Trần Thị Mai",
                "--config", config]) == 1
    assert "differ" in capsys.readouterr().err
