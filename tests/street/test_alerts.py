"""The alert book: raised once, cleared once, journalled and sent to the city."""
from __future__ import annotations

from collections import namedtuple
from datetime import timedelta

import pytest

from hardware.ports import DeviceHealth, DeviceStatus, PrinterState
from kiosk.alerts import (DEVICE_OFFLINE, DISK_LOW, DOOR_LEFT_OPEN, OUTBOX_STALE,
                          PRINTER_PAPER_OUT, TAMPER, AlertBook)
from kiosk.models import TrayState as T
from kiosk.store import Store

Usage = namedtuple("Usage", "total used free")


def alert_rows(store, action=None):
    sql = "SELECT action, subject, data FROM journal WHERE actor = 'system:alerts'"
    rows = store.query(sql + " ORDER BY seq")
    return [r for r in rows if action is None or r["action"] == action]


def outbox_alerts(store):
    return [r["kind"] for r in store.query(
        "SELECT kind FROM outbox WHERE kind LIKE 'alert.%' ORDER BY id")]


@pytest.fixture
def book(ledger, clock):
    return AlertBook(ledger, clock, clear_after_s=60)


def test_raised_once_cleared_once(book, store, clock):
    paper = {"state": PrinterState.PAPER_OUT}
    book.watch_printer(lambda: paper["state"])
    for _ in range(5):
        book.evaluate()
        clock.advance(10)
    assert [a.kind for a in book.active()] == [PRINTER_PAPER_OUT]
    paper["state"] = PrinterState.OK
    book.evaluate()                          # not yet: gone for less than 60 s
    assert book.is_active(PRINTER_PAPER_OUT, "printer")
    clock.advance(61)
    book.evaluate()
    book.evaluate()
    assert book.active() == []
    assert [r["action"] for r in alert_rows(store)] == ["alert.raised", "alert.cleared"]
    assert outbox_alerts(store) == ["alert.raised", "alert.cleared"]


def test_flapping_input_does_not_flood(book, store, clock):
    flag = {"on": True}
    book.add_probe(lambda: [(DEVICE_OFFLINE, "lockboard bus-a/1", flag["on"], "silent")])
    for i in range(40):                       # flips every 10 s for 400 s
        flag["on"] = i % 2 == 0
        book.evaluate()
        clock.advance(10)
    assert len(alert_rows(store, "alert.raised")) == 1
    assert alert_rows(store, "alert.cleared") == []


def test_survives_a_restart_without_raising_again(tmp_path, ledger, clock, store):
    book = AlertBook(ledger, clock)
    assert book.raise_(TAMPER, "A02", "door opened with no unlock command")
    again = AlertBook(ledger, clock)
    assert again.raise_(TAMPER, "A02", "again") is False
    assert [a.subject for a in again.active()] == ["A02"]
    assert len(alert_rows(store, "alert.raised")) == 1


