"""The store's durability settings, transactions and migrations on a real file."""
import sqlite3
import threading

import pytest

from kiosk.store import Store, StoreError, register_migrations


def test_pragmas_are_set_and_checked(store):
    assert store.query_one("PRAGMA journal_mode")["journal_mode"] == "wal"
    assert store.query_one("PRAGMA synchronous")["synchronous"] == 2
    assert store.query_one("PRAGMA busy_timeout")["timeout"] == 5000
    assert store.schema_version() == 1
    assert store.integrity_check() == "ok"


def test_write_is_begin_immediate_and_rolls_back(store, tmp_path):
    other = sqlite3.connect(tmp_path / "kiosk.db", timeout=0.05)
    with store.write():
        store.execute("INSERT INTO settings VALUES ('a', '1')")
        # the write lock is taken at BEGIN, so a second writer must wait
        with pytest.raises(sqlite3.OperationalError):
            other.execute("BEGIN IMMEDIATE")
    other.close()
    with pytest.raises(RuntimeError):
        with store.write():
            store.execute("INSERT INTO settings VALUES ('b', '2')")
            raise RuntimeError("power cut")
    assert store.get_setting("a") == 1 and store.get_setting("b") is None


def test_nested_write_is_a_savepoint(store):
    with store.write():
        store.execute("INSERT INTO settings VALUES ('outer', '1')")
        with pytest.raises(ValueError):
            with store.write():
                store.execute("INSERT INTO settings VALUES ('inner', '1')")
                raise ValueError
    assert store.get_setting("outer") == 1 and store.get_setting("inner") is None


def test_writing_outside_a_transaction_is_refused(store):
    with pytest.raises(StoreError):
        store.execute("INSERT INTO settings VALUES ('x', '1')")


def test_migrations_are_forward_only_and_recorded(tmp_path):
    s = Store.open(tmp_path / "m.db")
    register_migrations([("test-0001-extra", ["CREATE TABLE extra_things (id INTEGER)"])])
    assert "test-0001-extra" in s.migrate()
    assert s.migrate() == []
    s.close()
    s = Store.open(tmp_path / "m.db")
    assert s.migrate() == []
    names = [r["name"] for r in s.query("SELECT name FROM schema_migrations")]
    assert names[0] == "core-0001-initial" and "test-0001-extra" in names
    assert s.query("SELECT * FROM extra_things") == []
    s.close()


def test_threads_share_one_writer(store):
    errors = []

    def work(n):
        try:
            for i in range(50):
                store.set_setting(f"t{n}-{i}", i)
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.query_one("SELECT COUNT(*) n FROM settings WHERE key LIKE 't%'")["n"] == 200


def test_backup_is_a_consistent_copy(store, tmp_path):
    store.set_setting("x", 42)
    store.backup(tmp_path / "copy.db")
    copy = Store.open(tmp_path / "copy.db")
    assert copy.get_setting("x") == 42 and copy.integrity_check() == "ok"
    copy.close()


def test_a_damaged_file_is_reported(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as info:
        Store.open(bad)
    assert "restore it from the latest backup" in str(info.value)


def test_non_durable_write_restores_full_sync(store):
    with store.write(durable=False):
        assert store.query_one("PRAGMA synchronous")["synchronous"] == 1
        store.execute("INSERT INTO settings VALUES ('mark', '1')")
    assert store.query_one("PRAGMA synchronous")["synchronous"] == 2
    with pytest.raises(ValueError):
        with store.write(durable=False):
            store.execute("INSERT INTO settings VALUES ('lost', '1')")
            raise ValueError
    assert store.query_one("PRAGMA synchronous")["synchronous"] == 2
    assert store.get_setting("mark") == 1 and store.get_setting("lost") is None
