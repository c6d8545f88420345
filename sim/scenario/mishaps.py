"""What goes wrong during a scripted day: power cuts (``kill -9``) at chosen moments of
a visit, what the person at the machine does then, a network outage, a flaky city link,
the printer running out of paper and noise on the lock-board line."""
from __future__ import annotations

import time

from sim.scenario.remote_client import RemoteError, RemoteGone

CUT_STAGES = ("phone", "tray-open", "door-closed", "pickup-open", "idle")


class Mishaps:
    """A mixin of ``DayScenario`` (needs ``launcher``, ``driver``, ``rng``, ``say``,
    ``outcomes``, ``visit_no``, ``flaky_span``, ``faults_done``, ``cut_log``)."""

    def _cut(self, stage: str) -> None:
        delay = self.rng.uniform(0.3, 1.5)
        before = self.launcher.power_cuts
        self.launcher.power_cut(restart_after_s=delay)
        self.cut_log.append({"stage": stage, "sim_time": self.launcher.sim_now().isoformat(
            timespec="seconds"), "restart_after_s": round(delay, 2),
            "killed": self.launcher.power_cuts > before})
        self.say(f"  power cut at '{stage}' (kill -9), back in {delay:.1f} s")
        self.driver.remote.close()

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
