"""OTP accepted → unlock frame on the wire, for a citizen picking up a result.

The real path: ``CitizenService.check_code`` (OTP verify) → ``results_for(phone)`` →
``open_result`` → ``DoorService.open`` commits the intent (UNLOCKING, journal, outbox;
WAL with synchronous=FULL, so one fsync) → ``SerialLockBank.unlock`` writes the 5-byte
frame to a pty. The simulator, on the other end, timestamps the frame when it has read
it; the 5 bytes' time on a 19200-baud line is added (a pty moves them at once).
Limit: one fsync of one page on the same disk (measured in this run) + 5 bytes at 19200.
"""
from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from bench.stats import (CACHE_DIR, Result, append_fdatasync_ms, fsync_page_ms, main_for,
                         median, p99, sqlite_commit_ms, wire_ms)
from hardware.lockboard.driver import BusSpec, SerialLockBank, TrayWiring
from kiosk.auth.otp import OtpService
from kiosk.clock import SystemClock
from kiosk.config import TraySpec
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import Pii
from kiosk.services.citizen import Catalog, CitizenService
from kiosk.services.doors import DoorService
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.lockboard import SimLockBus

BAUD = 19200
TRAYS = 16


class _Inbox:
    def __init__(self):
        self.last = ""

    def send(self, phone, text, *, key):
        self.last = text
        return key


def _load_result(ledger: Ledger, tray: str, phone: str) -> None:
    """A result in a tray for ``phone``, as staff leave it (not timed)."""
    with ledger.transaction():
        d = ledger.create_dossier(procedure_code="KS-01", procedure_name="Khai sinh",
                                  state=D.COLLECTED, actor="staff:S001", phone=phone)
        for state in (T.RESERVED, T.UNLOCKING, T.OPEN):
            ledger.move_tray(tray, state, actor="staff:S001", reason="load result",
                             dossier_code=d["code"], purpose="result")
        ledger.move_tray(tray, T.OCCUPIED_RESULT, actor="staff:S001", reason="loaded")
        ledger.move_dossier(d["code"], D.RESULT_LOADED, actor="staff:S001",
                            reason="result loaded", tray_id=tray)


def run(quick: bool = False) -> list[Result]:
    n = 60 if quick else 400
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    fsync = fsync_page_ms(CACHE_DIR, 100 if quick else 400)
    append = append_fdatasync_ms(CACHE_DIR, 100 if quick else 400)
    commit = sqlite_commit_ms(CACHE_DIR, 100 if quick else 400)
    clock = SystemClock()
    to_wire, to_intent = [], []
    with tempfile.TemporaryDirectory(prefix="bench-otp-", dir=CACHE_DIR) as d, \
            SimLockBus(Path(d) / "bus", boards=[0], line_baud=BAUD) as sim:
        store = Store.open(Path(d) / "kiosk.db")
        bank = SerialLockBank([BusSpec("a", sim.path, BAUD)],
                              [TrayWiring(f"A{i:02d}", "a", 0, i) for i in range(1, TRAYS + 1)])
        try:
            pii = Pii(b"bench-hmac-key-0123456789abcdef!")
            ledger = Ledger(store, clock, pii)
            ledger.sync_trays([TraySpec(f"A{i:02d}", "A", "M", "a", 0, i, None, None, False)
                               for i in range(1, TRAYS + 1)])
            intent_at: dict[str, float] = {}

            def on_change(kind, subject, row):
                if kind == "tray" and row["state"] == T.UNLOCKING.value:
                    intent_at[row["txn"]] = time.monotonic()
            ledger.add_listener(on_change)
            doors = DoorService(ledger, bank, clock)      # no poller: nothing else on the bus
            inbox = _Inbox()
            otp = OtpService(clock, b"bench-otp-key-0123456789abcdef!!", inbox.send)
            citizen = CitizenService(ledger=ledger, clock=clock, pii=pii, otp=otp, doors=doors,
                                     catalog=Catalog([]))
            for i in range(n + 5):
                tray = f"A{i % TRAYS + 1:02d}"
                phone = f"091{2000000 + i:07d}"
                _load_result(ledger, tray, phone)
                challenge = citizen.send_code(phone)
                code = re.search(r"\b(\d{6})\b", inbox.last).group(1)
                txn = f"pickup-{i}"
                sim.clear_log()
                t0 = time.monotonic()
                citizen.check_code(challenge, code)                # OTP accepted
                dossier = citizen.results_for(phone)[0]
                if not citizen.open_result(dossier, txn):
                    raise RuntimeError(f"tray {tray} did not open in the simulator")
                frames = [e for e in sim.frames_log
                          if e.direction == "host" and e.command == "unlock"]
                if len(frames) != 1:
                    raise RuntimeError(f"expected one unlock frame, saw {frames}")
                if i >= 5:                                         # the first few warm up
                    to_wire.append((frames[0].at - t0) * 1000.0 + wire_ms(5, BAUD))
                    to_intent.append((intent_at[txn] - t0) * 1000.0)
                citizen.finish_pickup(dossier, txn)
                sim.close_door(0, i % TRAYS + 1)
        finally:
            bank.close()
            store.close()
    limit = p99(fsync) + wire_ms(5, BAUD)
    return [Result("OTP accepted → unlock frame on the wire", p99(to_wire), limit, "ms",
                   how=f"p99 of {len(to_wire)} pickups (verify, look-up, intent commit, "
                       "frame), + 5 bytes' wire time",
                   limit_how=f"p99 of {len(fsync)} fsyncs of one 4 KiB page on this disk "
                             f"+ 5 bytes at 19200 baud ({wire_ms(5, BAUD):.2f} ms)",
                   notes=[f"median {median(to_wire):.2f} ms vs limit median "
                          f"{median(fsync) + wire_ms(5, BAUD):.2f} ms",
                          f"of which until the intent is committed: median "
                          f"{median(to_intent):.2f} ms, p99 {p99(to_intent):.2f} ms",
                          f"fsync of one page: median {median(fsync):.2f} ms, "
                          f"p99 {p99(fsync):.2f} ms; append one page + fdatasync (what a "
                          f"WAL commit does): median {median(append):.2f} ms, "
                          f"p99 {p99(append):.2f} ms",
                          f"bare SQLite commit of one row (WAL, synchronous=FULL) on the same "
                          f"disk: median {median(commit):.2f} ms, p99 {p99(commit):.2f} ms"],
                   extra={"median_ms": median(to_wire), "intent_median_ms": median(to_intent),
                          "intent_p99_ms": p99(to_intent), "fsync_median_ms": median(fsync),
                          "fsync_p99_ms": p99(fsync), "append_median_ms": median(append),
                          "append_p99_ms": p99(append), "commit_median_ms": median(commit),
                          "commit_p99_ms": p99(commit)})]


if __name__ == "__main__":
    main_for(run)
