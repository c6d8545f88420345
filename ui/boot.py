"""Paint the welcome screen first, build the kiosk behind it.

A cold start used to build everything (profile validation, database, recovery, every
device, sync, the catalog, twenty screens) before the first paint. Now the welcome
screen is painted from the few profile values it shows, read straight from the TOML
(``first_screen_profile``: no pydantic, no device, no database), with its choices closed
and "starting" on it; right after that paint the profile is validated, the services are
built and the window is attached to them (``CitizenWindow.attach``), naming any device
that is not ready. Heavy modules are imported only in that second step.
"""
from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

# The defaults of kiosk.config's KioskSection / UiSection for these fields; a test keeps
# them equal (tests/app/test_boot.py).
KIOSK_DEFAULTS = {"name": "Kiosk", "hotline": "1022", "languages": ["vi", "en", "zh"]}
UI_DEFAULTS = {"fullscreen": True, "screen_dpi": 96.0, "idle_timeout_s": 60,
               "idle_warning_s": 20, "door_open_alert_s": 120, "speech": False}


@dataclass
class _Part:
    values: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class FirstScreenProfile:
    """``cfg.kiosk`` and ``cfg.ui`` as far as the welcome screen reads them."""
    kiosk: _Part
    ui: _Part


def first_screen_profile(path: str | Path) -> FirstScreenProfile | None:
    """The welcome screen's values from the profile file (TOML; JSON for the benchmark's
    generated profiles), or None when the file cannot be read (then the full loader reports what is wrong, before any window)."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):   # TOMLDecodeError is a ValueError
        return None
    if not isinstance(data, dict):
        return None
    kiosk, ui = data.get("kiosk", {}), data.get("ui", {})
    if not isinstance(kiosk, dict) or not isinstance(ui, dict):
        return None
    return FirstScreenProfile(
        _Part({k: kiosk.get(k, v) for k, v in KIOSK_DEFAULTS.items()}),
        _Part({k: ui.get(k, v) for k, v in UI_DEFAULTS.items()}))


def paint_first(path: str | Path, *, windowed: bool = False):
    """The welcome window (not attached yet), shown; None if the profile is unreadable."""
    from kiosk.clock import SystemClock
    from ui.main_window import CitizenWindow
    first = first_screen_profile(path)
    if first is None:
        return None
    window = CitizenWindow(None, first, SystemClock())
    if first.ui.fullscreen and not windowed:
        window.showFullScreen()
    else:
        window.resize(1280, 800)
        window.show()
    return window


def service_parts(services) -> dict:
    """The optional services the window takes, as keywords (absent ones are None)."""
    return {name: getattr(services, name, None) for name in ("help_desk", "overrides", "vneid")}


def attach_services(window, services) -> None:
    """Give the painted window its services (the second step of a cold start)."""
    from ui import remote
    window.attach(services.citizen, services.cfg, services.clock,
                  code_reader=services.code_reader,
                  not_ready=sorted(services.startup_problems),
                  **service_parts(services))
    if services.cfg.kiosk.simulated:      # and only when KIOSK_REMOTE names a socket
        remote.install(window, root=str(services.cfg.data_dir))
