"""Memory: resident set size of the kiosk after start and after 10,000 transactions.

The whole kiosk in this process (the simulators run in another, ``bench.world``) as ``kiosk run`` builds it (``kiosk.app.build_services``
against the simulators of ``bench.world``, devices, sync thread and the citizen window
offscreen). Then citizens deposit and staff collect until the journal holds 10,000 more
rows (each row is one committed state change or event): phone + SMS code through the
city simulator, tray reserved, opened on the simulated lock board, door shut and seen by
the door poller, printed receipt and SMS e-receipt, a rating now and then; staff open
the tray, take the dossier, the tray is EMPTY again. RSS is VmRSS from /proc/self/status.
The second row's limit is the first row: a ratio near 1 means nothing grows.
"""
from __future__ import annotations

import gc
import os
import re
import sys
import tempfile
import time
import uuid

from bench.stats import CACHE_DIR, Result, main_for, rss_kb

TARGET_ROWS = 10_000


def run(quick: bool = False) -> list[Result]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    rss_python = rss_kb()
    from PyQt5.QtWidgets import QApplication

    from bench.world import RemoteWorld
    from kiosk.app import build_services
    from kiosk.models import DossierState as D, TrayState as T
    from ui.main_window import build_citizen_window

    target = 1000 if quick else TARGET_ROWS
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="bench-memory-", dir=CACHE_DIR) as d, \
            RemoteWorld(d) as world:
        services = build_services(world.cfg, create_secrets=True).start()
        win = build_citizen_window(services, code_reader=services.code_reader)
        try:
            win.showFullScreen()
            end = time.monotonic() + 20
            while win.first_paint_at is None and time.monotonic() < end:
                app.processEvents()
            services.sync.catalog.refresh()
            citizen, ledger, doors = services.citizen, services.ledger, services.doors
            procedure = next(p.code for p in citizen.catalog.items()
                             if p.fee == 0 and p.tray_size == "M")
            specs = {t.id: t for t in world.cfg.trays()}
            for _ in range(20):
                app.processEvents()
            gc.collect()
            rss_start = rss_kb()
            seq0 = ledger.journal_head()["seq"]
            t0 = time.monotonic()
            cycles = 0
            sms_seen = 0
            samples: list[tuple[int, float]] = []
            while ledger.journal_head()["seq"] - seq0 < target:
                phone = f"098{4000000 + cycles:07d}"
                dep = citizen.start_deposit(procedure)
                citizen.deposit_phone(dep, phone)
                texts = world.ask(f"sms {sms_seen}")
                sms_seen = texts[-1]["id"]
                code = re.search(r"\b(\d{6})\b", texts[-1]["text"]).group(1)
                citizen.deposit_code(dep, code)
                tray = citizen.reserve_tray(dep)
                if not citizen.open_tray(dep):
                    raise RuntimeError(f"tray {tray} did not open")
                spec = specs[tray]
                world.ask(f"put {spec.board} {spec.lock}")
                world.ask(f"close {spec.board} {spec.lock}")
                doors.poll_once()        # the poller thread may be the one that sees it
                end = time.monotonic() + 5
                while not dep.finished and time.monotonic() < end:
                    time.sleep(0.002)
                if not dep.finished:
                    raise RuntimeError(f"the deposit in tray {tray} was not recorded")
                citizen.send_receipts(dep)
                if cycles % 10 == 0:
                    citizen.rate(5, dep.code)
                txn = uuid.uuid4().hex
                doors.open(tray, actor="staff:S001", reason="collect", txn=txn)
                world.ask(f"take {spec.board} {spec.lock}")
                world.ask(f"close {spec.board} {spec.lock}")
                doors.poll_once()
                with ledger.transaction():
                    ledger.move_tray(tray, T.EMPTY, actor="staff:S001", reason="collected",
                                     txn=txn)
                    ledger.move_dossier(dep.code, D.COLLECTED, actor="staff:S001",
                                        reason="collected at the round")
                app.processEvents()
                cycles += 1
                done = ledger.journal_head()["seq"] - seq0
                if not samples or done - samples[-1][0] >= target // 5:
                    samples.append((done, rss_kb() / 1024.0))
            seconds = time.monotonic() - t0
            rows = ledger.journal_head()["seq"] - seq0
            services.sync.drain(timeout_s=60)
            for _ in range(20):
                app.processEvents()
            rss_end = rss_kb()
            gc.collect()
            rss_gc = rss_kb()
            dead = services.store.query(
                "SELECT kind, COUNT(*) n, MIN(last_error) e FROM outbox "
                "WHERE dead_letter IS NOT NULL GROUP BY kind")
            pending = services.sync.outbox.depth()
        finally:
            win.shutdown()
            win.close()
            services.close()
    mb = lambda kb: kb / 1024.0   # noqa: E731
    notes_end = [f"{cycles} deposits + collections, {rows} journal rows in {seconds:.0f} s "
                 f"({rows / seconds:.0f} rows/s); after gc.collect() {mb(rss_gc):.1f} MB",
                 f"outbox after the run: {pending} pending",
                 "RSS along the way (rows: MB): " + ", ".join(f"{r:,}: {m:.1f}"
                                                             for r, m in samples)]
    for row in dead:
        notes_end.append(f"dead letters: {row['n']} of kind '{row['kind']}' "
                         f"(city said: {row['e']})")
    return [
        Result("memory after start (kiosk + window)", mb(rss_start), None, "MB",
               how="VmRSS after the first paint, devices and sync running",
               notes=[f"python + bench helpers alone: {mb(rss_python):.1f} MB"],
               extra={"rss_python_mb": mb(rss_python)}),
        Result(f"memory after {rows:,} transactions", mb(rss_end), mb(rss_start), "MB",
               how="VmRSS after the run and the outbox drained",
               limit_how="the same process after start (ratio = growth)",
               notes=notes_end,
               extra={"rss_gc_mb": mb(rss_gc), "rows": rows, "cycles": cycles,
                      "seconds": seconds, "dead_letters": dead, "samples": samples}),
    ]


if __name__ == "__main__":
    main_for(run)
