"""`kiosk audit verify` and `kiosk db check` on a real database edited by hand."""
import json
import sqlite3

import pytest

from kiosk.cli import main as cli


@pytest.fixture
def db(ledger, store):
    d = ledger.create_dossier(procedure_code="KH-01", state="DRAFT", actor="citizen",
                              phone="0987654321")
    ledger.move_tray("A01", "RESERVED", actor="citizen", reason="deposit",
                     dossier_code=d["code"])
    ledger.move_tray("A01", "UNLOCKING", actor="citizen", reason="deposit", txn="t1")
    ledger.move_tray("A01", "OPEN", actor="citizen", reason="door opened")
    with ledger.transaction():
        ledger.move_tray("A01", "OCCUPIED_DEPOSIT", actor="citizen", reason="door closed")
        ledger.move_dossier(d["code"], "DEPOSITED", actor="citizen", reason="door closed",
                            tray_id="A01")
    path = store.path
    store.close()
    return path


def _edit(path, sql, params=()):
    conn = sqlite3.connect(path)
    conn.execute(sql, params)
    conn.commit()
    conn.close()


def test_intact_chain_passes(db, capsys):
    assert cli(["audit", "verify", "--db", db]) == 0
    assert "journal ok: 30 rows" in capsys.readouterr().out


def test_altered_row_is_named(db, capsys):
    _edit(db, "UPDATE journal SET actor = 'someone-else' WHERE seq = 27")
    assert cli(["audit", "verify", "--db", db]) == 1
    assert "row 27 was altered" in capsys.readouterr().err


def test_removed_row_is_named(db, capsys):
    _edit(db, "DELETE FROM journal WHERE seq = 26")
    assert cli(["audit", "verify", "--db", db]) == 1
    assert "row 26 is missing" in capsys.readouterr().err


def test_removed_last_row_is_found(db, capsys):
    _edit(db, "DELETE FROM journal WHERE seq = 30")
    assert cli(["audit", "verify", "--db", db]) == 1
    assert "rows were removed from the end" in capsys.readouterr().err


def test_reordered_rows_are_found(db, capsys):
    conn = sqlite3.connect(db)
    a = conn.execute("SELECT * FROM journal WHERE seq = 27").fetchone()
    b = conn.execute("SELECT * FROM journal WHERE seq = 28").fetchone()
    conn.execute("DELETE FROM journal WHERE seq IN (27, 28)")
    conn.execute("INSERT INTO journal VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (27, *b[1:]))
    conn.execute("INSERT INTO journal VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", (28, *a[1:]))
    conn.commit()
    conn.close()
    assert cli(["audit", "verify", "--db", db]) == 1
    assert "row 27" in capsys.readouterr().err


def test_db_check_reports_states(db, capsys):
    assert cli(["db", "check", "--db", db]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["integrity_check"] == "ok" and report["schema_version"] == 1
    assert report["trays"]["OCCUPIED_DEPOSIT"] == 1 and report["trays"]["EMPTY"] == 23
    assert report["dossiers"]["DEPOSITED"] == 1 and report["outbox_pending"] > 0


def test_missing_db_is_explained(tmp_path, capsys):
    assert cli(["db", "check", "--db", str(tmp_path / "none.db")]) == 2
    assert "no database at" in capsys.readouterr().err
