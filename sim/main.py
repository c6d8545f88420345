"""kiosk-sim: the whole kiosk on one machine, with no hardware.

    kiosk-sim                       city, devices, the kiosk and the technician window
    kiosk-sim --run var/sim2        another run folder (a second start reuses a folder)
    kiosk-sim --headless --scenario day --out out/demo [--seed N] [--citizens N] [--days D]
                                    a scripted day with no display, results in --out
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from sim.launcher import DEFAULT_PROFILE, DEFAULT_RUN, LaunchError, SimLauncher


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk-sim", description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n", 2)[2])
    p.add_argument("--run", default=None,
                   help="run folder (default var/sim in the source tree; a scenario "
                        "uses OUT/run)")
    p.add_argument("--profile", default=None,
                   help="kiosk profile to simulate (default config/sim.toml; a day of "
                        "more than 12 citizens a day takes config/binh-tay.toml, 90 trays)")
    p.add_argument("--seed", type=int, default=1, help="seed of every random choice")
    p.add_argument("--headless", action="store_true", help="no display: offscreen kiosk, "
                                                           "no technician window")
    p.add_argument("--scenario", choices=["day"], default=None, help="play a scripted day")
    p.add_argument("--out", default="out/demo", help="where the scenario writes its results")
    p.add_argument("--citizens", type=int, default=100, help="citizens who hand in a dossier")
    p.add_argument("--days", type=int, default=1, help="days to play")
    p.add_argument("--power-cuts", type=int, default=None,
                   help="power cuts at random moments (default: 3 per 100 citizens, at "
                        "least 1)")
    p.add_argument("-v", "--verbose", action="store_true")
    return p


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or platform in ("offscreen", "vnc", "eglfs", "linuxfb", "wayland"))


def run_interactive(args) -> int:
    if not has_display():
        print("kiosk-sim: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
              "  Run it from a graphical session, or play a scripted day with no display:\n"
              "  make demo   (kiosk-sim --headless --scenario day --out out/demo)",
              file=sys.stderr)
        return 2
    from PyQt5.QtCore import QTimer
    from PyQt5.QtWidgets import QApplication

    from sim.techwin import TechWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    launcher = SimLauncher(args.run or DEFAULT_RUN, profile=args.profile or DEFAULT_PROFILE,
                           seed=args.seed)
    try:
        launcher.start()
    except (LaunchError, OSError) as exc:
        print(f"kiosk-sim: {exc}", file=sys.stderr)
        return 1
    print(f"kiosk-sim: run folder {launcher.run}\n"
          f"  city simulator  {launcher.city.url}\n"
          f"  kiosk profile   {launcher.config_path}\n"
          f"  kiosk log       {launcher.log_path}\n"
          "  Ctrl-C or closing the technician window stops everything.", flush=True)
    win = TechWindow(launcher)
    win.resize(1280, 820)
    win.show()
    signal.signal(signal.SIGINT, lambda *a: app.quit())
    signal.signal(signal.SIGTERM, lambda *a: app.quit())
    tick = QTimer()
    tick.timeout.connect(lambda: None)      # lets Python see Ctrl-C while Qt waits
    tick.start(250)
    try:
        return app.exec_()
    finally:
        win.timer.stop()
        launcher.stop()
        print("kiosk-sim: stopped; the run folder stays for the next start", flush=True)


def run_headless(args) -> int:
    if args.scenario is None:
        launcher = SimLauncher(args.run or DEFAULT_RUN, profile=args.profile or DEFAULT_PROFILE,
                               seed=args.seed, headless=True)
        launcher.start()
        print(f"kiosk-sim: headless kiosk running in {launcher.run}; Ctrl-C stops",
              flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            launcher.stop()
        return 0
    from sim.scenario.day import DayScenario
    from sim.scenario.remote_client import RemoteError, RemoteGone
    scenario = DayScenario(out=Path(args.out), seed=args.seed, citizens=args.citizens,
                           days=args.days, power_cuts=args.power_cuts, profile=args.profile,
                           run_dir=args.run, log=print)
    try:
        summary = scenario.run()
    except (RemoteGone, RemoteError) as exc:
        if args.verbose:
            raise
        print(f"kiosk-sim: the day stopped: {exc}\n  the kiosk's own output is in "
              f"{scenario.run_dir / 'kiosk-console.log'}", file=sys.stderr)
        return 1
    print(f"kiosk-sim: the day is over. Results in {Path(args.out).resolve()}:\n"
          f"  summary.json  deposits {summary['deposits']}, picked up "
          f"{summary['picked_up']}, power cuts {summary['power_cuts']}, lost events "
          f"{summary['lost_events']}, chain {'ok' if summary['audit_chain_ok'] else 'BROKEN'},"
          f" wrong trays {summary['wrong_tray_opened']}\n"
          "  screens/  receipts/  sms.jsonl  kiosk.db  kiosk.log  city.db", flush=True)
    return 0 if summary.get("ok") else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # SIGTERM stops as cleanly as Ctrl-C: the kiosk, the simulators and the city go down
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(message)s")
    if args.scenario and not args.headless:
        print("kiosk-sim: a scenario runs headless; add --headless", file=sys.stderr)
        return 2
    try:
        return run_headless(args) if args.headless else run_interactive(args)
    except KeyboardInterrupt:
        return 130
    except LaunchError as exc:
        print(f"kiosk-sim: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
