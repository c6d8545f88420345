"""Signed city commands end to end: the city simulator signs and queues, the kiosk's
long poll fetches, the runner checks and runs once, and the acknowledgement comes back
to the city through the outbox. Every refusal case, every command."""
import time

import pytest
import requests

from tests.fleet.conftest import wait_for


def events(services, action):
    return services.store.query("SELECT * FROM journal WHERE action = ? ORDER BY seq",
                                (action,))


def put_deposit(ledger, tray):
    d = ledger.create_dossier(procedure_code="HT-05", state="DRAFT", actor="citizen")
    ledger.move_tray(tray, "RESERVED", actor="citizen", reason="deposit", txn="t",
                     dossier_code=d["code"])
    ledger.move_tray(tray, "UNLOCKING", actor="citizen", reason="deposit", txn="t")
    ledger.move_tray(tray, "OPEN", actor="citizen", reason="door opened", txn="t")
    ledger.move_tray(tray, "OCCUPIED_DEPOSIT", actor="citizen", reason="shut", txn="t",
                     dossier_code=d["code"])
    ledger.move_dossier(d["code"], "DEPOSITED", actor="citizen", reason="shut",
                        tray_id=tray)
    return d["code"]


def test_a_command_arrives_within_5_seconds_and_is_acknowledged(machine):
    services = machine.start()
    time.sleep(1.0)                       # the long poll is waiting at the city
    started = time.monotonic()
    cid = machine.send("tray.out_of_service", {"tray": "A03"})
    assert wait_for(lambda: services.ledger.tray("A03")["state"] == "OUT_OF_SERVICE", 5)
    ran_after = time.monotonic() - started
    out = machine.outcome(cid, timeout=5)
    acked_after = time.monotonic() - started
    assert out["status"] == "done", out
    assert ran_after < 5 and acked_after < 5, (ran_after, acked_after)
    print(f"command ran after {ran_after * 1000:.0f} ms, acknowledged after "
          f"{acked_after * 1000:.0f} ms")
    assert [r["subject"] for r in events(services, "command.received")] == [cid]
    assert [r["subject"] for r in events(services, "command.done")] == [cid]


def test_out_of_service_keeps_the_content_and_is_never_offered(machine):
    services = machine.start()
    code = put_deposit(services.ledger, "A09")
    for tray in ("A09", "A10"):
        assert machine.outcome(machine.send("tray.out_of_service",
                                            {"tray": tray}))["status"] == "done"
    assert services.ledger.tray("A09")["dossier_code"] == code
    offered = {services.doors.free_tray("M") for _ in range(8)}
    assert "A10" not in offered and "A09" not in offered
    assert machine.outcome(machine.send("tray.in_service", {"tray": "A09"}))["status"] == "done"
    assert machine.outcome(machine.send("tray.in_service", {"tray": "A10"}))["status"] == "done"
    a09, a10 = services.ledger.tray("A09"), services.ledger.tray("A10")
    assert (a09["state"], a09["dossier_code"]) == ("OCCUPIED_DEPOSIT", code)
    assert (a10["state"], a10["dossier_code"]) == ("EMPTY", None)
    # and a tray in service cannot be brought "back" again
    out = machine.outcome(machine.send("tray.in_service", {"tray": "A10"}))
    assert (out["status"], out["reason"]) == ("refused", "not_out_of_service")


def test_a_tray_in_use_is_not_taken_out_of_service(machine):
    services = machine.start()
    services.ledger.move_tray("A02", "RESERVED", actor="citizen", reason="deposit", txn="x")
    out = machine.outcome(machine.send("tray.out_of_service", {"tray": "A02"}))
    assert (out["status"], out["reason"]) == ("refused", "tray_busy")
    assert services.ledger.tray("A02")["state"] == "RESERVED"


@pytest.mark.parametrize("how, extra, reason", [
    ("unsigned", {"unsigned": True}, "unsigned"),
    ("forged", {"forge": True}, "bad_signature"),
    ("expired", {"expires_in_s": -60}, "expired"),
])
def test_bad_envelopes_are_refused_and_reported(machine, how, extra, reason):
    services = machine.start()
    cid = machine.send("tray.out_of_service", {"tray": "A04"}, **extra)
    out = machine.outcome(cid)
    assert (out["status"], out["reason"]) == ("refused", reason), how
    assert services.ledger.tray("A04")["state"] == "EMPTY"
    refused = events(services, "command.refused")
    assert refused and refused[-1]["reason"] == reason
    assert not services.store.query("SELECT * FROM city_commands"), \
        "a refused envelope must not be recorded as seen"


