"""Touch to paint: a synthetic tap on the citizen window → the next frame painted.

The real ``ui.main_window.CitizenWindow`` on ``ui.demo_world.DemoWorld`` (real store,
ledger, OTP and citizen service; in-process stand-ins for devices), 1920x1080, offscreen.
Taps follow a citizen: Pick up on the welcome screen, ten digits and ten deletions on the
phone keypad (twice), Home, and a language switch back and forth. Measured per tap:
from the synthetic press to the end of the event-loop pass that painted the next frame
(Qt paints every dirty widget of the window in one pass); ``CitizenWindow``'s own
``touch_to_paint_ms`` hook (release → first paint event) is reported beside it.
Limit: one 60 Hz frame, 16.7 ms.
"""
from __future__ import annotations

import os
import sys
import time

from bench.stats import Result, main_for, median, p99

FRAME_MS = 1000.0 / 60.0


def run(quick: bool = False) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt5.QtCore import Qt
    from PyQt5.QtTest import QTest
    from PyQt5.QtWidgets import QApplication

    from ui.demo_world import DemoWorld
    from ui.main_window import CitizenWindow

    n = 200 if quick else 1000
    app = QApplication.instance() or QApplication(sys.argv[:1])
    world = DemoWorld()
    win = CitizenWindow(world.citizen, world.cfg, world.clock)
    try:
        win.resize(1920, 1080)
        win.show()
        deadline = time.monotonic() + 10
        while win.first_paint_at is None and time.monotonic() < deadline:
            app.processEvents()
        frames: list[float] = []
        by_kind: dict[str, list[float]] = {}
        lost = 0

        def tap(widget, kind: str) -> None:
            nonlocal lost
            before = len(win.touch_to_paint_ms)
            t0 = time.perf_counter()
            QTest.mouseClick(widget, Qt.LeftButton)
            end = time.monotonic() + 2.0
            while len(win.touch_to_paint_ms) == before and time.monotonic() < end:
                app.processEvents()
            t1 = time.perf_counter()
            if len(win.touch_to_paint_ms) == before:
                lost += 1            # nothing to repaint (should not happen: keys flash)
                return
            frames.append((t1 - t0) * 1000.0)
            by_kind.setdefault(kind, []).append(frames[-1])

        def plan():
            while True:
                yield win.current().choices["pickup"], "navigate"
                keypad = win.current().keypad
                for _ in range(2):
                    for d in "0912345678":
                        yield keypad.keys[d], "key"
                    for _ in range(10):
                        yield keypad.keys["⌫"], "key"
                yield win.header.home_btn, "navigate"
                yield win.header.lang_btns["en"], "language"
                yield win.header.lang_btns["vi"], "language"

        steps = plan()
        for _ in range(20):                      # warm-up: first show of each screen
            tap(*next(steps))
        frames.clear()
        by_kind.clear()
        win.touch_to_paint_ms.clear()
        while len(frames) < n and lost < n:
            tap(*next(steps))
        hook = list(win.touch_to_paint_ms)
    finally:
        win.shutdown()
        win.close()
        world.close()
    kinds = "; ".join(f"{k}: p99 {p99(v):.1f} ms, median {median(v):.1f} ms ({len(v)})"
                      for k, v in by_kind.items())
    return [Result("touch to paint", p99(frames), FRAME_MS, "ms",
                   how=f"p99 of {len(frames)} synthetic taps, press → frame painted",
                   limit_how="one 60 Hz frame",
                   notes=[f"median {median(frames):.1f} ms; {kinds}",
                          f"CitizenWindow.touch_to_paint_ms hook (release → first paint "
                          f"event): p99 {p99(hook):.1f} ms, median {median(hook):.1f} ms"]
                   + ([f"{lost} taps painted nothing within 2 s"] if lost else []),
                   extra={"median_ms": median(frames), "hook_p99_ms": p99(hook),
                          "by_kind": {k: p99(v) for k, v in by_kind.items()}})]


if __name__ == "__main__":
    main_for(run)
