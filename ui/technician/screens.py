"""Technician screens: diagnostics, the tray grid with its actions, journal export.

Each action calls ``kiosk.services.diagnostics`` through the console's ``OpRunner``; the
screens only show what comes back."""
from __future__ import annotations

from datetime import date, timedelta

from PyQt5.QtCore import QDate
from PyQt5.QtWidgets import (QButtonGroup, QDateEdit, QGridLayout, QHBoxLayout, QLineEdit,
                             QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

from kiosk.version import version
from ui.staff.screens import ConsoleScreen

STATE_SHORT = {"EMPTY": "trống", "OCCUPIED_DEPOSIT": "hồ sơ", "OCCUPIED_RESULT": "kết quả",
               "EXPIRED": "quá hạn", "OUT_OF_SERVICE": "ngừng", "TAMPERED": "cạy mở",
               "UNKNOWN": "?", "FAULT": "lỗi", "OPEN": "mở", "UNLOCKING": "mở…",
               "RESERVED": "giữ"}
STATE_LONG = {"EMPTY": "trống / empty", "OCCUPIED_DEPOSIT": "có hồ sơ nộp / deposit",
              "OCCUPIED_RESULT": "có kết quả / result", "EXPIRED": "kết quả quá hạn / expired",
              "OUT_OF_SERVICE": "ngừng sử dụng / out of service",
              "TAMPERED": "cửa bị mở không có lệnh / tampered",
              "UNKNOWN": "không rõ sau khi mất điện / unknown",
              "FAULT": "bo khóa không trả lời / board fault", "OPEN": "đang mở / open",
              "UNLOCKING": "đang mở khóa / unlocking", "RESERVED": "đang giữ / reserved"}
REASONS = ("Kiểm tra định kỳ", "Cửa kẹt", "Báo động mở cửa", "Mất trạng thái sau mất điện")


class TechScreen(ConsoleScreen):
    role = "technician"

    def tech_nav(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(16)
        for name, text in (("diagnostics", "Thiết bị / Devices"), ("trays", "Ô tủ / Trays"),
                           ("journal", "Nhật ký / Journal")):
            b = self.button(text, "primary" if name == self.name else "secondary", 15)
            b.clicked.connect(lambda _=False, name=name: self.console.show_screen(name))
            row.addWidget(b)
        return row

    @property
    def actor(self) -> str:
        return self.console.session.actor


class DiagnosticsScreen(TechScreen):
    name = "diagnostics"
    # the version a technician reports to the hotline (one source: setup.cfg)
    title = f"Chẩn đoán thiết bị / Diagnostics — kiosk {version()}"

    def build(self):
        self.layout_.addLayout(self.tech_nav())
        self.table = QGridLayout()
        self.table.setHorizontalSpacing(24)
        self.table.setVerticalSpacing(6)
        holder = QWidget()
        holder.setLayout(self.table)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.layout_.addWidget(scroll, 1)
        self.message = self.label()
        self.message.hide()
        self.layout_.addWidget(self.message)
        row = QHBoxLayout()
        row.setSpacing(16)
        for text, slot in (("In thử / Test print", self.test_print),
                           ("Quét thử / Test scan", self.test_scan),
                           ("Đọc mã / Read a code", self.read_code),
                           ("Làm mới / Refresh", self.refresh)):
            b = self.button(text, height_mm=16)
            b.clicked.connect(slot)
            row.addWidget(b)
        self.layout_.addLayout(row)
        self._rows: list = []

    def enter(self, **ctx):
        super().enter(**ctx)
        self.say(self.message, "")
        self.refresh()

    def refresh(self) -> None:
        self.run(self.console.diagnostics.summary, ok=self.show_figures)

    def show_figures(self, figures) -> None:
        for w in self._rows:
            self.table.removeWidget(w)
            w.deleteLater()
        self._rows = []
        for i, f in enumerate(figures):
            mark = self.label("ok" if f.ok else "error", wrap=False)
            mark.setText("OK" if f.ok else "LỖI")
            name = self.label(wrap=False)
            name.setText(f.name)
            value = self.label()
            value.setText(f.value + (f"\n→ {f.advice}" if f.advice and not f.ok else ""))
            for col, w in enumerate((mark, name, value)):
                self.table.addWidget(w, i, col)
                self._rows.append(w)
        self.table.setColumnStretch(2, 1)

    def test_print(self) -> None:
        self.say(self.message, "Đang in thử… / Printing…", "warn")
        self.run(self.console.diagnostics.test_print, self.actor,
                 ok=lambda n: self.say(self.message, f"Đã in thử ({n} byte). Kiểm tra dấu "
                                                     "tiếng Việt và mã QR.", "ok"))

    def test_scan(self) -> None:
        self.say(self.message, "Đang quét thử… / Scanning…", "warn")
        self.run(self.console.diagnostics.test_scan, self.actor,
                 ok=lambda n: self.say(self.message, f"Đã quét {n} trang.", "ok"))

    def read_code(self) -> None:
        self.say(self.message, "Đưa mã QR hoặc CCCD trước đầu đọc (15 giây)… / Show a code "
                               "to the reader.", "warn")
        self.run(self.console.diagnostics.read_code, 15.0, ok=self.code_shown)

    def code_shown(self, text) -> None:
        if text is None:
            self.say(self.message, "Không đọc được mã nào trong 15 giây.", "error")
        else:
            shown = text if len(text) <= 40 else text[:18] + "…" + text[-6:]
            self.say(self.message, f"Đọc được: {shown}", "ok")


class TrayGridScreen(TechScreen):
    """Every tray with its state; pick one, then act on it with a reason."""

    name = "trays"
    title = "Ô tủ / Trays"

    def build(self):
        self.layout_.addLayout(self.tech_nav())
        body = QHBoxLayout()
        body.setSpacing(28)
        self.grid = QGridLayout()
        self.grid.setSpacing(8)
        holder = QWidget()
        holder.setLayout(self.grid)
        body.addWidget(holder, 3)
        side = QVBoxLayout()
        side.setSpacing(10)
        self.picked = self.label("big")
        self.picked_state = self.label()
        self.reason = QLineEdit()
        self.reason.setObjectName("tray-reason")
        self.reason.setPlaceholderText("Lý do / Reason (bắt buộc)")
        chips = QGridLayout()
        chips.setSpacing(6)
        for i, text in enumerate(REASONS):
            b = self.button(text, height_mm=15)
            b.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
            b.setStyleSheet("font-size: 22px; padding: 2px 6px;")
            b.clicked.connect(lambda _=False, t=text: self.reason.setText(t))
            chips.addWidget(b, i // 2, i % 2)
        self.found = QLineEdit()
        self.found.setObjectName("tray-found")
        self.found.setPlaceholderText("Bên trong: EMPTY hoặc mã hồ sơ")
        self.open_btn = self.button("Mở ô / Open", "primary", 15)
        self.open_btn.clicked.connect(self.open_tray)
        self.oos_btn = self.button("Ngừng sử dụng / Out of service", "danger", 15)
        self.oos_btn.clicked.connect(self.out_of_service)
        self.back_btn = self.button("Có hồ sơ (mã trên) → dùng lại / Holds it", height_mm=15)
        self.back_btn.clicked.connect(self.resolve)
        self.empty_btn = self.button("Ô trống → dùng lại / Empty, back in service",
                                     height_mm=15)
        self.empty_btn.clicked.connect(lambda: self.resolve("EMPTY"))
        self.message = self.label()
        self.message.hide()
        for w in (self.picked, self.picked_state, self.reason):
            side.addWidget(w)
        side.addLayout(chips)
        for w in (self.open_btn, self.oos_btn, self.found, self.back_btn, self.empty_btn,
                  self.message):
            side.addWidget(w)
        side.addStretch(1)
        body.addLayout(side, 2)
        self.layout_.addLayout(body, 1)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.tray_btns: dict = {}
        self.selected = None

    def enter(self, **ctx):
        super().enter(**ctx)
        self.refresh()

    def refresh(self) -> None:
        self.run(self.console.diagnostics.trays, ok=self.show_trays)

    def show_trays(self, trays: list[dict]) -> None:
        cols = 8
        for i, t in enumerate(trays):
            b = self.tray_btns.get(t["id"])
            if b is None:
                b = self.button("", height_mm=15)
                b.setProperty("kind", "tray")
                b.setMinimumWidth(self.console.target_px)
                b.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Expanding)
                self.grid.setColumnStretch(i % cols, 1)
                b.setCheckable(True)
                b.clicked.connect(lambda _=False, tid=t["id"]: self.pick(tid))
                self.group.addButton(b)
                self.grid.addWidget(b, i // cols, i % cols)
                self.tray_btns[t["id"]] = b
            b.setText(f"{t['id']}\n{STATE_SHORT.get(t['state'], t['state'])}")
            b.setProperty("state", t["state"])
            b.style().unpolish(b)
            b.style().polish(b)
        self._states = {t["id"]: t for t in trays}
        if self.selected:
            self.pick(self.selected)
        else:
            self.picked.setText("Chọn một ô / Pick a tray")
            self.picked_state.setText("")
            for b in (self.open_btn, self.oos_btn, self.back_btn, self.empty_btn):
                b.setEnabled(False)

    def pick(self, tray_id: str) -> None:
        self.selected = tray_id
        t = self._states[tray_id]
        self.tray_btns[tray_id].setChecked(True)
        self.picked.setText(f"Ô {tray_id} (cỡ {t['size']})")
        extra = f" · {t['dossier_code']}" if t.get("dossier_code") else ""
        self.picked_state.setText(
            f"{STATE_LONG.get(t['state'], t['state'])}{extra}\n{t.get('note') or ''}".strip())
        needs = t["state"] in ("OUT_OF_SERVICE", "TAMPERED", "UNKNOWN", "FAULT")
        self.open_btn.setEnabled(True)
        self.oos_btn.setEnabled(not needs)
        self.back_btn.setEnabled(needs)
        self.empty_btn.setEnabled(needs)
        self.found.setVisible(needs)

    def _reason(self) -> str | None:
        text = self.reason.text().strip()
        if not text:
            self.say(self.message, "Nhập hoặc chọn lý do trước. / Give a reason first.",
                     "error")
            return None
        return text

    def open_tray(self) -> None:
        reason = self._reason()
        if reason and self.selected:
            self.run(self.console.diagnostics.open_tray, self.selected, actor=self.actor,
                     reason=reason, ok=lambda ok: self.done(
                         "Ô đã mở. Kiểm tra, đóng cửa rồi bấm “Đưa vào sử dụng”." if ok
                         else "Ô không mở (đã ghi nhật ký)."))

    def out_of_service(self) -> None:
        reason = self._reason()
        if reason and self.selected:
            self.run(self.console.diagnostics.out_of_service, self.selected, actor=self.actor,
                     reason=reason, ok=lambda _row: self.done("Ô đã ngừng sử dụng."))

    def on_code(self, text: str) -> None:
        """A dossier code scanned from the paper found inside."""
        self.found.setText(text.strip().upper())

    def resolve(self, found: str | None = None) -> None:
        if not self.selected:
            return
        found = found or self.found.text().strip()
        if not found:
            self.say(self.message, "Quét mã hồ sơ bên trong, hoặc bấm “Ô trống”. / Scan the "
                                   "code of the paper inside, or tap Empty.", "error")
            return
        self.run(self.console.diagnostics.resolve_tray, self.selected, actor=self.actor,
                 found=found, reason=self.reason.text().strip(),
                 ok=lambda row: self.done(f"Ô {row['id']} trở lại: {row['state']}."))

    def done(self, text: str) -> None:
        self.say(self.message, text, "ok")
        self.reason.clear()
        self.found.clear()
        self.refresh()

    def wipe(self):
        self.selected = None
        self.reason.clear()
        self.found.clear()
        self.say(self.message, "")


class JournalExportScreen(TechScreen):
    name = "journal"
    title = "Xuất nhật ký / Export the journal"

    def build(self):
        self.layout_.addLayout(self.tech_nav())
        grid = QGridLayout()
        grid.setSpacing(16)
        self.first, self.last = QDateEdit(), QDateEdit()
        for i, (cap_text, edit) in enumerate((("Từ ngày / From", self.first),
                                              ("Đến ngày / To", self.last))):
            cap = self.label("big")
            cap.setText(cap_text)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setMinimumHeight(self.console.target_px)
            grid.addWidget(cap, i, 0)
            grid.addWidget(edit, i, 1)
        quick = QHBoxLayout()
        for text, days in (("Hôm nay / Today", 0), ("7 ngày / 7 days", 6),
                           ("30 ngày / 30 days", 29)):
            b = self.button(text, height_mm=14)
            b.clicked.connect(lambda _=False, d=days: self.last_days(d))
            quick.addWidget(b)
        grid.addLayout(quick, 2, 1)
        self.fmt_btns = {}
        fmts = QHBoxLayout()
        for fmt in ("csv", "json"):
            b = self.button(fmt.upper(), height_mm=15)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, f=fmt: self.pick_fmt(f))
            fmts.addWidget(b)
            self.fmt_btns[fmt] = b
        cap = self.label("big")
        cap.setText("Định dạng / Format")
        grid.addWidget(cap, 3, 0)
        grid.addLayout(fmts, 3, 1)
        self.dest = QLineEdit()
        self.dest.setObjectName("journal-dest")
        cap = self.label("big")
        cap.setText("Thư mục / Folder")
        grid.addWidget(cap, 4, 0)
        grid.addWidget(self.dest, 4, 1)
        self.layout_.addLayout(grid)
        self.message = self.label()
        self.message.hide()
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)
        self.go_btn = self.button("Xuất / Export", "primary", 18)
        self.go_btn.clicked.connect(self.export)
        self.layout_.addWidget(self.go_btn)
        self.fmt = "csv"

    def pick_fmt(self, fmt: str) -> None:
        self.fmt = fmt
        for f, b in self.fmt_btns.items():
            b.setChecked(f == fmt)

    def enter(self, **ctx):
        super().enter(**ctx)
        today = self.console.clock.now().date()
        self.set_range(today - timedelta(days=7), today)
        self.pick_fmt(self.fmt)
        if not self.dest.text():
            self.dest.setText(str(self.console.cfg.path("{data_dir}/exports")))
        self.say(self.message, "")

    def last_days(self, days: int) -> None:
        today = self.console.clock.now().date()
        self.set_range(today - timedelta(days=days), today)

    def set_range(self, first: date, last: date) -> None:
        self.first.setDate(QDate(first.year, first.month, first.day))
        self.last.setDate(QDate(last.year, last.month, last.day))

    def export(self) -> None:
        from pathlib import Path
        first = self.first.date().toPyDate()
        last = self.last.date().toPyDate()
        dest = Path(self.dest.text().strip() or ".") / \
            f"journal-{first:%Y%m%d}-{last:%Y%m%d}.{self.fmt}"
        self.run(self.console.diagnostics.export_journal, first, last, dest, fmt=self.fmt,
                 actor=self.actor,
                 ok=lambda n: self.say(self.message, f"Đã xuất {n} dòng vào {dest}", "ok"))


SCREENS = [DiagnosticsScreen, TrayGridScreen, JournalExportScreen]
