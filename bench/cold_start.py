"""Cold start: process start → first citizen screen painted (offscreen).

Measured: a new Python process that does what ``kiosk run`` does — the welcome screen
painted first (``ui.boot.paint_first``, from the profile file), then behind it the
composition root ``kiosk.app.build_services`` on a profile whose devices and city are
the simulators (``bench.world``), ``services.start()`` and ``ui.boot.attach_services`` —
timed to ``CitizenWindow.first_paint_at`` (the attach is timed too, as a note, and a
start that never attaches fails the benchmark). Limit: a new Python process that
imports PyQt5.QtWidgets and paints one empty full-screen window. Both are timed from
the parent's ``time.monotonic()`` before the fork to the child's first paint on the same
clock; runs alternate so that a busy moment hits both.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.stats import CACHE_DIR, Result, main_for, median

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _report_first_paint(app, painted_at) -> None:
    """Print the monotonic time of the first paint, then leave the event loop."""
    from PyQt5.QtCore import QTimer

    def check():
        t = painted_at()
        if t is None:
            QTimer.singleShot(1, check)
            return
        print(f"PAINTED {t:.6f}", flush=True)
        app.quit()
    QTimer.singleShot(0, check)


def child_kiosk(profile_file: str) -> int:
    """What ``kiosk run`` does (kiosk/cli/run_cmd.py): the welcome screen painted first
    by ``ui.boot.paint_first``, then the profile validated, the services built and
    attached behind it. Timed to the first paint; the attach is timed too (a note)."""
    from pathlib import Path

    def phase(name):
        print(f"PHASE {name} {time.monotonic():.6f}", flush=True)

    phase("python")
    from PyQt5.QtCore import QTimer
    from PyQt5.QtWidgets import QApplication

    from ui.boot import paint_first
    phase("imports")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    win = paint_first(Path(profile_file))
    phase("window")
    held = {}

    def behind():
        if win.first_paint_at is None:
            QTimer.singleShot(1, behind)
            return
        t = time.monotonic() - (time.perf_counter() - win.first_paint_at)
        print(f"PAINTED {t:.6f}", flush=True)
        import json

        from kiosk.app import build_services
        from kiosk.config import parse_config
        from ui.boot import attach_services
        path = Path(profile_file)
        cfg = parse_config(json.loads(path.read_text("utf-8")), "bench", str(path.parent))
        services = build_services(cfg, create_secrets=True)
        held["services"] = services
        services.start()
        attach_services(win, services)
        print(f"ATTACHED {time.monotonic():.6f}", flush=True)
        app.quit()
    QTimer.singleShot(0, behind)
    try:
        return app.exec_()
    finally:
        win.shutdown()
        if "services" in held:
            held["services"].close()


def child_bare() -> int:
    from PyQt5.QtWidgets import QApplication, QWidget

    app = QApplication(sys.argv[:1])
    first: list[float] = []

    class Window(QWidget):
        def paintEvent(self, event):
            if not first:
                first.append(time.monotonic())
            super().paintEvent(event)

    w = Window()
    w.showFullScreen()
    _report_first_paint(app, lambda: first[0] if first else None)
    return app.exec_()


PHASES: dict[str, list[float]] = {}
ATTACHED: list[float] = []          # process start → services attached behind the screen


def _env(**extra: str) -> dict:
    """The environment of a measured start: as shipped, unless ``extra`` says otherwise."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("ESCPOS_CAPABILITIES_PICKLE_DIR", None)
    env.update(extra)
    return env


def _start(args: list[str], **env_extra: str) -> float:
    env = _env(**env_extra)
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "bench.cold_start", "--child", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    last, painted = t0, None
    for line in proc.stdout.splitlines():
        if line.startswith("PHASE ") and not env_extra and args[0] == "kiosk":
            _, name, at = line.split()
            PHASES.setdefault(name, []).append((float(at) - last) * 1000.0)
            last = float(at)
        if line.startswith("ATTACHED ") and not env_extra and args[0] == "kiosk":
            ATTACHED.append((float(line.split()[1]) - t0) * 1000.0)
        if line.startswith("PAINTED "):
            if not env_extra and args[0] == "kiosk":
                PHASES.setdefault("first paint", []).append((float(line.split()[1]) - last)
                                                            * 1000.0)
            painted = (float(line.split()[1]) - t0) * 1000.0
    if painted is not None:
        if args[0] == "kiosk" and not any(ln.startswith("ATTACHED ")
                                          for ln in proc.stdout.splitlines()):
            raise RuntimeError(f"kiosk painted but never attached its services:\n"
                               f"{proc.stderr[-2000:]}")
        return painted
    raise RuntimeError(f"child {args} painted nothing (exit {proc.returncode}):\n"
                       f"{proc.stderr[-2000:]}")


