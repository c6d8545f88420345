"""Load results: scan the result's code, a free tray opens, the door closing records it."""
from __future__ import annotations

from PyQt5.QtCore import QEvent
from PyQt5.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout

from ui.staff.screens.base import ConsoleScreen
from ui.widgets.keypad import Keypad


class LoadScreen(ConsoleScreen):
    """Scan the result's code; a free tray opens; the door closing records it."""

    name = "load"
    title = "Nạp kết quả / Load results"

    def build(self):
        row = QHBoxLayout()
        row.setSpacing(36)
        left = QVBoxLayout()
        left.setSpacing(12)
        cap = self.label("muted")
        cap.setText("Mã hồ sơ trên kết quả (quét hoặc gõ) / Dossier code")
        self.code = QLineEdit()
        self.code.setObjectName("load-code")
        self.code.setMaxLength(20)
        self.code.installEventFilter(self)
        self.info = self.label()
        self.phone_cap = self.label("muted")
        self.phone_cap.setText("Số điện thoại người dân (khi mất kết nối) / Citizen's phone")
        self.phone = QLineEdit()
        self.phone.setObjectName("load-phone")
        self.phone.setMaxLength(13)
        self.phone.installEventFilter(self)
        sizes = QHBoxLayout()
        self.size_btns = {}
        for s in ("S", "M", "L"):
            b = self.button(f"Cỡ {s}", height_mm=15)
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, s=s: self.pick_size(s))
            sizes.addWidget(b)
            self.size_btns[s] = b
        self.tray = self.label("count")
        self.message = self.label("error")
        self.message.hide()
        self.loaded = self.label("muted")
        for w in (cap, self.code, self.info, self.phone_cap, self.phone):
            left.addWidget(w)
        left.addLayout(sizes)
        for w in (self.tray, self.message, self.loaded):
            left.addWidget(w)
        left.addStretch(1)
        self.open_btn = self.button("Mở ô trống / Open a free tray", "primary", 20)
        self.open_btn.clicked.connect(self.start)
        left.addWidget(self.open_btn)
        row.addLayout(left, 1)
        self.keypad = Keypad(self.code, key_px=self.console.key_px, mode="code", max_len=20)
        self.keypad.submitted.connect(lambda _t: self.lookup())
        row.addWidget(self.keypad)
        self.layout_.addLayout(row, 1)
        self.size = None
        self.pending = None

    @property
    def keeps_awake(self) -> bool:
        return self.pending is not None

    def eventFilter(self, obj, event):
        if event.type() == QEvent.FocusIn and obj in (self.code, self.phone):
            self.keypad.target = obj
            self.keypad.max_len = obj.maxLength()
        return False

    def pick_size(self, size: str) -> None:
        self.size = size
        for s, b in self.size_btns.items():
            b.setChecked(s == size)

    def _manual(self, on: bool) -> None:
        self.phone_cap.setVisible(on)
        self.phone.setVisible(on)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.wipe()
        self.code.setFocus()

    def on_code(self, text: str) -> None:
        if self.pending is not None:
            return
        self.code.setText(text.upper())
        self.lookup()

    def lookup(self) -> None:
        if self.keypad.target is self.phone:
            self.start()
            return
        code = self.code.text().strip()
        if not code:
            return
        self.run(self.console.rounds.lookup, code, ok=self.known, fail=self.unknown)

    def known(self, info: dict) -> None:
        self._manual(False)
        self.pick_size(info["size"])
        phone = f" · SĐT {info['phone_masked']}" if info.get("phone_masked") else ""
        self.info.setText(f"{info['procedure']} · cỡ {info['size']}{phone}")
        self.say(self.message, "")

    def unknown(self, exc) -> None:
        if getattr(exc, "reason", "") == "result.unknown":
            self.ask_manual()
            self.say(self.message, "")
        else:
            self.say(self.message, str(exc), "error")

    def ask_manual(self) -> None:
        """Not in the city's list (offline?): the phone number and size are typed."""
        self._manual(True)
        self.info.setText("Không có trong danh sách kết quả của thành phố (mất kết nối?). "
                          "Nhập số điện thoại và chọn cỡ ô để nạp thủ công.")
        self.phone.setFocus()
        self.keypad.target = self.phone
        self.keypad.max_len = self.phone.maxLength()

    def start(self) -> None:
        code = self.code.text().strip()
        if not code:
            self.say(self.message, "Quét hoặc gõ mã hồ sơ trước. / Scan the code first.",
                     "error")
            return
        phone = self.phone.text().strip() if self.phone.isVisible() else None
        self.open_btn.setEnabled(False)
        self.say(self.message, "")
        self.run(self.console.rounds.start_load, self.console.run, code, phone=phone or None,
                 size=self.size, ok=self.opened, fail=self.not_opened)

    def opened(self, step) -> None:
        self.pending = step
        self.tray.setText(f"Ô {step.tray}")
        self.say(self.message, f"Đặt kết quả {step.code} vào ô {step.tray} rồi đóng cửa. / "
                               "Put the result in and close the door.", "warn")
        if step.status != "open":      # the door closed before this answer came back
            self.round_event({"loaded": "load.done", "empty": "load.empty"}.get(
                step.status, "load.failed"), step)

    def not_opened(self, exc) -> None:
        self.open_btn.setEnabled(True)
        if getattr(exc, "reason", "") in ("phone.needed", "phone.invalid"):
            self.ask_manual()
        self.say(self.message, str(exc), "error")

    def round_event(self, kind: str, step) -> None:
        if self.pending is None or step is not self.pending:
            return
        self.pending = None
        self.open_btn.setEnabled(True)
        if kind == "load.done":
            when = self.local(step.deadline.isoformat()) if step.deadline else ""
            self.loaded.setText((self.loaded.text() + "\n" if self.loaded.text() else "") +
                                f"✓ {step.tray}  {step.code}  hạn {when}")
            self.say(self.message, f"Đã nạp {step.code} vào ô {step.tray}. Hạn nhận {when}. "
                                   "Người dân đã được báo bằng SMS.", "ok")
        elif kind == "load.empty":
            self.say(self.message, f"Ô {step.tray} đóng mà không có gì bên trong: chưa nạp. "
                                   "Thử lại.", "error")
        else:
            self.say(self.message, f"Không ghi nhận được ô {step.tray}; báo kỹ thuật viên.",
                     "error")
        self.code.clear()
        self.phone.clear()
        self.info.setText("")
        self.tray.setText("")
        self._manual(False)
        self.code.setFocus()

    def wipe(self):
        self.code.clear()
        self.phone.clear()
        self.info.setText("")
        self.tray.setText("")
        self.loaded.setText("")
        self.pending = None
        self.open_btn.setEnabled(True)
        self.say(self.message, "")
        self._manual(False)
        self.size = None
        for b in self.size_btns.values():
            b.setChecked(False)
        self.keypad.target = self.code
