"""``kiosk digitise``: the deposit's digitisation pipeline on page images, for
technicians and tests (checks, clean-up, OCR, PDF/A-2b, signature with the kiosk's key,
enrolling at the city first where needed)."""
from __future__ import annotations

import sys
import tempfile
from datetime import datetime
from pathlib import Path

EXIT_WRITTEN, EXIT_REFUSED, EXIT_FAILED = 0, 2, 3


def _client(cfg):
    from sync.client import CityClient
    from sync.token import read_token
    try:
        token = read_token(cfg.path(cfg.secrets.city_token_file))
    except Exception as exc:
        print(f"kiosk digitise: no city token ({exc}); signing works only with a "
              "certificate already issued", file=sys.stderr)
        return None
    return CityClient(cfg.city.base_url, token, cfg.kiosk.id, timeout_s=cfg.city.timeout_s)


def digitise(args) -> int:
    from PIL import Image, UnidentifiedImageError

    from kiosk.cli.config_cmd import report_config_error
    from kiosk.config import ConfigError, load_config
    from kiosk.digitise import build_digitiser
    from kiosk.digitise.ocr import OcrError
    from kiosk.digitise.pki import NotEnrolled
    from kiosk.digitise.signing import SigningError

    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        return report_config_error(exc)
    pages = []
    for name in args.pages:
        try:
            with Image.open(name) as img:
                img.load()
                pages.append(img)
        except (OSError, UnidentifiedImageError) as exc:
            print(f"{name}: cannot be read as an image ({exc}); give PNG or JPEG pages",
                  file=sys.stderr)
            return EXIT_REFUSED
    client = _client(cfg)
    digitiser = build_digitiser(cfg, client=client, isolated=False)
    reports = digitiser.check(pages)
    for name, report in zip(args.pages, reports):
        print(f"{report.line()}  [{name}]")
    refused = [r for r in reports if not r.ok]
    if refused and not args.keep:
        print(f"refused: {len(refused)} of {len(reports)} pages "
              f"({', '.join(f'page {r.number}: ' + ', '.join(r.keys) for r in refused)}); "
              "scan them again, or pass --keep to digitise them as they are",
              file=sys.stderr)
        return EXIT_REFUSED
    meta = {"dossier_code": args.dossier, "procedure": args.procedure or "",
            "procedure_name": "", "kiosk": cfg.kiosk.id,
            "time": datetime.now().astimezone().isoformat(timespec="seconds")}
    out = Path(args.output)
    try:
        with tempfile.TemporaryDirectory(prefix="digitise-", dir=out.parent or ".") as tmp:
            jpegs = digitiser.clean_jpegs(pages, reports)
            signed = digitiser.make(jpegs, meta, Path(tmp))
            data = signed.read_bytes()
            from kiosk.digitise.pipeline import write_whole
            write_whole(out, data)
    except NotEnrolled as exc:
        print(f"kiosk digitise: cannot sign: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (OcrError, SigningError) as exc:
        print(f"kiosk digitise: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        if client is not None:
            client.close()
    import hashlib
    print(f"written {out} ({len(data) // 1024} KB, {len(pages)} pages, "
          f"{len(data) / len(pages) / 1024:.0f} KB a page, PDF/A-2b, signed by "
          f"{cfg.kiosk.id}; sha256 {hashlib.sha256(data).hexdigest()})")
    return EXIT_WRITTEN


def register(sub, groups) -> None:
    p = sub.add_parser("digitise", help="page images → checked, searchable, signed PDF/A",
                       description="Run the deposit's digitisation on page images: one "
                       "line per page with what the checks found; exit 0 when the PDF "
                       "was written, 2 when a page was refused, 3 when OCR or signing "
                       "failed.")
    p.add_argument("--config", required=True, help="kiosk profile (TOML)")
    p.add_argument("-o", "--output", required=True, help="the signed PDF/A to write")
    p.add_argument("pages", nargs="+", metavar="PAGE.png", help="page images, in order")
    p.add_argument("--dossier", default="KIEM-TRA", help="dossier code for the metadata")
    p.add_argument("--procedure", default="", help="procedure code for the metadata")
    p.add_argument("--keep", action="store_true",
                   help="digitise pages the checks found fault with, as they are")
    p.set_defaults(func=digitise)
