"""A small scripted day, headless, through the real screens: a few citizens, one day,
one power cut. The counts must add up and nothing may be lost, doubled or misdirected."""
from __future__ import annotations

import json

import pytest

from sim.scenario.day import DayScenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    out = tmp_path_factory.mktemp("day") / "out"
    summary = DayScenario(out=out, seed=7, citizens=5, days=1, power_cuts=1).run()
    return out, summary


def test_every_check_holds(day):
    out, s = day
    assert s["checks"] == {name: True for name in s["checks"]}, s["visits_stopped"]
    assert s["ok"] is True


def test_the_counts_add_up(day):
    _, s = day
    now = s["now"]
    assert s["deposits"] >= 3                       # the power cut may cost one visit
    assert s["deposits"] == s["collected"] + now["DEPOSITED"]
    assert s["results_loaded"] == s["picked_up"] + now["RESULT_LOADED"] + s["expired"]
    assert s["expired"] == s["returned_to_office"] + now["EXPIRED"]


def test_no_event_lost_or_duplicated(day):
    _, s = day
    assert s["events_generated"] > 0
    assert s["events_delivered_unique"] == s["events_generated"]
    assert s["lost_events"] == 0
    assert s["duplicates_at_server"] == 0


def test_chain_power_cut_and_trays(day):
    _, s = day
    assert s["power_cuts"] == 1
    assert s["kiosk_starts"] == 2
    assert s["audit_chain_ok"] is True
    assert s["wrong_tray_opened"] == 0


def test_everything_is_written(day):
    out, s = day
    assert json.loads((out / "summary.json").read_text()) == s
    for name in ("kiosk.db", "kiosk.log", "city.db", "sms.jsonl", "outcomes.jsonl"):
        assert (out / name).stat().st_size > 0, name
    assert list((out / "screens").glob("*.png"))
    assert list((out / "receipts").glob("receipt-*.png"))
    for line in (out / "sms.jsonl").read_text(encoding="utf-8").splitlines():
        sms = json.loads(line)
        assert set(sms) == {"time", "to", "text", "via"}
        assert sms["to"].startswith("*******")      # no phone number in the clear
