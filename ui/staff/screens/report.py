"""The round's report: sent to the city, printed, shown."""
from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtWidgets import QHBoxLayout

from ui.staff.screens.base import ConsoleScreen


class ReportScreen(ConsoleScreen):
    """The round's report: sent to the city, printed, shown."""

    name = "report"
    title = "Báo cáo đợt / Round report"

    def build(self):
        self.heading = self.label("title")
        self.body = self.label()
        self.body.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.message = self.label()
        self.message.hide()
        self.layout_.addWidget(self.heading)
        self.layout_.addWidget(self.body, 1)
        self.layout_.addWidget(self.message)
        row = QHBoxLayout()
        self.done_btn = self.button("Xong, đăng xuất / Done, sign out", "primary", 20)
        self.done_btn.clicked.connect(lambda: self.console.sign_out("round finished"))
        row.addWidget(self.done_btn)
        self.layout_.addLayout(row)

    def enter(self, **ctx):
        super().enter(**ctx)
        run = self.console.run
        self.body.setText("")
        if run is None:
            self.heading.setText("Chưa bắt đầu đợt nào.")
            return
        self.heading.setText("Đang gửi và in báo cáo… / Sending and printing…")
        self.run(self.console.rounds.finish, run, ok=self.show_report)

    def show_report(self, report: dict) -> None:
        from kiosk.services.rounds import report_lines
        self.console.run = None
        self.heading.setText(f"Đợt {report['round']}: thu {len(report['collected'])}, "
                             f"nạp {len(report['loaded'])}, lấy về {len(report['returned'])}")
        lines = [text for text, _size, _bold in report_lines(report, self.console.clock.zone)]
        self.body.setText("\n".join(lines[4:-1]))
        if report.get("printed"):
            self.say(self.message, "Đã in báo cáo và gửi về văn phòng. / Printed and sent.",
                     "ok")
        else:
            self.say(self.message, "Đã gửi báo cáo về văn phòng; chưa in được: " +
                     report.get("print_error", "không có máy in") + ".", "warn")
