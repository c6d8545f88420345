"""``kiosk-sim`` with the real ``kiosk run`` process: the city's key is pinned in the
run folder's profile, /metrics is on a free port named in metrics.addr, and a city
``kiosk.restart`` makes the kiosk leave and the launcher start it again."""
import time

import pytest
import requests

from kiosk.config import load_config
from sim.launcher import SimLauncher
from tests.fleet.conftest import wait_for

pytestmark = pytest.mark.slow


def scrape(run):
    try:
        addr = (run / "metrics.addr").read_text().strip()
        return requests.get(f"http://{addr}/metrics", timeout=2).text
    except (OSError, requests.RequestException):
        return ""


def test_sim_kiosk_serves_metrics_and_restarts_on_command(tmp_path):
    run = tmp_path / "run"
    with SimLauncher(run, headless=True) as sim:
        cfg = load_config(sim.config_path)
        assert cfg.commands.city_public_key == sim.city.commands.public_key
        assert cfg.metrics.listen == "127.0.0.1:0"
        assert wait_for(lambda: "kiosk_trays{" in scrape(run), timeout=60), \
            sim.console_path.read_text()[-3000:]
        r = requests.post(sim.city.url + "/_sim/commands", timeout=5,
                          json={"kiosk": sim.kiosk_id, "command": "kiosk.restart", "args": {}})
        cid = r.json()["id"]

        def status():
            got = requests.get(sim.city.url + "/_sim/commands",
                               params={"kiosk": sim.kiosk_id}, timeout=5).json()
            return [c for c in got if c["id"] == cid][0]["status"]
        # the kiosk acknowledges, leaves with status 75 and is started again; under load
        # the acknowledgement may only leave with the second kiosk's outbox
        assert wait_for(lambda: sim.kiosk_starts == 2, timeout=90), \
            sim.console_path.read_text()[-3000:]
        assert wait_for(lambda: status() == "done", timeout=90)
        assert wait_for(lambda: "kiosk_trays{" in scrape(run), timeout=60)
