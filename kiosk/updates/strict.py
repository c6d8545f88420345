"""``kiosk doctor --strict``: the checks after an update, on top of the usual ones.

An update is kept only when the version that now runs is the one installed, every
module of it imports (a broken build fails here, not in front of a citizen), and the
database opens, takes this version's migrations and passes SQLite's integrity check.
"""
from __future__ import annotations

import importlib
import pkgutil

from kiosk.cli.doctor import Check
from kiosk.version import version

PACKAGES = ("kiosk", "sync", "hardware", "ui")


def check_version(expected: str | None) -> list[Check]:
    have = version()
    if expected and have != expected:
        return [Check("version", False, f"kiosk {have} runs, {expected} was installed",
                      "reinstall the package: apt-get install --reinstall kiosk")]
    return [Check("version", True, f"kiosk {have}")]


def check_imports() -> list[Check]:
    bad = []
    count = 0
    for top in PACKAGES:
        try:
            pkg = importlib.import_module(top)
        except Exception as exc:   # noqa: BLE001 - any import failure is the finding
            bad.append(f"{top}: {exc!r}")
            continue
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{top}.",
                                          onerror=lambda name: bad.append(f"{name}: fails")):
            if info.name.endswith("__main__"):
                continue
            count += 1
            try:
                importlib.import_module(info.name)
            except Exception as exc:   # noqa: BLE001
                bad.append(f"{info.name}: {exc!r}")
    if bad:
        return [Check("code", False, f"{len(bad)} module(s) do not import: "
                      + "; ".join(bad[:3]), "the package is broken: roll back to the "
                      "previous version (kiosk update rollback)")]
    return [Check("code", True, f"{count} modules import")]


def check_database(cfg) -> list[Check]:
    from kiosk.store import Store, StoreError
    from kiosk.updates.manifest import all_migrations
    names = {n for n, _ in all_migrations()}
    try:
        store = Store.open(cfg.db_path)
    except StoreError as exc:
        return [Check("database", False, str(exc), "restore the database from the backup "
                      "in /var/lib/kiosk/updates")]
    try:
        have = {r["name"] for r in store.query("SELECT name FROM schema_migrations")}
        result = store.integrity_check()
    finally:
        store.close()
    if result != "ok":
        return [Check("database", False, f"integrity check: {result}",
                      "restore the database from the latest backup")]
    missing = sorted(names - have)
    if missing:
        return [Check("database", False, f"migrations not applied: {', '.join(missing)}",
                      "report this line to the maintainers")]
    return [Check("database", True, f"{cfg.db_path} ok, {len(have)} migrations")]


def strict_checks(cfg, expected: str | None) -> list[Check]:
    out: list[Check] = []
    for name, check in (("version", lambda: check_version(expected)),
                        ("code", check_imports), ("database", lambda: check_database(cfg))):
        try:
            out += check()
        except Exception as exc:   # noqa: BLE001 - a broken build is a finding, not a crash
            out.append(Check(name, False, f"the check itself failed: {exc!r}",
                             "the package is broken: let the update roll back"))
    return out
