"""Collect deposits and take back expired results: trays open one after another and
each paper is confirmed by a scan or a tap."""
from __future__ import annotations

from PyQt5.QtWidgets import QHBoxLayout

from ui.staff.screens.base import ConsoleScreen


class TakeScreen(ConsoleScreen):
    """Trays open one after another; each is confirmed by a scan or a tap."""

    keeps_awake = True
    purpose = "collect"

    def build(self):
        self.heading = self.label("title")
        self.tray = self.label("count")
        self.dossier = self.label("big")
        self.hint = self.label()
        self.sensor = self.label("warn")
        self.sensor.hide()
        self.message = self.label("error")
        self.message.hide()
        self.done_list = self.label("muted")
        for w in (self.heading, self.tray, self.dossier, self.hint, self.sensor,
                  self.message, self.done_list):
            self.layout_.addWidget(w)
        self.layout_.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(20)
        self.taken_btn = self.button("Đã lấy hồ sơ / Taken", "primary", 22)
        self.taken_btn.clicked.connect(lambda: self.confirm(None))
        self.empty_btn = self.button("Ô trống / Tray empty", "danger", 22)
        self.empty_btn.clicked.connect(lambda: self.problem("empty"))
        self.other_btn = self.button("Hồ sơ khác / Other dossier", height_mm=22)
        self.other_btn.clicked.connect(lambda: self.problem("other"))
        self.next_btn = self.button("Ô tiếp theo / Next tray", "primary", 22)
        self.next_btn.clicked.connect(self.open_next)
        for b in (self.taken_btn, self.empty_btn, self.other_btn, self.next_btn):
            row.addWidget(b)
        self.layout_.addLayout(row)
        self.step = None
        self.last_scan = None

    def title_text(self):
        return self.title

    def enter(self, **ctx):
        super().enter(**ctx)
        self.step = None
        self.done = 0
        self.done_list.setText("")
        self.open_next()

    def _buttons(self, step_open: bool) -> None:
        for b in (self.taken_btn, self.empty_btn, self.other_btn):
            b.setVisible(step_open)
        self.next_btn.setVisible(False)

    def open_next(self) -> None:
        self._buttons(False)
        self.say(self.message, "")
        self.sensor.hide()
        self.tray.setText("…")
        self.dossier.setText("")
        self.hint.setText("Đang mở ô… / Opening…")
        self.run(self.console.rounds.open_next, self.console.run, self.purpose,
                 ok=self.opened)

    def opened(self, step) -> None:
        self.step = step
        if step is None:
            self.tray.setText("✓")
            self.dossier.setText(self.finished_text())
            self.hint.setText("Đóng cửa ô cuối cùng, rồi về tổng quan. / Close the last door.")
            self._buttons(False)
            return
        self.tray.setText(f"Ô {step.tray}")
        self.dossier.setText(step.dossier_code or "")
        self.hint.setText(self.take_hint())
        if step.sensor_says_empty:
            self.say(self.sensor, "Cảm biến báo ô trống: kiểm tra kỹ. / The item sensor reads "
                                  "empty.", "warn")
        self._buttons(True)

    def on_code(self, text: str) -> None:
        if self.step is not None and not self.step.done:
            self.confirm(text)

    def confirm(self, scanned) -> None:
        if self.step is None:
            return
        step = self.step
        self.run(self.console.rounds.confirm_taken, self.console.run, step, scanned,
                 ok=lambda item: self.confirmed(item), fail=self.refused)

    def refused(self, exc) -> None:
        if getattr(exc, "reason", "") == "code.mismatch":
            self.last_scan = exc.details.get("scanned")
        self.say(self.message, str(exc), "error")

    def confirmed(self, item) -> None:
        self.done += 1
        self.done_list.setText((self.done_list.text() + "\n" if self.done_list.text() else "")
                               + f"✓ {item['tray']}  {item['code']}")
        self.say(self.message, f"Đã ghi nhận {item['code']}. Đóng cửa ô {item['tray']}. / "
                               "Recorded; close the door.", "ok")
        self._buttons(False)
        self.next_btn.setVisible(True)

    def problem(self, found: str) -> None:
        if self.step is None:
            return
        self.run(self.console.rounds.report_problem, self.console.run, self.step,
                 found=found, scanned=self.last_scan, ok=self.reported)

    def reported(self, incident) -> None:
        self.say(self.message, f"Đã ghi sự cố #{incident['id']}: ô {incident['tray']} ngừng "
                               "sử dụng đến khi kỹ thuật viên kiểm tra. Đóng cửa ô.", "warn")
        self._buttons(False)
        self.next_btn.setVisible(True)

    def wipe(self):
        self.step = None
        self.last_scan = None
        self.done_list.setText("")
        self.say(self.message, "")


class CollectScreen(TakeScreen):
    name = "collect"
    title = "Thu hồ sơ / Collect deposits"
    purpose = "collect"

    def take_hint(self) -> str:
        return ("Lấy hồ sơ ra, quét mã QR trên biên nhận hoặc bấm “Đã lấy”. / Take the "
                "dossier, scan its receipt QR or tap Taken.")

    def finished_text(self) -> str:
        return f"Đã thu {self.done} hồ sơ. Không còn ô nào cần thu."


class RetrieveScreen(TakeScreen):
    name = "retrieve"
    title = "Lấy về kết quả quá hạn / Take back expired"
    purpose = "retrieve"

    def take_hint(self) -> str:
        return ("Lấy kết quả quá hạn ra và mang về văn phòng; quét mã hoặc bấm “Đã lấy”. "
                "Người dân sẽ nhận SMS báo nơi nhận.")

    def finished_text(self) -> str:
        return f"Đã lấy về {self.done} kết quả. Không còn kết quả quá hạn."
