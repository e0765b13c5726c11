"""Message catalogs. Every user-facing string goes through a `Translator` for the reader's language.

Catalogs are gettext `.po` files under `bot/locale/<lang>/LC_MESSAGES/coopbot.po`, compiled in
memory with Babel at first use, so no binary `.mo` file is committed or built at install time.
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "coopbot"
DEFAULT_LANGUAGE = "en"


def available_languages() -> list[str]:
    """English (the source language) plus every language with a catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return [DEFAULT_LANGUAGE, *[lang for lang in found if lang != DEFAULT_LANGUAGE]]


def normalize_language(value: str | None) -> str:
    """Map a Slack locale ("zh-CN", "en-US") or a setting to a language we have, else English."""
    if not value:
        return DEFAULT_LANGUAGE
    wanted = value.replace("-", "_")
    languages = available_languages()
    for candidate in (wanted, wanted.split("_")[0]):
        for lang in languages:
            if lang.lower() == candidate.lower() or lang.split("_")[0].lower() == candidate.lower():
                return lang
    return DEFAULT_LANGUAGE


class Translator:
    """Strings, dates and numbers for one language."""

    def __init__(self, language: str, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language)
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)

    def date(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.locale)

    def datetime(self, value: datetime, tz: str) -> str:
        return format_datetime(value, format="medium", tzinfo=_zone(tz), locale=self.locale)


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=16)
def translator(language: str | None) -> Translator:
    lang = normalize_language(language)
    po_path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    translations: gettext.NullTranslations
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        translations = gettext.GNUTranslations(buffer)
    else:
        translations = gettext.NullTranslations()
    return Translator(lang, translations)
