"""One simulated board: 16 latches with door physics, item sensors and switchable faults.

Physics: an unlock pulse releases the hook and the door springs ajar (hook bit 0). The
hook engages again only when the simulated person pushes the door shut. A forced door
(tamper) also reads open. Faults model what goes wrong on site.
"""
from __future__ import annotations

import threading

LOCKS = 16
# silent: board dead, no reply, no action.  stuck_latch: unlock does nothing.
# broken_sensor: hook bits read 0 (a cut sensor wire looks like an open door).
# slow: the reply comes ``delay_s`` late.  corrupt: the reply's checksum is wrong.
# garbage: noise bytes on the line before each reply.
FAULTS = ("silent", "stuck_latch", "broken_sensor", "slow", "corrupt", "garbage")


class SimError(ValueError):
    """A control call that makes no sense for the simulated hardware."""


def _check_lock(lock: int) -> int:
    if not 1 <= lock <= LOCKS:
        raise SimError(f"lock {lock} does not exist; locks are 1..{LOCKS}")
    return lock - 1


class SimBoard:
    def __init__(self, address: int, *, item_sensors: bool = True):
        if not 0 <= address <= 15:
            raise SimError(f"board address {address} does not exist; addresses are 0..15")
        self.address = address
        self.item_sensors = item_sensors
        self.door_open = [False] * LOCKS
        self.hook = [True] * LOCKS
        self.item = [False] * LOCKS
        self.faults: dict[str, dict] = {}
        self.pulses = [0] * LOCKS           # unlock pulses received per lock
        self._lock = threading.RLock()

    # ---- what a person does ------------------------------------------------------------
    def close_door(self, lock: int) -> None:
        i = _check_lock(lock)
        with self._lock:
            self.door_open[i] = False
            self.hook[i] = True

    def force_open(self, lock: int) -> None:
        """Pry the door open without an unlock command (tamper)."""
        i = _check_lock(lock)
        with self._lock:
            self.door_open[i] = True
            self.hook[i] = False

    def put_item(self, lock: int) -> None:
        i = _check_lock(lock)
        with self._lock:
            self.item[i] = True

    def remove_item(self, lock: int) -> None:
        i = _check_lock(lock)
        with self._lock:
            self.item[i] = False

    # ---- faults ------------------------------------------------------------------------
    def set_fault(self, name: str, on: bool = True, **params) -> None:
        if name not in FAULTS:
            raise SimError(f"unknown fault {name!r}; choose one of {', '.join(FAULTS)}")
        with self._lock:
            if on:
                self.faults[name] = dict(params)
            else:
                self.faults.pop(name, None)

    def has_fault(self, name: str) -> bool:
        with self._lock:
            return name in self.faults

    def fault_param(self, name: str, key: str, default):
        with self._lock:
            return self.faults.get(name, {}).get(key, default)

    def use_fault(self, name: str) -> bool:
        """True if the fault applies to this reply; counts down a fault set with ``times``."""
        with self._lock:
            params = self.faults.get(name)
            if params is None:
                return False
            times = params.get("times")
            if times is not None:
                if times <= 1:
                    del self.faults[name]
                else:
                    params["times"] = times - 1
            return True

    # ---- what the board does -----------------------------------------------------------
    def pulse(self, lock: int) -> None:
        i = _check_lock(lock)
        with self._lock:
            self.pulses[i] += 1
            if "stuck_latch" in self.faults:
                return
            self.hook[i] = False
            self.door_open[i] = True        # the spring pushes the door ajar

    def sensed(self) -> tuple[list[bool], list[bool]]:
        """(hook bits, item bits) as the board's sensors report them."""
        with self._lock:
            hooks = list(self.hook)
            if "broken_sensor" in self.faults:
                only = self.faults["broken_sensor"].get("lock")
                for i in range(LOCKS):
                    if only is None or only == i + 1:
                        hooks[i] = False
            items = list(self.item) if self.item_sensors else [False] * LOCKS
            return hooks, items

    def snapshot(self) -> dict:
        hooks, items = self.sensed()
        with self._lock:
            return {"address": self.address, "door_open": list(self.door_open),
                    "hook": list(self.hook), "sensed_closed": hooks, "item": list(self.item),
                    "sensed_item": items, "item_sensors": self.item_sensors,
                    "faults": {k: dict(v) for k, v in self.faults.items()},
                    "pulses": list(self.pulses)}