def test_disk_almost_full(book, clock):
    usage = {"u": Usage(32 * 2**30, 31 * 2**30, 2**30 // 4)}
    book.watch_disk("/var/lib/kiosk", usage=lambda p: usage["u"])
    book.evaluate()
    (alert,) = book.active()
    assert alert.kind == DISK_LOW and "256 MB free" in alert.detail
    assert alert.severity == "critical" and "free space" in alert.advice
    usage["u"] = Usage(32 * 2**30, 10 * 2**30, 22 * 2**30)
    clock.advance(120)
    book.evaluate()
    clock.advance(61)
    book.evaluate()
    assert book.active() == []


def test_outbox_older_than_an_hour(book, ledger, clock, store):
    book.watch_outbox()
    ledger.event("dossier.note", actor="test", subject="HS-1", reason="waiting")
    clock.advance(3599)
    book.evaluate()
    assert book.active() == []
    clock.advance(2)
    book.evaluate()
    assert [a.kind for a in book.active()] == [OUTBOX_STALE]
    with store.write():
        store.execute("UPDATE outbox SET delivered_at = 'now'")
    book.evaluate()
    clock.advance(61)
    book.evaluate()
    # the alert events themselves are new and undelivered, but younger than an hour
    assert book.active() == []


def test_devices_and_heartbeat_view(book):
    health = [DeviceHealth("printer", DeviceStatus.ONLINE),
              DeviceHealth("lockboard bus-a/1", DeviceStatus.OFFLINE, "no answer"),
              DeviceHealth("modem", DeviceStatus.HWERROR, "SIM failure")]
    book.watch_devices(lambda: health)
    book.evaluate()
    assert {a.subject for a in book.active()} == {"lockboard bus-a/1", "modem"}
    hb = book.as_health()
    assert {h.device for h in hb} == {"alert:device.offline:lockboard bus-a/1",
                                      "alert:device.offline:modem"}
    assert all(not h.ok for h in hb)
    assert book.active()[0].as_dict()["advice"]


def test_printer_out_of_paper_is_not_offline(book, clock):
    health = {"h": DeviceHealth("printer", DeviceStatus.HWERROR, "the receipt paper has run out",
                                "load a new 80 mm roll", {"state": "paper-out"})}
    book.watch_devices(lambda: [health["h"]])
    book.evaluate()
    assert [(a.kind, a.subject) for a in book.active()] == [(PRINTER_PAPER_OUT, "printer")]
    health["h"] = DeviceHealth("printer", DeviceStatus.ONLINE, "ready", extra={"state": "ok"})
    book.evaluate()
    clock.advance(61)
    book.evaluate()
    assert book.active() == []


def test_a_broken_probe_does_not_stop_the_others(book):
    def broken():
        raise OSError("sensor gone")
    book.add_probe(broken)
    book.add_probe(lambda: [(DISK_LOW, "disk", True, "1 MB free")])
    assert [a.kind for a in book.evaluate()] == [DISK_LOW]


# ---- with the door service on the simulated lock board --------------------------------
from tests.lock.conftest import bank, profile, sim_bus  # noqa: E402,F401  (fixtures)
from kiosk.services.doors import DoorService  # noqa: E402


@pytest.fixture
def doors(ledger, bank, clock, profile):  # noqa: F811
    ledger.sync_trays(profile.trays())
    svc = DoorService(ledger, bank, clock, poll_s=2.0, busy_poll_s=0.5, confirm_s=0.3,
                      confirm_poll_s=0.05, door_open_alert_s=120)
    yield svc
    svc.close()


def test_door_alerts_from_the_lock_board(book, doors, ledger, clock, sim_bus, store):  # noqa: F811
    book.watch_doors(doors)
    book.watch_devices(doors.bank.health)
    heard = []
    book.add_listener(lambda what, a: heard.append((what, a.kind, a.subject)))
    doors.poll_once()
    # tamper: A02 holds a result and is forced open
    for s in (T.RESERVED, T.UNLOCKING, T.OPEN, T.OCCUPIED_RESULT):
        ledger.move_tray("A02", s, actor="staff", reason="load", txn="t")
    doors.poll_once()
    sim_bus.force_open(0, 2)
    doors.poll_once()
    doors.poll_once()
    # left open: A12 unlocked for a deposit and not shut for 2 minutes
    ledger.move_tray("A12", T.RESERVED, actor="citizen", reason="deposit", txn="t7")
    doors.open("A12", actor="citizen", reason="deposit", txn="t7")
    clock.advance(121)
    doors.poll_once()
    book.evaluate()
    assert {(a.kind, a.subject) for a in book.active()} == {(TAMPER, "A02"),
                                                           (DOOR_LEFT_OPEN, "A12")}
    sim_bus.close_door(0, 12)
    doors.poll_once()
    book.evaluate()
    clock.advance(61)
    book.evaluate()
    assert [(a.kind, a.subject) for a in book.active()] == [(TAMPER, "A02")]
    # board 1 goes silent: one alert for it, not one per tray
    sim_bus.set_fault(1, "silent")
    doors.poll_once()
    book.evaluate()
    offline = [a for a in book.active() if a.kind == DEVICE_OFFLINE]
    assert len(offline) == 1, book.active()
    assert heard.count(("raised", TAMPER, "A02")) == 1
    assert len(alert_rows(store, "alert.raised")) == 3
