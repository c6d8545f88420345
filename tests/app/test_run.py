"""`kiosk run` as systemd runs it: READY once recovered, WATCHDOG petted from the UI
thread, STOPPING on SIGTERM, and the half-finished work of the last run recovered."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.pii import Pii
from kiosk.secrets import read_secret, write_secret
from kiosk.services.ledger import Ledger
from kiosk.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_kiosk_run_notifies_systemd_and_recovers(tmp_path):
    text = (ROOT / "config/sim.toml").read_text()
    text = text.replace('data_dir = "../var/sim"', f'data_dir = "{tmp_path / "run"}"')
    text = text.replace("http://127.0.0.1:8765/api/v1", "http://127.0.0.1:9/api/v1")
    for dev in ("printer", "scanner", "code_reader", "modem"):      # no such devices here
        text = text.replace(f"[{dev}]\n", f"[{dev}]\nenabled = false\n")
    profile = tmp_path / "kiosk.toml"
    profile.write_text(text)
    cfg = load_config(profile)
    # the last run died with A03 mid-unlock
    key = read_secret(cfg.path(cfg.secrets.hmac_key_file), create=True)
    write_secret(cfg.path(cfg.secrets.city_token_file), b"token-for-nobody")
    store = Store.open(cfg.db_path)
    led = Ledger(store, ManualClock(), Pii(key), cfg.kiosk.id)
    led.sync_trays(cfg.trays())
    led.move_tray("A03", "RESERVED", actor="citizen", reason="deposit")
    led.move_tray("A03", "UNLOCKING", actor="citizen", reason="deposit", txn="t-dead")
    store.close()

    sock_path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(1.0)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path, WATCHDOG_USEC="900000",
               QT_QPA_PLATFORM="offscreen")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "run", "--config",
                             str(profile)], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    got = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and got.count("WATCHDOG=1") < 3:
            try:
                got.append(sock.recv(4096).decode().split("\n")[0])
            except socket.timeout:
                assert proc.poll() is None, proc.stdout.read()
        assert got[0] == "READY=1" and got.count("WATCHDOG=1") >= 3, got
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
        while True:
            try:
                got.append(sock.recv(4096).decode().split("\n")[0])
            except socket.timeout:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()
    assert "STOPPING=1" in got and proc.returncode == 0, out
    store = Store.open(cfg.db_path)
    tray = store.query_one("SELECT state FROM trays WHERE id = 'A03'")
    assert tray["state"] == "UNKNOWN"                      # never re-pulsed by itself
    assert store.query_one("SELECT COUNT(*) n FROM journal WHERE action = "
                           "'kiosk.recovered'")["n"] == 1
    store.close()
    assert "device printer" not in out                     # disabled is not a fault
