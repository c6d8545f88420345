"""The report's table as CSV and as a workbook formatted for printing (openpyxl)."""
from __future__ import annotations

import csv
from pathlib import Path

from kiosk.reports.figures import COLUMNS, Figures

# Vietnamese words of the summary sheet and the column titles' second row.
LABELS = {"deposited": "Hồ sơ nhận", "supplemented": "Hồ sơ bổ sung",
          "picked_up": "Kết quả đã trả", "expired": "Quá hạn 3 ngày",
          "returned_to_office": "Mang về bộ phận một cửa", "refused": "Từ chối",
          "fees_vnd": "Lệ phí đã thu (VND)", "ratings": "Lượt đánh giá",
          "rating_mean": "Điểm đánh giá trung bình"}


def table_rows(fig: Figures) -> list[dict]:
    """Rows of the table, then the totals row (``date`` = ``total``)."""
    return [*fig.rows, fig.totals]


def write_csv(fig: Figures, path: Path) -> Path:
    """Plain UTF-8 (no BOM: the first column is exactly ``date``); the workbook is
    the file to open in a spreadsheet."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\r\n")
        w.writeheader()
        for row in table_rows(fig):
            w.writerow({c: row[c] for c in COLUMNS})
    return path


def summary_lines(fig: Figures, kiosk_name: str) -> list[tuple[str, object]]:
    """(label, value) pairs of the summary sheet and the PDF page."""
    t = fig.totals
    lines = [("Ki-ốt", kiosk_name),
             ("Kỳ báo cáo", f"{fig.start:%d/%m/%Y} – {fig.end:%d/%m/%Y}"),
             ("Số ngày", len(fig.days))]
    lines += [(LABELS[c], t[c]) for c in COLUMNS[3:]]
    lines.append(("Sự kiện chưa gửi lên hệ thống thành phố", fig.outbox_pending))
    if fig.outbox_dead:
        lines.append(("Sự kiện bị hệ thống thành phố từ chối", fig.outbox_dead))
    return lines


def write_xlsx(fig: Figures, path: Path, kiosk_name: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    wb = Workbook()
    ws = wb.active
    ws.title = "Bảng số liệu"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE6F0")
    thin = Side(style="thin", color="999999")
    ws.append(list(COLUMNS))
    ws.append(["Ngày", "Mã thủ tục", "Tên thủ tục", *[LABELS[c] for c in COLUMNS[3:]]])
    for row in table_rows(fig):
        ws.append([row[c] for c in COLUMNS])
    for cell in (*ws[1], *ws[2]):
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[ws.max_row]:
        cell.font = bold
        cell.border = Border(top=thin)
    widths = {"date": 11, "procedure_code": 11, "procedure_name": 44, "fees_vnd": 14,
              "returned_to_office": 12, "rating_mean": 11}
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(col, 10)
        if col == "fees_vnd":
            for (cell,) in ws.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = "#,##0"
    ws.freeze_panes = "D3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(COLUMNS))}{ws.max_row}"
    _print_setup(ws, landscape=True, title=f"{kiosk_name} — {fig.start:%d/%m/%Y} – "
                                           f"{fig.end:%d/%m/%Y}")
    ws.print_title_rows = "1:2"

    sm = wb.create_sheet("Tóm tắt", 0)
    sm.append(["Báo cáo hoạt động ki-ốt nhận và trả hồ sơ"])
    sm["A1"].font = Font(bold=True, size=14)
    sm.append([])
    for label, value in summary_lines(fig, kiosk_name):
        sm.append([label, value])
        if isinstance(value, int):
            sm.cell(sm.max_row, 2).number_format = "#,##0"
    sm.column_dimensions["A"].width = 44
    sm.column_dimensions["B"].width = 26
    _print_setup(sm, landscape=False, title=kiosk_name)
    wb.active = 0
    wb.save(path)
    return path


def _print_setup(ws, *, landscape: bool, title: str) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "Trang &P / &N"
