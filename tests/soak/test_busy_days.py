"""Days at a busy kiosk: the short run in ``make test``, 30 days at 50 dossiers a day in
``make soak``. Nothing lost or duplicated at the city, the chain intact, no tray left in
doubt; resident memory grows less than 10 % from day 2 to day 30."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak.busy_kiosk import BusyKiosk, table


def run(tmp_path, days: int, per_day: int, record_property):
    kiosk = BusyKiosk(tmp_path, seed=7)
    figs = []
    try:
        for _ in range(days):
            figs.append(kiosk.run_day(per_day))
        summary = kiosk.check()
        deposits = sum(f.deposits for f in figs)
        summary["dossiers deposited"] = deposits
        summary["turned away (no free tray)"] = sum(f.turned_away for f in figs)
        summary["DB bytes per dossier"] = round(figs[-1].db_bytes / max(1, summary["dossiers"]))
        if days >= 2:
            growth = (figs[-1].rss_kb - figs[1].rss_kb) / figs[1].rss_kb
            summary["RSS growth day 2 -> last"] = f"{growth * 100:+.1f} %"
        summary["city faults injected"] = kiosk.host.city("stats").get("faults", "?")
        record_property("soak_table", table(figs, summary))
        print(table(figs, summary))
        return figs, summary, kiosk
    finally:
        kiosk.close()


def test_three_busy_days(tmp_path, record_property):
    figs, summary, kiosk = run(tmp_path, 3, 12, record_property)
    assert summary["dossiers deposited"] == sum(f.deposits for f in figs) > 20
    assert sum(f.picked_up for f in figs) > 0 and sum(f.loaded for f in figs) > 0
    assert all(f.outbox_left == 0 for f in figs)


@pytest.mark.soak
@pytest.mark.timeout(3600)
def test_thirty_days_fifty_dossiers_a_day(tmp_path, record_property):
    figs, summary, kiosk = run(tmp_path, 30, 50, record_property)
    keep = Path(__file__).resolve().parents[2] / "docs" / "survival"
    keep.mkdir(parents=True, exist_ok=True)
    (keep / "busy-days.txt").write_text("# make soak: 30 days, 50 dossiers a day, seed 7\n"
                                        + table(figs, summary) + "\n", encoding="utf-8")
    assert summary["dossiers deposited"] >= 30 * 45
    assert sum(f.returned for f in figs) > 0          # expiry and take-back happened
    growth = (figs[-1].rss_kb - figs[1].rss_kb) / figs[1].rss_kb
    assert growth < 0.10, f"RSS grew {growth:.1%} from day 2 to day 30"
