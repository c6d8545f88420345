"""``/metrics`` of a simulated kiosk, read over HTTP and parsed, against the store's own
counts: trays by state, dossier events, the outbox, citizen transactions; and no
personal data in any label."""
import sqlite3

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.fleet.conftest import wait_for

PHONE = "0912345678"                  # Trần Thị Mai, a made-up citizen
ID_NUMBER = "079095001234"


def scrape(machine) -> dict:
    text = requests.get(machine.metrics_url, timeout=5).text
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out, text


def value(samples, name, **labels):
    return samples[(name, tuple(sorted(labels.items())))]


def deposit(ledger, tray, *, txn, cancel=False):
    d = ledger.create_dossier(procedure_code="HT-05", procedure_name="Khai sinh",
                              state="DRAFT", actor="citizen", phone=PHONE,
                              id_number=ID_NUMBER, citizen_name="Trần Thị Mai")
    ledger.move_tray(tray, "RESERVED", actor="citizen", reason="deposit", txn=txn,
                     dossier_code=d["code"])
    ledger.move_tray(tray, "UNLOCKING", actor="citizen", reason="deposit", txn=txn)
    ledger.move_tray(tray, "OPEN", actor="citizen", reason="door opened", txn=txn)
    if cancel:
        ledger.move_tray(tray, "EMPTY", actor="citizen", reason="backed out", txn=txn)
        ledger.move_dossier(d["code"], "CANCELLED", actor="citizen", reason="backed out")
        return d["code"]
    ledger.move_tray(tray, "OCCUPIED_DEPOSIT", actor="citizen", reason="door shut",
                     txn=txn, dossier_code=d["code"])
    ledger.move_dossier(d["code"], "DEPOSITED", actor="citizen", reason="door shut",
                        tray_id=tray)
    return d["code"]


def test_metrics_match_the_store(machine):
    services = machine.start()
    ledger = services.ledger
    assert wait_for(lambda: services.sync.status().last_contact)
    codes = [deposit(ledger, f"A0{i}", txn=f"t-{i}") for i in range(1, 4)]
    deposit(ledger, "A04", txn="t-4", cancel=True)
    ledger.move_tray("A05", "OUT_OF_SERVICE", actor="technician", reason="hinge")
    machine.city.set_faults(down=True)           # hold the outbox still while we compare
    ledger.event("test.marker", actor="system", subject="x", reason="queued")

    samples, text = scrape(machine)
    db = sqlite3.connect(services.cfg.db_path)
    by_state = dict(db.execute("SELECT state, COUNT(*) FROM trays GROUP BY state"))
    for state in ("EMPTY", "OCCUPIED_DEPOSIT", "OUT_OF_SERVICE", "TAMPERED"):
        assert value(samples, "kiosk_trays", state=state) == by_state.get(state, 0)
    trays = sum(v for (n, _), v in samples.items() if n == "kiosk_trays")
    assert trays == db.execute("SELECT COUNT(*) FROM trays").fetchone()[0] == 24

    deposited = db.execute("SELECT COUNT(*) FROM dossiers WHERE deposited_at IS NOT NULL"
                           ).fetchone()[0]
    cancelled = db.execute("SELECT COUNT(*) FROM dossiers WHERE state = 'CANCELLED'"
                           ).fetchone()[0]
    assert value(samples, "kiosk_dossiers_total", event="deposited") == deposited == 3
    assert value(samples, "kiosk_dossiers_total", event="cancelled") == cancelled == 1
    assert value(samples, "kiosk_dossiers_total", event="picked_up") == 0

    pending = db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND "
                         "dead_letter IS NULL").fetchone()[0]
    assert pending >= 1
    assert value(samples, "kiosk_outbox_pending") == pending
    assert value(samples, "kiosk_outbox_oldest_age_seconds") >= 0

    # three deposits finished (door shut on the dossier); the cancelled one is not one
    assert value(samples, "kiosk_citizen_transaction_seconds_count", flow="deposit") == 3
    assert value(samples, "kiosk_citizen_transaction_seconds_bucket", flow="deposit",
                 le="+Inf") == 3
    assert value(samples, "kiosk_citizen_transaction_seconds_count", flow="pickup") == 0
    assert value(samples, "kiosk_build_info", kiosk="SIM-BINHTAY-01", ward_code="27367",
                 version=services.sync.heartbeat_builder.software) == 1
    assert value(samples, "kiosk_device_up", device="printer") == 1
    assert value(samples, "kiosk_printer_paper", state="ok") == 1
    assert value(samples, "kiosk_disk_free_bytes") > 0
    assert value(samples, "kiosk_city_last_contact_timestamp_seconds") > 1.7e9

    # no personal data anywhere in the exposition, labels included
    for secret in (PHONE, PHONE[-9:], ID_NUMBER, "Trần", "Mai", *codes):
        assert secret not in text


def test_counters_survive_a_restart_and_never_go_down(machine):
    services = machine.start()
    deposit(services.ledger, "A01", txn="t-1")
    before, _ = scrape(machine)
    machine.stop_kiosk()
    machine.start()
    after, _ = scrape(machine)
    for key in [k for k in before if k[0] in ("kiosk_dossiers_total",
                                             "kiosk_citizen_transaction_seconds_count")]:
        assert after[key] == before[key]
    assert value(after, "kiosk_citizen_transaction_seconds_count", flow="deposit") == 1


def test_a_taken_port_is_reported_and_the_kiosk_runs_on(machine):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        port = sock.getsockname()[1]
        services = machine.start(metrics={"listen": f"127.0.0.1:{port}"})
        assert "metrics" in services.startup_problems
        assert "choose another port" in services.startup_problems["metrics"]
        assert services.ledger.trays()
    finally:
        sock.close()


def test_metrics_listen_must_be_host_port(machine):
    from kiosk.config import ConfigError
    machine.start_city()
    with pytest.raises(ConfigError) as info:
        machine.config(metrics={"listen": "9464"})
    assert "metrics.listen" in str(info.value) and "host:port" in str(info.value)


def test_doctor_says_whether_metrics_can_be_served(machine):
    import socket

    from kiosk.cli.doctor import check_fleet
    machine.start_city()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    try:
        taken = sock.getsockname()[1]
        lines = [c.line() for c in check_fleet(machine.config(
            metrics={"listen": f"127.0.0.1:{taken}"}))]
        assert lines[0].startswith("FAIL  metrics: cannot listen") and "choose another" \
            in lines[0]
        assert lines[1] == "ok    city commands: on, the city's key is pinned"
    finally:
        sock.close()
    ok = check_fleet(machine.config(metrics={"listen": "127.0.0.1:0"},
                                    commands={"city_public_key": ""}))
    assert all(c.ok for c in ok) and "off" in ok[1].detail
