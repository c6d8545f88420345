"""Status look-up by dossier code or verified phone, and the star rating."""
from __future__ import annotations

from kiosk.cccd import is_dossier_code
from kiosk.models import DossierState as D
from kiosk.services.citizen.errors import ACTOR, CitizenError


class StatusSteps:
    """Status and rating steps of ``CitizenService``."""

    @staticmethod
    def is_dossier_code(text: str) -> bool:
        return is_dossier_code(text)

    def status(self, code: str) -> dict:
        code = (code or "").strip().upper()
        d = self.ledger.dossier(code) if is_dossier_code(code) else None
        if d is None or d["state"] in (D.DRAFT.value, D.CANCELLED.value):
            raise CitizenError("status.not_found", f"no dossier {code!r}")
        return {"code": d["code"], "state": d["state"],
                "procedure": d.get("procedure_name") or d.get("procedure_code"),
                "updated_at": d.get("updated_at"), "tray": d.get("tray_id"),
                "appointment_date": self.appointment(d["code"])}

    def statuses_for(self, phone: str) -> list[dict]:
        out = self.ledger.statuses_by_phone(phone)   # one indexed query
        dates = self.appointments.current_dates([d["code"] for d in out]) \
            if self.appointments is not None and out else {}
        for d in out:
            d["appointment_date"] = dates.get(d["code"])
        return out

    def rate(self, score: int, subject: str | None = None) -> None:
        if not 1 <= int(score) <= 5:
            raise CitizenError("rating.invalid", "a rating is 1 to 5 stars")
        subject = subject or "kiosk"
        code = subject if self.ledger.dossier(subject) else None
        with self.ledger.transaction():
            self.ledger.store.execute(
                "INSERT INTO ratings(at, dossier_code, score, flow) VALUES (?, ?, ?, ?)",
                (self.clock.now().isoformat(timespec="seconds"), code, int(score),
                 "dossier" if code else subject))
            self.ledger.event("rating.given", actor=ACTOR, subject=subject,
                              data={"score": int(score)}, dossier_code=code)
