"""The crash loop: the simulator's scripted day with ``kill -9`` at random moments.

``KIOSK_SOAK_CUTS`` sets the number of power cuts (1,000 by default); the scripted day
caps cuts at the number of visits, so the citizens scale with it. After the day: no lost
dossier or event, none duplicated at the city, no tray opened twice or by itself, the
journal chain intact (the scenario's own summary checks).
"""
from __future__ import annotations

import os

import pytest


CUTS = int(os.environ.get("KIOSK_SOAK_CUTS", "1000"))


@pytest.mark.soak
@pytest.mark.timeout(120 + 30 * CUTS)         # about 6 s a cut here; room for slower boxes
def test_power_cuts_during_the_scripted_day(tmp_path, record_property):
    from sim.scenario.day import DayScenario

    cuts = CUTS
    citizens = max(12, int(cuts * 0.6) + 6)
    s = DayScenario(out=tmp_path / "out", seed=13, citizens=citizens,
                    days=max(1, citizens // 50), power_cuts=cuts).run()
    record_property("soak_table", "\n".join(
        f"{k}: {s[k]}" for k in ("power_cuts", "kiosk_starts", "deposits", "picked_up",
                                 "events_generated", "events_delivered_unique",
                                 "lost_events", "duplicates_at_server", "wrong_tray_opened",
                                 "audit_chain_ok") if k in s))
    assert s["power_cuts"] >= min(cuts, citizens) // 2
    assert s["checks"] == {name: True for name in s["checks"]}
    assert s["lost_events"] == 0 and s["duplicates_at_server"] == 0
    assert s["wrong_tray_opened"] == 0 and s["audit_chain_ok"] is True
