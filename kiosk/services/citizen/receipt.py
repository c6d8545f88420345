"""Paper: the deposit receipt (printed and by SMS) and the privacy notice."""
from __future__ import annotations

import logging
import uuid

from hardware.ports import PrinterState
from kiosk.pii import mask_id, mask_phone
from kiosk.services.citizen.deposit import Deposit
from kiosk.services.citizen.errors import ACTOR, CitizenError

log = logging.getLogger(__name__)


PRIVACY_NOTICE = {
    "vi": ("THÔNG BÁO VỀ DỮ LIỆU CÁ NHÂN\n"
           "Số điện thoại của Ông/Bà chỉ dùng để gửi mã xác thực và báo tình trạng hồ sơ.\n"
           "Số CCCD chỉ dùng để đối chiếu khi nhận kết quả.\n"
           "Máy chỉ lưu dạng mã hóa và dạng che (******678), và xóa khi hồ sơ kết thúc "
           "và hết thời hạn lưu trữ.\n"
           "Ông/Bà có thể hỏi hoặc yêu cầu xóa qua tổng đài {hotline}."),
    "en": ("ABOUT YOUR PERSONAL DATA\n"
           "Your phone number is used only to send you codes and news about your dossier.\n"
           "Your ID number is used only to check it is you when you pick up a result.\n"
           "The machine keeps them only encrypted and masked (******678) and deletes them "
           "when your dossier is closed and the keeping period ends.\n"
           "Ask questions or ask for deletion at hotline {hotline}."),
    "zh": ("个人信息说明\n"
           "您的手机号码仅用于发送验证码和办理进度通知。\n"
           "身份证号码仅用于领取结果时核对身份。\n"
           "本机只保存加密和遮盖形式（******678），申请材料办结并过保存期后删除。\n"
           "如有疑问或要求删除，请拨打热线 {hotline}。"),
}


class ReceiptSteps:
    """Receipt and notice steps of ``CitizenService``."""

    def privacy_notice(self, lang: str = "vi") -> str:
        return PRIVACY_NOTICE.get(lang, PRIVACY_NOTICE["vi"]).format(hotline=self.hotline)

    def print_privacy_notice(self, lang: str = "vi") -> None:
        """Blocking: print the notice; raises CitizenError('printer.unavailable')."""
        self._print({"kind": "privacy_notice", "lang": lang,
                     "text": self.privacy_notice(lang)}, uuid.uuid4().hex)

    def receipt(self, deposit: Deposit) -> dict:
        p = deposit.procedure
        return {"kind": "deposit", "lang": deposit.lang, "code": deposit.code,
                "procedure": p.name(deposit.lang), "procedure_vi": p.name("vi"),
                "tray": deposit.tray_id, "fee": p.fee, "payment": deposit.payment_state,
                "phone_masked": mask_phone(deposit.phone) if deposit.phone else "",
                "id_masked": mask_id(deposit.id_number) if deposit.id_number else "",
                "when": self.clock.now().strftime("%d/%m/%Y %H:%M"),
                "kiosk": self.kiosk_id, "office": self.office, "hotline": self.hotline,
                "online": deposit.online, "pages": len(deposit.pages),
                **self.promise_fields(deposit)}

    def printer_ok(self) -> bool:
        if self.receipts is None:
            return False
        try:
            return self.receipts.state() in (PrinterState.OK, PrinterState.PAPER_NEAR_END)
        except Exception:
            return False

    def _print(self, receipt: dict, txn: str) -> None:
        if not self.printer_ok():
            raise CitizenError("printer.unavailable", "the printer cannot print now")
        try:
            self.receipts.print_receipt(receipt, txn=txn)
        except Exception as exc:
            raise CitizenError("printer.unavailable", str(exc)) from None

    def send_receipts(self, deposit: Deposit) -> dict:
        """Blocking: print the receipt and send the SMS e-receipt; says which worked."""
        receipt = self.receipt(deposit)
        printed = sms = False
        try:
            self._print(receipt, deposit.txn)
            printed = True
        except CitizenError as exc:
            log.info("receipt for %s not printed: %s", deposit.code, exc)
        if self.sms is not None and deposit.phone:
            due = receipt.get("appointment_date")
            text = (f"Ho so {deposit.code} da duoc tiep nhan luc {receipt['when']}"
                    f" ({deposit.procedure.code})."
                    + (f" Hen tra ket qua: {due:%d/%m/%Y}." if due else "")
                    + f" Tra cuu: may ho so hoac {self.hotline}.")
            try:
                self.sms.send(deposit.phone, text, key=f"receipt-{deposit.code}")
                sms = True
            except Exception as exc:
                log.info("SMS receipt for %s not sent: %s", deposit.code, exc)
        self.ledger.event("receipt.issued", actor=ACTOR, subject=deposit.code,
                          data={"printed": printed, "sms": sms}, to_city=False)
        return {"printed": printed, "sms": sms, "code": deposit.code}
