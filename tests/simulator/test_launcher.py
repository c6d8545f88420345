"""The launcher: one run folder, real pseudo-terminals, a real city server, a child
process it can kill -9 and start again."""
from __future__ import annotations

import stat
import sys
import tomllib
from pathlib import Path

import pytest

from kiosk.config import load_config
from sim.launcher import REPO, LaunchError, SimLauncher, simulate_profile

# stands in for the kiosk where only the process matters: sleeps until killed
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_any_profile_becomes_a_simulated_one(tmp_path):
    text = simulate_profile((REPO / "config" / "binh-tay.toml").read_text("utf-8"),
                            tmp_path)
    data = tomllib.loads(text)
    assert data["kiosk"]["data_dir"] == str(tmp_path)
    assert all(b["port"].startswith("{data_dir}/dev/") for b in data["lock_buses"])
    assert data["printer"]["port"] == "{data_dir}/dev/kiosk-printer"
    assert all(v.startswith("{data_dir}/secrets/") for v in data["secrets"].values())
    assert data["scanner"]["device"] == "test"
    assert data["gpio"]["pin_factory"] == "mock"
    assert data["ui"]["fullscreen"] is False


def test_start_writes_a_valid_profile_and_private_secrets(tmp_path):
    run = tmp_path / "run"
    with SimLauncher(run, kiosk_cmd=SLEEPER) as sim:
        cfg = load_config(sim.config_path)
        assert cfg.data_dir == run
        assert cfg.city.base_url == sim.city.api_url
        for secret in (cfg.secrets.hmac_key_file, cfg.secrets.city_token_file):
            path = cfg.path(secret)
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            assert path.read_text().strip()
        # every device the profile names is there, at the path the kiosk will open
        for bus in cfg.lock_buses:
            assert Path(cfg.path(bus.port)).is_symlink()
        for port in (cfg.printer.port, cfg.code_reader.port, cfg.modem.port):
            assert Path(cfg.path(port)).is_symlink()
        assert sim.kiosk_running()
        token = cfg.path(cfg.secrets.city_token_file).read_text()
    # a second start reuses the folder: same secrets, same database place
    with SimLauncher(run, kiosk_cmd=SLEEPER) as again:
        cfg2 = load_config(again.config_path)
        assert cfg2.path(cfg2.secrets.city_token_file).read_text() == token
        assert again.city.url != ""


def test_power_cut_kills_and_restarts_the_kiosk(tmp_path):
    with SimLauncher(tmp_path / "run", kiosk_cmd=SLEEPER) as sim:
        first = sim.kiosk
        sim.power_cut(restart_after_s=0)
        assert first.returncode == -9            # SIGKILL: no chance to tidy up
        assert sim.kiosk is not first and sim.kiosk_running()
        sim.power_cut(restart_after_s=None)
        assert not sim.kiosk_running()
        assert sim.power_cuts == 2 and sim.kiosk_starts == 2
        log = sim.console_path.read_text()
        assert log.count("power cut (kill -9)") == 2


def test_the_cabinet_as_a_person_touches_it(tmp_path):
    with SimLauncher(tmp_path / "run", kiosk_cmd=SLEEPER) as sim:
        assert set(sim.cabinet()) == {p.tray for p in sim.places}
        assert sim.cabinet()["A09"] == {**sim.cabinet()["A09"], "door": "locked",
                                        "paper": False}
        sim.force_open("A09")
        assert sim.cabinet()["A09"]["door"] == "tampered"
        sim.put_paper("A09")
        sim.close_door("A09")
        assert sim.cabinet()["A09"]["door"] == "locked"
        assert sim.cabinet()["A09"]["paper"] is True
        with pytest.raises(LaunchError, match="no tray 'Z99'"):
            sim.close_door("Z99")


def test_clock_moves_kiosk_and_city_together(tmp_path):
    with SimLauncher(tmp_path / "run", kiosk_cmd=SLEEPER) as sim:
        city_before = sim.city.clock.offset_s
        sim.advance_clock(3600)
        assert sim.clock_offset() == 3600
        assert sim.city.clock.offset_s == city_before + 3600
        target = sim.next_round()
        sim.to_next_round(margin_s=5)
        assert abs((sim.sim_now() - target).total_seconds() - 5) < 2
        assert (target.hour, target.minute) in sim.round_times()


def test_network_switch_reaches_the_city(tmp_path):
    import requests
    with SimLauncher(tmp_path / "run", kiosk_cmd=SLEEPER) as sim:
        sim.network("down")
        with pytest.raises(requests.ConnectionError):
            requests.get(sim.city.api_url + "/ping", timeout=2)
        sim.network("up")
        assert requests.get(sim.city.url + "/_sim/stats", timeout=2).status_code == 200
        with pytest.raises(LaunchError, match="choose one of"):
            sim.network("sideways")


def test_delayed_restart_outlives_the_timer_thread(tmp_path):
    with SimLauncher(tmp_path / "run", kiosk_cmd=SLEEPER) as sim:
        first = sim.kiosk
        sim.power_cut(restart_after_s=0.2)
        timer = sim._restart_timer
        assert not sim.kiosk_running()
        timer.join(10)
        # the kiosk is forked by the keeper thread, so the timer thread ending does not
        # take the new kiosk with it (PR_SET_PDEATHSIG follows the forking thread)
        assert sim.kiosk is not first
        assert sim.kiosk.poll() is None
        assert sim.kiosk_starts == 2
