"""Hotline help: the citizen presses the hotline button, reads the 6-digit code to the
1022 operator, whose signed ``tray.open_for_help`` opens exactly that tray, only while
the help screen is up, only for a result the tray really holds."""
import time

import pytest

from tests.fleet.conftest import wait_for

# A10 is board 0, lock 10 in config/sim.toml (A09..A16 are locks 9..16 of board 0)
TRAY, BOARD, LOCK = "A10", 0, 10


def load_result(machine, services, tray=TRAY, lock=LOCK):
    ledger = services.ledger
    d = ledger.create_dossier(procedure_code="HT-05", state="COLLECTED", actor="staff:nv01")
    ledger.move_tray(tray, "RESERVED", actor="staff:nv01", reason="load", txn="load-1",
                     dossier_code=d["code"])
    ledger.move_tray(tray, "UNLOCKING", actor="staff:nv01", reason="load", txn="load-1")
    ledger.move_tray(tray, "OPEN", actor="staff:nv01", reason="opened", txn="load-1")
    ledger.move_tray(tray, "OCCUPIED_RESULT", actor="staff:nv01", reason="shut",
                     txn="load-1", dossier_code=d["code"])
    ledger.move_dossier(d["code"], "RESULT_LOADED", actor="staff:nv01", reason="loaded",
                        tray_id=tray)
    machine.sims["locks"].put_item(BOARD, lock)
    return d["code"]


def help_open(machine, tray, code):
    return machine.outcome(machine.send("tray.open_for_help",
                                        {"tray": tray, "help_code": code}))


def test_the_code_opens_that_tray_once_and_the_result_is_picked_up(machine):
    services = machine.start()
    dossier = load_result(machine, services)
    code = services.help_desk.open_screen()
    assert len(code) == 6 and code.isdigit()
    out = help_open(machine, TRAY, code)
    assert out["status"] == "done", out
    assert machine.sims["locks"].unlocks() == [(BOARD, LOCK)]
    assert services.ledger.tray(TRAY)["state"] == "OPEN"
    # the same code again: used
    again = help_open(machine, TRAY, code)
    assert (again["status"], again["reason"]) == ("refused", "help_code_used")
    assert machine.sims["locks"].unlocks() == [(BOARD, LOCK)]
    # the citizen takes the result and shuts the door
    machine.sims["locks"].remove_item(BOARD, LOCK)
    machine.sims["locks"].close_door(BOARD, LOCK)
    assert wait_for(lambda: services.ledger.tray(TRAY)["state"] == "EMPTY", 10)
    assert services.ledger.dossier(dossier)["state"] == "PICKED_UP"
    # the code itself is in no journal row, no outbox row
    for table in ("journal", "outbox", "city_commands"):
        dump = str(services.store.query(f"SELECT * FROM {table}"))
        assert code not in dump, table


def test_result_left_in_the_tray_stays_a_result(machine):
    services = machine.start()
    load_result(machine, services)
    assert help_open(machine, TRAY, services.help_desk.open_screen())["status"] == "done"
    machine.sims["locks"].close_door(BOARD, LOCK)          # papers still inside
    assert wait_for(lambda: services.ledger.tray(TRAY)["state"] == "OCCUPIED_RESULT", 10)


@pytest.mark.parametrize("case, reason", [
    ("wrong code", "help_code_wrong"),
    ("expired code", "help_code_expired"),
    ("wrong tray", "wrong_tray"),
    ("no such tray", "wrong_tray"),
    ("empty tray", "tray_empty"),
    ("help screen closed", "help_screen_closed"),
    ("no help screen yet", "help_screen_closed"),
])
def test_hotline_opening_refused(machine, case, reason):
    services = machine.start()
    load_result(machine, services)
    desk = services.help_desk
    tray = TRAY
    code = desk.open_screen() if case != "no help screen yet" else "123456"
    if case == "wrong code":
        code = f"{(int(code) + 1) % 10 ** 6:06d}"
    elif case == "expired code":
        desk.lifetime_s = 0.3
        time.sleep(0.4)
    elif case == "wrong tray":
        tray = "A11"                      # out of service: no result on record in it
        services.ledger.move_tray(tray, "OUT_OF_SERVICE", actor="technician", reason="x")
    elif case == "no such tray":
        tray = "Z99"
    elif case == "empty tray":
        tray = "A12"
    elif case == "help screen closed":
        desk.close_screen()
    out = help_open(machine, tray, code)
    assert (out["status"], out["reason"]) == ("refused", reason), case
    assert machine.sims["locks"].unlocks() == [], "no latch may move"
    assert services.ledger.tray(TRAY)["state"] == "OCCUPIED_RESULT"
    refused = [r for r in services.store.query(
        "SELECT * FROM journal WHERE action = 'command.refused'")]
    assert refused and refused[-1]["reason"] == reason


def test_a_wrong_code_does_not_void_the_right_one(machine):
    services = machine.start()
    load_result(machine, services)
    code = services.help_desk.open_screen()
    wrong = f"{(int(code) + 7) % 10 ** 6:06d}"
    assert help_open(machine, TRAY, wrong)["reason"] == "help_code_wrong"
    assert help_open(machine, TRAY, code)["status"] == "done"


def test_a_deposit_tray_is_never_opened_for_help(machine):
    from tests.fleet.test_commands import put_deposit
    services = machine.start()
    put_deposit(services.ledger, "A13")
    out = help_open(machine, "A13", services.help_desk.open_screen())
    assert (out["status"], out["reason"]) == ("refused", "wrong_tray")
    assert services.ledger.tray("A13")["state"] == "OCCUPIED_DEPOSIT"
