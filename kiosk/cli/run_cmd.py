"""``kiosk run``: start the kiosk (services, devices, sync and the touchscreen)."""
from __future__ import annotations

import logging
import os
import signal
import sys

from kiosk.cli.config_cmd import report_config_error

RESTART_STATUS = 75                       # EX_TEMPFAIL: "start me again"
SCREENLESS_PLATFORMS = {"offscreen", "minimal", "eglfs", "linuxfb", "vnc", "wayland"}
log = logging.getLogger("kiosk.run")


def has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0]
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
                or platform in SCREENLESS_PLATFORMS)


def _profile_path(args):
    """The profile ``kiosk run`` will load, without importing the loader (pydantic)."""
    from pathlib import Path
    if args.config:
        return Path(args.config)
    return Path(__file__).resolve().parent.parent.parent / "config" / "sim.toml"


def _simulator_profile(path) -> bool:
    """``[kiosk] simulated = true`` in the profile (read before anything else starts)."""
    import tomllib
    try:
        return tomllib.loads(path.read_text("utf-8")).get("kiosk", {}).get(
            "simulated") is True
    except (OSError, ValueError, AttributeError):
        return False


def run(args) -> int:
    """Welcome screen first (ui/boot.py), then the profile, services and devices."""
    if os.environ.get("KIOSK_REMOTE") and not _simulator_profile(_profile_path(args)):
        # the remote-control socket has no authentication: a simulator's tool only
        print(f"kiosk: KIOSK_REMOTE is set but {_profile_path(args)} is not a simulator "
              "profile.\n"
              "  The remote-control socket drives the screens without a password and is "
              "for the simulator only.\n"
              "  On a real kiosk unset KIOSK_REMOTE; for the simulator use a profile with "
              "'[kiosk] simulated = true' (kiosk-sim writes one).", file=sys.stderr)
        return 2
    if not has_display():
        from kiosk.config import ConfigError, load_config
        try:
            load_config(args.config)
        except ConfigError as exc:
            return report_config_error(exc)
        print("kiosk: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
              "  On a desktop, run it from a graphical session.\n"
              "  Without a screen: 'make demo' plays a scripted day headless, or set "
              "QT_QPA_PLATFORM=offscreen to run the kiosk with no window.", file=sys.stderr)
        return 2
    from PyQt5.QtCore import QTimer
    from PyQt5.QtWidgets import QApplication

    from ui.boot import paint_first
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = paint_first(_profile_path(args), windowed=args.windowed)
    if window is None:                    # not readable as TOML: the loader says why
        from kiosk.config import ConfigError, load_config
        try:
            load_config(args.config)
        except ConfigError as exc:
            return report_config_error(exc)
    state: dict = {}
    QTimer.singleShot(0, lambda: _start_behind(app, args, window, state))
    # Ctrl-C / SIGTERM: leave the Qt loop cleanly so the store is closed properly.
    signal.signal(signal.SIGINT, lambda *a: app.quit())
    signal.signal(signal.SIGTERM, lambda *a: app.quit())
    # a city 'kiosk.restart': leave with status 75 so that systemd (Restart=on-failure)
    # or the simulator's launcher starts the kiosk again
    import threading
    state["restart"] = restart = threading.Event()
    tick = QTimer()
    tick.start(250)                       # lets Python see signals while Qt waits
    tick.timeout.connect(lambda: app.exit(RESTART_STATUS) if restart.is_set() else None)
    try:
        code = app.exec_()
    finally:
        for stop in reversed(state.get("stops", [])):
            stop()
    return state.get("code", code)


def _start_behind(app, args, window, state: dict) -> None:
    """After the first paint: validate the profile, build the services, attach them."""
    from PyQt5.QtCore import QTimer

    from kiosk.config import ConfigError, load_config
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        if window is not None:
            window.close()
        state["code"] = report_config_error(exc)
        app.exit(state["code"])
        return
    from kiosk.logs import setup_logging
    setup_logging(cfg.data_dir / "kiosk.log")
    from kiosk.app import build_services
    from kiosk.simclock import clock_for, offset_path
    clock = None
    if offset_path(cfg).exists():
        clock = clock_for(cfg)            # the simulator's fast-forward
        log.info("clock follows %s (simulator time)", offset_path(cfg))
    services = build_services(cfg, clock=clock, create_secrets=args.create_secrets)
    state.setdefault("stops", []).append(services.close)
    log.info("kiosk %s starting with %s; recovery: %s", cfg.kiosk.id, cfg.source,
             services.recovery)
    for device, problem in services.startup_problems.items():
        log.warning("device %s unavailable: %s", device, problem)
    services.start()
    from kiosk.services.rounds import build_staff_services
    from ui.boot import attach_services
    from ui.staff import install_service_gesture
    staff = build_staff_services(services)
    services._closers.append(staff.close)
    if services.overrides is not None:     # round times the city set remotely
        services.overrides.subscribe("rounds.times", lambda times: setattr(
            staff.rounds, "round_times", sorted(times)))
    services.on_restart = state["restart"].set
    if window is None:                    # cannot happen after a valid load; be safe
        from ui.boot import paint_first
        window = paint_first(_profile_path(args), windowed=args.windowed)
    attach_services(window, services)
    state["stops"].append(window.shutdown)
    install_service_gesture(window, staff)
    # systemd's watchdog is petted from the UI thread only, after its checks (database
    # answers, door poller goes round): a frozen screen or a wedged loop gets restarted.
    from kiosk.watchdog import build_watchdog
    watchdog = build_watchdog(cfg, services.store, services.doors)
    pet = QTimer(window)
    pet.timeout.connect(watchdog.tick)
    pet.start(watchdog.interval_ms)
    state["stops"] += [watchdog.close, watchdog.stopping, pet.stop,
                       lambda: log.info("kiosk %s stopped", cfg.kiosk.id)]
    watchdog.ready(f"serving citizens; recovery {services.recovery}")


def register(sub, groups) -> None:
    p = sub.add_parser("run", help="start the kiosk (touchscreen, devices, city sync)")
    p.add_argument("--config", default=None,
                   help="TOML profile (default: config/sim.toml)")
    p.add_argument("--windowed", action="store_true",
                   help="a normal window even when the profile asks for full screen")
    p.add_argument("--create-secrets", action="store_true",
                   help="create missing secrets files (simulator and first start only)")
    p.set_defaults(func=run)
