"""Migrations the previous version cannot read: classified, judged against a real
database, refused or reverted; the manifest read out of a real .deb."""
from __future__ import annotations

import json
import subprocess

import pytest

from kiosk.store import CORE_MIGRATIONS, Store
from kiosk.updates import compat
from kiosk.updates.manifest import build
from kiosk.updates.migrations import describe, is_additive, register_down


def test_additive_or_breaking():
    assert is_additive(["CREATE TABLE x (a)", "CREATE UNIQUE INDEX i ON x(a)",
                        "ALTER TABLE trays ADD COLUMN note2 TEXT", "INSERT INTO x VALUES (1)"])
    assert not is_additive(["ALTER TABLE dossiers DROP COLUMN phone_masked"])
    assert not is_additive(["ALTER TABLE trays RENAME TO cells"])
    assert not is_additive(["DROP TABLE ratings"])
    assert not is_additive(["UPDATE dossiers SET state = 'X'"])


def test_manifest_covers_every_migration_of_this_version():
    names = [m["name"] for m in build()["migrations"]]
    assert names[0] == CORE_MIGRATIONS[0][0]
    assert "sync-0001-tables" in names and "ops-0001-alerts" in names
    assert all(m["compatible"] for m in build()["migrations"])   # nothing breaking today


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "kiosk.db"
    Store.open(path).close()
    return path


def manifest_with(extra: list) -> dict:
    doc = build()
    doc["version"] = "9.9"
    doc["migrations"] += [m.as_json() for m in describe(extra)]
    return doc


def test_additive_migration_is_accepted(db):
    v = compat.judge(db, manifest_with([("core-0090-notes", ["CREATE TABLE notes (a)"])]))
    assert v.ok and [m.name for m in v.pending] == ["core-0090-notes"]


def test_breaking_migration_without_reverse_is_refused(db):
    v = compat.judge(db, manifest_with([("core-0091-drop", ["DROP TABLE ratings"])]))
    assert not v.ok and "core-0091-drop" in v.reason and "no reverse" in v.reason


def test_database_newer_than_the_package_is_refused(db):
    doc = build()
    doc["migrations"] = doc["migrations"][:1]
    v = compat.judge(db, doc)
    assert not v.ok and "older than the database" in v.reason


def test_reversible_breaking_migration_is_undone_on_rollback(db):
    up = ["ALTER TABLE ratings RENAME TO ratings_old",
          "CREATE TABLE ratings (id INTEGER PRIMARY KEY, at TEXT NOT NULL, dossier_code "
          "TEXT, score INTEGER NOT NULL, flow TEXT, comment TEXT)",
          "INSERT INTO ratings SELECT id, at, dossier_code, score, flow, NULL FROM ratings_old",
          "DROP TABLE ratings_old"]
    register_down("core-0092-rating-comment", [
        "ALTER TABLE ratings RENAME TO ratings_new",
        "CREATE TABLE ratings (id INTEGER PRIMARY KEY, at TEXT NOT NULL, dossier_code TEXT, "
        "score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5), flow TEXT)",
        "INSERT INTO ratings SELECT id, at, dossier_code, score, flow FROM ratings_new",
        "DROP TABLE ratings_new"])
    doc = manifest_with([("core-0092-rating-comment", up)])
    assert compat.judge(db, doc).ok
    before = compat.applied(db)
    store = Store.open(db)
    with store.write():
        store.execute("INSERT INTO ratings(at, score, flow) VALUES ('2026-03-04', 5, 'pickup')")
        for sql in up:                                   # what the new version does
            store.execute(sql)
        store.execute("INSERT INTO schema_migrations VALUES ('core-0092-rating-comment', 'x')")
    store.close()
    assert compat.revert(db, doc, before) == ["core-0092-rating-comment"]
    store = Store.open(db)
    try:
        cols = [r["name"] for r in store.query("PRAGMA table_info(ratings)")]
        assert cols == ["id", "at", "dossier_code", "score", "flow"]
        assert store.query_one("SELECT score FROM ratings")["score"] == 5   # data kept
        assert compat.applied(db) == before and store.integrity_check() == "ok"
    finally:
        store.close()


def test_manifest_read_out_of_a_package(tmp_path):
    tree = tmp_path / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: kiosk\nVersion: 9.9\nArchitecture: all\nMaintainer: t <t@example.invalid>\n"
        "Description: test\n")
    (tree / "usr/lib/kiosk").mkdir(parents=True)
    (tree / "usr/lib/kiosk/migrations.json").write_text(json.dumps(build()))
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(tree),
                    str(tmp_path / "k.deb")], check=True, capture_output=True)
    assert compat.read_manifest(tmp_path / "k.deb")["migrations"] == build()["migrations"]
    (tree / "usr/lib/kiosk/migrations.json").unlink()
    subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(tree),
                    str(tmp_path / "bare.deb")], check=True, capture_output=True)
    with pytest.raises(compat.ManifestError, match="not built by 'make deb'"):
        compat.read_manifest(tmp_path / "bare.deb")
