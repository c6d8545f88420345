"""``kiosk db outbox`` (what waits for the city, and what it refused) and
``kiosk city ping`` (is the city reachable with this kiosk's token)."""
from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path


def db_outbox(args) -> int:
    if not Path(args.db).exists():
        print(f"kiosk: no database at {args.db}; check the path", file=sys.stderr)
        return 2
    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        pending = conn.execute("SELECT COUNT(*) n, MIN(created_at) oldest FROM outbox WHERE "
                               "delivered_at IS NULL AND dead_letter IS NULL").fetchone()
        delivered = conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL"
                                 ).fetchone()[0]
        dead = [dict(r) for r in conn.execute(
            "SELECT id, key, kind, dossier_code, created_at, attempts, dead_letter "
            "FROM outbox WHERE dead_letter IS NOT NULL ORDER BY id")]
    except sqlite3.DatabaseError as exc:
        print(f"kiosk: {args.db} is not a usable kiosk database: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    print(json.dumps({"pending": pending["n"], "oldest_pending": pending["oldest"],
                      "delivered": delivered, "dead_letters": dead}, indent=2,
                     ensure_ascii=False))
    return 0


def city_ping(args) -> int:
    from kiosk.config import ConfigError, load_config
    from sync.client import CityClient
    from sync.errors import CityError, TokenFileError
    from sync.token import read_token
    try:
        cfg = load_config(args.config)
        token = read_token(cfg.path(cfg.secrets.city_token_file))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except TokenFileError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    with CityClient(cfg.city.base_url, token, cfg.kiosk.id,
                    timeout_s=cfg.city.timeout_s) as client:
        try:
            answer = client.ping()
        except CityError as exc:
            print(f"kiosk: {exc}", file=sys.stderr)
            return 1
    print(json.dumps({"city": cfg.city.base_url, **answer}))
    return 0


def register(sub, groups) -> None:
    p = groups["db"].add_parser("outbox", help="events waiting for the city and the dead "
                                "letters it refused, as JSON")
    p.add_argument("--db", required=True, help="path of kiosk.db")
    p.set_defaults(func=db_outbox)
    city = sub.add_parser("city", help="the link to the city system")
    city_sub = city.add_subparsers(dest="city_command", metavar="SUBCOMMAND")
    city.set_defaults(func=lambda args: (city.print_help(), 2)[1])
    p = city_sub.add_parser("ping", help="reach the city with this kiosk's token")
    p.add_argument("--config", default=None, help="kiosk profile (default config/sim.toml)")
    p.set_defaults(func=city_ping)
