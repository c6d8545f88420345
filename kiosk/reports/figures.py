"""The office's figures, computed once from the kiosk's own journal.

Every count is an event in the hash-chained journal (what happened, when, to which
dossier), joined to the dossier for its procedure: the report command, the staff
console and the round slip read them from here; what the fleet metrics count too
(trays by state, the outbox) comes from ``kiosk.metrics.figures``, so the numbers
never disagree. Days are local days of the kiosk's zone (Asia/Ho_Chi_Minh, no DST).

A column counts the ``dossier.state`` events that reach a state on that day:
``deposited`` DEPOSITED or SUBMITTED_ONLINE, ``supplemented`` SUPPLEMENTED,
``picked_up`` PICKED_UP, ``expired`` EXPIRED, ``returned_to_office``
RETURNED_TO_OFFICE, ``refused`` a RESULT_LOADED whose ``data.result_kind`` is
``refusal``. ``fees_vnd`` adds the fees paid that day: a deposit's fee when its payment
is ``paid`` and a pickup's fee when its event names a payment. ``ratings`` and
``rating_mean`` come from ``rating.given`` events, under the rated dossier's procedure
(blank code for a rating of the kiosk itself).
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from kiosk.clock import DEFAULT_ZONE

COLUMNS = ("date", "procedure_code", "procedure_name", "deposited", "supplemented",
           "picked_up", "expired", "returned_to_office", "refused", "fees_vnd", "ratings",
           "rating_mean")
COUNTS = ("deposited", "supplemented", "picked_up", "expired", "returned_to_office",
          "refused", "fees_vnd", "ratings")
# dossier state reached -> column
_STATE_COLUMN = {"DEPOSITED": "deposited", "SUBMITTED_ONLINE": "deposited",
                 "SUPPLEMENTED": "supplemented", "PICKED_UP": "picked_up",
                 "EXPIRED": "expired", "RETURNED_TO_OFFICE": "returned_to_office"}
OCCUPIED = ("OCCUPIED_DEPOSIT", "OCCUPIED_RESULT", "EXPIRED")
EXPIRY_DAYS = 3


def utc_bound(day: date, zone: ZoneInfo, *, ms: bool = True) -> str:
    """Local midnight opening ``day`` as the store writes times (UTC, Z): with
    milliseconds like the journal, or in seconds like ``deadline_at``, so that text
    comparison in SQLite is time comparison."""
    dt = datetime.combine(day, time(0), zone).astimezone(timezone.utc)
    return dt.isoformat(timespec="milliseconds" if ms else "seconds").replace("+00:00", "Z")


def _parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


@dataclass
class Figures:
    """Everything a report shows for the days ``start``..``end`` (both included)."""

    start: date
    end: date
    zone: ZoneInfo
    rows: list[dict] = field(default_factory=list)        # one per day and procedure
    totals: dict = field(default_factory=dict)
    per_day: dict = field(default_factory=dict)           # date -> {column: n}
    busiest: list = field(default_factory=list)           # (code, name, deposited)
    waits_h: list = field(default_factory=list)           # result loaded -> pickup, hours
    occupancy: list = field(default_factory=list)         # (local datetime, occupied)
    trays: int = 0
    scores: dict = field(default_factory=dict)            # 1..5 -> n
    outbox_pending: int = 0                               # not yet accepted by the city
    outbox_pending_period: int = 0
    outbox_dead: int = 0

    def hourly_peaks(self) -> list[tuple[datetime, int]]:
        """The most trays occupied in each hour of the period (what a chart can show;
        a busy month has thousands of changes)."""
        if not self.occupancy:
            return []
        peaks: dict[datetime, int] = {}
        last = self.occupancy[0][1]
        hour = self.occupancy[0][0].replace(minute=0, second=0, microsecond=0)
        end = self.occupancy[-1][0]
        it = iter(self.occupancy)
        point = next(it, None)
        while hour < end:
            nxt = hour + timedelta(hours=1)
            top = last
            while point is not None and point[0] < nxt:
                last = point[1]
                top = max(top, last)
                point = next(it, None)
            peaks[hour] = top
            hour = nxt
        return list(peaks.items()) + [(end, last)]

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def _blank() -> dict:
    return {c: 0 for c in COUNTS} | {"_score_sum": 0}


def _mean(score_sum: int, n: int):
    return round(score_sum / n, 2) if n else ""


class ReadOnlyStore:
    """The kiosk database opened read-only (a report never writes, and never migrates
    the live kiosk's file); has the ``rows`` the figures need, like ``Store``."""

    def __init__(self, path):
        import sqlite3
        from pathlib import Path
        if not Path(path).exists():
            raise FileNotFoundError(f"no kiosk database at {path}; check the profile's "
                                    "data_dir (the kiosk keeps kiosk.db there)")
        self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
        self.conn.execute("PRAGMA busy_timeout = 5000")

    def rows(self, sql: str, params=()) -> list:
        return self.conn.execute(sql, params).fetchall()

    def query(self, sql: str, params=()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def query_one(self, sql: str, params=()) -> dict | None:
        got = self.query(sql, params)
        return got[0] if got else None

    def close(self) -> None:
        self.conn.close()


def period_figures(store, start: date, end: date, zone: str | ZoneInfo = DEFAULT_ZONE,
                   *, with_charts: bool = True) -> Figures:
    """The figures of local days ``start``..``end``; ``with_charts=False`` skips the
    waits and tray occupancy (the console only needs the counts)."""
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    fig = Figures(start, end, zone)
    lo, hi = utc_bound(start, zone), utc_bound(end + timedelta(days=1), zone)
    cells: dict[tuple, dict] = defaultdict(_blank)
    names: dict[str, str] = {}
    per_day = {d: _blank() for d in fig.days}
    loaded_at: dict[str, datetime] = {}
    scores: Counter = Counter()
    rows = store.rows(
        "SELECT j.at, j.action, j.to_state, j.data, j.subject, d.procedure_code, "
        "d.procedure_name, d.fee FROM journal j LEFT JOIN dossiers d ON d.code = j.subject "
        "WHERE j.at >= ? AND j.at < ? AND j.action IN "
        "('dossier.state', 'dossier.update', 'rating.given') ORDER BY j.seq", (lo, hi))
    fee_due = _fees_due(store)
    for at, action, to_state, data, subject, pcode, pname, fee in rows:
        data = json.loads(data) if data else {}
        when = _parse(at)
        day = when.astimezone(zone).date()
        if action == "rating.given":
            if pcode is None:
                pcode, pname = "", "Đánh giá chung về ki-ốt"
            score = int(data.get("score") or 0)
            if not 1 <= score <= 5:
                continue
            scores[score] += 1
            for cell in (cells[(day, pcode)], per_day[day]):
                cell["ratings"] += 1
                cell["_score_sum"] += score
            names.setdefault(pcode, pname or "")
            continue
        if pcode is None:
            continue            # an event of a dossier this store no longer has
        names.setdefault(pcode, pname or "")
        hits = []
        fee_paid = 0
        if action == "dossier.update":
            if data.get("payment") == "paid":
                fee_paid = int(fee or 0)
        else:
            col = _STATE_COLUMN.get(to_state)
            if col:
                hits.append(col)
            if to_state == "RESULT_LOADED":
                loaded_at[subject] = when
                if data.get("result_kind") == "refusal":
                    hits.append("refused")
            if to_state in ("DEPOSITED", "SUBMITTED_ONLINE") and data.get("payment") == "paid":
                fee_paid = int(fee or 0)
            if to_state == "PICKED_UP" and (data.get("payment_id") or data.get("payment")):
                fee_paid = int(data.get("amount") or fee_due.get(subject) or 0)
        for cell in (cells[(day, pcode)], per_day[day]):
            for col in hits:
                cell[col] += 1
            cell["fees_vnd"] += fee_paid
        if to_state == "PICKED_UP" and with_charts:
            start_wait = loaded_at.get(subject) or _loaded_before(store, subject)
            if start_wait is not None:
                fig.waits_h.append((when - start_wait).total_seconds() / 3600)
    for (day, pcode), cell in sorted(cells.items()):
        if not any(cell[c] for c in COUNTS):
            continue
        fig.rows.append({"date": day.isoformat(), "procedure_code": pcode,
                         "procedure_name": names.get(pcode, ""),
                         **{c: cell[c] for c in COUNTS},
                         "rating_mean": _mean(cell["_score_sum"], cell["ratings"])})
    tot = _blank()
    for cell in per_day.values():
        for k in tot:
            tot[k] += cell[k]
    fig.totals = {"date": "total", "procedure_code": "", "procedure_name": "",
                  **{c: tot[c] for c in COUNTS},
                  "rating_mean": _mean(tot["_score_sum"], tot["ratings"])}
    fig.per_day = {d: {c: v for c, v in cell.items() if not c.startswith("_")}
                   for d, cell in per_day.items()}
    by_proc: Counter = Counter()
    for r in fig.rows:
        by_proc[r["procedure_code"]] += r["deposited"]
    fig.busiest = [(code, names.get(code, ""), n)
                   for code, n in by_proc.most_common(10) if n > 0]
    fig.scores = {s: scores.get(s, 0) for s in range(1, 6)}
    _outbox(store, fig, lo, hi)
    if with_charts:
        _occupancy(store, fig, lo, hi)
    return fig


def _fees_due(store) -> dict:
    """The fee due at pickup per dossier, where the store keeps one (``fee_due``)."""
    cols = {r[1] for r in store.rows("PRAGMA table_info(dossiers)")}
    if "fee_due" not in cols:
        return {}
    return {code: fee for code, fee in
            store.rows("SELECT code, fee_due FROM dossiers WHERE fee_due > 0")}


def _loaded_before(store, code: str) -> datetime | None:
    row = store.rows("SELECT at FROM journal WHERE action = 'dossier.state' AND subject = ? "
                     "AND to_state = 'RESULT_LOADED' ORDER BY seq DESC LIMIT 1", (code,))
    return _parse(row[0][0]) if row else None


def _outbox(store, fig: Figures, lo: str, hi: str) -> None:
    """The outbox as the fleet metrics count it (``kiosk.metrics.figures.outbox``), and
    how much of what waits is from the period."""
    from kiosk.metrics.figures import outbox
    box = outbox(store, _parse(hi))
    fig.outbox_pending, fig.outbox_dead = box.pending, box.dead_letters
    fig.outbox_pending_period = store.rows(
        "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND dead_letter IS NULL "
        "AND created_at >= ? AND created_at < ?", (lo, hi))[0][0]


def _occupancy(store, fig: Figures, lo: str, hi: str) -> None:
    """Trays holding something, replayed from the journal, one point per change plus
    the period's ends."""
    state: dict[str, str] = {}
    fig.trays = store.rows("SELECT COUNT(*) FROM trays")[0][0]
    for tray, to_state in store.rows(
            "SELECT subject, to_state FROM journal WHERE seq IN (SELECT MAX(seq) FROM "
            "journal WHERE action IN ('tray.state', 'tray.added') AND at < ? "
            "GROUP BY subject)", (lo,)):
        state[tray] = to_state
    occupied = sum(1 for s in state.values() if s in OCCUPIED)
    first = _parse(lo).astimezone(fig.zone)
    fig.occupancy = [(first, occupied)]
    for at, tray, to_state in store.rows(
            "SELECT at, subject, to_state FROM journal WHERE action IN ('tray.state', "
            "'tray.added') AND at >= ? AND at < ? ORDER BY seq", (lo, hi)):
        was = state.get(tray) in OCCUPIED
        state[tray] = to_state
        now = to_state in OCCUPIED
        if was != now:
            occupied += 1 if now else -1
            fig.occupancy.append((_parse(at).astimezone(fig.zone), occupied))
    fig.occupancy.append((_parse(hi).astimezone(fig.zone), occupied))


def console_figures(store, now: datetime) -> dict:
    """What the staff console shows: today's and this month's counts, trays waiting for
    the round, and results whose 3 days run out tomorrow."""
    zone = now.tzinfo if isinstance(now.tzinfo, ZoneInfo) else ZoneInfo(DEFAULT_ZONE)
    today = now.astimezone(zone).date()
    day = period_figures(store, today, today, zone, with_charts=False)
    month = period_figures(store, today.replace(day=1), today, zone, with_charts=False)
    from kiosk.metrics.figures import tray_counts
    trays = tray_counts(store)                        # the metrics' own count
    tomorrow = today + timedelta(days=1)
    expiring = store.rows(
        "SELECT COUNT(*) FROM dossiers WHERE state = 'RESULT_LOADED' AND deadline_at >= ? "
        "AND deadline_at < ?", (utc_bound(tomorrow, zone, ms=False),
                                utc_bound(tomorrow + timedelta(days=1), zone, ms=False)))[0][0]
    return {"today": day.totals, "month": month.totals,
            "deposits_waiting": trays.get("OCCUPIED_DEPOSIT", 0),
            "results_waiting": trays.get("OCCUPIED_RESULT", 0),
            "expired_waiting": trays.get("EXPIRED", 0),
            "expiring_tomorrow": expiring, "outbox_pending": day.outbox_pending}


def _vnd(n: int) -> str:
    return f"{n:,}".replace(",", ".") + " đ"


def day_lines(totals: dict) -> list[str]:
    """A period's totals in three short lines (the round slip's 80 mm width)."""
    return [f"nhận {totals['deposited']} · bổ sung {totals['supplemented']} · "
            f"trả {totals['picked_up']}",
            f"quá hạn {totals['expired']} · mang về {totals['returned_to_office']} · "
            f"từ chối {totals['refused']}",
            f"lệ phí {_vnd(totals['fees_vnd'])}"]


def day_line(totals: dict) -> str:
    """A period's totals on one line, as the staff console shows them."""
    return " · ".join(day_lines(totals))


def console_lines(figures: dict) -> list[str]:
    """The staff console's figure lines (Vietnamese, the staff's language)."""
    return [f"Hôm nay: {day_line(figures['today'])}",
            f"Tháng này: {day_line(figures['month'])}",
            f"Ô chờ thu: {figures['deposits_waiting']} · kết quả chờ nhận: "
            f"{figures['results_waiting']} · quá hạn chờ lấy về: "
            f"{figures['expired_waiting']} · hết hạn ngày mai: "
            f"{figures['expiring_tomorrow']} · chưa gửi thành phố: "
            f"{figures['outbox_pending']}"]
