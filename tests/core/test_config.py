"""Profiles: the shipped ones load; broken ones fail with one clear line per problem."""
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main as cli
from kiosk.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parents[2]


def sim_data():
    return tomllib.loads((ROOT / "config/sim.toml").read_text())


def problems(data):
    with pytest.raises(ConfigError) as info:
        parse_config(data, "broken.toml")
    return info.value.problems


def test_binh_tay_has_two_cabinets_and_90_trays(capsys):
    cfg = load_config(ROOT / "config/binh-tay.toml")
    trays = cfg.trays()
    assert len(cfg.cabinets) == 2 and len(trays) == 90
    assert [t.id for t in trays][:2] == ["A01", "A02"] and trays[-1].id == "B60"
    assert len({(t.bus, t.board, t.lock) for t in trays}) == 90
    assert cli(["check-config", str(ROOT / "config/binh-tay.toml")]) == 0
    out = capsys.readouterr().out
    assert "cabinets   2 (A: 30, B: 60)" in out and "trays      90" in out


def test_sim_profile_is_the_default_and_valid():
    cfg = load_config(None)
    assert cfg.source.endswith("sim.toml") and len(cfg.trays()) == 24
    assert cfg.path(cfg.printer.port).name == "printer"


def test_missing_key():
    data = sim_data()
    del data["kiosk"]["id"]
    assert problems(data) == ["broken.toml: kiosk.id: missing; this key is required"]


def test_missing_section():
    data = sim_data()
    del data["cabinets"]
    assert problems(data) == ["broken.toml: cabinets: missing; this key is required"]


def test_wrong_types_each_named():
    data = sim_data()
    data["lock_buses"][0]["baud"] = "fast"
    data["rounds"]["expiry_days"] = "three"
    data["cabinets"][0]["trays"][0]["size"] = "XL"
    got = problems(data)
    assert len(got) == 3
    assert any("lock_buses[0].baud: found 'fast'" in p and "19200" in p for p in got)
    assert any("rounds.expiry_days: found 'three'" in p for p in got)
    assert any("cabinets[0].trays[0].size: found 'XL'" in p and "'S', 'M' or 'L'" in p
               for p in got)


def test_duplicate_tray_ids():
    data = sim_data()
    data["cabinets"][0]["trays"][1]["first"] = 5     # A05..A12 overlaps A01..A08
    got = problems(data)
    assert any("duplicate tray id A05" in p for p in got)


def test_unknown_board():
    data = sim_data()
    data["cabinets"][0]["trays"][2]["board"] = 7
    got = problems(data)
    assert any("cabinets[0].trays[2].board: unknown board 7" in p for p in got)


def test_unknown_bus():
    data = sim_data()
    data["cabinets"][0]["boards"][1]["bus"] = "bus-z"
    assert any("unknown bus 'bus-z'" in p for p in problems(data))


def test_tray_count_must_match_the_boards():
    data = sim_data()
    data["cabinets"][0]["tray_count"] = 30
    got = problems(data)
    assert any("cabinets[0].tray_count: cabinet A says 30 trays but the tray groups define 24"
               in p for p in got)


def test_lock_used_twice_and_past_the_board():
    data = sim_data()
    data["cabinets"][0]["trays"][1]["first_lock"] = 5
    got = problems(data)
    assert any("lock 9 of board 0 already drives" in p or "lock 5 of board 0" in p
               for p in got)
    data = sim_data()
    data["cabinets"][0]["boards"][1]["locks"] = 4
    assert any("board 1 has 4 locks" in p for p in problems(data))


def test_unknown_key_and_bad_round_time():
    data = sim_data()
    data["kiosk"]["colour"] = "blue"
    data["rounds"]["times"] = ["08:00", "25:99"]
    got = problems(data)
    assert any("kiosk.colour: unknown key" in p for p in got)
    assert any("'25:99' is not HH:MM" in p for p in got)


@pytest.mark.parametrize("content,needle", [
    (b"[kiosk\nid = 1", "not valid TOML"),
    (b"\xff\xfe garbage", "not UTF-8"),
    (b"", "kiosk: missing"),
])
def test_garbage_files_exit_2_and_touch_nothing(tmp_path, content, needle):
    bad = tmp_path / "bad.toml"
    bad.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", str(bad)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert needle in proc.stderr and str(bad) in proc.stderr
    assert "no device was touched" in proc.stderr
    assert list(tmp_path.iterdir()) == [bad]


def test_missing_file_names_it(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nope.toml")
    assert "nope.toml: file not found" in info.value.problems[0]


def test_a_kiosk_needs_a_cabinet_with_trays():
    data = sim_data()
    data["cabinets"] = []
    assert problems(data) == ["broken.toml: cabinets: the list is empty; at least one entry "
                              "is needed"]
    data = sim_data()
    data["cabinets"][0]["trays"] = []
    assert any("cabinets[0].trays: the list is empty" in p for p in problems(data))
