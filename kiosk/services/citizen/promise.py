"""What the kiosk promises at a deposit: the date to collect the result and who handles
the dossier (boundary-free: whatever ward the citizen lives in), and the card's
address as read for the city. The dates themselves are ``kiosk.appointments``'s."""
from __future__ import annotations

from datetime import date

from kiosk.services.citizen.catalog import Procedure
from kiosk.services.citizen.deposit import Deposit
from kiosk.services.citizen.errors import ACTOR


class PromiseSteps:
    """Appointment and handling-body steps of ``CitizenService``."""

    def _promise(self, deposit: Deposit) -> dict:
        """What the dossier.created event tells the city (and the journal keeps)."""
        out = {"handling_body": self._body(deposit.procedure, "vi"),
               "handling_level": deposit.procedure.handling_body.get("level", "ward")}
        if self.appointments is not None:
            received, due = self.appointments.promise(deposit.procedure.processing_days)
            out.update(appointment_date=due.isoformat(), received_on=received.isoformat(),
                       processing_days=deposit.procedure.processing_days)
        return out

    @staticmethod
    def _address_for_city(deposit: Deposit) -> dict:
        """The card's address as read, and its 2025 ward: for the city, not the journal."""
        if deposit.address is None or not deposit.address.as_read:
            return {}
        a = deposit.address.as_json()
        return {"address": a["as_read"], "address_ward_2025": a["ward_2025"],
                "address_ward_code_2025": a["ward_code_2025"],
                "address_candidates_2025": a["candidates_2025"]}

    def _city_extra(self, deposit: Deposit, promise: dict) -> dict:
        return {**promise, **self._address_for_city(deposit)}

    def _keep_promise(self, code: str, promise: dict) -> None:
        if self.appointments is not None and promise.get("appointment_date"):
            self.appointments.record(
                code, date.fromisoformat(promise["appointment_date"]), basis="received",
                actor=ACTOR, received_on=date.fromisoformat(promise["received_on"]),
                working_days=promise["processing_days"])

    def _body(self, procedure: Procedure, lang: str) -> str:
        from kiosk.catalog import handling_body
        return handling_body(procedure.handling_body, lang, self.offices)

    def appointment(self, code: str):
        """The date in force for a dossier (the newest one set), or None."""
        return self.appointments.current_date(code) if self.appointments else None

    def promise_fields(self, deposit: Deposit) -> dict:
        """The receipt's share: appointment date, handling body, this ward centre."""
        p = deposit.procedure
        return {"appointment_date": self.appointment(deposit.code) if deposit.code else None,
                "handling_body": self._body(p, deposit.lang),
                "handling_body_vi": self._body(p, "vi"),
                "office_lang": self.offices.get(deposit.lang) or self.office}
