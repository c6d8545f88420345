"""The procedure catalog the kiosk ships with, and how its papers are worded.

``snapshot.json`` is a copy of the city's catalog taken when the package was built
(``version`` and ``published`` say which). A kiosk that never reached the city offers
it, so the deposit screens are never empty; the city's own catalog replaces it as
soon as one is fetched that is not older. Regenerate it with
``python -m sim.city.catalog > kiosk/catalog/snapshot.json`` when the city publishes a
new list (and check it against the city's).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

SNAPSHOT = Path(__file__).resolve().parent / "snapshot.json"
LANGS = ("vi", "en", "zh")


class SnapshotMissing(RuntimeError):
    """The package lost its catalog snapshot (a broken install)."""


@lru_cache(maxsize=1)
def snapshot() -> dict:
    """The shipped catalog: ``{"version", "published", "calendar", "procedures"}``."""
    try:
        doc = json.loads(SNAPSHOT.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotMissing(f"the catalog snapshot {SNAPSHOT} cannot be read ({exc}); "
                              "reinstall the kiosk package") from None
    if not doc.get("procedures") or not doc.get("version") or not doc.get("published"):
        raise SnapshotMissing(f"the catalog snapshot {SNAPSHOT} has no procedures, version "
                              "or date; reinstall the kiosk package")
    return doc


def meta(doc: dict, origin: str) -> dict:
    """What the catalog screen and the CLI say about a catalog."""
    return {"origin": origin, "version": str(doc.get("version") or ""),
            "published": str(doc.get("published") or ""),
            "calendar": doc.get("calendar") or {}}


def newer(city: dict | None, shipped: dict) -> bool:
    """True when the city's catalog should be shown rather than the shipped one: it is
    not older (an undated city catalog counts as current, the city is the authority)."""
    if not city:
        return False
    return not city.get("published") or city["published"] >= shipped.get("published", "")


_COUNTS = {
    "vi": lambda o, c: ", ".join(x for x in (f"{o} bản chính" if o else "",
                                             f"{c} bản sao" if c else "") if x),
    "en": lambda o, c: ", ".join(x for x in (
        f"{o} original{'s' if o > 1 else ''}" if o else "",
        f"{c} cop{'ies' if c > 1 else 'y'}" if c else "") if x),
    "zh": lambda o, c: "、".join(x for x in (f"原件{o}份" if o else "",
                                            f"复印件{c}份" if c else "") if x),
}


def paper_lines(papers: list[dict]) -> dict[str, list[str]]:
    """Per language, one line per paper with how many originals and copies."""
    out = {}
    for lang in LANGS:
        lines = []
        for p in papers or []:
            name = p.get(lang) or p.get("vi") or ""
            counts = _COUNTS[lang](int(p.get("originals") or 0), int(p.get("copies") or 0))
            lines.append(f"{name} ({counts})" if counts else name)
        out[lang] = lines
    return out


def handling_body(body: dict | None, lang: str, offices: dict) -> str:
    """Who handles the dossier, in words: the catalog's city body, or this ward centre
    when the procedure is handled by the ward that received it (boundary-free)."""
    body = body or {}
    if body.get("level", "ward") == "ward" or not (body.get(lang) or body.get("vi")):
        return offices.get(lang) or offices.get("vi") or ""
    return body.get(lang) or body.get("vi") or ""


def for_kiosk(p: dict) -> dict:
    """The city's record → the citizen service's shape (names, category and papers per
    language), keeping the city's fields too."""
    docs = p.get("papers") or p.get("documents") or []
    return {
        **p,
        "names": p.get("name") or p.get("names") or {},
        "category": p.get("category") or p.get("field") or {},
        "required_docs": paper_lines(docs),
        "online_allowed": bool(p.get("online")),
        "needs_id_check": bool(p.get("id_check")),
    }


class SnapshotCatalog:
    """The shipped snapshot alone, with the catalog cache's interface (demo world,
    screenshots, a kiosk without a city link)."""

    def all_procedures(self) -> list[dict]:
        return [for_kiosk(p) for p in snapshot()["procedures"]]

    def procedures(self) -> list[dict]:
        return [p for p in self.all_procedures() if p.get("kiosk_receive", True)]

    def source(self) -> dict:
        return meta(snapshot(), "snapshot")

    def calendar(self) -> dict:
        return snapshot().get("calendar") or {}
