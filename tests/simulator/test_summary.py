"""The summary's own arithmetic: wrong trays, masking, invariants."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

from hypothesis import assume, given
from hypothesis import strategies as st

from sim.scenario.day import checks
from sim.scenario.summary import cabinet_vs_database, wrong_trays, write_sms

TRAYS = st.sampled_from(["A01", "A02", "A03", "B01"])


def test_a_pulse_with_an_intent_is_right():
    assert wrong_trays(["A01", "A02"], ["A01", "A02"]) == []


def test_retries_of_one_unlock_count_once():
    assert wrong_trays(["A01", "A01", "A01", "A02"], ["A01", "A02"]) == []


def test_an_intent_without_a_pulse_is_fine():
    # a power cut between the committed intent and the pulse
    assert wrong_trays(["A02"], ["A01", "A02"]) == []


def test_a_pulse_without_an_intent_is_wrong():
    assert wrong_trays(["A01", "A03", "A02"], ["A01", "A02"]) == ["A03"]


def test_out_of_order_is_wrong():
    assert wrong_trays(["A02", "A01"], ["A01", "A02"]) == ["A01"]


@given(st.lists(TRAYS, max_size=30))
def test_pulses_that_follow_the_journal_are_never_wrong(intents):
    # any pulse sequence made by dropping intents and repeating pulses is right
    pulsed = [t for i, t in enumerate(intents) if i % 3 != 1 for _ in range(1 + i % 2)]
    assert wrong_trays(pulsed, intents) == []


@given(st.lists(TRAYS, max_size=30), TRAYS)
def test_one_extra_pulse_is_found(intents, extra):
    # (a second pulse of the tray just pulsed reads as a retry of the same unlock)
    assume(not intents or intents[-1] != extra)
    assert len(wrong_trays(intents + [extra], intents)) == 1


def test_sms_file_masks_numbers_and_codes(tmp_path):
    path = tmp_path / "sms.jsonl"
    write_sms([{"time": "t", "to": "0912345678", "via": "city",
                "text": "Ma xac thuc: 482916. Ho so HS261127-5BQNS"}], path)
    sms = json.loads(path.read_text(encoding="utf-8"))
    assert sms["to"] == "*******678"
    assert "482916" not in sms["text"]
    assert "HS261127-5BQNS" in sms["text"]


def _summary(**over):
    s = {"deposits": 4, "collected": 3, "results_loaded": 3, "picked_up": 1, "expired": 1,
         "returned_to_office": 1, "lost_events": 0, "duplicates_at_server": 0,
         "audit_chain_ok": True, "wrong_tray_opened": 0, "citizens": 5,
         "visits_stopped": [{"kind": "deposit", "stage": "otp", "detail": "wrong code"}],
         "now": {"DEPOSITED": 1, "RESULT_LOADED": 1, "EXPIRED": 0},
         "cabinet_mismatches": [], "dossiers_in_no_tray": 0, "trays_unknown_at_end": 0,
         "power_cuts_in_door_transactions": 0, "power_cuts_done": 1,
         "power_cuts_requested": 1}
    s.update(over)
    return s


def test_checks_hold_when_the_counts_add_up():
    assert all(checks(_summary()).values())


def test_checks_name_what_does_not_add_up():
    bad = checks(_summary(collected=2, lost_events=1))
    assert bad["every_deposit_collected_or_waiting"] is False
    assert bad["no_event_lost"] is False
    assert bad["journal_chain_ok"] is True
    bad = checks(_summary(trays_unknown_at_end=1, dossiers_in_no_tray=1, power_cuts_done=0,
                          cabinet_mismatches=["A01: door open at the end of the day"]))
    assert bad["trays_unknown_only_after_door_cuts"] is False
    assert bad["every_dossier_in_the_cabinet_in_a_tray"] is False
    assert bad["cabinet_matches_database"] is False
    assert bad["every_requested_cut_done"] is False


def test_an_empty_catalog_fails_the_day():
    """Nothing offered, nothing handed in: every count adds up (0 = 0) yet the day failed."""
    empty = _summary(deposits=0, collected=0, results_loaded=0, picked_up=0, expired=0,
                     returned_to_office=0, now={"DEPOSITED": 0, "RESULT_LOADED": 0,
                                                "EXPIRED": 0},
                     visits_stopped=[{"kind": "deposit", "stage": "catalog",
                                      "detail": "cannot tap 'Đăng ký khai sinh'"}] * 5)
    result = checks(empty)
    assert result["every_deposit_collected_or_waiting"] is True
    assert result["deposits_made"] is False
    assert result["no_visit_stopped_at_the_catalog"] is False
    assert not all(result.values())


def test_the_kiosk_dies_with_the_launcher(tmp_path):
    """kill -9 of kiosk-sim itself leaves no kiosk behind (it would lock the next run's
    devices)."""
    script = textwrap.dedent(f"""
        import sys, time
        from sim.launcher import SimLauncher
        sim = SimLauncher({str(tmp_path / 'run')!r},
                          kiosk_cmd=[sys.executable, "-c", "import time; time.sleep(120)"])
        sim.start()
        print(sim.kiosk.pid, flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            text=True, cwd=os.getcwd())
    try:
        kiosk_pid = int(proc.stdout.readline())
        os.kill(kiosk_pid, 0)                      # alive while the launcher lives
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(kiosk_pid, 0)
            except ProcessLookupError:
                break
            _reap(kiosk_pid)
            time.sleep(0.05)
        else:
            raise AssertionError(f"kiosk {kiosk_pid} outlived its launcher")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _reap(pid: int) -> None:
    """The orphan is re-parented to init (or to us as a subreaper): let it be reaped."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _kiosk_db(tmp_path, trays, dossiers, recovered=()):
    import sqlite3
    path = tmp_path / "kiosk.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE trays (id, state, dossier_code)")
    db.execute("CREATE TABLE dossiers (code, state, tray_id)")
    db.execute("CREATE TABLE journal (seq, action, data)")
    db.executemany("INSERT INTO trays VALUES (?, ?, ?)", trays)
    db.executemany("INSERT INTO dossiers VALUES (?, ?, ?)", dossiers)
    db.execute("INSERT INTO journal VALUES (1, 'kiosk.recovered', ?)",
               (json.dumps({"unknown": list(recovered)}),))
    db.commit()
    db.close()
    return path


def _hw(paper, door="locked"):
    return {"door": door, "paper": paper}


def test_the_cabinet_agrees_with_the_database(tmp_path):
    db = _kiosk_db(tmp_path, [("A01", "OCCUPIED_DEPOSIT", "HS1"), ("A02", "EMPTY", None),
                              ("A03", "UNKNOWN", "HS2")],
                   [("HS1", "DEPOSITED", "A01"), ("HS2", "DRAFT", "A03")], ["A03"])
    got = cabinet_vs_database({"A01": _hw(True), "A02": _hw(False), "A03": _hw(True)}, db)
    assert got == {"trays_unknown_at_end": 1, "trays_unknown": ["A03"],
                   "dossiers_in_no_tray": 0, "cabinet_mismatches": []}


def test_paper_in_no_tray_and_a_wrong_cabinet_are_named(tmp_path):
    # a tray emptied before its dossier moved; paper the database does not know of; a
    # door left open; a tray in doubt that no restart explains
    db = _kiosk_db(tmp_path, [("A01", "EMPTY", None), ("A02", "EMPTY", None),
                              ("A03", "UNKNOWN", None), ("A04", "OCCUPIED_RESULT", "HS4")],
                   [("HS1", "DEPOSITED", "A01"), ("HS4", "RESULT_LOADED", "A04")])
    got = cabinet_vs_database({"A01": _hw(False), "A02": _hw(True), "A03": _hw(True),
                               "A04": _hw(False, door="open")}, db)
    assert got["dossiers_in_no_tray"] == 1 and got["trays_unknown_at_end"] == 1
    text = "\n".join(got["cabinet_mismatches"])
    for expected in ("dossier HS1: DEPOSITED but in no tray",
                     "A02: EMPTY in the database but paper in the tray",
                     "A03: UNKNOWN but no restart put it in doubt",
                     "A03: UNKNOWN with paper but no dossier",
                     "A04: door open", "A04: OCCUPIED_RESULT (HS4) but the tray is empty"):
        assert expected in text, text
