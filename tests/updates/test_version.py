"""One version, from setup.cfg, everywhere it is shown."""
from __future__ import annotations

import configparser
import subprocess
import sys
from pathlib import Path

from kiosk.version import version

ROOT = Path(__file__).resolve().parents[2]


def setup_cfg_version() -> str:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    return cfg["metadata"]["version"]


def test_cli_version():
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "--version"],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"kiosk {setup_cfg_version()}" == f"kiosk {version()}"


def test_heartbeat_carries_it(tmp_path):
    from kiosk.clock import SystemClock
    from kiosk.pii import Pii
    from kiosk.services.ledger import Ledger
    from kiosk.store import Store
    from sync.factory import build_sync
    from kiosk.config import load_config
    cfg = load_config(ROOT / "config" / "sim.toml")
    store = Store.open(tmp_path / "kiosk.db")
    ledger = Ledger(store, SystemClock(), Pii(b"k" * 32), cfg.kiosk.id)
    sync = build_sync(cfg, ledger, store, SystemClock(), token="t")
    try:
        assert sync.heartbeat_builder.build()["software"] == setup_cfg_version()
    finally:
        sync.stop()
        store.close()


def test_technician_screen_shows_it():
    from ui.technician.screens import DiagnosticsScreen
    assert DiagnosticsScreen.title.endswith(f"kiosk {setup_cfg_version()}")


def test_every_package_folder_is_a_package():
    """setuptools' find: skips a folder without __init__.py: the .deb would lack it."""
    from setuptools import find_packages
    found = set(find_packages(str(ROOT), include=["kiosk*", "hardware*", "ui*", "sync*",
                                                  "sim*"]))
    for init_less in ROOT.glob("*/**/*.py"):
        pkg = init_less.parent.relative_to(ROOT)
        if pkg.parts[0] in ("kiosk", "hardware", "ui", "sync", "sim") and \
                "__pycache__" not in pkg.parts:
            assert ".".join(pkg.parts) in found, f"{pkg} has no __init__.py"
