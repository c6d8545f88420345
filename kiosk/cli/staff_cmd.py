"""``kiosk staff add|list|disable``: enrol staff and technicians on the kiosk itself.

``add`` asks for the PIN twice (or reads it from stdin with ``--pin-stdin``, for
scripts), then prints the provisioning URI and a QR code in the terminal for the
person's authenticator app. The TOTP secret goes to ``secrets.staff_totp_file`` (mode
0600); the database keeps only the PIN's scrypt hash. Exit status: 0 done, 1 refused
(the message says why), 2 bad profile or arguments.
"""
from __future__ import annotations

import getpass
import sys


def _open(args):
    """(store, ledger, auth) for the profile; the caller closes the store."""
    from kiosk.auth.staff import build_staff_auth
    from kiosk.clock import SystemClock
    from kiosk.config import load_config
    from kiosk.pii import Pii
    from kiosk.secrets import read_secret
    from kiosk.services.ledger import Ledger
    from kiosk.store import Store
    cfg = load_config(args.config)
    clock = SystemClock(cfg.kiosk.timezone)
    key = read_secret(cfg.path(cfg.secrets.hmac_key_file), create=True)
    store = Store.open(cfg.db_path)
    ledger = Ledger(store, clock, Pii(key), kiosk_id=cfg.kiosk.id)
    return store, ledger, build_staff_auth(cfg, ledger, clock)


def _run(args, action) -> int:
    from kiosk.auth.staff import StaffAuthError
    from kiosk.config import ConfigError
    from kiosk.secrets import SecretFileError
    from kiosk.store import StoreError
    try:
        store, ledger, auth = _open(args)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"kiosk: {line}", file=sys.stderr)
        return 2
    except (SecretFileError, StoreError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    try:
        return action(auth)
    except (StaffAuthError, SecretFileError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()


def _read_pin(args) -> str | None:
    if args.pin_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("PIN (6-12 digits): ")
    again = getpass.getpass("PIN again: ")
    if first != again:
        print("kiosk: the two PINs differ; run the command again", file=sys.stderr)
        return None
    return first


def staff_add(args) -> int:
    pin = _read_pin(args)
    if pin is None:
        return 1

    def action(auth) -> int:
        import segno
        uri = auth.add(args.id, args.name, pin, role=args.role, actor="cli")
        print(f"enrolled {args.role} {args.id} ({args.name})")
        print("Scan this QR code with the authenticator app (or type the URI):")
        print(uri)
        segno.make(uri, error="m").terminal(out=sys.stdout, compact=True)
        return 0
    return _run(args, action)


def staff_list(args) -> int:
    def action(auth) -> int:
        rows = auth.accounts()
        if not rows:
            print("no staff enrolled; add one with 'kiosk staff add --id ID --name NAME'")
            return 0
        print(f"{'ID':<12} {'ROLE':<11} {'STATE':<22} NAME")
        for r in rows:
            state = "disabled" if r["disabled"] else (
                f"locked until {r['locked_until']}" if r["locked_until"] else "active")
            print(f"{r['id']:<12} {r['role']:<11} {state:<22} {r['name']}")
        return 0
    return _run(args, action)


def staff_disable(args) -> int:
    def action(auth) -> int:
        auth.disable(args.id, actor="cli", reason=args.reason)
        print(f"disabled {args.id}; the TOTP secret is deleted")
        return 0
    return _run(args, action)


def register(sub, groups) -> None:
    staff = groups["staff"]

    def common(p):
        p.add_argument("--config", default=None,
                       help="kiosk profile (default config/sim.toml)")

    p_add = staff.add_parser("add", help="enrol a staff member or technician",
                             description="Set a PIN and print the authenticator QR code.")
    p_add.add_argument("--id", required=True, help="staff ID, e.g. nv01")
    p_add.add_argument("--name", required=True, help="full name")
    p_add.add_argument("--role", choices=("staff", "technician"), default="staff")
    p_add.add_argument("--pin-stdin", action="store_true",
                       help="read the PIN from the first line of stdin (scripts)")
    common(p_add)
    p_add.set_defaults(func=staff_add)

    p_list = staff.add_parser("list", help="list staff accounts")
    common(p_list)
    p_list.set_defaults(func=staff_list)

    p_dis = staff.add_parser("disable", help="disable an account (cannot sign in again)")
    p_dis.add_argument("id", help="staff ID")
    p_dis.add_argument("--reason", default="disabled by the office")
    common(p_dis)
    p_dis.set_defaults(func=staff_disable)
