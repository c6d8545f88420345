"""Judge a new version's migrations against the live database, and undo them.

The new package carries ``/usr/lib/kiosk/migrations.json`` (``kiosk.updates.manifest``).
Migrations it would apply that the previous version could not read, with no reverse,
make the update refused: after a rollback the previous version would face a database
it cannot use. Reversible ones are undone by ``revert`` before the previous version is
reinstalled.
"""
from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.updates.migrations import MigrationInfo

MANIFEST = "usr/lib/kiosk/migrations.json"


class ManifestError(Exception):
    """The package has no readable migrations manifest."""


def read_manifest(deb: str | Path) -> dict:
    """The manifest inside a .deb, without installing it (dpkg-deb --fsys-tarfile)."""
    try:
        tar_bytes = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True,
                                   capture_output=True).stdout
    except subprocess.CalledProcessError as exc:
        raise ManifestError(f"{deb} is not a readable package: "
                            f"{exc.stderr.decode(errors='replace').strip()}") from None
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        for name in (f"./{MANIFEST}", MANIFEST):
            try:
                member = tar.extractfile(name)
            except KeyError:
                continue
            if member is not None:
                return json.load(member)
    raise ManifestError(f"{deb} has no {MANIFEST}: it was not built by 'make deb'; "
                        "refusing to install a package whose database changes are unknown")


def applied(db: str | Path) -> set[str]:
    """Names of the migrations the database has (empty for a new kiosk)."""
    if not Path(db).exists():
        return set()
    con = sqlite3.connect(str(db))
    try:
        return {r[0] for r in con.execute("SELECT name FROM schema_migrations")}
    except sqlite3.OperationalError:
        return set()
    finally:
        con.close()


@dataclass
class Verdict:
    ok: bool
    reason: str = ""
    pending: list[MigrationInfo] = field(default_factory=list)


def judge(db: str | Path, manifest: dict) -> Verdict:
    migs = [MigrationInfo.from_json(m) for m in manifest.get("migrations", [])]
    have = applied(db)
    known = {m.name for m in migs}
    unknown = sorted(have - known)
    if unknown:
        return Verdict(False, f"the database has migrations version {manifest.get('version')} "
                              f"does not know ({', '.join(unknown)}): it is older than the "
                              "database")
    pending = [m for m in migs if m.name not in have]
    blocking = [m.name for m in pending if m.blocks_rollback]
    if blocking:
        return Verdict(False, f"migration {', '.join(blocking)} of version "
                              f"{manifest.get('version')} changes the database so that the "
                              "installed version could no longer read it, and it has no "
                              "reverse (register_down); refused", pending)
    return Verdict(True, "", pending)


def revert(db: str | Path, manifest: dict, before: set[str]) -> list[str]:
    """Undo the breaking migrations applied since ``before``, newest first; additive ones
    stay (the previous version reads past them). Returns the names undone."""
    migs = {m["name"]: MigrationInfo.from_json(m) for m in manifest.get("migrations", [])}
    now = applied(db)
    undone = []
    con = sqlite3.connect(str(db), isolation_level=None)
    try:
        con.execute("PRAGMA busy_timeout = 5000")
        for name in sorted(now - before, reverse=True):
            info = migs.get(name)
            if info is None or info.compatible:
                continue
            con.execute("BEGIN IMMEDIATE")
            try:
                for sql in info.down or ():
                    con.execute(sql)
                con.execute("DELETE FROM schema_migrations WHERE name = ?", (name,))
                if name.startswith("core-"):
                    last = con.execute("SELECT MAX(name) FROM schema_migrations WHERE name "
                                       "LIKE 'core-%'").fetchone()[0]
                    con.execute("UPDATE settings SET value = ? WHERE key = 'schema_version'",
                                (json.dumps(int(last.split("-")[1]) if last else 0),))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            undone.append(name)
    finally:
        con.close()
    return undone
