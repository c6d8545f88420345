"""Every legal and every illegal move of both state machines, through the real store."""
import json

import pytest

from kiosk.journal import verify_chain
from kiosk.models import (DOSSIER_TRANSITIONS, TRAY_TRANSITIONS, DossierState,
                          IllegalTransition, TrayState)

TRAY_PAIRS = [(a, b) for a in TrayState for b in TrayState]
DOSSIER_PAIRS = [(a, b) for a in DossierState for b in DossierState]


def _force_tray(store, tray, state):
    with store.write():
        store.execute("UPDATE trays SET state = ? WHERE id = ?", (state.value, tray))


def _counts(store):
    return (store.query_one("SELECT COUNT(*) n FROM journal")["n"],
            store.query_one("SELECT COUNT(*) n FROM outbox")["n"])


@pytest.mark.parametrize("src,dst", TRAY_PAIRS, ids=lambda s: s.value)
def test_tray_move(ledger, store, src, dst):
    _force_tray(store, "A05", src)
    before = _counts(store)
    if dst in TRAY_TRANSITIONS[src]:
        row = ledger.move_tray("A05", dst, actor="tech:T1", reason="test")
        assert row["state"] == dst.value
        assert _counts(store) == (before[0] + 1, before[1] + 1)
        last = store.query_one("SELECT * FROM journal ORDER BY seq DESC LIMIT 1")
        assert (last["from_state"], last["to_state"], last["actor"]) == \
            (src.value, dst.value, "tech:T1")
        out = json.loads(store.query_one("SELECT payload FROM outbox ORDER BY id DESC "
                                         "LIMIT 1")["payload"])
        assert (out["from"], out["to"], out["subject"]) == (src.value, dst.value, "A05")
    else:
        with pytest.raises(IllegalTransition):
            ledger.move_tray("A05", dst, actor="tech:T1", reason="test")
        assert ledger.tray("A05")["state"] == src.value
        assert _counts(store) == before


@pytest.mark.parametrize("src,dst", DOSSIER_PAIRS, ids=lambda s: s.value)
def test_dossier_move(ledger, store, src, dst):
    d = ledger.create_dossier(procedure_code="HT-01", state=DossierState.DRAFT,
                              actor="citizen", phone="0912345678")
    with store.write():
        store.execute("UPDATE dossiers SET state = ? WHERE code = ?", (src.value, d["code"]))
    before = _counts(store)
    if dst in DOSSIER_TRANSITIONS[src]:
        row = ledger.move_dossier(d["code"], dst, actor="staff:S1", reason="test")
        assert row["state"] == dst.value
        assert _counts(store) == (before[0] + 1, before[1] + 1)
    else:
        with pytest.raises(IllegalTransition):
            ledger.move_dossier(d["code"], dst, actor="staff:S1", reason="test")
        assert ledger.dossier(d["code"])["state"] == src.value
        assert _counts(store) == before


@pytest.mark.parametrize("state", list(DossierState), ids=lambda s: s.value)
def test_dossier_initial_states(ledger, state):
    if state in (DossierState.DRAFT, DossierState.COLLECTED):
        assert ledger.create_dossier(procedure_code="X", state=state,
                                     actor="c")["state"] == state.value
    else:
        with pytest.raises(IllegalTransition):
            ledger.create_dossier(procedure_code="X", state=state, actor="c")


def test_phone_is_never_stored_in_plaintext_outside_the_outbox(ledger, store):
    d = ledger.create_dossier(procedure_code="HT-01", state="DRAFT", actor="citizen",
                              phone="+84 912 345 678", id_number="079095001234")
    assert d["phone_masked"] == "*******678"
    dump = "\n".join(store.conn.iterdump())
    for line in dump.splitlines():
        if "0912345678" in line or "079095001234" in line:
            assert line.startswith('INSERT INTO "outbox"'), line
    journal = json.dumps(store.query("SELECT * FROM journal"))
    assert "0912345678" not in journal and "079095001234" not in journal


def test_a_failed_group_changes_nothing(ledger, store):
    before = _counts(store)
    head = ledger.journal_head()
    with pytest.raises(IllegalTransition):
        with ledger.transaction():
            ledger.move_tray("A01", "RESERVED", actor="c", reason="deposit")
            ledger.move_tray("A01", "OPEN", actor="c", reason="skip the unlock")
    assert ledger.tray("A01")["state"] == "EMPTY"
    assert _counts(store) == before and ledger.journal_head() == head
    assert verify_chain(store.query("SELECT * FROM journal ORDER BY seq"), head).ok


def test_listeners_hear_only_committed_changes(ledger):
    heard = []
    ledger.add_listener(lambda kind, subject, row: heard.append((kind, subject, row["state"])))
    with pytest.raises(IllegalTransition):
        with ledger.transaction():
            ledger.move_tray("A02", "RESERVED", actor="c", reason="r")
            ledger.move_tray("A02", "OPEN", actor="c", reason="r")
    assert heard == []
    ledger.move_tray("A02", "RESERVED", actor="c", reason="r")
    assert heard == [("tray", "A02", "RESERVED")]


def test_one_tray_never_holds_two_dossiers(ledger):
    a = ledger.create_dossier(procedure_code="X", state="DRAFT", actor="c")
    b = ledger.create_dossier(procedure_code="X", state="DRAFT", actor="c")
    ledger.move_tray("A03", "RESERVED", actor="c", reason="r", dossier_code=a["code"])
    import sqlite3
    with pytest.raises(sqlite3.IntegrityError):
        ledger.move_tray("A04", "RESERVED", actor="c", reason="r", dossier_code=a["code"])
    ledger.move_dossier(a["code"], "DEPOSITED", actor="c", reason="r", tray_id="A03")
    with pytest.raises(sqlite3.IntegrityError):
        ledger.move_dossier(b["code"], "DEPOSITED", actor="c", reason="r", tray_id="A03")
    assert ledger.dossier(b["code"])["state"] == "DRAFT"


def test_dossier_codes_are_unique_and_readable(ledger):
    codes = {ledger.new_dossier_code() for _ in range(500)}
    assert len(codes) == 500
    for c in codes:
        assert c.startswith("HS260302-") and not set(c[9:]) & set("01OI")


def test_event_kinds_are_what_the_city_accepts(ledger, store):
    before = _counts(store)
    for bad in ("incident", "Door.Closed", "door closed", "door.", ".closed", "1door.x"):
        with pytest.raises(ValueError):
            ledger.event(bad, actor="staff:S1", subject="A01")
    assert _counts(store) == before
    ledger.event("incident.recorded", actor="staff:S1", subject="A01")
    assert _counts(store) == (before[0] + 1, before[1] + 1)
