"""``python -m kiosk.updates.manifest``: this version's migrations as JSON.

Written into the package (``/usr/lib/kiosk/migrations.json``) at build time, so that
the updater can judge a new version against the live database before installing it.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
import sys

from kiosk.version import version

# the parts that register their own migrations with kiosk.store.register_migrations
PACKAGES = ("kiosk", "sync")


def all_migrations() -> list[tuple[str, list[str]]]:
    for top in PACKAGES:
        pkg = importlib.import_module(top)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{top}."):
            if ".cli" in info.name or info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)
    from kiosk import store
    return list(store.CORE_MIGRATIONS) + list(store._extra_migrations)


def build() -> dict:
    from kiosk.updates.migrations import describe
    return {"version": version(),
            "migrations": [m.as_json() for m in describe(all_migrations())]}


def main() -> int:
    json.dump(build(), sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
