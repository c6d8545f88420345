"""``python -m ui.main_window [--quit-after-first-paint]``: the citizen screens on an
in-memory demo world (no devices needed), and how long the first paint took."""
from __future__ import annotations

import time

from PyQt5.QtCore import QTimer
from PyQt5.QtWidgets import QApplication

from ui.main_window import CitizenWindow


def seconds_since_process_start() -> float | None:
    """How long this process has existed (Linux /proc), imports included."""
    try:
        import os
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def main(argv=None) -> int:
    """Show the citizen screens on an in-memory demo world (no devices needed)."""
    import argparse
    import sys
    started = time.perf_counter()
    parser = argparse.ArgumentParser(description="citizen screens on a demo world")
    parser.add_argument("--config", default=None)
    parser.add_argument("--quit-after-first-paint", action="store_true")
    args = parser.parse_args(argv)
    from kiosk.config import load_config
    from ui.demo_world import DemoWorld
    app = QApplication.instance() or QApplication(sys.argv[:1])
    world = DemoWorld(config=load_config(args.config))
    win = CitizenWindow(world.citizen, world.cfg, world.clock, vneid=world.vneid)
    win.resize(1920, 1080)
    if world.cfg.ui.fullscreen:
        win.showFullScreen()
    else:
        win.show()

    def report():
        if win.first_paint_at is None:
            QTimer.singleShot(5, report)
            return
        since_start = seconds_since_process_start()
        print(f"first screen painted {1000 * (win.first_paint_at - started):.0f} ms after "
              f"main() began, {1000 * (since_start or 0):.0f} ms after the process started",
              flush=True)
        if args.quit_after_first_paint:
            app.quit()
    QTimer.singleShot(0, report)
    code = app.exec_()
    win.shutdown()
    world.close()
    return code
