"""``kiosk hw lock open|status``: talk to one RS485 lock board directly, on site.

Exit status: 0 the board answered; 3 the board did not answer after the retries;
4 the serial port cannot be opened; 2 bad arguments. Stop the kiosk service first: the
port is opened exclusively.
"""
from __future__ import annotations

import json
import sys

BAUDS = (9600, 19200, 38400, 57600, 115200)


def _bus(args):
    from hardware.lockboard.driver import BusSpec, LockBoardBus
    from hardware.lockboard.transport import SerialTransport
    spec = BusSpec("cli", args.port, args.baud)
    return LockBoardBus(spec, SerialTransport(args.port, args.baud))


def _run(args, action) -> int:
    from hardware.lockboard.driver import BoardOffline
    from hardware.lockboard.transport import TransportError
    bus = _bus(args)
    try:
        result = action(bus)
    except BoardOffline as exc:
        print(f"kiosk: {exc}; {exc.advice}", file=sys.stderr)
        return 3
    except TransportError as exc:
        print(f"kiosk: {exc}; {exc.advice}", file=sys.stderr)
        return 4
    finally:
        bus.transport.close()
    print(json.dumps(result))
    return 0


def lock_open(args) -> int:
    def action(bus):
        status = bus.unlock(args.board, args.lock, txn=f"cli:hw-lock-open:{args.board}:"
                                                        f"{args.lock}")
        return {"board": args.board, "lock": args.lock,
                "opened": not status.is_closed(args.lock), "closed": list(status.closed)}
    return _run(args, action)


def lock_status(args) -> int:
    def action(bus):
        status = bus.status(args.board)
        return {"board": args.board, "closed": list(status.closed),
                "occupied": list(status.occupied)}
    return _run(args, action)


def _int_range(lo: int, hi: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not lo <= value <= hi:
            import argparse
            raise argparse.ArgumentTypeError(f"{what} must be a number {lo}..{hi}, "
                                             f"got {text!r}")
        return value
    return parse


def register(sub, groups) -> None:
    lock = groups["hw"].add_parser(
        "lock", help="RS485 lock board: unlock one lock or read a board's status",
        description="Talk to one CU16-type lock board directly (stop the kiosk first).")
    lock_sub = lock.add_subparsers(dest="lock_command", metavar="ACTION")
    lock.set_defaults(func=lambda args: (lock.print_help(), 2)[1])

    def common(p):
        p.add_argument("--port", required=True, help="serial device, e.g. /dev/ttyUSB0")
        p.add_argument("--board", required=True, type=_int_range(0, 15, "board"),
                       help="board address 0..15 (its address switches)")
        p.add_argument("--baud", type=int, choices=BAUDS, default=19200,
                       help="line speed (default 19200)")

    p_open = lock_sub.add_parser("open", help="send one unlock and print the board's reply")
    common(p_open)
    p_open.add_argument("--lock", required=True, type=_int_range(1, 16, "lock"),
                        help="lock number 1..16 as labelled on the board")
    p_open.set_defaults(func=lock_open)

    p_status = lock_sub.add_parser("status", help="print hook and item-sensor bits")
    common(p_status)
    p_status.set_defaults(func=lock_status)
