"""Random days of deposits, pickups, rounds, expiries, cancellations and crashes.

A hypothesis state machine drives the ledger on a real database file; a "crash" closes
the connection in the middle of a transaction (nothing committed) and reopens the file
with recovery, as a restart after a power cut would. Invariants are checked after every
step.
"""
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.journal import verify_chain
from kiosk.models import TRAY_HOLDS, DossierState as D, TrayState as T
from kiosk.pii import Pii
from kiosk.services.ledger import Ledger
from kiosk.services.recovery import recover
from kiosk.store import Store

SPECS = load_config("config/sim.toml").trays()
PHONES = ["0912345678", "0987654321", "0356789012"]


class KioskDay(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        self.path = Path(self.dir.name) / "kiosk.db"
        self.clock = ManualClock()
        self._open()
        self.ledger.sync_trays(SPECS)
        self.flows = {}          # tray -> (kind, dossier, stage) of work in progress

    def _open(self):
        self.store = Store.open(self.path)
        self.ledger = Ledger(self.store, self.clock, Pii(b"k" * 32), "TEST")

    def teardown(self):
        self.store.close()
        self.dir.cleanup()

    def _trays(self, state):
        return [t["id"] for t in self.ledger.trays(state=state) if t["id"] not in self.flows]

    # ---- deposits: reserve → unlock → open → closed with paper | backed out ----------
    @rule(data=st.data(), phone=st.sampled_from(PHONES))
    def start_deposit(self, data, phone):
        free = self._trays(T.EMPTY)
        if not free:
            return
        tray = data.draw(st.sampled_from(free))
        with self.ledger.transaction():
            d = self.ledger.create_dossier(procedure_code="HT-01", state=D.DRAFT,
                                           actor="citizen", phone=phone)
            self.ledger.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit",
                                  dossier_code=d["code"], purpose="deposit")
        self.flows[tray] = ("deposit", d["code"], "reserved")

    @rule(data=st.data())
    def advance_flow(self, data):
        if not self.flows:
            return
        tray = data.draw(st.sampled_from(sorted(self.flows)))
        self._advance(tray, lambda label: data.draw(st.booleans(), label=label))

    @rule(data=st.data())
    def finish_a_flow(self, data):
        """Most people do finish: door opens, paper goes in, door closes."""
        if not self.flows:
            return
        tray = data.draw(st.sampled_from(sorted(self.flows)))
        while tray in self.flows:
            self._advance(tray, lambda label: True)

    def _advance(self, tray, choose):
        kind, code, stage = self.flows[tray]
        L = self.ledger
        if stage in ("reserved", "rest"):
            L.move_tray(tray, T.UNLOCKING, actor=kind, reason=kind, txn=f"txn-{tray}")
            self.flows[tray] = (kind, code, "unlocking")
        elif stage == "unlocking":
            if choose("door opened"):
                L.move_tray(tray, T.OPEN, actor=kind, reason="door opened")
                self.flows[tray] = (kind, code, "open")
            else:   # unlock sent, door did not open
                prior = L.tray(tray)["prior_state"]
                L.move_tray(tray, prior, actor=kind, reason="door did not open")
                L.event("door.not_opened", actor=kind, subject=tray)
                self.flows[tray] = (kind, code, "reserved" if prior == "RESERVED" else "rest")
        elif stage == "open":
            with L.transaction():
                if kind == "deposit":
                    if choose("paper in"):
                        L.move_tray(tray, T.OCCUPIED_DEPOSIT, actor=kind, reason="closed")
                        L.move_dossier(code, D.DEPOSITED, actor=kind, reason="closed",
                                       tray_id=tray)
                    else:
                        L.move_tray(tray, T.EMPTY, actor=kind, reason="backed out")
                        L.move_dossier(code, D.CANCELLED, actor=kind, reason="backed out")
                elif kind == "collect":
                    L.move_tray(tray, T.EMPTY, actor=kind, reason="collected")
                    L.move_dossier(code, D.COLLECTED, actor=kind, reason="collected")
                elif kind == "load":
                    L.move_tray(tray, T.OCCUPIED_RESULT, actor=kind, reason="loaded",
                                dossier_code=code)
                    L.move_dossier(code, D.RESULT_LOADED, actor=kind, reason="loaded",
                                   tray_id=tray)
                elif kind == "pickup":
                    L.move_tray(tray, T.EMPTY, actor=kind, reason="picked up")
                    L.move_dossier(code, D.PICKED_UP, actor=kind, reason="picked up")
                elif kind == "retrieve":
                    L.move_tray(tray, T.EMPTY, actor=kind, reason="taken back")
                    L.move_dossier(code, D.RETURNED_TO_OFFICE, actor=kind, reason="back")
            del self.flows[tray]

    @rule(data=st.data())
    def cancel_reservation(self, data):
        reserved = [t for t, f in self.flows.items() if f[2] == "reserved"]
        if not reserved:
            return
        tray = data.draw(st.sampled_from(reserved))
        kind, code, _ = self.flows[tray]
        with self.ledger.transaction():
            self.ledger.move_tray(tray, T.EMPTY, actor=kind, reason="idle timeout")
            if kind == "deposit":
                self.ledger.move_dossier(code, D.CANCELLED, actor="citizen",
                                         reason="idle timeout")
        del self.flows[tray]

    # ---- staff round and citizens picking up ------------------------------------------
    @rule(data=st.data())
    def staff_collects(self, data):
        full = self._trays(T.OCCUPIED_DEPOSIT)
        if full:
            tray = data.draw(st.sampled_from(full))
            self.flows[tray] = ("collect", self.ledger.tray(tray)["dossier_code"], "rest")

    @rule(data=st.data())
    def staff_loads_result(self, data):
        waiting = [d["code"] for d in self.ledger.dossiers(state=D.COLLECTED)
                   if d["code"] not in {f[1] for f in self.flows.values()}]
        free = self._trays(T.EMPTY)
        if not waiting or not free:
            return
        code, tray = data.draw(st.sampled_from(waiting)), data.draw(st.sampled_from(free))
        self.ledger.move_tray(tray, T.RESERVED, actor="staff", reason="load result",
                              purpose="load")
        self.flows[tray] = ("load", code, "reserved")

    @rule(data=st.data())
    def citizen_picks_up(self, data):
        full = self._trays(T.OCCUPIED_RESULT)
        if full:
            tray = data.draw(st.sampled_from(full))
            self.flows[tray] = ("pickup", self.ledger.tray(tray)["dossier_code"], "rest")

    @rule(data=st.data())
    def results_expire(self, data):
        full = self._trays(T.OCCUPIED_RESULT)
        if full:
            tray = data.draw(st.sampled_from(full))
            self.clock.advance(days=3, seconds=1)
            with self.ledger.transaction():
                self.ledger.move_tray(tray, T.EXPIRED, actor="system", reason="3 days")
                self.ledger.move_dossier(self.ledger.tray(tray)["dossier_code"], D.EXPIRED,
                                         actor="system", reason="3 days")

    @rule(data=st.data())
    def staff_takes_back_expired(self, data):
        expired = self._trays(T.EXPIRED)
        if expired:
            tray = data.draw(st.sampled_from(expired))
            self.flows[tray] = ("retrieve", self.ledger.tray(tray)["dossier_code"], "rest")

    # ---- power cut ------------------------------------------------------------------
    @rule(partial=st.booleans())
    def crash_and_restart(self, partial):
        if partial:   # die in the middle of a transaction: nothing of it may survive
            self.store.conn.execute("BEGIN IMMEDIATE")
            self.store.conn.execute("UPDATE trays SET state = 'OPEN'")
            self.store.conn.execute("DELETE FROM journal")
        self.store.conn.close()
        self._open()
        recover(self.ledger)
        self.flows.clear()
        # a technician checks each questionable tray: paper found or not
        for t in self.ledger.trays(state=T.UNKNOWN):
            code = t["dossier_code"]
            d = self.ledger.dossier(code) if code else None
            with self.ledger.transaction():
                if d and d["state"] == "DRAFT":
                    self.ledger.move_tray(t["id"], T.OCCUPIED_DEPOSIT, actor="tech",
                                          reason="checked: paper inside")
                    self.ledger.move_dossier(code, D.DEPOSITED, actor="tech",
                                             reason="checked: paper inside", tray_id=t["id"])
                elif d and d["state"] in ("RESULT_LOADED", "EXPIRED", "DEPOSITED"):
                    back = {"RESULT_LOADED": T.OCCUPIED_RESULT, "EXPIRED": T.EXPIRED,
                            "DEPOSITED": T.OCCUPIED_DEPOSIT}[d["state"]]
                    self.ledger.move_tray(t["id"], back, actor="tech", reason="checked")
                else:
                    self.ledger.move_tray(t["id"], T.EMPTY, actor="tech",
                                          reason="checked: empty")

    # ---- invariants -------------------------------------------------------------------
    @invariant()
    def paper_is_where_the_records_say(self):
        trays = self.ledger.trays()
        held = [t["dossier_code"] for t in trays if t["dossier_code"]]
        assert len(held) == len(set(held)), "a dossier is in two trays"
        for t in trays:
            allowed = TRAY_HOLDS.get(T(t["state"]))
            if allowed is not None:
                d = self.ledger.dossier(t["dossier_code"])
                assert d is not None and D(d["state"]) in allowed, (t, d)
                assert d["tray_id"] == t["id"]
            if t["state"] == "EMPTY":
                assert t["dossier_code"] is None
        for d in self.store.query("SELECT code, tray_id FROM dossiers WHERE tray_id IS NOT "
                                  "NULL"):
            assert self.ledger.tray(d["tray_id"])["dossier_code"] == d["code"]
        assert not self.ledger.trays(state=T.UNLOCKING) or self.flows

    @invariant()
    def every_change_is_journalled_and_sent(self):
        changes = self.store.query("SELECT seq FROM journal WHERE action IN "
                                   "('tray.state', 'dossier.state', 'dossier.created')")
        sent = {r["journal_seq"] for r in self.store.query("SELECT journal_seq FROM outbox")}
        assert {r["seq"] for r in changes} <= sent
        keys = self.store.query("SELECT COUNT(DISTINCT key) k, COUNT(*) n FROM outbox")[0]
        assert keys["k"] == keys["n"]

    @invariant()
    def chain_verifies(self):
        rows = self.store.query("SELECT * FROM journal ORDER BY seq")
        assert verify_chain(rows, self.ledger.journal_head()).ok

    @invariant()
    def no_plaintext_phone_outside_outbox(self):
        text = json.dumps(self.store.query("SELECT * FROM dossiers")) + \
            json.dumps(self.store.query("SELECT * FROM journal"))
        assert not any(p in text for p in PHONES)


KioskDay.TestCase.settings = settings(max_examples=80, stateful_step_count=100,
                                      deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])
TestKioskDay = KioskDay.TestCase
