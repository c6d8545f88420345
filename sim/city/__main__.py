"""``python -m sim.city --port 8765 --db var/city.db``: the city simulator on its own."""
from __future__ import annotations

import argparse
import json
import logging
import sys

from sim import standalone
from sim.city.faults import FAULT_KINDS, FaultConfigError, FaultPlan
from sim.city.server import CitySim


def build_parser() -> argparse.ArgumentParser:
    p = standalone.parser("sim.city", "City public-service system simulator (the contract "
                                      "of docs/city-api.md).", run=False)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--db", default="var/city/city.db", help="the simulator's SQLite file")
    p.add_argument("--sms-inbox", default=None, help="JSONL file of sent SMS "
                                                     "(default: next to the database)")
    p.add_argument("--token", action="append", default=[], metavar="TOKEN=KIOSK_ID",
                   help="accept only these tokens (repeat); without it any token is taken "
                        "and the kiosk is named by its X-Kiosk-Id header")
    p.add_argument("--processing-s", type=float, default=60.0,
                   help="seconds from 'collected' to 'result ready' (simulated clock)")
    p.add_argument("--seed", type=int, default=0, help="seed of the fault injector")
    p.add_argument("--fault-rate", type=float, default=0.0,
                   help="share of API requests that get a fault (0..1)")
    p.add_argument("--faults", default=",".join(FAULT_KINDS),
                   help=f"comma-separated fault kinds among {','.join(FAULT_KINDS)}")
    p.add_argument("--delay-s", type=float, default=0.2)
    p.add_argument("--retry-after-s", type=int, default=1)
    p.add_argument("--down", action="store_true", help="start with the link down")
    return p


def main(argv: list[str] | None = None) -> int:
    args = standalone.parse(build_parser(), argv, level=logging.INFO)
    tokens = None
    if args.token:
        tokens = {}
        for item in args.token:
            tok, sep, kiosk = item.partition("=")
            if not sep or not tok or not kiosk:
                print(f"--token {item!r}: expected TOKEN=KIOSK_ID", file=sys.stderr)
                return 2
            tokens[tok] = kiosk
    try:
        plan = FaultPlan.from_dict({
            "seed": args.seed, "rate": args.fault_rate,
            "kinds": [k for k in args.faults.split(",") if k], "delay_s": args.delay_s,
            "retry_after_s": args.retry_after_s, "down": args.down})
    except FaultConfigError as exc:
        print(f"faults: {exc}", file=sys.stderr)
        return 2
    try:
        sim = CitySim(args.db, port=args.port, seed=args.seed, host=args.host, tokens=tokens,
                      processing_s=args.processing_s, sms_inbox=args.sms_inbox, faults=plan)
        sim.start()
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror}; pick another "
              "--port or stop the program that holds it", file=sys.stderr)
        return 1
    try:
        return standalone.serve(json.dumps({"url": sim.url, "api": sim.api_url,
                                            "db": str(sim.db.path),
                                            "sms_inbox": str(sim.db.sms_inbox)}))
    finally:
        sim.stop()


if __name__ == "__main__":
    sys.exit(main())
