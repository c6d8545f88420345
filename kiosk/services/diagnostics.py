"""The technician's view of the machine and the few things a technician may do to it.

Read: every device's health (``health()`` of each driver), outbox depth and the age of
the oldest undelivered event, dead letters, disk space, database size, the last
contact with the city. Do: test print, test scan, read one code, open one tray (a
reason is mandatory), put a tray out of service and back, clear a TAMPERED or UNKNOWN
tray after saying what is inside, export the journal for a date range.

A tray a technician opens is first taken OUT_OF_SERVICE (unless it already waits for a
person): it comes back only when the technician states what it holds, so a tray that
was opened by hand is never used on a guess.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone
from pathlib import Path
from typing import Callable

from hardware.ports import DeviceHealth, DeviceStatus
from kiosk.clock import parse_iso, utc_iso
from kiosk.models import DossierState as D, TRAY_NEEDS_TECHNICIAN, TrayState as T

JOURNAL_COLUMNS = ("seq", "at", "actor", "action", "subject", "from_state", "to_state",
                   "reason", "txn", "data", "prev_hash", "hash")
LOW_DISK_BYTES = 500 * 1024 * 1024
# What a dossier's state says its tray holds, when a technician names the dossier.
_HOLDS = {D.DEPOSITED.value: T.OCCUPIED_DEPOSIT, D.RESULT_LOADED.value: T.OCCUPIED_RESULT,
          D.EXPIRED.value: T.EXPIRED}


class DiagnosticsError(Exception):
    """A technician action that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class Figure:
    """One line of the diagnostics screen: a name, a value and whether it is fine."""

    name: str
    value: str
    ok: bool
    advice: str = ""


