"""``kiosk update run|status|check``: updates from the city's repository (root).

``run`` is what kiosk-update.timer starts every 10 minutes: it does nothing outside the
profile's maintenance window or while a transaction is open, otherwise installs the
suite's newer version, runs ``kiosk doctor --strict`` and rolls back on failure.
Exit status: 0 nothing to do / installed, 1 rolled back / refused / failed, 2 bad profile.
"""
from __future__ import annotations

import json
import sys


def _cfg(args):
    from kiosk.config import ConfigError, load_config
    try:
        return load_config(args.config)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"kiosk update: {line}", file=sys.stderr)
        return None


def update_run(args) -> int:
    import logging
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    from kiosk.updates.runner import Updater   # imports everything before apt runs
    cfg = _cfg(args)
    if cfg is None:
        return 2
    out = Updater(cfg).run(ignore_window=args.ignore_window)
    print(out.line())
    for step in out.steps:
        print(f"  {step}")
    return 1 if out.status in ("rolled-back", "refused", "failed") else 0


def update_status(args) -> int:
    from kiosk.updates.runner import keep_dir
    from kiosk.version import version
    cfg = _cfg(args)
    if cfg is None:
        return 2
    path = keep_dir(cfg) / "status.json"
    last = json.loads(path.read_text()) if path.exists() else None
    print(json.dumps({"version": version(), "suite": cfg.updates.suite,
                      "window": cfg.updates.window, "last": last}, indent=1,
                     ensure_ascii=False))
    return 0


def update_check(args) -> int:
    from kiosk.updates import compat
    cfg = _cfg(args)
    if cfg is None:
        return 2
    try:
        verdict = compat.judge(cfg.db_path, compat.read_manifest(args.deb))
    except compat.ManifestError as exc:
        print(f"kiosk update: {exc}", file=sys.stderr)
        return 1
    if verdict.ok:
        print(f"ok: {args.deb} can be installed and rolled back "
              f"({len(verdict.pending)} migration(s) to apply)")
        return 0
    print(f"refused: {verdict.reason}")
    return 1


def register(sub, groups) -> None:
    p = sub.add_parser("update", help="updates from the city's repository (maintenance "
                                      "window, health check, rollback)",
                       description=__doc__.split("\n\n")[0])
    us = p.add_subparsers(dest="update_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    r = us.add_parser("run", help="install the suite's newer version if the window is open")
    r.add_argument("--config", default="/etc/kiosk/kiosk.toml", help="kiosk profile")
    r.add_argument("--ignore-window", action="store_true",
                   help="install now, outside the maintenance window (a technician on site)")
    r.set_defaults(func=update_run)
    s = us.add_parser("status", help="version, suite, window and the last attempt, as JSON")
    s.add_argument("--config", default="/etc/kiosk/kiosk.toml", help="kiosk profile")
    s.set_defaults(func=update_status)
    c = us.add_parser("check", help="could this .deb be installed and rolled back?")
    c.add_argument("deb", help="path of a kiosk_*.deb")
    c.add_argument("--config", default="/etc/kiosk/kiosk.toml", help="kiosk profile")
    c.set_defaults(func=update_check)
