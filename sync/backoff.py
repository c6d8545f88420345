"""Capped exponential backoff with jitter, and Retry-After honoured as given."""
from __future__ import annotations

import random

MAX_RETRY_AFTER_S = 3600.0


class Backoff:
    """``delay()`` after each failure grows base·2ⁿ up to ``cap`` ("equal jitter": half
    fixed, half random, so a fleet of kiosks does not retry in step); ``reset()`` after a
    success. A server's Retry-After replaces the computed delay."""

    def __init__(self, base_s: float = 1.0, cap_s: float = 300.0,
                 rng: random.Random | None = None):
        if base_s <= 0 or cap_s < base_s:
            raise ValueError(f"backoff needs 0 < base ({base_s}) <= cap ({cap_s})")
        self.base_s, self.cap_s = base_s, cap_s
        self.failures = 0
        self._rng = rng or random.Random()

    def delay(self, retry_after_s: float | None = None) -> float:
        self.failures += 1
        if retry_after_s is not None:
            wait = min(float(retry_after_s), MAX_RETRY_AFTER_S)
            return wait + self._rng.uniform(0, min(0.1 * wait, 1.0))
        step = min(self.cap_s, self.base_s * (2 ** min(self.failures - 1, 30)))
        return step / 2 + self._rng.uniform(0, step / 2)

    def reset(self) -> None:
        self.failures = 0
