"""Staff screens: sign-in, what waits at the round, collect, load results, take back
expired results, the round report. No business rule lives here: each button calls a
use case of ``kiosk.services.rounds`` through the console's ``OpRunner``."""
from __future__ import annotations

from PyQt5.QtCore import QEvent, Qt
from PyQt5.QtWidgets import (QFrame, QGridLayout, QHBoxLayout, QLabel, QLineEdit,
                             QVBoxLayout, QWidget)

from kiosk.clock import parse_iso
from ui.widgets.buttons import BigButton
from ui.widgets.labels import role_label
from ui.widgets.keypad import Keypad


class ConsoleScreen(QWidget):
    name = ""
    title = ""
    role: str | None = "staff"          # who may see it; None: anyone (sign-in)
    keeps_awake = False

    def __init__(self, console):
        super().__init__()
        self.console = console
        self.ctx: dict = {}
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(40, 24, 40, 24)
        self.layout_.setSpacing(18)
        self.build()

    # -- helpers -------------------------------------------------------------------------
    def label(self, role: str | None = None, wrap: bool = True) -> QLabel:
        return role_label(role, wrap)

    def button(self, text: str, kind: str = "secondary", height_mm: float = 16) -> BigButton:
        return BigButton(text, kind=kind, min_px=self.console.target_px,
                         height_px=self.console.px(height_mm))

    def panel(self) -> tuple[QFrame, QVBoxLayout]:
        frame = QFrame()
        frame.setProperty("role", "panel")
        lay = QVBoxLayout(frame)
        lay.setContentsMargins(24, 18, 24, 18)
        lay.setSpacing(10)
        return frame, lay

    def set_role(self, widget, role: str) -> None:
        widget.setProperty("role", role)
        widget.style().unpolish(widget)
        widget.style().polish(widget)

    def say(self, widget: QLabel, text: str, role: str | None = None) -> None:
        widget.setText(text)
        widget.setVisible(bool(text))
        if role:
            self.set_role(widget, role)

    def run(self, fn, *args, ok=None, fail=None, **kwargs) -> None:
        self.console.ops.run(fn, *args, on_success=ok, on_failure=fail or self.failed,
                             **kwargs)

    def failed(self, exc) -> None:
        if hasattr(self, "message"):
            self.say(self.message, str(exc), "error")

    def local(self, iso: str | None) -> str:
        if not iso:
            return ""
        return f"{parse_iso(iso).astimezone(self.console.clock.zone):%H:%M %d/%m/%Y}"

    # -- hooks ---------------------------------------------------------------------------
    def build(self) -> None:
        pass

    def title_text(self) -> str:
        return self.title

    def enter(self, **ctx) -> None:
        self.ctx = ctx

    def leave(self) -> None:
        pass

    def wipe(self) -> None:
        pass

    def on_code(self, text: str) -> None:
        pass


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


class OverviewScreen(ConsoleScreen):
    """What waits at this round, with one button per job."""

    name = "overview"
    title = "Đợt thu / trả hồ sơ"

    def build(self):
        self.heading = self.label("title")
        self.layout_.addWidget(self.heading)
        grid = QGridLayout()
        grid.setSpacing(24)
        self.counts, self.details, self.actions = {}, {}, {}
        jobs = (("collect", "Hồ sơ cần thu", "Collect deposits", "Thu hồ sơ ›"),
                ("load", "Kết quả cần nạp", "Load results", "Nạp kết quả ›"),
                ("retrieve", "Kết quả quá hạn cần lấy về", "Take back expired",
                 "Lấy về ›"))
        for col, (key, vi, en, action) in enumerate(jobs):
            frame, lay = self.panel()
            cap = self.label("big")
            cap.setText(vi)
            sub = self.label("muted")
            sub.setText(en)
            count = self.label("count")
            detail = self.label("muted")
            btn = self.button(action, "primary", 18)
            btn.clicked.connect(lambda _=False, key=key: self.open_job(key))
            for w in (cap, sub, count, detail):
                lay.addWidget(w)
            lay.addStretch(1)
            lay.addWidget(btn)
            grid.addWidget(frame, 0, col)
            self.counts[key], self.details[key], self.actions[key] = count, detail, btn
        self.layout_.addLayout(grid, 1)
        self.status = self.label()
        self.message = self.label("error")
        self.message.hide()
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.message)
        self.finish_btn = self.button("Kết thúc đợt và in báo cáo / Finish and print report",
                                      height_mm=18)
        self.finish_btn.clicked.connect(lambda: self.console.show_screen("report"))
        self.layout_.addWidget(self.finish_btn)

    def enter(self, **ctx):
        super().enter(**ctx)
        self.say(self.message, "")
        if self.console.run is None:
            actor = self.console.session.actor
            self.run(self.console.rounds.begin, actor, ok=self._begun)
        else:
            self.refresh()

    def _begun(self, run) -> None:
        self.console.run = run
        if run.incidents:
            self.say(self.message, "Cảm biến phát hiện đồ trong ô không có hồ sơ: " +
                     ", ".join(i["tray"] for i in run.incidents) +
                     " — ô đã ngừng sử dụng, báo kỹ thuật viên.", "warn")
        self.refresh()

    def refresh(self) -> None:
        self.run(self.console.rounds.overview, ok=self.show_overview)

    def show_overview(self, ov: dict) -> None:
        who = self.console.session.name if self.console.session else ""
        self.heading.setText(f"Đợt {ov['round']} — {who}")
        lists = {"collect": ov["deposits"], "load": ov["results"], "retrieve": ov["expired"]}
        for key, items in lists.items():
            self.counts[key].setText(str(len(items)))
            if key == "load":
                text = "\n".join(f"{r['code']}  cỡ {r['size']}" for r in items[:6])
            else:
                text = "\n".join(f"{r['tray']}  {r['code']}" for r in items[:6])
            if len(items) > 6:
                text += f"\n… +{len(items) - 6}"
            self.details[key].setText(text or "—")
            if key != "load":
                self.actions[key].setEnabled(bool(items))
        free = ov["free"]
        nxt = ov["next_round"]
        self.status.setText(f"Ô trống: S {free['S']} · M {free['M']} · L {free['L']}    "
                            f"Sự cố chưa xử lý: {len(ov['incidents'])}    "
                            f"Đợt kế tiếp: {nxt:%H:%M %d/%m}")

    def open_job(self, key: str) -> None:
        if self.console.run is None:
            return
        self.console.show_screen("load" if key == "load" else key)


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


SCREENS = [SignInScreen, OverviewScreen, CollectScreen, RetrieveScreen, LoadScreen,
           ReportScreen]
