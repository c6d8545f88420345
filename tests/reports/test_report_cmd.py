"""``kiosk report`` end to end on a real database file: every file written and read
back (CSV, workbook, PNGs, one PDF page), Vietnamese glyphs found in the chart font,
the outbox count said, and bad input refused with a message."""
from __future__ import annotations

import csv
import subprocess
import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from kiosk.cli import main
from kiosk.config import DEFAULT_CONFIG
from kiosk.reports.figures import COLUMNS, period_figures
from kiosk.reports.sample import scripted_period

START = date(2026, 3, 1)


@pytest.fixture
def filled(ledger, store):
    scripted_period(ledger, START, 4, seed=2, citizens=20)
    return Path(store.path)


def run_report(db: Path, out: Path, first="2026-03-01", last="2026-03-04", capsys=None):
    code = main(["report", "--config", str(DEFAULT_CONFIG), "--db", str(db),
                 "--from", first, "--to", last, "--out", str(out)])
    return code, capsys.readouterr() if capsys else None


def test_report_writes_every_file(filled, store, tmp_path, capsys):
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, io = run_report(filled, out, capsys=capsys)
    assert code == 0, io.err
    assert not [w for w in caught if "missing from" in str(w.message)], \
        "a chart label has a glyph the font lacks"
    fig = period_figures(store, START, START + timedelta(days=3))
    with open(out / "report.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == COLUMNS
    assert rows[-1][0] == "total"
    assert len(rows) == 1 + len(fig.rows) + 1
    body = [dict(zip(COLUMNS, r)) for r in rows[1:-1]]
    assert [(r["date"], r["procedure_code"], int(r["deposited"]), int(r["fees_vnd"]))
            for r in body] == [(r["date"], r["procedure_code"], r["deposited"],
                                r["fees_vnd"]) for r in fig.rows]
    assert int(rows[-1][COLUMNS.index("picked_up")]) == fig.totals["picked_up"] > 0
    assert any(r["procedure_name"] == "Đăng ký khai sinh" for r in body)

    from openpyxl import load_workbook
    wb = load_workbook(out / "report.xlsx")
    assert wb.sheetnames == ["Tóm tắt", "Bảng số liệu"]
    table = wb["Bảng số liệu"]
    assert [c.value for c in table[1]] == list(COLUMNS)
    assert table.cell(table.max_row, 1).value == "total"
    assert table.cell(table.max_row, COLUMNS.index("deposited") + 1).value == \
        fig.totals["deposited"]
    assert table.page_setup.orientation == "landscape" and table.print_title_rows
    summary = {r[0].value: r[1].value for r in wb["Tóm tắt"].iter_rows(min_row=3)}
    assert summary["Hồ sơ nhận"] == fig.totals["deposited"]
    assert summary["Sự kiện chưa gửi lên hệ thống thành phố"] == fig.outbox_pending

    for name in ("deposits-pickups", "busiest-procedures", "result-wait",
                 "tray-occupancy", "ratings"):
        with Image.open(out / f"chart-{name}.png") as im:
            assert im.format == "PNG" and im.width >= 900 and im.height >= 500
            # not a blank picture: several colours drawn
            assert len(im.convert("RGB").getcolors(1 << 16) or []) > 20

    info = subprocess.run(["pdfinfo", str(out / "report.pdf")], capture_output=True,
                          text=True, check=True).stdout
    fields = {k.strip(): v.strip() for k, v in
              (line.split(":", 1) for line in info.splitlines() if ":" in line)}
    assert fields["Pages"] == "1" and "(A4)" in fields["Page size"]
    text = subprocess.run(["pdftotext", str(out / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "BÁO CÁO HOẠT ĐỘNG KI-ỐT" in text and "Đánh giá của người dân" in text
    assert f"{fig.totals['deposited']:,}".replace(",", ".") in text

    assert f"{fig.outbox_pending} events still waiting for the city" in io.out
    assert fig.outbox_pending > 0


def test_report_of_an_empty_period(filled, tmp_path, capsys):
    code, io = run_report(filled, tmp_path / "empty", "2026-04-01", "2026-04-30", capsys)
    assert code == 0, io.err
    with open(tmp_path / "empty" / "report.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [list(COLUMNS), ["total", "", ""] + ["0"] * 8 + [""]]
    assert (tmp_path / "empty" / "report.pdf").stat().st_size > 10_000
    text = subprocess.run(["pdftotext", str(tmp_path / "empty" / "report.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Không có số liệu trong kỳ" in text


def test_chart_font_has_vietnamese_glyphs():
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties
    from matplotlib.ft2font import FT2Font
    from kiosk.reports.charts import font_family
    path = font_manager.findfont(FontProperties(family=font_family()), fallback_to_default=False)
    font = FT2Font(path)
    for ch in "ăâđêôơưÁÀẢÃẠắằẳẵặếềểễệốồổỗộớờởỡợứừửữựĐ":
        assert font.get_char_index(ord(ch)) != 0, ch


@pytest.mark.parametrize("first,last,message", [
    ("2026-3-1", "2026-03-04", "--from '2026-3-1' is not a date written YYYY-MM-DD"),
    ("2026-02-30", "2026-03-04", "is not a day of the calendar"),
    ("2026-03-04", "2026-03-01", "--to 2026-03-01 is before --from 2026-03-04"),
])
def test_bad_dates_are_refused(tmp_path, capsys, first, last, message):
    code, io = run_report(tmp_path / "kiosk.db", tmp_path / "x", first, last, capsys)
    assert code == 2 and message in io.err
    assert not (tmp_path / "x").exists()


def test_missing_database_is_named(tmp_path, capsys):
    code, io = run_report(tmp_path / "nowhere.db", tmp_path / "x", capsys=capsys)
    assert code == 2 and "no kiosk database at" in io.err and "nowhere.db" in io.err
