"""`kiosk doctor` against every simulator: all ok, then one device broken and named."""
import os
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main as cli
from kiosk.config import DEFAULT_CONFIG
from kiosk.secrets import write_secret
from sim.city import CitySim
from sim.codereader import CodeReaderSim
from sim.lockboard import SimLockBus
from sim.modem.device import ModemSim
from sim.printer import PrinterSim


@pytest.fixture
def kiosk(tmp_path):
    """A profile whose devices are all simulators, with secrets in place."""
    dev = tmp_path / "dev"
    with SimLockBus(dev / "lockbus-a", boards=[0, 1], seed=5) as bus, \
            PrinterSim(dev / "printer", tmp_path / "receipts") as printer, \
            ModemSim(dev / "modem", tmp_path / "sms.jsonl") as modem, \
            CodeReaderSim(dev / "codereader") as reader, \
            CitySim(tmp_path / "city.db", port=0) as city:
        data = tomllib.loads(Path(DEFAULT_CONFIG).read_text("utf-8"))
        data["kiosk"]["data_dir"] = str(tmp_path / "data")
        data["city"]["base_url"] = city.api_url
        data["city"]["timeout_s"] = 2
        for key in ("hmac_key_file", "city_token_file", "staff_totp_file"):
            write_secret(tmp_path / "data" / "secrets" / key, b"0123456789abcdef0123\n")
        data["secrets"] = {k: str(tmp_path / "data" / "secrets" / k)
                           for k in ("hmac_key_file", "city_token_file", "staff_totp_file")}
        data["lock_buses"][0]["port"] = bus.path
        data["printer"]["port"] = printer.path
        data["modem"]["port"] = modem.path
        data["code_reader"]["port"] = reader.path
        path = tmp_path / "kiosk.toml"
        path.write_text(_toml(data), "utf-8")
        yield {"config": str(path), "bus": bus, "printer": printer, "modem": modem,
               "city": city, "secrets": tmp_path / "data" / "secrets"}


def _toml(data: dict) -> str:
    """Just enough TOML for a profile (tables, arrays of tables, scalars, lists)."""
    import json
    lines = []

    def scalar(v):
        return json.dumps(v, ensure_ascii=False) if not isinstance(v, bool) else str(v).lower()

    def table(prefix, d):
        simple = {k: v for k, v in d.items() if not isinstance(v, (dict, list)) or
                  (isinstance(v, list) and not (v and isinstance(v[0], dict)))}
        for k, v in simple.items():
            lines.append(f"{k} = {scalar(v)}")
        for k, v in d.items():
            if isinstance(v, dict):
                lines.append(f"[{prefix}{k}]")
                table(f"{prefix}{k}.", v)
            elif isinstance(v, list) and v and isinstance(v[0], dict):
                for item in v:
                    lines.append(f"[[{prefix}{k}]]")
                    table(f"{prefix}{k}.", item)
    table("", data)
    return "\n".join(lines) + "\n"


def test_all_ok(kiosk, capsys):
    code = cli(["doctor", "--config", kiosk["config"]])
    out = capsys.readouterr().out
    assert code == 0, out
    for name in ("lock board 0 on bus-a", "lock board 1 on bus-a", "printer", "scanner",
                 "code reader", "modem", "city link", "secrets: city token", "data folder",
                 "catalog"):
        assert f"ok    {name}" in out, (name, out)
    assert "FAIL" not in out
    assert "the snapshot shipped with the package" in out      # never fetched yet


def test_silent_lock_board_is_named(kiosk, capsys):
    kiosk["bus"].set_fault(1, "silent")
    code = cli(["doctor", "--config", kiosk["config"]])
    out = capsys.readouterr().out
    assert code == 1
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL")]
    assert len(fails) == 1, out
    assert "lock board 1 on bus-a" in fails[0] and "do: check the RS485 wiring" in fails[0]
    assert "ok    lock board 0 on bus-a" in out


def test_printer_out_of_paper_is_named(kiosk, capsys):
    kiosk["printer"].set(paper_end=True)
    assert cli(["doctor", "--config", kiosk["config"]]) == 1
    fails = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("FAIL")]
    assert len(fails) == 1 and fails[0].startswith("FAIL  printer:")
    assert "do:" in fails[0]


def test_modem_silent_and_loose_secret(kiosk, capsys):
    kiosk["modem"].silent = True
    os.chmod(kiosk["secrets"] / "city_token_file", 0o644)
    assert cli(["doctor", "--config", kiosk["config"]]) == 1
    out = capsys.readouterr().out
    fails = [ln for ln in out.splitlines() if ln.startswith("FAIL")]
    names = sorted(ln.split(":")[0] for ln in fails)
    assert names == ["FAIL  city link", "FAIL  modem", "FAIL  secrets"], out
    assert any("chmod 600" in ln for ln in fails)


def test_bad_profile_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[kiosk]\nid = ''\n", "utf-8")
    assert cli(["doctor", "--config", str(bad)]) == 2
    assert "FAIL  profile" in capsys.readouterr().out


def test_missing_bus_port_is_one_line(kiosk, capsys, tmp_path):
    text = Path(kiosk["config"]).read_text("utf-8").replace(kiosk["bus"].path,
                                                            str(tmp_path / "no-such-port"))
    Path(kiosk["config"]).write_text(text, "utf-8")
    assert cli(["doctor", "--config", kiosk["config"]]) == 1
    fails = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("FAIL")]
    assert len(fails) == 1 and fails[0].startswith("FAIL  lock bus bus-a (boards 0, 1):")
    assert "does not exist" in fails[0]
