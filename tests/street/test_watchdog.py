"""The systemd notify protocol over a real AF_UNIX datagram socket."""
from __future__ import annotations

import socket
import threading

import pytest

from kiosk.watchdog import (Watchdog, build_watchdog, database_check, freshness_check,
                            progress_check)


@pytest.fixture
def notify_socket(tmp_path):
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def received(sock) -> list[str]:
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(5)
    return out


def test_ready_watchdog_stopping_reach_systemd(notify_socket, store):
    path, sock = notify_socket
    wd = Watchdog({"database": database_check(store)},
                  env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    try:
        assert wd.enabled and wd.interval_ms == 10000
        wd.ready("welcome screen")
        assert sock.recv(4096).decode() == "READY=1\nSTATUS=welcome screen"
        assert wd.tick() is True
        assert sock.recv(4096).decode() == "WATCHDOG=1"
        wd.status("printer:\n out of paper")
        assert sock.recv(4096).decode() == "STATUS=printer: out of paper"
        wd.stopping("power lost")
        assert sock.recv(4096).decode() == "STOPPING=1\nSTATUS=power lost"
        assert wd.pets == 1
    finally:
        wd.close()
        wd.close()


def test_abstract_socket_name(tmp_path):
    name = f"kiosk-test-{tmp_path.name}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        wd = Watchdog(env={"NOTIFY_SOCKET": "@" + name})
        wd.tick()
        assert sock.recv(4096) == b"WATCHDOG=1"
        wd.close()
    finally:
        sock.close()


def test_failed_check_means_no_pet(notify_socket):
    path, sock = notify_socket
    state = {"doors": True}

    def doors():
        if not state["doors"]:
            raise TimeoutError("door poller silent for 40 s")
        return True

    wd = Watchdog({"doors": doors, "printer": lambda: None}, env={"NOTIFY_SOCKET": path})
    try:
        assert wd.tick()
        state["doors"] = False
        assert not wd.tick()
        assert not wd.tick()
        msgs = received(sock)
        assert msgs[0] == "WATCHDOG=1"
        assert "WATCHDOG=1" not in msgs[1:]
        # the reason goes out once as STATUS, not at every tick
        assert [m for m in msgs if m.startswith("STATUS=unhealthy")] == [
            "STATUS=unhealthy: doors: TimeoutError: door poller silent for 40 s"]
        assert "door poller silent" in wd.last_failure
        state["doors"] = True
        assert wd.tick() and wd.last_failure is None
        assert received(sock) == ["WATCHDOG=1"]
    finally:
        wd.close()


def test_a_side_thread_cannot_pet(notify_socket):
    path, sock = notify_socket
    wd = Watchdog(env={"NOTIFY_SOCKET": path})
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("petted", wd.tick()), name="sync")
    t.start()
    t.join()
    try:
        assert result["petted"] is False
        assert "'sync'" in wd.last_failure
        assert received(sock) == []
    finally:
        wd.close()


def test_check_returning_false_blocks(notify_socket):
    path, sock = notify_socket
    wd = Watchdog({"db": lambda: False}, env={"NOTIFY_SOCKET": path})
    assert not wd.tick()
    assert all(not m.startswith("WATCHDOG") for m in received(sock))
    wd.close()


def test_noop_without_notify_socket():
    wd = Watchdog({"x": lambda: True}, env={})
    assert not wd.enabled and wd.interval_ms == 5000
    wd.ready()
    assert wd.tick()
    wd.stopping()
    assert wd.sent == ["READY", "WATCHDOG", "STOPPING"]
    wd.close()


def test_watchdog_meant_for_another_pid(notify_socket):
    path, _ = notify_socket
    wd = Watchdog(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000",
                       "WATCHDOG_PID": "1"})
    assert wd.timeout_s is None
    wd.close()


def test_freshness_check():
    now = [100.0]
    last = [None]
    check = freshness_check(lambda: last[0], 10, monotonic=lambda: now[0])
    assert check() is False
    last[0] = 95.0
    assert check() is True
    now[0] = 106.0
    assert check() is False


def test_qt_timer_in_ui_thread_pets(notify_socket, qtbot):
    from PyQt5.QtCore import QTimer
    path, sock = notify_socket
    wd = Watchdog(env={"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "300000"})
    timer = QTimer()
    timer.timeout.connect(wd.tick)
    timer.start(wd.interval_ms)
    try:
        qtbot.waitUntil(lambda: wd.pets >= 2, timeout=5000)
    finally:
        timer.stop()
        wd.close()
    assert received(sock)[:2] == ["WATCHDOG=1", "WATCHDOG=1"]


def test_progress_check_on_a_round_counter():
    now = [0.0]
    rounds = [0]
    check = progress_check(lambda: rounds[0], 30, monotonic=lambda: now[0])
    assert check()
    now[0] = 29
    assert check()
    now[0] = 31
    assert not check()                      # the poller has not gone round for 31 s
    rounds[0] += 1
    assert check()


def test_built_watchdog_checks_database_and_door_poller(store, notify_socket, monkeypatch):
    path, sock = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)

    class Doors:
        polls = 0

    wd = build_watchdog(store=store, doors=Doors())
    try:
        assert wd.tick()
        assert sock.recv(4096) == b"WATCHDOG=1"
        store.close()                       # a database that no longer answers
        assert not wd.tick()
        assert "database" in wd.last_failure
    finally:
        wd.close()
