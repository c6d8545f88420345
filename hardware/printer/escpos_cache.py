"""Where python-escpos keeps its parsed printer profiles.

python-escpos parses its capabilities file into a pickle in a folder that defaults to a
new temporary folder per process: every start parses it again (the largest single cost
of the kiosk's start-up) and leaves a folder in /tmp. Point it at a lasting cache folder
(systemd's ``CacheDirectory=`` when run as a service) before the first escpos import.
"""
from __future__ import annotations

import os
from pathlib import Path

ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def use_lasting_cache() -> str:
    if os.environ.get(ENV):
        return os.environ[ENV]
    base = os.environ.get("CACHE_DIRECTORY") or os.environ.get("XDG_CACHE_HOME") \
        or str(Path.home() / ".cache")
    folder = Path(base.split(":")[0]) / "dossier-kiosk" / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return ""          # read-only home: escpos falls back to a temporary folder
    os.environ[ENV] = str(folder)
    return str(folder)
