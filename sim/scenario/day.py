"""``kiosk-sim --headless --scenario day``: a busy day at the kiosk, played for real.

The kiosk runs offscreen in its own process under the launcher. Citizens come between
the staff rounds (08:00, 13:30, 16:00 by default) and hand in dossiers or pick up results
through the real screens; staff collect and load at each round; some citizens never come
back, so their results expire and go back to the office. On the way: a network outage,
device faults and power cuts (``kill -9``) at random moments. Then everything is written
into the output folder with a summary that says whether anything was lost.
"""
from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path

from sim.city.catalog import procedures
from sim.launcher import REPO, LaunchError, SimLauncher
from sim.scenario import summary as S
from sim.scenario.citizens import make_citizens
from sim.scenario.flows import KioskDriver, Outcome
from sim.scenario.remote_client import RemoteError, RemoteGone
from sim.scenario.staff import StaffDriver

CUT_STAGES = ("phone", "tray-open", "door-closed", "pickup-open", "idle")
SMALL_PROFILE = REPO / "config" / "sim.toml"
BUSY_PROFILE = REPO / "config" / "binh-tay.toml"


class DayScenario:
    def __init__(self, out: Path, *, seed: int = 1, citizens: int = 100, days: int = 1,
                 power_cuts: int | None = None, profile: str | None = None,
                 run_dir: str | None = None, pickup_share: float = 0.75,
                 log=None):
        self.out = Path(out).resolve()
        self.seed = seed
        self.rng = random.Random(seed)
        self.n_citizens = citizens
        self.days = max(1, days)
        self.power_cuts = power_cuts if power_cuts is not None else max(1, round(
            3 * citizens / 100 + 0.49))
        per_day = citizens / self.days
        self.profile = Path(profile) if profile else (
            SMALL_PROFILE if per_day <= 12 else BUSY_PROFILE)
        self.run_dir = Path(run_dir) if run_dir else self.out / "run"
        self.pickup_share = pickup_share
        self.say = log or (lambda *a: None)
        self.outcomes: list[Outcome] = []
        self.faults_done: list[dict] = []
        self.cut_log: list[dict] = []
        self.staff_reports: list[dict] = []

    # -- the world -----------------------------------------------------------------------
    def _fresh_out(self) -> None:
        if self.out.exists():
            for name in ("summary.json", "sms.jsonl", "kiosk.db", "kiosk.log", "city.db",
                         "outcomes.jsonl"):
                (self.out / name).unlink(missing_ok=True)
            for sub in ("screens", "receipts"):
                shutil.rmtree(self.out / sub, ignore_errors=True)
        if self.run_dir.exists():
            if self.run_dir != self.out / "run" and any(self.run_dir.iterdir()):
                raise LaunchError(f"{self.run_dir} is not empty; a scripted day starts from "
                                  "an empty run folder (leave --run out to use OUT/run)")
            shutil.rmtree(self.run_dir)
        self.out.mkdir(parents=True, exist_ok=True)

    def _launcher(self) -> SimLauncher:
        return SimLauncher(self.run_dir, profile=self.profile, seed=self.seed, headless=True,
                           city={"heartbeat_s": 2, "results_poll_s": 1, "retry_base_s": 0.2,
                                 "retry_cap_s": 2, "timeout_s": 2},
                           city_processing_s=2 * 3600)

    def _cut(self, stage: str) -> None:
        delay = self.rng.uniform(0.3, 1.5)
        self.launcher.power_cut(restart_after_s=delay)
        self.cut_log.append({"stage": stage, "sim_time": self.launcher.sim_now().isoformat(
            timespec="seconds"), "restart_after_s": round(delay, 2)})
        self.say(f"  power cut at '{stage}' (kill -9), back in {delay:.1f} s")
        self.driver.remote.close()

    def _reconnect(self) -> None:
        if not self.driver.remote.connected:
            self.driver.connect(90)

    # -- plan -----------------------------------------------------------------------------
    def _procedures(self) -> dict[str, list[dict]]:
        """Procedures a citizen can hand in and collect at the kiosk, by tray size."""
        by_size: dict[str, list[dict]] = {}
        for p in procedures():
            if p.get("kiosk_receive", True) and p.get("kiosk_return", True):
                by_size.setdefault(p.get("tray_size", "M"), []).append(p)
        return by_size

    def _pick_procedure(self, by_size: dict[str, list[dict]]) -> dict:
        """Sizes come in the proportion the cabinet was built for; mostly free ones."""
        sizes = [p.size for p in self.launcher.places if p.size in by_size]
        size = self.rng.choice(sizes) if sizes else self.rng.choice(sorted(by_size))
        free = [p for p in by_size[size] if not p["fee"]]
        paid = [p for p in by_size[size] if p["fee"]]
        pool = free if free and (not paid or self.rng.random() < 0.75) else paid
        return self.rng.choice(pool)

    def _windows(self, day_start: datetime) -> list[tuple[str, datetime]]:
        """(name, end) of the stretches between rounds, starting before the first."""
        ends = [day_start.replace(hour=h, minute=m) for h, m in self.launcher.round_times()]
        names = ["night"] + [f"after {e:%H:%M}" for e in ends]
        ends.append(day_start.replace(hour=21, minute=0))
        return list(zip(names, ends))

    # -- run -------------------------------------------------------------------------------
    def run(self) -> dict:
        t_start = time.monotonic()
        self._fresh_out()
        self.launcher = L = self._launcher()
        citizens = make_citizens(self.n_citizens, self.seed)
        by_size = self._procedures()
        self.say(f"kiosk-sim: a day of {self.n_citizens} citizens over {self.days} day(s), "
                 f"{self.power_cuts} power cut(s), profile {self.profile.name}; run folder "
                 f"{self.run_dir}")
        L.start(kiosk=False)
        # the day starts at 06:30 tomorrow (simulated time)
        zone = L.zone()
        start = (datetime.now(zone) + timedelta(days=1)).replace(hour=6, minute=30, second=0,
                                                                  microsecond=0)
        L.set_clock_offset((start - datetime.now(zone)).total_seconds())
        self.staff = StaffDriver(L, say=self.say)
        self.staff.enrol()
        L.start_kiosk()
        self.driver = KioskDriver(L, screens_dir=self.out / "screens", on_cut=self._cut)
        self.staff.driver = self.driver
        try:
            self.driver.connect(90)
            self._play(citizens, by_size, start)
            summary = self._finish(t_start)
        finally:
            self.driver.remote.close()
            L.stop()
        self._collect_files()
        (self.out / "summary.json").write_text(json.dumps(summary, indent=2,
                                                          ensure_ascii=False) + "\n")
        return summary

    def _play(self, citizens, by_size, start: datetime) -> None:
        L, rng = self.launcher, self.rng
        per_day = [citizens[i::self.days] for i in range(self.days)]
        # every visit number below the number of citizens surely comes (each hands in)
        span = range(2, max(3, self.n_citizens))
        cut_at = sorted(rng.sample(span, min(self.power_cuts, len(span))))
        n = self.n_citizens
        down = rng.randrange(max(1, int(n * 0.2)), max(2, int(n * 0.45)) + 1)
        outage = [down, down + max(2, int(n * 0.12))]
        # later a flaky link: dropped answers, server errors, requests applied twice
        self.flaky_span = (max(outage[1] + 1, int(n * 0.75)), max(outage[1] + 2, n))
        printer_out = rng.randrange(max(1, int(n * 0.1)), max(2, int(n * 0.9)) + 1)
        board_noise = rng.randrange(max(1, int(n * 0.1)), max(2, int(n * 0.9)) + 1)
        self.visit_no = 0
        self.waiting_pickup: list = []              # citizens told their result is ready
        no_show = set()
        codes: dict[str, object] = {}
        for day, todays in enumerate(per_day):
            day_start = start + timedelta(days=day)
            windows = self._windows(day_start)
            share = [0.3, 0.3, 0.2, 0.2][:len(windows)]
            queue = list(todays)
            for wi, (name, end) in enumerate(windows):
                n = round(len(todays) * share[wi]) if wi < len(windows) - 1 else len(queue)
                batch, queue = queue[:n], queue[n:]
                pickups = [c for c in self.waiting_pickup if c.phone not in no_show]
                self.waiting_pickup = []
                visits = [("deposit", c) for c in batch] + [("pickup", c) for c in pickups]
                rng.shuffle(visits)
                self.say(f"day {day + 1}, {name}: {len(batch)} deposits, {len(pickups)} "
                         f"pickups")
                for kind, c in visits:
                    self.visit_no += 1
                    self._faults(outage, printer_out, board_noise)
                    if self.visit_no in cut_at:
                        stage = rng.choice(CUT_STAGES if kind == "deposit" else
                                           ("pickup-open", "idle"))
                        if stage == "idle":
                            self._cut("idle")
                        else:
                            self.driver.cut_here = stage
                    self._reconnect()
                    if kind == "deposit":
                        proc = self._pick_procedure(by_size)
                        out = self.driver.deposit(c, proc["name"]["vi"],
                                                  via_qr=rng.random() < 0.5,
                                                  fee=bool(proc["fee"]))
                        if out.ok:
                            codes[out.code] = c
                            if rng.random() > self.pickup_share:
                                no_show.add(c.phone)
                    else:
                        out = self.driver.pickup(c, rate=rng.choice([None, 4, 5]))
                    self.outcomes.append(out)
                    if self.driver.cut_here is not None:
                        # the person stopped before the planned moment: cut it now
                        self.driver.cut_here = None
                        self._cut("idle")
                        self._reconnect()
                    if out.power_cut:
                        self._after_cut(c, kind)
                    elif not out.ok:
                        self.say(f"  {kind} of {c.masked_phone} stopped at {out.stage}: "
                                 f"{out.detail[:160]}")
                        self._recover_screen()
                if wi == len(windows) - 1:
                    continue                # the evening: no round until tomorrow 08:00
                # the round that closes this stretch
                if L.sim_now() < end:
                    self._advance((end - L.sim_now()).total_seconds() + 30)
                self._staff_round(codes)
        # cuts not done yet (more cuts than visits): with nobody at the machine
        while self.launcher.power_cuts < self.power_cuts:
            self._reconnect()
            self._cut("idle")
        # the results nobody came for: past the deadline, then the next round takes
        # them back to the office
        self._reconnect()
        expiry_days = int(L.profile.get("rounds", {}).get("expiry_days", 3))
        self._advance(expiry_days * 86400 + 3600)
        self.staff.wait_expiry()
        self._advance((L.next_round() - L.sim_now()).total_seconds() + 30)
        self._staff_round(codes)

    def _advance(self, seconds: float) -> None:
        """Jump the world's clock while nobody is at the screen, and give the kiosk a
        moment to see it (it re-reads the offset file a few times a second); a jump in
        the middle of someone's visit would end it as an idle timeout."""
        self.launcher.advance_clock(seconds)
        time.sleep(0.6)

    def _after_cut(self, citizen, kind: str) -> None:
        """What the person at the machine does when the screen goes black."""
        self._reconnect()
        out = self.outcomes[-1]
        if kind == "deposit" and out.tray and self.launcher.door_open(out.tray):
            # they had the door open: they put the papers in anyway and push it shut
            self.launcher.put_paper(out.tray)
            self.launcher.close_door(out.tray)
        for tray in out.trays:
            if self.launcher.door_open(tray):
                self.launcher.take_paper(tray)
                self.launcher.close_door(tray)

    def _recover_screen(self) -> None:
        """A person who gives up walks away; the next one starts from the home screen."""
        try:
            self._reconnect()
            for tray, hw in self.launcher.cabinet().items():
                if hw["door"] == "open":
                    self.launcher.close_door(tray)
            self.driver.home()
        except (RemoteError, RemoteGone, Exception) as exc:   # noqa: BLE001
            self.say(f"  could not get back to the home screen: {exc}")

    def _faults(self, outage, printer_out, board_noise) -> None:
        L, v = self.launcher, self.visit_no
        if v == outage[0]:
            L.network("down")
            self.faults_done.append({"visit": v, "fault": "network down"})
            self.say("  the city network goes down")
        elif v == outage[1]:
            L.network("up")
            self.faults_done.append({"visit": v, "fault": "network up"})
            self.say("  the city network is back")
        if v == self.flaky_span[0]:
            L.flaky(["drop", "500", "429", "duplicate", "delay", "reorder"], 0.15)
            self.faults_done.append({"visit": v, "fault": "flaky city link (15 % of "
                                                          "requests fail or come twice)"})
            self.say("  the city link gets flaky")
        elif v == self.flaky_span[1]:
            L.flaky()
            self.faults_done.append({"visit": v, "fault": "city link steady again"})
        if L.printer is not None and v == printer_out:
            L.printer.set(paper_end=True)
            self.faults_done.append({"visit": v, "fault": "printer paper out"})
            self.say("  the printer runs out of paper")
        elif L.printer is not None and v == printer_out + 3:
            L.printer.set(paper_end=False)
            self.faults_done.append({"visit": v, "fault": "printer paper refilled"})
        if v == board_noise and L.buses:
            # interference on the RS485 pair while the kiosk polls between citizens
            bus = next(iter(L.buses.values()))
            board = sorted(bus.boards)[0]
            bus.inject_noise()
            bus.set_fault(board, "corrupt", True, times=2)
            deadline = time.monotonic() + 10
            while bus.board(board).has_fault("corrupt") and time.monotonic() < deadline:
                time.sleep(0.1)
            self.faults_done.append({"visit": v, "fault": f"lock board {board}: line noise "
                                                          "and two corrupt replies"})

    def _staff_round(self, codes: dict) -> None:
        self._reconnect()
        t0 = time.monotonic()
        report = self.staff.round()
        report["seconds"] = round(time.monotonic() - t0, 1)
        self.staff_reports.append(report)
        for code in report.get("loaded", []):
            citizen = codes.get(code)
            if citizen is not None:
                self.waiting_pickup.append(citizen)
        self.say(f"  staff round at {self.launcher.sim_now():%a %H:%M}: " +
                 ", ".join(f"{k} {len(v) if isinstance(v, list) else v}"
                           for k, v in report.items() if k != "problems" or v))

    # -- the end ---------------------------------------------------------------------------
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
        # a kiosk that offers nothing (an empty catalog) hands in nothing: not a good day
        "deposits_made": s["citizens"] == 0 or s["deposits"] > 0,
        "no_visit_stopped_at_the_catalog":
            not any(v["stage"] == "catalog" for v in s.get("visits_stopped", [])),
    }
