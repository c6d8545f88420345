"""``report.pdf``: one printable A4 page for the ward centre's leader, the key figures
above the five charts, drawn with the same functions as the PNGs."""
from __future__ import annotations

from pathlib import Path

from kiosk.reports.charts import DRAW, font_family
from kiosk.reports.figures import Figures
from kiosk.reports.tables import LABELS

KEY = ("deposited", "picked_up", "supplemented", "refused", "expired",
       "returned_to_office", "fees_vnd", "rating_mean")


def _fmt(value) -> str:
    if value == "":
        return "–"
    if isinstance(value, float):
        return f"{value:.2f} / 5"
    return f"{value:,}".replace(",", ".")       # Vietnamese thousands separator


def write_pdf(f: Figures, path: Path, kiosk_name: str, generated: str) -> Path:
    import matplotlib
    from matplotlib.figure import Figure
    rc = {"font.family": font_family(), "pdf.fonttype": 42}   # TrueType: selectable text
    with matplotlib.rc_context(rc):
        # Fixed places (fractions of the page) rather than a layout engine: the page is
        # always the same, and constrained layout would double the time to draw it.
        page = Figure(figsize=(8.27, 11.69))                # A4 portrait, inches
        page.text(0.05, 0.965, "BÁO CÁO HOẠT ĐỘNG KI-ỐT NHẬN VÀ TRẢ HỒ SƠ", fontsize=15,
                  weight="bold", va="top")
        page.text(0.05, 0.935, f"{kiosk_name} · từ {f.start:%d/%m/%Y} đến {f.end:%d/%m/%Y} "
                               f"({len(f.days)} ngày)", fontsize=10, va="top")
        for i, key in enumerate(KEY):
            x, y = 0.05 + (i % 4) * 0.235, 0.905 - (i // 4) * 0.055
            page.text(x, y, _fmt(f.totals[key]), fontsize=15, weight="bold", va="top")
            page.text(x, y - 0.026, LABELS[key], fontsize=7.5, va="top", color="#444444")
        note = (f"Còn {f.outbox_pending} sự kiện chưa gửi lên hệ thống của thành phố: số "
                "liệu của thành phố có thể khác cho đến khi gửi xong." if f.outbox_pending
                else "Mọi sự kiện đã được gửi lên hệ thống của thành phố.")
        page.text(0.05, 0.79, note, fontsize=7.5, va="top", color="#444444")
        page.text(0.05, 0.015, f"Lập lúc {generated} từ nhật ký của ki-ốt.", fontsize=7,
                  va="bottom", color="#666666")
        places = {"deposits-pickups": [0.09, 0.58, 0.87, 0.16],
                  "busiest-procedures": [0.32, 0.33, 0.20, 0.19],
                  "result-wait": [0.62, 0.33, 0.34, 0.19],
                  "tray-occupancy": [0.09, 0.06, 0.38, 0.19],
                  "ratings": [0.58, 0.06, 0.38, 0.19]}
        for name, draw in DRAW.items():
            draw(page.add_axes(places[name]), f, small=True)
        page.savefig(path, format="pdf", metadata={
            "Title": f"Báo cáo ki-ốt {kiosk_name} {f.start:%d/%m/%Y}–{f.end:%d/%m/%Y}",
            "Creator": "dossier-kiosk", "CreationDate": None})
    return path