HEAVY = ("escpos.printer", "img2pdf", "kiosk.config", "pydantic", "sqlite_utils", "requests",
         "PyQt5.QtWidgets", "zxingcpp", "PIL.Image", "segno")


def _import_costs(profile_file: str) -> dict[str, float]:
    """Cumulative import time (ms) of the heavy modules in one kiosk start (-X importtime)."""
    env = _env()
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "bench.cold_start",
                           "--child", "kiosk", profile_file], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    out: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[2].strip() in HEAVY:
            out[parts[2].strip()] = int(parts[1]) / 1000.0
    return out


def run(quick: bool = False) -> list[Result]:
    from bench.world import SimWorld
    n = 2 if quick else 7
    kiosk, bare, cached = [], [], []
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    pickles = CACHE_DIR / "escpos"
    pickles.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-cold-", dir=CACHE_DIR) as d, \
            SimWorld(d) as world:
        first = _start(["kiosk", str(world.profile_file)])   # creates the database, secrets
        _start(["bare"])
        _start(["kiosk", str(world.profile_file)], ESCPOS_CAPABILITIES_PICKLE_DIR=str(pickles))
        for _ in range(n):
            kiosk.append(_start(["kiosk", str(world.profile_file)]))
            bare.append(_start(["bare"]))
            # prototype: python-escpos keeps its parsed printer database in a folder that
            # outlives the process (by default a new mkdtemp() each start, so never reused)
            cached.append(_start(["kiosk", str(world.profile_file)],
                                 ESCPOS_CAPABILITIES_PICKLE_DIR=str(pickles)))
        imports = _import_costs(str(world.profile_file))
    return [Result("cold start to first citizen screen", median(kiosk), median(bare), "ms",
                   how=f"median of {n} starts of the kiosk as kiosk run starts it (welcome "
                       "screen painted first by ui.boot, services built after) against the "
                       "simulators, database already there",
                   limit_how="median of python -c 'import PyQt5.QtWidgets' + one full-screen "
                             "window, first paint",
                   notes=[f"first start ever (creates database and secrets): {first:.0f} ms",
                          "services built and attached behind the welcome screen (profile "
                          "validated, devices, sync, all screens), from process start: "
                          f"median {median(ATTACHED):.0f} ms",
                          "kiosk runs (ms): " + ", ".join(f"{x:.0f}" for x in kiosk),
                          "bare runs (ms): " + ", ".join(f"{x:.0f}" for x in bare),
                          "where the time goes (medians, ms): " + ", ".join(
                              f"{k} {median(v):.0f}" for k, v in PHASES.items()),
                          "import cost of the heavy modules in one start (ms, cumulative, "
                          "-X importtime): " + ", ".join(f"{k} {v:.0f}" for k, v in
                                                        sorted(imports.items(),
                                                               key=lambda kv: -kv[1])),
                          f"prototype, ESCPOS_CAPABILITIES_PICKLE_DIR set to a lasting folder: "
                          f"median {median(cached):.0f} ms (ratio "
                          f"{median(cached) / median(bare):.2f})"],
                   extra={"first_ms": first, "runs": kiosk, "bare_runs": bare,
                          "escpos_pickle_runs": cached, "imports_ms": imports,
                          "phases_ms": {k: median(v) for k, v in PHASES.items()}})]


if __name__ == "__main__":
    if "--child" in sys.argv:
        i = sys.argv.index("--child")
        kind = sys.argv[i + 1]
        sys.exit(child_kiosk(sys.argv[i + 2]) if kind == "kiosk" else child_bare())
    main_for(run)
