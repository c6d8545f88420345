"""The receipt roll (every PNG the printer simulator cut, newest last) and the SMS
inbox (city and modem) of the technician window. Phone numbers are shown masked."""
from __future__ import annotations

from pathlib import Path

from PyQt5.QtCore import Qt
from PyQt5.QtGui import QIcon, QPixmap
from PyQt5.QtWidgets import (QAbstractItemView, QLabel, QListWidget, QListWidgetItem,
                             QScrollArea, QSplitter, QTableWidget, QTableWidgetItem, QWidget)


def mask(number: str) -> str:
    digits = "".join(ch for ch in number if ch.isdigit())
    return "*" * max(0, len(digits) - 3) + digits[-3:] if digits else number


class RollPanel:
    """A mixin of ``TechWindow``: the "Receipts" and "SMS" tabs."""

    def _build_receipts(self) -> QWidget:
        split = QSplitter(Qt.Vertical)
        self.receipt_list = QListWidget()
        self.receipt_list.setObjectName("receipt_roll")
        self.receipt_list.setViewMode(QListWidget.IconMode)
        self.receipt_list.setIconSize(QPixmap(96, 160).size())
        self.receipt_list.currentItemChanged.connect(self._show_receipt)
        self.receipt_view = QLabel("Pick a receipt")
        self.receipt_view.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.receipt_view)
        split.addWidget(self.receipt_list)
        split.addWidget(scroll)
        split.setSizes([200, 500])
        return split

    def receipts(self) -> list[Path]:
        root = self.launcher.run / "receipts"
        if not root.exists():
            return []
        return sorted(root.glob("*/*.png"), key=lambda p: (p.stat().st_mtime, p.name))

    def _show_receipt(self, item) -> None:
        if item is None:
            return
        pix = QPixmap(item.data(Qt.UserRole))
        self.receipt_view.setPixmap(pix.scaledToWidth(min(pix.width(), 420),
                                                      Qt.SmoothTransformation))

    def _build_sms(self) -> QWidget:
        self.sms_table = QTableWidget(0, 4)
        self.sms_table.setObjectName("sms_inbox")
        self.sms_table.setHorizontalHeaderLabels(["time", "via", "to", "text"])
        self.sms_table.horizontalHeader().setStretchLastSection(True)
        self.sms_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.sms_table.setWordWrap(True)
        return self.sms_table

    def _refresh_receipts(self) -> list[Path]:
        """Add the receipts printed since the last look (all again if the roll changed)."""
        receipts = self.receipts()
        if receipts != self._receipts_shown:
            for path in receipts[len(self._receipts_shown):] if \
                    receipts[:len(self._receipts_shown)] == self._receipts_shown else receipts:
                item = QListWidgetItem(path.stem)
                item.setData(Qt.UserRole, str(path))
                pix = QPixmap(str(path))
                if not pix.isNull():
                    item.setIcon(QIcon(pix.scaledToWidth(96)))
                self.receipt_list.addItem(item)
            self._receipts_shown = receipts
        return receipts

    def _refresh_sms(self) -> list[dict]:
        messages = self.launcher.sms()
        if len(messages) != self._sms_shown:
            self.sms_table.setRowCount(len(messages))
            for i, m in enumerate(messages):
                for j, value in enumerate((m["time"], m["via"], mask(m["to"]), m["text"])):
                    self.sms_table.setItem(i, j, QTableWidgetItem(value))
            self._sms_shown = len(messages)
            self.sms_table.scrollToBottom()
        return messages
