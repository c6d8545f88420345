"""The end of a scripted day: let the kiosk deliver what it queued, copy the
databases out, count, and check the invariants that say whether anything was lost."""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict

from sim.launcher import REPO
from sim.scenario import summary as S
from sim.scenario.cuts import cut_figures


class Verdict:
    """A mixin of ``DayScenario`` (needs ``launcher``, ``out``, ``outcomes`` and the
    day's logs)."""

    def _drain(self, timeout: float = 60.0) -> int:
        """Wait until the kiosk has delivered every event (the network is up again)."""
        L = self.launcher
        L.flaky()
        L.network("up")
        deadline = time.monotonic() + timeout
        pending = -1
        while time.monotonic() < deadline:
            try:
                rows = S._rows(L.db_path, "SELECT COUNT(*) n FROM outbox WHERE delivered_at "
                                          "IS NULL AND dead_letter IS NULL")
                pending = rows[0]["n"]
            except Exception:   # noqa: BLE001 - the kiosk may be between transactions
                pending = -1
            if pending == 0:
                return 0
            time.sleep(0.25)
        return pending

    def _finish(self, t_start: float) -> dict:
        L = self.launcher
        self._reconnect()
        self._drain()          # what is still queued shows up as lost_events
        L.stop_kiosk()
        L.city.stop()
        S.backup_db(L.db_path, self.out / "kiosk.db")
        S.backup_db(L.run / "city" / "city.db", self.out / "city.db")
        kdb, cdb = self.out / "kiosk.db", self.out / "city.db"
        reached = S.reached(kdb)
        now = S.current(kdb)
        ev = S.events(kdb, cdb, L.kiosk_id)
        chain_ok, chain_text = S.audit_ok(kdb)
        cabinet = S.cabinet_vs_database(L.cabinet(), kdb)
        wrong = S.wrong_trays(L.unlocks_seen(), S.intents(kdb))
        deposits_ok = [o for o in self.outcomes if o.kind == "deposit" and o.ok]
        pickups_ok = [o for o in self.outcomes if o.kind == "pickup" and o.ok]
        summary = {
            "deposits": reached["DEPOSITED"],
            "collected": reached["COLLECTED"],
            "results_loaded": reached["RESULT_LOADED"],
            "picked_up": reached["PICKED_UP"],
            "expired": reached["EXPIRED"],
            "returned_to_office": reached["RETURNED_TO_OFFICE"],
            "cancelled": reached["CANCELLED"],
            **ev,
            "trays_unknown_after_recovery": S.trays_unknown_after_recovery(kdb),
            **cabinet,
            "power_cuts": L.power_cuts,
            "audit_chain_ok": chain_ok,
            "wrong_tray_opened": len(wrong),
            "now": now,
            "checks": {},
            "citizens": self.n_citizens,
            "days": self.days,
            "seed": self.seed,
            "profile": str(self.profile.relative_to(REPO)) if self.profile.is_relative_to(
                REPO) else str(self.profile),
            "visits": len(self.outcomes),
            "deposits_finished_on_screen": len(deposits_ok),
            "pickups_finished_on_screen": len(pickups_ok),
            "visits_stopped": [{"kind": o.kind, "stage": o.stage, "detail": o.detail[:200]}
                               for o in self.outcomes if not o.ok and not o.power_cut],
            **cut_figures(self.cut_log, self.power_cuts, self.power_loss_report
                          if self.power_loss is not None else None, self.power_loss),
            "power_cut_moments": self.cut_log,
            "faults": self.faults_done,
            "staff_rounds": self.staff_reports,
            "seconds_in_deposits": round(sum(o.seconds for o in self.outcomes
                                             if o.kind == "deposit"), 1),
            "seconds_in_pickups": round(sum(o.seconds for o in self.outcomes
                                            if o.kind == "pickup"), 1),
            "seconds_in_rounds": round(sum(r.get("seconds", 0) for r in self.staff_reports), 1),
            "median_deposit_s": _median([o.seconds for o in deposits_ok]),
            "median_pickup_s": _median([o.seconds for o in pickups_ok]),
            "audit": chain_text[:300],
            "wrong_trays": wrong,
            "kiosk_starts": L.kiosk_starts,
            "wall_seconds": round(time.monotonic() - t_start, 1),
        }
        summary["checks"] = checks(summary)
        summary["ok"] = all(summary["checks"].values())
        with (self.out / "outcomes.jsonl").open("w", encoding="utf-8") as f:
            for o in self.outcomes:
                f.write(json.dumps(asdict(o), ensure_ascii=False) + "\n")
        return summary

    def _collect_files(self) -> None:
        L = self.launcher
        if (L.run / "screens").is_dir():      # the kiosk writes inside its run folder only
            shutil.copytree(L.run / "screens", self.out / "screens", dirs_exist_ok=True)
        S.copy_receipts(L.run, self.out / "receipts")
        S.write_sms(L.sms(), self.out / "sms.jsonl")
        if L.log_path.exists():
            shutil.copy2(L.log_path, self.out / "kiosk.log")


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[len(v) // 2], 2)


def checks(s: dict) -> dict[str, bool]:
    """The invariants of a day: the counts add up and nothing was lost or misdirected."""
    now = s["now"]
    return {
        "every_deposit_collected_or_waiting":
            s["deposits"] == s["collected"] + now["DEPOSITED"],
        "every_result_picked_up_waiting_or_expired":
            s["results_loaded"] == s["picked_up"] + now["RESULT_LOADED"] + s["expired"],
        "every_expired_result_returned_or_waiting":
            s["expired"] == s["returned_to_office"] + now["EXPIRED"],
        "no_event_lost": s["lost_events"] == 0,
        "no_event_duplicated": s["duplicates_at_server"] == 0,
        "journal_chain_ok": bool(s["audit_chain_ok"]),
        "no_wrong_tray_opened": s["wrong_tray_opened"] == 0,
        # the paper itself: the simulated cabinet agrees with the database, and a tray
        # left UNKNOWN is one a power cut put in doubt during a door transaction
        "cabinet_matches_database": not s["cabinet_mismatches"],
        "every_dossier_in_the_cabinet_in_a_tray": s["dossiers_in_no_tray"] == 0,
        "trays_unknown_only_after_door_cuts":
            s["trays_unknown_at_end"] <= s["power_cuts_in_door_transactions"],
        "every_requested_cut_done": s["power_cuts_done"] >= s["power_cuts_requested"],
        # a kiosk that offers nothing (an empty catalog) hands in nothing: not a good day
        "deposits_made": s["citizens"] == 0 or s["deposits"] > 0,
        "no_visit_stopped_at_the_catalog":
            not any(v["stage"] == "catalog" for v in s.get("visits_stopped", [])),
    }