def test_unknown_and_malformed_commands_are_refused(machine):
    services = machine.start()
    cases = [("tray.explode", {"tray": "A01"}, "unknown_command"),
             ("tray.out_of_service", {"tray": 3}, "malformed"),
             ("tray.out_of_service", {"tray": "A01", "force": True}, "malformed"),
             ("tray.out_of_service", {"tray": "Z99"}, "no_such_tray"),
             ("logs.collect", {"hours": 1000}, "malformed"),
             ("config.set", {"key": "city.base_url", "value": "http://evil"}, "not_allowed"),
             ("config.set", {"key": "rounds.times", "value": ["25:00"]}, "malformed")]
    for command, args, reason in cases:
        out = machine.outcome(machine.send(command, args))
        assert (out["status"], out["reason"]) == ("refused", reason), (command, args, out)
    assert all(t["state"] == "EMPTY" for t in services.ledger.trays())
    assert services.overrides.get("rounds.times") is None


def test_a_replayed_command_is_refused_and_not_run_twice(machine):
    services = machine.start()
    cid = machine.send("tray.out_of_service", {"tray": "A05"})
    assert machine.outcome(cid)["status"] == "done"
    assert machine.outcome(machine.send("tray.in_service", {"tray": "A05"}))["status"] == "done"
    r = requests.post(machine.city.url + "/_sim/commands", json={"replay": cid}, timeout=5)
    assert r.json() == {"id": cid}
    replay = machine.outcome(cid, index=-1)
    first = [c for c in machine.commands() if c["id"] == cid][0]
    assert (replay["status"], replay["reason"], replay["replay"]) == ("refused", "replayed",
                                                                       True)
    assert first["status"] == "done"
    assert services.ledger.tray("A05")["state"] == "EMPTY", "the replay must not run"


def test_a_command_for_another_kiosk_is_refused(machine):
    from tests.fleet.signing import envelope
    services = machine.start()
    body = envelope(machine.city.commands, "OTHER-01", "tray.out_of_service", {"tray": "A01"})
    assert services.command_runner.handle(body) == ("refused", "wrong_kiosk")
    tampered = envelope(machine.city.commands, "SIM-BINHTAY-01", "tray.out_of_service",
                        {"tray": "A01"})
    tampered["args"] = {"tray": "A02"}            # changed after signing
    assert services.command_runner.handle(tampered) == ("refused", "bad_signature")
    assert services.command_runner.handle("not an object") == ("refused", "malformed")
    assert services.ledger.tray("A01")["state"] == "EMPTY"


def test_config_set_round_times_and_notice(machine):
    services = machine.start()
    seen = []
    services.overrides.subscribe("rounds.times", seen.append)
    out = machine.outcome(machine.send("config.set", {"key": "rounds.times",
                                                      "value": ["16:30", "08:15"]}))
    assert out["status"] == "done"
    assert services.overrides.get("rounds.times") == ["08:15", "16:30"]
    assert seen == [["08:15", "16:30"]]
    notice = {"vi": "Máy bảo trì 20:00–21:00.", "en": "Maintenance 20:00–21:00.",
              "zh": "20:00–21:00 维护。"}
    assert machine.outcome(machine.send("config.set", {"key": "notice.text",
                                                       "value": notice}))["status"] == "done"
    machine.stop_kiosk()
    services = machine.start()                    # kept across a restart
    assert services.overrides.get("notice.text") == notice
    assert services.overrides.get("rounds.times") == ["08:15", "16:30"]


def test_catalog_reload_and_restart(machine):
    services = machine.start()
    out = machine.outcome(machine.send("catalog.reload"))
    assert out["status"] == "done"
    assert len(services.sync.catalog.procedures()) >= 40
    out = machine.outcome(machine.send("kiosk.restart"))
    assert (out["status"], out["reason"]) == ("refused", "unavailable")
    restarted = []
    services.on_restart = lambda: restarted.append(True)
    out = machine.outcome(machine.send("kiosk.restart"))
    assert out["status"] == "done" and restarted == [True]


def test_logs_collect_sends_scrubbed_logs(machine):
    import gzip
    services = machine.start()
    log = services.cfg.data_dir / "kiosk.log"
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    log.write_text(f"2020-01-01 00:00:00,000 INFO kiosk.test: long ago\n  its traceback\n"
                   f"{stamp},001 INFO kiosk.test: sms to 0912345678 for 079095001234, "
                   f"OTP 482913\n{stamp},002 INFO kiosk.test: door A03 shut\n",
                   encoding="utf-8")
    out = machine.outcome(machine.send("logs.collect", {"hours": 2}))
    assert out["status"] == "done", out
    row = services.store.query_one("SELECT * FROM sync_uploads WHERE key LIKE 'logs-%'")
    assert wait_for(lambda: services.sync.uploads.status(row["key"])["state"] == "done", 10)
    upload = machine.city.db.query("SELECT * FROM uploads WHERE complete = 1")
    assert upload and upload[0]["filename"] == row["key"] + ".log.gz"
    text = gzip.decompress((machine.city.db.upload_dir / upload[0]["id"]).read_bytes()
                           ).decode()
    assert "door A03 shut" in text
    assert "long ago" not in text and "its traceback" not in text
    for secret in ("0912345678", "079095001234", "482913"):
        assert secret not in text
