"""Deterministic fault injection: the same seed and the same request sequence give the
same faults, so a failing test can be replayed.

Kinds: ``drop`` (close the connection without an answer, before or after the request
took effect), ``delay`` (answer late), ``500``, ``429`` (with Retry-After),
``duplicate`` (the request is applied twice, the second answer is sent: a retried
request that got through twice), ``reorder`` (lists in the answer come shuffled),
``cut`` (an upload PATCH stores part of its bytes, then the connection drops).
"""
from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field

FAULT_KINDS = ("drop", "delay", "500", "429", "duplicate", "reorder", "cut")


class FaultConfigError(ValueError):
    pass


@dataclass
class FaultPlan:
    seed: int = 0
    rate: float = 0.0                 # share of API requests that get a fault
    kinds: list[str] = field(default_factory=lambda: list(FAULT_KINDS))
    delay_s: float = 0.2              # how late a delayed answer comes
    retry_after_s: int = 1            # what a 429 asks the client to wait
    paths: list[str] = field(default_factory=list)   # only these path prefixes (empty: all)
    down: bool = False                # the link is down: every API request is dropped

    @classmethod
    def from_dict(cls, data: dict) -> "FaultPlan":
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise FaultConfigError(f"unknown fault settings {sorted(unknown)}; known: "
                                   f"{sorted(cls.__dataclass_fields__)}")
        plan = cls(**data)
        bad = [k for k in plan.kinds if k not in FAULT_KINDS]
        if bad:
            raise FaultConfigError(f"unknown fault kinds {bad}; known: {list(FAULT_KINDS)}")
        if not 0.0 <= float(plan.rate) <= 1.0:
            raise FaultConfigError(f"rate {plan.rate} must be between 0 and 1")
        if plan.delay_s < 0 or plan.retry_after_s < 0:
            raise FaultConfigError("delay_s and retry_after_s cannot be negative")
        plan.rate = float(plan.rate)
        return plan


@dataclass(frozen=True)
class Fault:
    kind: str
    after: bool = False        # drop: after the request took effect
    cut_fraction: float = 0.5  # cut: share of the body stored before the drop


class FaultInjector:
    def __init__(self, plan: FaultPlan | None = None):
        self._lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.set(plan or FaultPlan())

    def set(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._rng = random.Random(plan.seed)

    def decide(self, method: str, path: str) -> Fault | None:
        with self._lock:
            plan = self.plan
            if plan.down:
                self.counts["down"] = self.counts.get("down", 0) + 1
                return Fault("drop")
            if plan.rate <= 0 or not plan.kinds:
                return None
            if plan.paths and not any(path.startswith(p) for p in plan.paths):
                return None
            roll = self._rng.random()
            pick = self._rng.choice(plan.kinds)
            after = self._rng.random() < 0.5
            frac = self._rng.random()
            if roll >= plan.rate:
                return None
            is_upload_patch = method == "PATCH" and "/uploads/" in path
            if pick == "cut" and not is_upload_patch:
                return None
            if pick == "duplicate" and method not in ("POST", "PATCH"):
                return None
            self.counts[pick] = self.counts.get(pick, 0) + 1
            return Fault(pick, after=after, cut_fraction=frac)

    def describe(self) -> dict:
        with self._lock:
            return {**asdict(self.plan), "injected": dict(self.counts)}
