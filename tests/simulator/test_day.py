"""A small scripted day, headless, through the real screens: a few citizens, one day,
one power cut. The counts must add up and nothing may be lost, doubled or misdirected.

One test on purpose: the day is played once (a module fixture would be played once per
xdist worker)."""
from __future__ import annotations

import json

import pytest

from sim.scenario.day import DayScenario

pytestmark = pytest.mark.slow


def test_a_small_day(tmp_path):
    out = tmp_path / "out"
    s = DayScenario(out=out, seed=7, citizens=5, days=1, power_cuts=1).run()
    why = {"stopped": s["visits_stopped"], "refused by the city": s["dead_letter_kinds"],
           "wrong trays": s["wrong_trays"], "audit": s["audit"]}

    # the counts add up
    now = s["now"]
    assert s["deposits"] >= 3, why                  # the power cut may cost one visit
    assert s["deposits"] == s["collected"] + now["DEPOSITED"], why
    assert s["results_loaded"] == s["picked_up"] + now["RESULT_LOADED"] + s["expired"], why
    assert s["expired"] == s["returned_to_office"] + now["EXPIRED"], why
    assert s["results_loaded"] > 0 and s["picked_up"] > 0, why

    # nothing lost or doubled on the way to the city
    assert s["events_generated"] > 0
    assert s["lost_events"] == 0, why
    assert s["events_delivered_unique"] == s["events_generated"], why
    assert s["duplicates_at_server"] == 0, why

    # the power cut, the journal, the trays
    assert s["power_cuts"] == 1 and s["kiosk_starts"] == 2
    assert s["audit_chain_ok"] is True, why
    assert s["wrong_tray_opened"] == 0, why
    assert s["checks"] == {name: True for name in s["checks"]}, why
    assert s["ok"] is True

    # everything written, nothing personal in the clear
    assert json.loads((out / "summary.json").read_text()) == s
    for name in ("kiosk.db", "kiosk.log", "city.db", "sms.jsonl", "outcomes.jsonl"):
        assert (out / name).stat().st_size > 0, name
    assert list((out / "screens").glob("*.png"))
    assert list((out / "receipts").glob("receipt-*.png"))
    # the office report over the day agrees with the simulator's own count
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    from kiosk.cli import main
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert main(["report", "--db", str(out / "kiosk.db"), "--from",
                 str(today - timedelta(days=1)), "--to", str(today + timedelta(days=6)),
                 "--out", str(out / "report")]) == 0
    import csv
    with open(out / "report" / "report.csv", encoding="utf-8") as fh:
        total = list(csv.DictReader(fh))[-1]
    assert total["date"] == "total"
    assert {k: int(total[k]) for k in ("deposited", "picked_up", "expired",
                                       "returned_to_office")} == \
        {"deposited": s["deposits"], "picked_up": s["picked_up"], "expired": s["expired"],
         "returned_to_office": s["returned_to_office"]}, why
    assert (out / "report" / "report.pdf").stat().st_size > 10_000
    for line in (out / "sms.jsonl").read_text(encoding="utf-8").splitlines():
        sms = json.loads(line)
        assert set(sms) == {"time", "to", "text", "via"}
        assert sms["to"].startswith("*******")
