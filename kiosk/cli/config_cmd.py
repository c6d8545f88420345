"""``kiosk check-config``: validate a profile and print what it describes."""
from __future__ import annotations

import json
import sys



def report_config_error(exc) -> int:
    print(f"kiosk: the configuration {exc.path} cannot be used "
          f"({len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}):",
          file=sys.stderr)
    for line in exc.problems:
        print(f"  - {line}", file=sys.stderr)
    print("Nothing was started and no device was touched. Fix the file and run "
          "'kiosk check-config PATH' again.", file=sys.stderr)
    return 2


def check_config(args) -> int:
    from kiosk.config import ConfigError, load_config, summary
    try:
        cfg = load_config(args.path)
    except ConfigError as exc:
        return report_config_error(exc)
    info = summary(cfg)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
        return 0
    print(f"{info['config']}: ok")
    print(f"  kiosk      {info['kiosk']} ({info['timezone']})")
    if info["ward"]:
        from kiosk.wards import list_version
        print(f"  ward       {info['ward']} ({info['ward_code']}, {list_version()})")
    print(f"  office     {info['office'] or '-'}; open {'–'.join(info['office_hours'])}")
    cabs = ", ".join(f"{c}: {n}" for c, n in info["trays_by_cabinet"].items())
    print(f"  cabinets   {info['cabinets']} ({cabs})")
    sizes = ", ".join(f"{s}: {n}" for s, n in info["trays_by_size"].items())
    print(f"  trays      {info['trays']} ({sizes})")
    buses = ", ".join(f"{b['id']} at {b['port']} {b['baud']} baud" for b in info["lock_buses"])
    print(f"  lock bus   {buses or 'none (GPIO relays)'}; {info['lock_boards']} boards")
    devs = ", ".join(f"{k} {v}" for k, v in info["devices"].items())
    print(f"  devices    {devs}")
    print(f"  rounds     {' '.join(info['rounds'])}; results kept {info['expiry_days']} days")
    return 0


def register(sub, groups) -> None:
    p = sub.add_parser("check-config", help="validate a profile and print a summary")
    p.add_argument("path", help="TOML profile, e.g. config/binh-tay.toml")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=check_config)
