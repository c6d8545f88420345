"""Load results: look the dossier code up (city results list, ledger, or by hand with
the phone), open a free tray of the right size or larger, and record the result when
the door is shut with something inside; then the citizen is told the deadline."""
from __future__ import annotations

import logging
from datetime import timedelta

from hardware.ports import DoorState
from kiosk.clock import utc_iso
from kiosk.models import DossierState as D, TrayState as T
from kiosk.pii import InvalidPhone, normalize_phone
from kiosk.services.rounds.model import SIZES, LoadStep, RoundError, RoundRun

log = logging.getLogger(__name__)


class LoadSteps:
    """Load steps of ``RoundService``."""

    def lookup(self, code: str) -> dict:
        """What the kiosk knows of a result's dossier code; raises 'result.unknown' when
        only a manual entry (with the phone) can load it."""
        code = (code or "").strip().upper()
        if not code:
            raise RoundError("code.empty", "scan or type the dossier code")
        d = self.ledger.dossier(code)
        if d is not None:
            if d["state"] not in (D.COLLECTED.value, D.SUBMITTED_ONLINE.value):
                raise RoundError("result.state", f"dossier {code} is {d['state']}; only a "
                                                 "collected or online dossier gets a result")
        r = self.results.get(code) if self.results is not None else None
        if r is not None and r.get("loaded_at"):
            raise RoundError("result.loaded", f"the result of {code} is already in a tray")
        if r is not None:
            return {"code": code, "source": "results",
                    "procedure": r.get("procedure_name") or r.get("procedure_code") or "",
                    "size": r.get("tray_size") or "M",
                    "phone_masked": r.get("phone_masked") or "",
                    "phone_known": bool(r.get("phone"))}
        if d is not None:
            return {"code": code, "source": "ledger",
                    "procedure": d.get("procedure_name") or d["procedure_code"],
                    "size": d.get("tray_size") or "M",
                    "phone_masked": d.get("phone_masked") or "",
                    "phone_known": bool(d.get("phone_hmac"))}
        raise RoundError("result.unknown", f"{code} is not in the city's results list; if "
                                           "the city is unreachable, type the citizen's "
                                           "phone number to load it by hand", code=code)

    def _free_tray(self, size: str) -> str | None:
        for s in SIZES[SIZES.index(size):]:
            tray = self.doors.free_tray(s)
            if tray is not None:
                return tray
        return None

    def start_load(self, run: RoundRun, code: str, *, phone: str | None = None,
                   size: str | None = None, procedure: str = "") -> LoadStep:
        """Blocking: reserve and open a free tray for one result."""
        code = (code or "").strip().upper()
        try:
            info = self.lookup(code)
        except RoundError as exc:
            if exc.reason != "result.unknown":
                raise
            info = None
        if info is None:                              # by hand, city unreachable
            if not phone:
                raise RoundError("phone.needed", f"{code} is not in the results list: type "
                                                 "the citizen's phone number", code=code)
            try:
                phone = normalize_phone(phone)
            except InvalidPhone as exc:
                raise RoundError("phone.invalid", str(exc)) from None
            info = {"code": code, "source": "manual", "procedure": procedure or "",
                    "size": size or "M"}
        elif info["source"] == "results":
            phone = (self.results.get(code) or {}).get("phone") or phone
        size = size or info["size"]
        if size not in SIZES:
            raise RoundError("size", f"tray size must be one of {', '.join(SIZES)}")
        txn = f"{run.id}:load:{code}"
        with self._lock:
            tray = self._free_tray(size)
            if tray is None:
                raise RoundError("tray.none_free", f"no free tray of size {size} or larger; "
                                                   "take back expired results first",
                                 size=size)
            with self.ledger.transaction():
                if self.ledger.dossier(code) is None:
                    r = self.results.get(code) if self.results is not None else None
                    self.ledger.create_dossier(
                        code=code, procedure_code=(r or {}).get("procedure_code") or
                        info.get("procedure") or "UNKNOWN",
                        procedure_name=info.get("procedure") or "", state=D.COLLECTED,
                        actor=run.actor, phone=phone, tray_size=size, channel="office",
                        reason=f"result brought by staff ({info['source']})",
                        data={"source": info["source"], "round": run.id})
                self.ledger.move_tray(tray, T.RESERVED, actor=run.actor, txn=txn,
                                      reason=f"round {run.label}: load result",
                                      dossier_code=code, purpose="result")
            step = LoadStep(code, tray, txn, size, info.get("procedure") or "",
                            info["source"], phone, run=run)
            self._loads[tray] = step
        try:
            opened = self.doors.open(tray, actor=run.actor, txn=txn,
                                     reason=f"round {run.label}: load result")
        except Exception as exc:
            log.warning("tray %s did not open for a result: %s", tray, exc)
            opened = False
        if not opened:
            with self._lock:
                self._loads.pop(tray, None)
            if self.ledger.tray(tray)["state"] == T.RESERVED.value:
                self.ledger.move_tray(tray, T.EMPTY, actor=run.actor, txn=txn,
                                      reason="door did not open; reservation dropped")
            step.status = "failed"
            run.problems.append(f"tray {tray} did not open to load {code}")
            raise RoundError("door.not_opened", f"tray {tray} did not open; try again "
                                                "(another tray will be chosen)", tray=tray)
        return step

    def _on_door(self, tray: str, door: DoorState, occupied) -> None:
        if door not in (DoorState.LOCKED, DoorState.CLOSED):
            return
        with self._lock:
            step = self._loads.pop(tray, None)
        if step is None:
            return
        try:
            self.finish_load(step, occupied)
        except Exception:
            log.exception("recording the result in tray %s failed", tray)
            step.status = "failed"
            self._emit("load.failed", step)

    def finish_load(self, step: LoadStep, occupied: bool | None) -> LoadStep:
        """The door is shut: RESULT_LOADED with the deadline, then tell the citizen."""
        with self._lock:
            self._loads.pop(step.tray, None)
        actor = step.run.actor if step.run else "staff"
        if occupied is False:
            self.ledger.move_tray(step.tray, T.EMPTY, actor=actor, txn=step.txn,
                                  reason="door closed with nothing inside; result not loaded")
            step.status = "empty"
            step.phone = None
            self._emit("load.empty", step)
            return step
        now = self.clock.now()
        deadline = now + timedelta(days=self.expiry_days)
        with self.ledger.transaction():
            self.ledger.move_tray(step.tray, T.OCCUPIED_RESULT, actor=actor, txn=step.txn,
                                  reason="result loaded, door closed", dossier_code=step.code,
                                  purpose="result")
            self.ledger.move_dossier(step.code, D.RESULT_LOADED, actor=actor, txn=step.txn,
                                     reason="result loaded into a tray", tray_id=step.tray,
                                     fields={"deadline_at": utc_iso(deadline)},
                                     data={"source": step.source})
        if self.results is not None and step.source == "results":
            self.results.mark_loaded(step.code)
        step.deadline = deadline
        step.status = "loaded"
        step.sms = self._tell(step.code, "result.ready", self.ready_text(step.code, step.tray,
                                                                         deadline),
                              phone=step.phone, key=f"result-{step.code}", actor=actor)
        step.phone = None
        if step.run is not None:
            step.run.loaded.append({"code": step.code, "tray": step.tray,
                                    "deadline": utc_iso(deadline), "sms": step.sms})
        self._emit("load.done", step)
        return step

    def pending_loads(self) -> list[LoadStep]:
        with self._lock:
            return list(self._loads.values())
