"""Random days at the cabinet: opens, closes, forced doors, faults, polls in any order.

Whatever happens, every unlock frame on the wire follows a committed UNLOCKING intent of
the transaction that asked for that very tray, nothing is pulsed that nobody asked for,
and only a door that was really forced is ever called tampered.
"""
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from hardware.lockboard.codec import decode_command
from hardware.lockboard.driver import BusSpec, SerialLockBank
from kiosk.clock import ManualClock
from kiosk.models import IllegalTransition, TrayState as T
from kiosk.pii import Pii
from kiosk.services.doors import DoorService, TrayBusy
from kiosk.services.ledger import Ledger
from kiosk.store import Store
from sim.lockboard import SimLockBus

from .conftest import sim_profile, wiring_for

TRAYS = ["A01", "A02", "A09", "A17"]          # board 0 locks 1, 2, 9; board 1 lock 1
WHERE = {"A01": (0, 1), "A02": (0, 2), "A09": (0, 9), "A17": (1, 1)}
tray_ids = st.sampled_from(TRAYS)


class Cabinet(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        root = Path(self.dir.name)
        self.sim = SimLockBus(root / "bus", boards=[0, 1], seed=1)
        cfg = sim_profile(root, self.sim.path)
        self.bank = SerialLockBank([BusSpec("bus-a", self.sim.path, 19200, 0.1, 3)],
                                   wiring_for(cfg), retry_delays=(0.01, 0.01, 0.01))
        self.store = Store.open(root / "kiosk.db")
        self.clock = ManualClock()
        self.ledger = Ledger(self.store, self.clock, Pii(b"k" * 32), kiosk_id="PROP")
        self.ledger.sync_trays(cfg.trays())
        self.doors = DoorService(self.ledger, self.bank, self.clock, confirm_s=0.05,
                                 confirm_poll_s=0.02)
        self.forced: set[str] = set()
        self.n = 0

    def teardown(self):
        self.doors.close()
        self.bank.close()
        self.sim.close()
        self.store.close()
        self.dir.cleanup()

    def state(self, tray):
        return self.ledger.tray(tray)["state"]

    @rule(tray=tray_ids)
    def citizen_opens(self, tray):
        self.n += 1
        txn = f"txn-{self.n}"
        if self.state(tray) == T.EMPTY.value:
            self.ledger.move_tray(tray, T.RESERVED, actor="citizen", reason="deposit",
                                  txn=txn)
        try:
            self.doors.open(tray, actor="citizen", reason="deposit", txn=txn)
        except (IllegalTransition, TrayBusy):
            pass
        assert self.state(tray) != T.UNLOCKING.value

    @rule(tray=tray_ids)
    def person_closes(self, tray):
        self.sim.close_door(*WHERE[tray])

    @rule(tray=tray_ids)
    def thief_forces(self, tray):
        if not self.sim.is_open(*WHERE[tray]):
            self.forced.add(tray)
        self.sim.force_open(*WHERE[tray])

    @rule(tray=tray_ids, full=st.booleans())
    def service_settles(self, tray, full):
        """What the deposit/pickup services do once they heard the door shut."""
        reading = self.doors.reading(tray)
        if self.state(tray) == T.OPEN.value and reading and reading.door.value == "locked":
            self.ledger.move_tray(tray, T.OCCUPIED_DEPOSIT if full else T.EMPTY,
                                  actor="citizen", reason="door closed")

    @rule(board=st.sampled_from([0, 1]), fault=st.sampled_from(["stuck_latch", "garbage"]),
          on=st.booleans())
    def fault(self, board, fault, on):
        self.sim.set_fault(board, fault, on)

    @rule(board=st.sampled_from([0, 1]))
    def one_corrupt_reply(self, board):
        self.sim.set_fault(board, "corrupt", times=1)

    @rule()
    def poll(self):
        self.doors.poll_once()

    @invariant()
    def only_forced_doors_are_tampered(self):
        tampered = {t for t in TRAYS if self.state(t) == T.TAMPERED.value}
        assert tampered <= self.forced

    @invariant()
    def every_pulse_was_asked_for_by_its_transaction(self):
        intents = {(r["txn"], r["subject"]) for r in self.store.query(
            "SELECT txn, subject FROM journal WHERE to_state = 'UNLOCKING'")}
        where_tray = {v: k for k, v in WHERE.items()}
        expected = Counter()
        for ex in self.bank.recent_exchanges():
            cmd = decode_command(ex.request)
            if cmd.lock is None:
                continue
            tray = where_tray[(cmd.board, cmd.lock)]
            assert (ex.txn, tray) in intents
            expected[(cmd.board, cmd.lock)] += ex.attempts
        assert Counter(self.sim.unlocks()) == expected


Cabinet.TestCase.settings = settings(max_examples=12, stateful_step_count=30, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
test_cabinet = Cabinet.TestCase
