"""The pictures of Prometheus in docs/fleet.md: a simulated kiosk, the real Prometheus
scraping it every second with the shipped rules, the printer running out of paper, and
headless Chromium taking the screenshots. ``python -m tests.fleet.prometheus_screens``
(needs the Debian packages prometheus and chromium)."""
import sys, time, subprocess, tempfile, urllib.parse
from pathlib import Path
sys.path.insert(0, ".")
from tests.fleet.conftest import Machine, wait_for
from tests.fleet.prom import Prometheus
tmp = Path(tempfile.mkdtemp())
m = Machine(tmp)
out = Path("docs/screens")
def shot(url, name, w=1400, h=900):
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={w},{h}", f"--screenshot={out / name}", "--virtual-time-budget=8000", url],
                   check=True, capture_output=True)
try:
    s = m.start()
    addr = (s.cfg.data_dir / "metrics.addr").read_text().strip()
    p = Prometheus(tmp / "prom", addr, labels={"kiosk": "SIM-BINHTAY-01", "ward": "binh-tay"}).start()
    # a little life: two deposits, one tray out of service by command
    sys.path.insert(0, "tests/fleet")
    from tests.fleet.test_metrics import deposit
    deposit(s.ledger, "A01", txn="d1"); deposit(s.ledger, "A02", txn="d2")
    m.outcome(m.send("tray.out_of_service", {"tray": "A05"}))
    time.sleep(60)
    m.sims["printer"].set(paper_end=True)
    assert wait_for(lambda: p.firing("KioskPrinterOutOfPaper"), 30)
    time.sleep(25)
    shot(p.url + "/classic/alerts", "prometheus-alerts.png", h=700)
    q = urllib.parse.quote('kiosk_printer_paper{state="out"} or kiosk_trays{state=~"OUT_OF_SERVICE|OCCUPIED_DEPOSIT"}')
    shot(p.url + f"/graph?g0.expr={q}&g0.tab=0&g0.range_input=2m&g0.stacked=0", "prometheus-graph.png")
    shot(p.url + "/classic/targets", "prometheus-targets.png", h=450)
    p.stop()
finally:
    m.close()
