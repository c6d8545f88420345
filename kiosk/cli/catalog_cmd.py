"""``kiosk catalog list|due``: what the kiosk offers now, and the date it would promise.

Both read what the kiosk itself would use: the city's catalog cached in the kiosk
database when there is one not older than the shipped snapshot, else the snapshot. They
never contact the city and never create a data folder, so they work on a fresh
machine with the city unreachable.
"""
from __future__ import annotations

import json
import sys
from datetime import datetime


def offered_catalog(cfg):
    """(procedures as the kiosk shows them, which catalog) without touching the city."""
    from kiosk.catalog import meta, snapshot
    from kiosk.catalog import for_kiosk
    if cfg.db_path.exists():
        from kiosk.store import Store
        from sync.catalog import CatalogCache
        store = Store.open(cfg.db_path, migrate=False)
        try:
            store.conn.execute("SELECT 1 FROM sync_catalog LIMIT 1")
        except Exception:
            store.close()
        else:
            try:
                cache = CatalogCache(store, None, None)
                return cache.all_procedures(), cache.source()
            finally:
                store.close()
    doc = snapshot()
    return [for_kiosk(p) for p in doc["procedures"]], meta(doc, "snapshot")


def _load(args):
    from kiosk.config import ConfigError, load_config
    from kiosk.cli.config_cmd import report_config_error
    try:
        return load_config(args.config), None
    except ConfigError as exc:
        return None, report_config_error(exc)


def catalog_list(args) -> int:
    cfg, err = _load(args)
    if cfg is None:
        return err
    from kiosk.catalog import handling_body
    procs, source = offered_catalog(cfg)
    offered = [p for p in procs if p.get("kiosk_receive", True) or args.all]
    here = {"vi": cfg.kiosk.office}
    rows = [{"code": p["code"], "name_vi": p["names"].get("vi", ""),
             "name_en": p["names"].get("en", ""), "name_zh": p["names"].get("zh", ""),
             "field": (p.get("field") or p.get("category") or {}).get("vi", ""),
             "handling_body": handling_body(p.get("handling_body"), "vi", here),
             "handling_level": (p.get("handling_body") or {}).get("level", "ward"),
             "processing_days": int(p.get("processing_days") or 0),
             "fee": int(p.get("fee") or 0), "fee_online": int(p.get("fee_online") or 0),
             "kiosk_receive": bool(p.get("kiosk_receive", True)),
             "kiosk_return": bool(p.get("kiosk_return", True)),
             "online": bool(p.get("online")), "boundary_free": bool(p.get("boundary_free")),
             "papers": p.get("papers") or p.get("documents") or []} for p in offered]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    print(f"catalog {source['version']} of {source['published']} ({source['origin']}): "
          f"{len(rows)} procedures")
    for r in rows:
        print(f"  {r['code']}  {r['processing_days']:>2} d  {r['fee']:>9,} đ  {r['name_vi']}")
    return 0


def catalog_due(args) -> int:
    cfg, err = _load(args)
    if cfg is None:
        return err
    try:
        received = datetime.fromisoformat(args.received)
    except ValueError:
        print(f"kiosk: --received {args.received!r} is not an ISO date-time such as "
              "2027-02-03T20:15+07:00", file=sys.stderr)
        return 2
    if received.tzinfo is None:
        print(f"kiosk: --received {args.received!r} has no time zone; add it, e.g. "
              "2027-02-03T20:15+07:00", file=sys.stderr)
        return 2
    from kiosk.appointments import calendar_for
    procs, source = offered_catalog(cfg)
    proc = next((p for p in procs if p["code"] == args.code), None)
    if proc is None:
        print(f"kiosk: no procedure {args.code!r} in catalog {source['version']}; "
              "'kiosk catalog list' shows the codes", file=sys.stderr)
        return 2

    class _Shown:                       # the calendar published with the shown catalog
        @staticmethod
        def calendar():
            return source.get("calendar") or {}

    cal = calendar_for(cfg, _Shown)
    print(cal.appointment(received, int(proc.get("processing_days") or 0)).isoformat())
    return 0


def register(sub, groups) -> None:
    p = sub.add_parser("catalog", help="the procedures the kiosk offers and their dates",
                       description="the procedures the kiosk offers and their dates")
    cat = p.add_subparsers(dest="catalog_command", metavar="SUBCOMMAND")
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    ls = cat.add_parser("list", help="procedures offered now (city catalog or snapshot)")
    ls.add_argument("--config", help="profile (default config/sim.toml)")
    ls.add_argument("--json", action="store_true", help="a JSON list of objects")
    ls.add_argument("--all", action="store_true",
                    help="also procedures the kiosk does not receive")
    ls.set_defaults(func=catalog_list)
    due = cat.add_parser("due", help="the appointment date for a dossier received then")
    due.add_argument("--config", help="profile (default config/sim.toml)")
    due.add_argument("--code", required=True, help="national procedure code, e.g. 1.001193")
    due.add_argument("--received", required=True,
                     help="when it was handed in, e.g. 2027-02-03T20:15+07:00")
    due.set_defaults(func=catalog_due)
