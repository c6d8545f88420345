"""The crash loop: the simulator's scripted day with power cuts at random moments.

Each cut is a ``kill -9`` of the kiosk and, behind the power-loss layer
(``sim/powerloss/``), every write not yet synced is dropped before it starts again.
``make test`` runs a 20-cut day; ``make soak`` runs ``KIOSK_SOAK_CUTS`` cuts (1,000 by
default), prints the summary and keeps it in ``docs/survival/`` (``crash-loop.json`` and
``crash-loop.txt``). After the day: every requested cut happened, none lost or doubled a
dossier or an event, no tray opened twice or by itself, the journal chain intact, the
cabinet's paper where the database says, trays left UNKNOWN only after door cuts.
"""
from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CUTS = int(os.environ.get("KIOSK_SOAK_CUTS", "1000"))
KEEP = float(os.environ.get("KIOSK_SOAK_KEEP_SECTORS", "0.0"))
FIGURES = ("power_cuts_requested", "power_cuts_done", "power_cuts_in_visits",
           "power_cuts_in_door_transactions", "power_cuts_idle", "power_cuts_by_stage",
           "power_loss", "kiosk_starts", "citizens", "visits", "deposits", "picked_up",
           "events_generated", "events_delivered_unique", "lost_events",
           "duplicates_at_server", "wrong_tray_opened", "audit_chain_ok",
           "trays_unknown_at_end", "dossiers_in_no_tray", "cabinet_mismatches",
           "wall_seconds")


def play(out: Path, cuts: int, seed: int = 13) -> dict:
    from sim.scenario.day import DayScenario
    citizens = max(12, int(cuts * 0.6) + 6)
    return DayScenario(out=out, seed=seed, citizens=citizens, days=max(1, citizens // 50),
                       power_cuts=cuts, power_loss=KEEP).run()


def table(s: dict) -> str:
    return "\n".join(f"{k}: {json.dumps(s[k], ensure_ascii=False)}" for k in FIGURES
                     if k in s)


def must_hold(s: dict, cuts: int) -> None:
    why = {"checks": s["checks"], "mismatches": s["cabinet_mismatches"][:10],
           "stopped": s["visits_stopped"][:5]}
    assert s["power_cuts_requested"] == cuts
    assert s["power_cuts_done"] == cuts, why          # every requested cut happened
    assert s["power_loss"]["cuts"] == cuts
    assert s["power_cuts_in_visits"] + s["power_cuts_idle"] == cuts
    assert s["checks"] == {name: True for name in s["checks"]}, why
    assert s["lost_events"] == 0 and s["duplicates_at_server"] == 0
    assert s["wrong_tray_opened"] == 0 and s["audit_chain_ok"] is True


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_a_twenty_cut_day(tmp_path, record_property):
    s = play(tmp_path / "out", 20)
    record_property("soak_table", table(s))
    must_hold(s, 20)
    assert s["power_cuts_in_visits"] > 0
    assert s["power_loss"]["cuts_that_dropped_writes"] > 0   # the layer had work to do


@pytest.mark.soak
@pytest.mark.timeout(120 + 30 * CUTS)         # about 6 s a cut here; room for slower boxes
def test_power_cuts_during_the_scripted_day(tmp_path, record_property):
    s = play(tmp_path / "out", CUTS)
    text = (f"# make soak: crash loop, {CUTS} cuts (KIOSK_SOAK_CUTS={CUTS}, "
            f"KIOSK_SOAK_KEEP_SECTORS={KEEP}), seed 13\n# Python {sys.version.split()[0]}, "
            f"{platform.platform()}, {os.cpu_count()} cores\n" + table(s) +
            f"\nchecks: {json.dumps(s['checks'])}\nok: {s['ok']}\n")
    keep = ROOT / "docs" / "survival"
    keep.mkdir(parents=True, exist_ok=True)
    (keep / "crash-loop.txt").write_text(text, encoding="utf-8")
    (keep / "crash-loop.json").write_text(json.dumps(
        {k: s[k] for k in FIGURES + ("checks", "ok") if k in s}, indent=1,
        ensure_ascii=False) + "\n", encoding="utf-8")
    record_property("soak_table", text)
    must_hold(s, CUTS)
