"""Scan the papers (optional for paper deposits, needed to submit online), with previews."""
from __future__ import annotations

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QImage, QPixmap
from PyQt5.QtWidgets import QHBoxLayout, QLabel, QScrollArea, QWidget

from ui.screens.base import Screen
from ui.screens.payment import after_scan


def pil_to_pixmap(img, height: int) -> QPixmap:
    rgb = img.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    qimg = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format_RGB888).copy()
    return QPixmap.fromImage(qimg).scaledToHeight(height, Qt.SmoothTransformation)


class ScanScreen(Screen):
    name = "deposit-scan"
    title_key = "scan.title"
    speak_key = "scan.speak"

    def build(self):
        self.hint = self.label("title")
        self.state = self.label()
        self.layout_.addWidget(self.hint)
        self.layout_.addWidget(self.state)
        self.strip = QWidget()
        self.strip_row = QHBoxLayout(self.strip)
        self.strip_row.setAlignment(Qt.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.strip)
        self.layout_.addWidget(scroll, 1)
        row = QHBoxLayout()
        row.setSpacing(24)
        self.scan_btn = self.button("primary", height_mm=22)
        self.scan_btn.clicked.connect(self.scan)
        self.next_btn = self.button(height_mm=22)
        self.next_btn.clicked.connect(lambda: after_scan(self.win))
        self.skip_btn = self.button(height_mm=22)
        self.skip_btn.clicked.connect(self.skip)
        for b in (self.scan_btn, self.next_btn, self.skip_btn):
            row.addWidget(b)
        self.layout_.addLayout(row)
        # what the page checks found on the last scan, with rescan or keep
        self.notice = self.label("warn")
        self.notice.setWordWrap(True)
        self.layout_.insertWidget(2, self.notice)
        checks = QHBoxLayout()
        checks.setSpacing(24)
        self.rescan_btn = self.button("primary", height_mm=18)
        self.rescan_btn.clicked.connect(self.rescan)
        self.keep_btn = self.button(height_mm=18)
        self.keep_btn.clicked.connect(self.keep)
        checks.addWidget(self.rescan_btn)
        checks.addWidget(self.keep_btn)
        self.layout_.insertLayout(3, checks)
        self._batch_start = 0
        self._show_findings([])

    def enter(self, **ctx):
        super().enter(**ctx)
        self.retranslate()
        self.show_pages()

    @property
    def deposit(self):
        return self.win.session.get("deposit")

    def scan(self):
        self._batch_start = len(self.deposit.pages) if self.deposit else 0
        self._show_findings([])
        self.state.setText(self.tr("scan.scanning"))
        self.set_role(self.state, "")
        self.scan_btn.setEnabled(False)
        self.win.ops.run(self.win.citizen.scan, self.deposit, on_success=self.scanned,
                         on_failure=self.failed)

    def scanned(self, pages):
        self.scan_btn.setEnabled(True)
        self.state.setText(self.tr("scan.done", pages=len(self.deposit.pages)))
        self.show_pages()
        self._show_findings([r for r in self.deposit.page_reports[self._batch_start:]
                             if getattr(r, "findings", None)])

    def _show_findings(self, flagged: list) -> None:
        """One line per page the checks found fault with; rescan or keep."""
        self._flagged = flagged
        lines = [self.tr(f"page.{r.keys[0]}", n=r.number) for r in flagged]
        self.notice.setText("\n".join(lines))
        self.notice.setVisible(bool(flagged))
        self.rescan_btn.setVisible(bool(flagged))
        self.keep_btn.setVisible(bool(flagged))
        if flagged:
            self.next_btn.setEnabled(False)
            self.win.say(lines[0])

    def rescan(self):
        """Scan the last batch again: its pages and their checks are dropped first."""
        dep = self.deposit
        if dep is not None:
            del dep.pages[self._batch_start:]
            del dep.page_reports[self._batch_start:]
        self.show_pages()
        self.scan()

    def keep(self):
        self._show_findings([])
        self.state.setText(self.tr("scan.kept"))
        self.next_btn.setEnabled(bool(self.deposit and self.deposit.pages))

    def failed(self, exc):
        self.scan_btn.setEnabled(True)
        self.state.setText(self.tr(f"err.{getattr(exc, 'reason', 'scanner.unavailable')}"))
        self.set_role(self.state, "error")
        self.win.say(self.state.text())

    def skip(self):
        if self.deposit is not None:
            self.deposit.pages = []
            self.deposit.online = False
        after_scan(self.win)

    def show_pages(self):
        while self.strip_row.count():
            item = self.strip_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        pages = self.deposit.pages if self.deposit else []
        for page in pages:
            lab = QLabel()
            lab.setPixmap(pil_to_pixmap(page, self.win.px(80)))
            self.strip_row.addWidget(lab)
        online = bool(self.deposit and self.deposit.online)
        self.next_btn.setEnabled(bool(pages))
        self.skip_btn.setVisible(not online)

    def leave(self):
        if not self.scan_btn.isEnabled():          # a scan is still waiting for paper
            self.win.citizen.cancel_scan()
            self.scan_btn.setEnabled(True)

    def wipe(self):
        self._show_findings([])
        while self.strip_row.count():
            item = self.strip_row.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.state.setText("")

    def retranslate(self):
        online = bool(self.win.session and self.win.session.get("deposit")
                      and self.win.session["deposit"].online)
        self.hint.setText(self.tr("scan.hint.online" if online else "scan.hint"))
        self.scan_btn.setText(self.tr("scan.scan"))
        self.next_btn.setText(self.tr("scan.submit" if online else "scan.next"))
        self.skip_btn.setText(self.tr("scan.skip"))
        self.rescan_btn.setText(self.tr("scan.rescan"))
        self.keep_btn.setText(self.tr("scan.keep"))
        if getattr(self, "_flagged", None):
            self.notice.setText("\n".join(self.tr(f"page.{r.keys[0]}", n=r.number)
                                          for r in self._flagged))
