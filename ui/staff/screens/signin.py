"""Staff sign-in: staff ID, PIN and the authenticator's code on the on-screen keypad."""
from __future__ import annotations

from PyQt5.QtCore import QEvent
from PyQt5.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout

from ui.staff.screens.base import ConsoleScreen
from ui.widgets.keypad import Keypad


class SignInScreen(ConsoleScreen):
    """Staff ID, PIN and the authenticator's code, on the on-screen keypad."""

    name = "signin"
    title = "Đăng nhập nhân viên / Staff sign-in"
    role = None

    def build(self):
        row = QHBoxLayout()
        row.setSpacing(40)
        left = QVBoxLayout()
        left.setSpacing(12)
        self.fields = {}
        for key, caption, echo, max_len in (
                ("id", "Mã nhân viên / Staff ID", QLineEdit.Normal, 32),
                ("pin", "Mã PIN", QLineEdit.Password, 12),
                ("code", "Mã 6 số trên ứng dụng xác thực / Authenticator code",
                 QLineEdit.Normal, 6)):
            cap = self.label("muted")
            cap.setText(caption)
            field = QLineEdit()
            field.setEchoMode(echo)
            field.setMaxLength(max_len)
            field.setObjectName(f"signin-{key}")
            field.installEventFilter(self)
            left.addWidget(cap)
            left.addWidget(field)
            self.fields[key] = field
        self.message = self.label("error")
        self.message.hide()
        left.addWidget(self.message)
        left.addStretch(1)
        buttons = QHBoxLayout()
        self.go_btn = self.button("Đăng nhập / Sign in", "primary", 18)
        self.go_btn.clicked.connect(self.submit)
        self.close_btn = self.button("Đóng / Close", height_mm=18)
        self.close_btn.clicked.connect(lambda: self.console.sign_out("closed at sign-in"))
        buttons.addWidget(self.go_btn, 2)
        buttons.addWidget(self.close_btn, 1)
        left.addLayout(buttons)
        row.addLayout(left, 1)
        self.keypad = Keypad(self.fields["id"], key_px=self.console.key_px, mode="code",
                             max_len=32)
        self.keypad.submitted.connect(lambda _text: self.next_field())
        row.addWidget(self.keypad)
        self.layout_.addLayout(row, 1)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.FocusIn and obj in self.fields.values():
            self.target(obj)
        return False

    def target(self, field: QLineEdit) -> None:
        self.keypad.target = field
        self.keypad.max_len = field.maxLength()
        for f in self.fields.values():
            f.setProperty("active", f is field)

    def next_field(self) -> None:
        order = list(self.fields.values())
        current = self.keypad.target
        if current is order[-1]:
            self.submit()
            return
        nxt = order[order.index(current) + 1]
        nxt.setFocus()
        self.target(nxt)

    def submit(self) -> None:
        staff_id = self.fields["id"].text()
        pin, code = self.fields["pin"].text(), self.fields["code"].text()
        self.fields["pin"].clear()
        self.fields["code"].clear()
        self.go_btn.setEnabled(False)
        self.say(self.message, "")
        self.run(self.console.auth.sign_in, staff_id, pin, code, ok=self.welcome,
                 fail=self.refused)

    def welcome(self, session) -> None:
        self.go_btn.setEnabled(True)
        self.wipe()
        self.console.signed_in(session)

    def refused(self, exc) -> None:
        self.go_btn.setEnabled(True)
        reason = getattr(exc, "reason", "")
        if reason == "locked":
            text = str(exc)
        elif reason == "disabled":
            text = "Tài khoản đã bị khóa. Liên hệ văn phòng. / Account disabled."
        elif "tries_left" in getattr(exc, "details", {}):
            text = (f"Sai mã nhân viên, PIN hoặc mã xác thực. Còn {exc.details['tries_left']} "
                    "lần thử. / Wrong ID, PIN or code.")
        else:
            text = "Sai mã nhân viên, PIN hoặc mã xác thực. / Wrong ID, PIN or code."
        self.say(self.message, text, "error")
        self.fields["pin"].setFocus()
        self.target(self.fields["pin"])

    def enter(self, **ctx):
        super().enter(**ctx)
        self.fields["id"].setFocus()
        self.target(self.fields["id"])

    def wipe(self):
        for f in self.fields.values():
            f.clear()
        self.say(self.message, "")
        self.go_btn.setEnabled(True)
