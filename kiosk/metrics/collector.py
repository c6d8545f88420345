"""The kiosk's Prometheus series, read at each scrape through one custom collector.

Every figure comes from ``kiosk.metrics.figures`` (the store) or from the devices' own
health reports, at scrape time: nothing is counted twice in memory, and a restart loses
nothing (counters are journal counts). Labels carry only tray states, device names and
event names: never a phone, ID number, dossier code or name.
"""
from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import Callable, Iterable

from prometheus_client.core import (CounterMetricFamily, GaugeMetricFamily,
                                    HistogramMetricFamily, InfoMetricFamily)
from prometheus_client.registry import Collector

from kiosk.clock import parse_iso
from kiosk.metrics import figures

log = logging.getLogger(__name__)

# Citizen transaction time buckets (seconds): a tray part takes tens of seconds.
BUCKETS = (5.0, 10.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 300.0, 600.0)
PAPER_STATES = ("ok", "near_end", "out", "cover_open", "offline", "unknown")
_PAPER = {"ok": "ok", "paper-near-end": "near_end", "paper-out": "out",
          "cover-open": "cover_open", "offline": "offline"}


class _Histogram:
    """Cumulative bucket counts of finished transactions, fed from the journal by seq."""

    def __init__(self):
        self.after_seq = 0
        self.counts = {f: [0] * (len(BUCKETS) + 1) for f in figures.FLOWS}
        self.sums = {f: 0.0 for f in figures.FLOWS}
        self.lock = threading.Lock()

    def feed(self, store) -> None:
        with self.lock:
            while True:
                done, last = figures.transactions(store, self.after_seq)
                for flow, seconds in done:
                    i = next((i for i, b in enumerate(BUCKETS) if seconds <= b), len(BUCKETS))
                    self.counts[flow][i] += 1
                    self.sums[flow] += seconds
                moved = last != self.after_seq
                self.after_seq = last
                if not moved or len(done) < 5000:
                    return


class KioskCollector(Collector):
    """``KioskCollector(store, clock, kiosk_id=..., health=..., sync_status=...)``;
    register it on a ``CollectorRegistry``."""

    def __init__(self, store, clock, *, kiosk_id: str, ward_code: str = "",
                 version: str = "", data_dir: str | Path = ".",
                 health: Callable[[], Iterable] | None = None,
                 sync_status: Callable[[], object] | None = None,
                 disk_usage: Callable = shutil.disk_usage):
        self.store, self.clock = store, clock
        self.kiosk_id, self.ward_code, self.version = kiosk_id, ward_code, version
        self.data_dir = Path(data_dir)
        self.health, self.sync_status = health, sync_status
        self.disk_usage = disk_usage
        self._hist = _Histogram()
        store.migrate()          # the journal index the transaction query uses

    def describe(self):
        return []                # collect() at registration would do device I/O

    def collect(self):
        yield from self._info()
        yield from self._trays()
        yield from self._dossiers()
        yield from self._outbox()
        yield from self._devices()
        yield from self._city()
        yield from self._disk()
        yield from self._transactions()
        yield from self._alerts()

    # ---- the series ------------------------------------------------------------------
    def _info(self):
        info = InfoMetricFamily("kiosk_build", "Kiosk identity and software version")
        info.add_metric([], {"kiosk": self.kiosk_id, "ward_code": self.ward_code,
                             "version": self.version})
        yield info

    def _trays(self):
        g = GaugeMetricFamily("kiosk_trays", "Trays by state (sums to the tray count)",
                              labels=["state"])
        for state, n in figures.tray_counts(self.store).items():
            g.add_metric([state], n)
        yield g

    def _dossiers(self):
        c = CounterMetricFamily("kiosk_dossiers", "Dossier events since the kiosk's first "
                                "start, from the journal", labels=["event"])
        for event, n in figures.dossier_events(self.store).items():
            c.add_metric([event], n)
        yield c

    def _outbox(self):
        ob = figures.outbox(self.store, self.clock.now())
        yield GaugeMetricFamily("kiosk_outbox_pending", "Events waiting to reach the city",
                                value=ob.pending)
        yield GaugeMetricFamily("kiosk_outbox_oldest_age_seconds", "Age of the oldest "
                                "undelivered event (0 when none waits)",
                                value=ob.oldest_age_s or 0.0)
        yield GaugeMetricFamily("kiosk_outbox_dead_letters", "Events the city refused for "
                                "good", value=ob.dead_letters)

    def _devices(self):
        up = GaugeMetricFamily("kiosk_device_up", "1 when the device answers",
                               labels=["device"])
        paper = GaugeMetricFamily("kiosk_printer_paper", "Receipt printer paper state "
                                  "(1 for the current state)", labels=["state"])
        printer_state = "unknown"
        try:
            health = list(self.health()) if self.health else []
        except Exception as exc:      # a broken probe is itself a finding
            log.warning("device health for metrics failed: %s", exc)
            health = []
        for h in health:
            name = getattr(h, "device", "?")
            if name.startswith("alert:"):
                continue
            # a printer out of paper or with its cover open answers: that is
            # kiosk_printer_paper's business, not a dead device (as in the alert book)
            answers = h.ok or h.extra.get("state") in ("paper-out", "cover-open")
            up.add_metric([name], 1.0 if answers else 0.0)
            if name == "printer":
                printer_state = _PAPER.get(h.extra.get("state", ""), "unknown") \
                    if h.extra.get("state") else ("ok" if h.ok else "offline")
        for state in PAPER_STATES:
            paper.add_metric([state], 1.0 if state == printer_state else 0.0)
        yield up
        yield paper

    def _city(self):
        when = None
        if self.sync_status is not None:
            try:
                when = getattr(self.sync_status(), "last_contact", None)
            except Exception:
                when = None
        value = parse_iso(when).timestamp() if when else 0.0
        yield GaugeMetricFamily("kiosk_city_last_contact_timestamp_seconds",
                                "Unix time of the last answer from the city (0: none since "
                                "the kiosk started)", value=value)

    def _disk(self):
        try:
            u = self.disk_usage(str(self.data_dir))
        except OSError:
            return
        yield GaugeMetricFamily("kiosk_disk_free_bytes", "Free bytes on the data disk",
                                value=u.free)
        yield GaugeMetricFamily("kiosk_disk_size_bytes", "Size of the data disk",
                                value=u.total)

    def _transactions(self):
        self._hist.feed(self.store)
        h = HistogramMetricFamily("kiosk_citizen_transaction_seconds", "Citizen "
                                  "transaction time, tray chosen to door shut",
                                  labels=["flow"])
        with self._hist.lock:
            for flow in figures.FLOWS:
                counts, total = self._hist.counts[flow], 0
                buckets = []
                for bound, n in zip([*map(str, BUCKETS), "+Inf"], counts):
                    total += n
                    buckets.append((bound, total))
                h.add_metric([flow], buckets, self._hist.sums[flow])
        yield h

    def _alerts(self):
        g = GaugeMetricFamily("kiosk_alerts_active", "Active alerts of the kiosk's alert "
                              "book by kind", labels=["kind"])
        for kind, n in figures.active_alerts(self.store).items():
            g.add_metric([kind], n)
        yield g
