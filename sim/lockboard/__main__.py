"""Run simulated lock boards on a pseudo-terminal until Ctrl-C.

    python -m sim.lockboard --link var/sim/dev/lockbus-a --boards 0,1

Commands on standard input (one per line) act as the person at the cabinet:
``close B L``, ``force B L``, ``put B L``, ``take B L``, ``fault B NAME on|off``,
``noise``, ``show``.
"""
from __future__ import annotations

import json
import sys

from sim import standalone
from sim.lockboard.board import SimError
from sim.lockboard.bus import SimLockBus


def _handle(bus: SimLockBus, line: str) -> str:
    parts = line.split()
    if not parts:
        return ""
    cmd, args = parts[0], parts[1:]
    try:
        if cmd in ("close", "force", "put", "take") and len(args) == 2:
            b, lk = int(args[0]), int(args[1])
            {"close": bus.close_door, "force": bus.force_open, "put": bus.put_item,
             "take": bus.remove_item}[cmd](b, lk)
            return f"ok {cmd} board {b} lock {lk}"
        if cmd == "fault" and len(args) == 3:
            bus.set_fault(int(args[0]), args[1], args[2] == "on")
            return f"ok fault {args[1]} {args[2]} on board {args[0]}"
        if cmd == "noise":
            return "ok noise " + bus.inject_noise().hex(" ")
        if cmd == "show":
            return json.dumps({a: {"open": s["door_open"], "item": s["item"],
                                   "faults": s["faults"]} for a, s in bus.snapshot().items()})
    except (SimError, ValueError) as exc:
        return f"error: {exc}"
    return ("error: unknown command; use close B L | force B L | put B L | take B L | "
            "fault B NAME on|off | noise | show")


def main(argv: list[str] | None = None) -> int:
    ap = standalone.parser("sim.lockboard", "Simulated RS485 lock boards on a pty.")
    standalone.add_path(ap, "--link", "dev/lockbus-a", "symlink to create for the bus")
    ap.add_argument("--boards", default="0", help="board addresses, e.g. 0,1")
    ap.add_argument("--no-item-sensors", action="store_true")
    args = standalone.parse(ap, argv)
    try:
        boards = [int(b) for b in args.boards.split(",") if b.strip()]
        bus = SimLockBus(args.link, boards, item_sensors=not args.no_item_sensors)
    except (ValueError, SimError) as exc:
        print(f"sim.lockboard: {exc}", file=sys.stderr)
        return 2
    with bus:
        return standalone.serve(f"lock boards {boards} on {bus.path} "
                                f"({bus.link.slave_name}); Ctrl-C to stop",
                                lambda line: _handle(bus, line))


if __name__ == "__main__":
    sys.exit(main())
