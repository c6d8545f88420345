"""The round report: one outbox event for the city and a printed page for the office."""
from __future__ import annotations

import logging

from kiosk.clock import parse_iso, utc_iso
from kiosk.services.rounds.model import RoundRun

log = logging.getLogger(__name__)


class ReportSteps:
    """The last step of a round in ``RoundService``."""

    def finish(self, run: RoundRun, *, print_report: bool = True) -> dict:
        """End the round: the report goes to the city (outbox) and to the printer."""
        now = self.clock.now()
        report = {"round": run.label, "run": run.id, "actor": run.actor,
                  "kiosk": self.kiosk_id, "started_at": utc_iso(run.started_at),
                  "finished_at": utc_iso(now), "collected": list(run.collected),
                  "loaded": list(run.loaded), "returned": list(run.returned),
                  "incidents": list(run.incidents), "problems": list(run.problems)}
        from kiosk.reports.figures import console_figures
        report["day"] = console_figures(self.ledger.store, now)["today"]
        self.ledger.event("round.report", actor=run.actor, subject=run.id,
                          reason=f"round {run.label}: {len(run.collected)} collected, "
                                 f"{len(run.loaded)} loaded, {len(run.returned)} returned",
                          data=report)
        run.finished = True
        report["printed"] = False
        if print_report and self.printer is not None:
            try:
                image = render_report(report, self.kiosk_name, self.clock.zone)
                self.printer.print_image(image, txn=f"{run.id}:report")
                report["printed"] = True
            except Exception as exc:
                report["print_error"] = str(exc)
                log.warning("round report not printed: %s", exc)
        return report


def report_lines(report: dict, zone) -> list[tuple[str, int, bool]]:
    """(text, size, bold) lines of the printed round report."""
    def local(iso: str) -> str:
        return f"{parse_iso(iso).astimezone(zone):%H:%M %d/%m/%Y}"
    lines = [("BÁO CÁO ĐỢT THU / TRẢ", 24, True),
             (f"Đợt {report['round']} — {report['actor']}", 20, True),
             (f"Từ {local(report['started_at'])} đến {local(report['finished_at'])}", 17, False),
             (f"Mã đợt: {report['run']}", 15, False)]
    for title, key in (("Đã thu hồ sơ", "collected"), ("Đã nạp kết quả", "loaded"),
                       ("Đã mang về (quá hạn)", "returned")):
        lines.append((f"{title}: {len(report[key])}", 20, True))
        for item in report[key]:
            extra = f"  hạn {local(item['deadline'])}" if item.get("deadline") else ""
            lines.append((f"  {item['tray']}  {item['code']}{extra}", 17, False))
    if report["incidents"]:
        lines.append((f"Sự cố: {len(report['incidents'])}", 20, True))
        for item in report["incidents"]:
            lines.append((f"  {item['tray']}: {item['detail']}", 16, False))
    for p in report["problems"]:
        lines.append((f"! {p}", 16, False))
    if report.get("day"):
        from kiosk.reports.figures import day_lines
        lines.append((f"Trong ngày {local(report['finished_at'])[6:]}", 20, True))
        lines += [(line, 17, False) for line in day_lines(report["day"])]
    lines.append(("Chữ ký nhân viên: ....................", 18, False))
    return lines


def render_report(report: dict, kiosk_name: str, zone, width: int = 576):
    """The round report as a 1-bit image for the receipt printer."""
    from PIL import Image, ImageDraw
    from kiosk.receipts import load_font
    items = [(kiosk_name, 18, True)] + report_lines(report, zone)
    fonts = {}
    rows = []
    y = 8
    for text, size, bold in items:
        font = fonts.setdefault((size, bold), load_font(size, bold))
        for part in _wrap(text, font, width):
            rows.append((y, part, font))
            y += size + 8
    img = Image.new("1", (width, y + 16), 1)
    draw = ImageDraw.Draw(img)
    for top, text, font in rows:
        draw.text((0, top), text, font=font, fill=0)
    return img


def _wrap(text: str, font, width: int) -> list[str]:
    words, out, line = text.split(" "), [], ""
    for w in words:
        trial = f"{line} {w}" if line else w
        if font.getlength(trial) <= width or not line:
            line = trial
        else:
            out.append(line)
            line = w
    out.append(line)
    return out
