"""The kiosk's version: one place, the ``version`` of setup.cfg's metadata.

Shown by ``kiosk --version``, sent in the heartbeat and on the technician screen; the
Debian package takes its version from the same field (``make deb``).
"""
from __future__ import annotations

import configparser
from functools import lru_cache
from pathlib import Path

DIST = "dossier-kiosk"


@lru_cache(maxsize=1)
def version() -> str:
    """The installed distribution's version, or setup.cfg's in a bare checkout."""
    try:
        from importlib.metadata import PackageNotFoundError, version as dist_version
        return dist_version(DIST)
    except PackageNotFoundError:
        cfg = configparser.ConfigParser()
        cfg.read(Path(__file__).resolve().parent.parent / "setup.cfg", encoding="utf-8")
        return cfg.get("metadata", "version", fallback="0+unknown")
