"""The ``kiosk`` command line.

Each module of this package that defines ``register(sub, groups)`` adds its commands;
``groups`` holds the shared sub-command groups (``hw``, ``db``, ``audit``, ``staff``) so
that several modules can add to one group. A command returns its exit status.
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from kiosk.version import version

GROUPS = {
    "hw": "check and drive one device directly (technicians, on site)",
    "db": "inspect the kiosk database",
    "audit": "check the hash-chained journal",
    "staff": "enrol and manage staff and technicians",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk", description="Controller of the 24/7 dossier kiosk.")
    parser.add_argument("--version", action="version", version=f"kiosk {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups = {}
    for name, help_text in GROUPS.items():
        gp = sub.add_parser(name, help=help_text, description=help_text)
        groups[name] = gp.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")
        gp.set_defaults(func=lambda args, gp=gp: (gp.print_help(), 2)[1])
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            module.register(sub, groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
