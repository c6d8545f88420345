"""The shipped alert rules, in the real Prometheus server, against a simulated kiosk:
the printer runs out of paper, the alert fires; paper is back, the alert clears."""
import subprocess
from pathlib import Path

import pytest

from tests.fleet.conftest import wait_for
from tests.fleet.prom import Prometheus, ROOT

pytestmark = pytest.mark.slow


def test_rules_and_config_are_clean_for_promtool():
    for args in (["check", "rules", "config/prometheus/kiosk-rules.yml"],
                 ["check", "config", "config/prometheus/prometheus.yml"],
                 ["test", "rules", "config/prometheus/tests/kiosk-rules.test.yml"]):
        done = subprocess.run(["promtool", *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "SUCCESS" in done.stdout + done.stderr


def test_paper_out_fires_and_clears_in_real_prometheus(machine, tmp_path):
    services = machine.start()
    addr = (services.cfg.data_dir / "metrics.addr").read_text().strip()
    prom = Prometheus(tmp_path / "prom", addr, labels={"kiosk": "SIM-BINHTAY-01",
                                                       "ward": "binh-tay"}).start()
    try:
        assert wait_for(lambda: prom.query('up{job="kiosk"} == 1'), timeout=20), \
            "Prometheus never scraped the kiosk"
        total = prom.query("sum(kiosk_trays)")
        assert total and float(total[0]["value"][1]) == 24
        info = prom.query("kiosk_build_info")
        assert info[0]["metric"]["kiosk"] == "SIM-BINHTAY-01"
        assert not prom.firing("KioskPrinterOutOfPaper")

        machine.sims["printer"].set(paper_end=True)
        assert wait_for(lambda: prom.firing("KioskPrinterOutOfPaper"), timeout=30), \
            prom.alerts()
        alert = prom.firing("KioskPrinterOutOfPaper")[0]
        assert alert["labels"]["kiosk"] == "SIM-BINHTAY-01"
        assert alert["labels"]["severity"] == "warning"
        assert "out of paper" in alert["annotations"]["summary"]
        assert not prom.firing("KioskDeviceDown"), "paper out is not a dead printer"

        # every query of the Grafana dashboard is valid PromQL for this server
        import json
        import requests
        dash = json.loads((ROOT / "config/grafana/kiosk-fleet.json").read_text())
        for panel in dash["panels"]:
            for target in panel["targets"]:
                expr = target["expr"].replace("$kiosk", ".*")
                r = requests.get(prom.url + "/api/v1/query", params={"query": expr},
                                 timeout=5)
                assert r.json()["status"] == "success", (panel["title"], r.text)

        machine.sims["printer"].set(paper_end=False)
        assert wait_for(lambda: not [a for a in prom.alerts()
                                     if a["labels"]["alertname"] == "KioskPrinterOutOfPaper"],
                        timeout=30), prom.alerts()
    finally:
        prom.stop()