def _iso_utc(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Diagnostics:
    def __init__(self, *, ledger, clock, data_dir: str | os.PathLike, devices: dict | None = None,
                 doors=None, printer=None, scanner=None, code_reader=None,
                 sync_status: Callable[[], object] | None = None, kiosk_name: str = "",
                 health: Callable[[], list] | None = None):
        self.ledger, self.store, self.clock = ledger, ledger.store, clock
        self.data_dir = Path(data_dir)
        self.devices = dict(devices or {})
        self.health = health          # the composition root's own report, when it has one
        self.doors, self.printer, self.scanner = doors, printer, scanner
        self.code_reader = code_reader
        self.sync_status = sync_status
        self.kiosk_name = kiosk_name
        self._code_waiters: list = []
        self._code_lock = threading.Lock()
        if code_reader is not None:
            code_reader.subscribe(self._on_code)

    # ---- reading the machine --------------------------------------------------------
    def device_health(self) -> list[DeviceHealth]:
        if self.health is not None:
            try:
                return list(self.health())
            except Exception as exc:
                return [DeviceHealth("devices", DeviceStatus.HWERROR,
                                     f"health report failed: {exc}",
                                     "restart the kiosk service")]
        out: list[DeviceHealth] = []
        for name, dev in self.devices.items():
            if dev is None:
                out.append(DeviceHealth(name, DeviceStatus.OFFLINE, "not configured",
                                        "enable it in the profile if this kiosk has one"))
                continue
            try:
                got = dev.health()
            except Exception as exc:    # a broken probe is itself a finding
                out.append(DeviceHealth(name, DeviceStatus.HWERROR,
                                        f"health check failed: {exc}",
                                        "restart the kiosk service; if it stays, check the "
                                        "device's cable"))
                continue
            out += list(got) if isinstance(got, (list, tuple)) else [got]
        return out

    def outbox_stats(self) -> dict:
        """The same figures as the city's metrics (kiosk.metrics.figures)."""
        from kiosk.metrics.figures import outbox
        ob = outbox(self.store, self.clock.now())
        return {"depth": ob.pending, "oldest_age_s": ob.oldest_age_s,
                "dead_letters": ob.dead_letters}

    def dead_letters(self, limit: int = 50) -> list[dict]:
        return self.store.query(
            "SELECT id, kind, dossier_code, created_at, attempts, dead_letter, last_error "
            "FROM outbox WHERE dead_letter IS NOT NULL ORDER BY id DESC LIMIT ?", (limit,))

    def disk(self) -> dict:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        usage = shutil.disk_usage(self.data_dir)
        return {"free": usage.free, "total": usage.total}

    def db_size(self) -> int:
        path = Path(self.store.path)
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"))
                   if p.exists())

    def last_heartbeat(self) -> str | None:
        if self.sync_status is None:
            return None
        try:
            status = self.sync_status()
        except Exception:
            return None
        return getattr(status, "last_contact", None)

    def summary(self) -> list[Figure]:
        """The diagnostics screen in lines (devices first)."""
        figures = [Figure(h.device, h.status.value + (f": {h.detail}" if h.detail else ""),
                          h.ok, h.advice) for h in self.device_health()]
        ob = self.outbox_stats()
        age = ob["oldest_age_s"]
        figures.append(Figure("outbox", f"{ob['depth']} waiting" + (
            f", oldest {_age(age)}" if age is not None else ""),
            age is None or age < 3600,
            "" if age is None or age < 3600 else "check the city link (kiosk doctor)"))
        figures.append(Figure("dead letters", str(ob["dead_letters"]), ob["dead_letters"] == 0,
                              "the city refused these events; send the list to the office"
                              if ob["dead_letters"] else ""))
        disk = self.disk()
        figures.append(Figure("disk", f"{disk['free'] / 2**30:.1f} GiB free of "
                                      f"{disk['total'] / 2**30:.1f} GiB",
                              disk["free"] >= LOW_DISK_BYTES,
                              "" if disk["free"] >= LOW_DISK_BYTES else
                              "free space: old exports and scans in the data folder"))
        figures.append(Figure("database", f"{self.db_size() / 2**20:.1f} MiB", True))
        hb = self.last_heartbeat()
        if hb:
            when = parse_iso(hb).astimezone(self.clock.zone)
            figures.append(Figure("city link", f"last contact {when:%H:%M:%S %d/%m}", True))
        elif self.sync_status is not None:
            figures.append(Figure("city link", "no contact yet", False,
                                  "check the network and the city token (kiosk doctor)"))
        return figures

    # ---- device tests ---------------------------------------------------------------
    def test_print(self, actor: str) -> int:
        """Print the test receipt (every Vietnamese tone mark and a QR); bytes sent."""
        if self.printer is None:
            raise DiagnosticsError("no receipt printer is configured")
        from kiosk.receipts import printer_test_receipt, render_receipt
        txn = f"test-print-{uuid.uuid4().hex[:8]}"
        rendered = render_receipt(printer_test_receipt(self.clock.now(), self.kiosk_name or
                                                       "Máy nhận và trả hồ sơ 24/7"))
        try:
            sent = self.printer.print_image(rendered.image, txn=txn,
                                            qr_codes=rendered.qr_codes)
        except Exception as exc:
            self.ledger.event("diag.test_print", actor=actor, subject="printer", txn=txn,
                              reason=f"failed: {exc}", to_city=False)
            raise DiagnosticsError(f"test print failed: {exc}") from None
        self.ledger.event("diag.test_print", actor=actor, subject="printer", txn=txn,
                          reason="printed", data={"bytes": sent}, to_city=False)
        return sent

    def test_scan(self, actor: str) -> int:
        """Scan what is in the feeder; the number of pages."""
        if self.scanner is None:
            raise DiagnosticsError("no scanner is configured")
        txn = f"test-scan-{uuid.uuid4().hex[:8]}"
        try:
            pages = self.scanner.scan(txn)
        except Exception as exc:
            self.ledger.event("diag.test_scan", actor=actor, subject="scanner", txn=txn,
                              reason=f"failed: {exc}", to_city=False)
            raise DiagnosticsError(f"test scan failed: {exc}") from None
        self.ledger.event("diag.test_scan", actor=actor, subject="scanner", txn=txn,
                          reason="scanned", data={"pages": len(pages)}, to_city=False)
        return len(pages)

    def _on_code(self, text: str) -> None:
        with self._code_lock:
            waiters, self._code_waiters = self._code_waiters, []
        for box in waiters:
            box.append(text)
            box[0].set()

    def read_code(self, timeout_s: float = 15.0) -> str | None:
        """Wait for the next code the reader decodes (None after ``timeout_s``)."""
        if self.code_reader is None:
            raise DiagnosticsError("no code reader is configured")
        box = [threading.Event()]
        with self._code_lock:
            self._code_waiters.append(box)
        if not box[0].wait(timeout_s):
            with self._code_lock:
                if box in self._code_waiters:
                    self._code_waiters.remove(box)
            return None
        return box[1]

    # ---- trays -----------------------------------------------------------------------
    def open_tray(self, tray_id: str, *, actor: str, reason: str) -> bool:
        """Open one tray to look inside; the tray waits for the technician's verdict."""
        if not (reason or "").strip():
            raise DiagnosticsError("say why the tray is opened (reason is required)")
        if self.doors is None:
            raise DiagnosticsError("no door service")
        state = T(self.ledger.tray(tray_id)["state"])
        if state not in TRAY_NEEDS_TECHNICIAN:
            if state not in (T.EMPTY, T.OCCUPIED_DEPOSIT, T.OCCUPIED_RESULT, T.EXPIRED):
                raise DiagnosticsError(f"tray {tray_id} is {state.value} (in use); wait until "
                                       "the person using it is done")
            self.ledger.move_tray(tray_id, T.OUT_OF_SERVICE, actor=actor,
                                  reason=f"opened by a technician: {reason}")
        txn = f"service-{tray_id}-{uuid.uuid4().hex[:8]}"
        return bool(self.doors.service_open(tray_id, actor=actor, reason=reason, txn=txn))

    def out_of_service(self, tray_id: str, *, actor: str, reason: str) -> dict:
        if not (reason or "").strip():
            raise DiagnosticsError("say why the tray goes out of service")
        state = self.ledger.tray(tray_id)["state"]
        if state in (T.UNLOCKING.value, T.OPEN.value, T.RESERVED.value):
            raise DiagnosticsError(f"tray {tray_id} is {state} (in use); wait until the "
                                   "person using it is done")
        return self.ledger.move_tray(tray_id, T.OUT_OF_SERVICE, actor=actor, reason=reason)

    def resolve_tray(self, tray_id: str, *, actor: str, found: str, reason: str = "") -> dict:
        """Bring back a tray that waited for a person (OUT_OF_SERVICE, TAMPERED, UNKNOWN,
        FAULT): ``found`` is 'empty' or the dossier code of the paper inside."""
        found = (found or "").strip().upper()
        if not found:
            raise DiagnosticsError("say what is inside: 'empty' or the dossier code")
        if found == "EMPTY":
            to_state, code = T.EMPTY, None
        else:
            d = self.ledger.dossier(found)
            if d is None:
                raise DiagnosticsError(f"no dossier {found} on record; if the paper has no "
                                       "record, take it to the office and report the tray "
                                       "empty")
            to_state = _HOLDS.get(d["state"])
            if to_state is None:
                raise DiagnosticsError(f"dossier {found} is {d['state']}; it should not be in "
                                       "a tray: take it to the office and report the tray "
                                       "empty")
            if d.get("tray_id") not in (None, tray_id):
                raise DiagnosticsError(f"dossier {found} is on record in tray {d['tray_id']}; "
                                       "check that tray too")
            code = found
        text = reason.strip() or f"checked by a technician: {found.lower() if not code else code}"
        resolve = getattr(self.doors, "resolve", None)
        # the door service reads the door first (serial I/O): not inside a transaction
        if resolve is not None:
            row = resolve(tray_id, to_state, actor=actor, reason=text, dossier_code=code)
        else:
            row = self.ledger.move_tray(tray_id, to_state, actor=actor, reason=text,
                                        dossier_code=code)
        with self.store.write():
            self.store.execute("UPDATE incidents SET resolved_at = ?, resolved_by = ? "
                               "WHERE tray_id = ? AND resolved_at IS NULL",
                               (utc_iso(self.clock.now()), actor, tray_id))
        return row

    def trays(self) -> list[dict]:
        return self.ledger.trays()

    def incidents(self, open_only: bool = True) -> list[dict]:
        sql = "SELECT * FROM incidents" + (" WHERE resolved_at IS NULL" if open_only else "")
        return self.store.query(sql + " ORDER BY id")

    # ---- journal export --------------------------------------------------------------
    def journal_rows(self, first: date, last: date) -> list[dict]:
        """Journal rows from the start of ``first`` to the end of ``last`` (local days)."""
        if last < first:
            raise DiagnosticsError("the end date is before the start date")
        zone = self.clock.zone
        start = datetime.combine(first, dtime(0, 0), zone)
        end = datetime.combine(last + timedelta(days=1), dtime(0, 0), zone)
        return self.store.query(
            f"SELECT {', '.join(JOURNAL_COLUMNS)} FROM journal WHERE at >= ? AND at < ? "
            "ORDER BY seq", (_iso_utc(start), _iso_utc(end)))

    def export_journal(self, first: date, last: date, dest: str | os.PathLike, *,
                       fmt: str | None = None, actor: str = "technician") -> int:
        """Write the rows to ``dest`` (CSV or JSON by suffix or ``fmt``); row count."""
        dest = Path(dest)
        fmt = (fmt or dest.suffix.lstrip(".") or "csv").lower()
        if fmt not in ("csv", "json"):
            raise DiagnosticsError("export as .csv or .json")
        rows = self.journal_rows(first, last)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(dest.name + ".part")
        if fmt == "json":
            tmp.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=JOURNAL_COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
            tmp.write_text(buf.getvalue(), encoding="utf-8")
        os.replace(tmp, dest)
        self.ledger.event("journal.exported", actor=actor, subject=dest.name,
                          reason=f"{first.isoformat()}..{last.isoformat()}",
                          data={"rows": len(rows), "format": fmt}, to_city=False)
        return len(rows)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def build_diagnostics(cfg, ledger, clock, *, lock_bank=None, printer=None, scanner=None,
                      code_reader=None, modem=None, doors=None, sync=None,
                      health=None) -> Diagnostics:
    """Diagnostics over the devices the composition root built (any may be None);
    ``health`` (e.g. ``KioskServices.device_health``) replaces the per-device probes and
    also reports devices that failed to open at start."""
    devices = {"lock boards": lock_bank, "printer": printer, "scanner": scanner,
               "code reader": code_reader, "modem": modem}
    devices = {k: v for k, v in devices.items() if v is not None}
    return Diagnostics(ledger=ledger, clock=clock, data_dir=cfg.data_dir, devices=devices,
                       doors=doors, printer=printer, scanner=scanner,
                       code_reader=code_reader,
                       sync_status=sync.status if sync is not None else None,
                       kiosk_name=cfg.kiosk.name, health=health)
