"""The procedure list and its search, which works with or without Vietnamese marks."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from kiosk.services.citizen.errors import CitizenError
from kiosk.services.citizen.ports import CatalogPort

LANGS = ("vi", "en", "zh")


def fold(text: str) -> str:
    """Lower-case without diacritics, so 'dang ky khai sinh' finds 'Đăng ký khai sinh'."""
    text = (text or "").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class Procedure:
    code: str
    names: dict                    # lang → name
    category: dict                 # lang → category name
    required_docs: dict            # lang → [document, ...]
    fee: int = 0
    tray_size: str = "M"
    online_allowed: bool = False
    needs_id_check: bool = False
    processing_days: int = 0
    handling_body: dict = field(default_factory=dict)    # {"level", "vi", "en", "zh"}

    @classmethod
    def from_dict(cls, d: dict) -> "Procedure":
        def per_lang(value, default=""):
            if isinstance(value, dict):
                return {lang: value.get(lang) or value.get("vi") or default for lang in LANGS}
            return {lang: value if value is not None else default for lang in LANGS}
        names = per_lang(d.get("names") or d.get("name"))
        return cls(code=str(d["code"]), names=names,
                   category=per_lang(d.get("category") or d.get("categories") or "Khác"),
                   required_docs=per_lang(d.get("required_docs") or [], []),
                   fee=int(d.get("fee") or 0), tray_size=d.get("tray_size") or "M",
                   online_allowed=bool(d.get("online_allowed")),
                   needs_id_check=bool(d.get("needs_id_check")),
                   processing_days=int(d.get("processing_days") or 0),
                   handling_body=dict(d.get("handling_body") or {}))

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names["vi"]


class Catalog:
    """The procedure list with search that works with or without Vietnamese marks."""

    def __init__(self, source: CatalogPort | Iterable[dict]):
        self._source = source
        self._items: list[Procedure] | None = None
        self._key: tuple = ()

    def items(self) -> list[Procedure]:
        """The current list; a live source (the city's catalog cache) is asked each time
        so a refresh shows at once, an empty answer is never kept."""
        if hasattr(self._source, "procedures"):
            raw = self._source.procedures()
            version = getattr(self._source, "source", dict)().get("version")
            key = (version, *(d.get("code") for d in raw))
            if self._items is None or self._key != key:
                self._items, self._key = [Procedure.from_dict(d) for d in raw], key
            return self._items
        if self._items is None:
            self._items = [Procedure.from_dict(d) for d in self._source]
        return self._items

    def refresh(self) -> None:
        self._items = None

    def version(self) -> dict:
        """Which catalog is shown (``origin``, ``version``, ``published``), if known."""
        src = getattr(self._source, "source", None)
        return src() if callable(src) else {}

    def get(self, code: str) -> Procedure:
        for p in self.items():
            if p.code == code:
                return p
        raise CitizenError("catalog.unknown", f"no procedure {code!r} in the catalog")

    def categories(self, lang: str = "vi") -> list[str]:
        seen: list[str] = []
        for p in self.items():
            if p.category[lang] not in seen:
                seen.append(p.category[lang])
        return seen

    def search(self, text: str = "", category: str | None = None,
               lang: str = "vi") -> list[Procedure]:
        words = fold(text).split()
        out = []
        for p in self.items():
            if category and p.category[lang] != category:
                continue
            hay = fold(" ".join([p.code, *p.names.values(), *p.category.values()]))
            if all(w in hay for w in words):
                out.append(p)
        return out
