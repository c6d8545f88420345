"""Power cuts of the scripted day: the power-loss layer plugged into the launcher, and
the figures that say where the cuts fell.

A cut at the phone screen, with the tray door open, just after it closed or with a
pickup tray open falls during a citizen's visit; the door stages are the ones with a
tray transaction in flight (intent committed, pulse, door confirmation). ``idle`` is a
cut with nobody at the machine. Every requested cut must have killed a running kiosk.
"""
from __future__ import annotations

import sys
from collections import Counter

from sim.powerloss.vfs import drop_unsynced

VISIT_STAGES = ("phone", "tray-open", "door-closed", "pickup-open")
DOOR_STAGES = ("tray-open", "door-closed", "pickup-open")


def plug_power_loss(launcher, keep: float, seed: int, report: list[dict]) -> None:
    """Run the kiosk behind the power-loss VFS and drop its unsynced writes at every
    cut, before it starts again; ``report`` gets one entry per cut."""
    log_dir = launcher.run / "powerloss"
    launcher.kiosk_cmd = [sys.executable, "-m", "sim.powerloss", "--log-dir", str(log_dir),
                          "kiosk.cli", "run"]

    def drop() -> None:
        report.append(drop_unsynced(log_dir, keep=keep, seed=seed + len(report)))

    launcher.after_power_cut.append(drop)


def cut_figures(cut_log: list[dict], requested: int, power_loss: list[dict] | None,
                keep: float | None) -> dict:
    killed = [c for c in cut_log if c.get("killed", True)]
    stages = Counter(c["stage"] for c in killed)
    out = {
        "power_cuts_requested": requested,
        "power_cuts_done": len(killed),
        "power_cuts_missed": sum(1 for c in cut_log if not c.get("killed", True)),
        "power_cuts_in_visits": sum(stages[s] for s in VISIT_STAGES),
        "power_cuts_in_door_transactions": sum(stages[s] for s in DOOR_STAGES),
        "power_cuts_idle": stages["idle"],
        "power_cuts_by_stage": dict(sorted(stages.items())),
    }
    if power_loss is not None:
        out["power_loss"] = {
            "mode": "unsynced writes dropped" + (f", each sector kept with p={keep}"
                                                 if keep else " (all)"),
            "cuts": len(power_loss),
            "cuts_that_dropped_writes": sum(1 for r in power_loss if r["bytes_dropped"]),
            "bytes_dropped": sum(r["bytes_dropped"] for r in power_loss),
            "bytes_kept_at_random": sum(r["bytes_kept"] for r in power_loss),
        }
    return out
