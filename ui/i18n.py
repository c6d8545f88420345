"""Screen texts in Vietnamese (default), English and Simplified Chinese.

The catalogs are data files (``ui/i18n/<lang>.json``: key → text with ``{name}``
placeholders) so translators never touch code. A missing key falls back to Vietnamese
and is remembered in ``missing`` (tests fail on any).
"""
from __future__ import annotations

import json
from pathlib import Path

CATALOG_DIR = Path(__file__).with_name("i18n")
LANGUAGES = ("vi", "en", "zh")
DEFAULT_LANGUAGE = "vi"


def load_catalog(lang: str) -> dict[str, str]:
    return json.loads((CATALOG_DIR / f"{lang}.json").read_text(encoding="utf-8"))


class I18n:
    def __init__(self, lang: str = DEFAULT_LANGUAGE):
        self.catalogs = {lang_: load_catalog(lang_) for lang_ in LANGUAGES}
        self.lang = lang
        self.missing: set[tuple[str, str]] = set()

    def set_language(self, lang: str) -> None:
        if lang not in self.catalogs:
            raise ValueError(f"no catalog for language {lang!r}; have {LANGUAGES}")
        self.lang = lang

    def has(self, key: str) -> bool:
        return key in self.catalogs[self.lang] or key in self.catalogs[DEFAULT_LANGUAGE]

    def __call__(self, key: str, **values) -> str:
        text = self.catalogs[self.lang].get(key)
        if text is None:
            self.missing.add((self.lang, key))
            text = self.catalogs[DEFAULT_LANGUAGE].get(key, key)
        try:
            return text.format(**values) if values else text
        except (KeyError, IndexError):
            return text
