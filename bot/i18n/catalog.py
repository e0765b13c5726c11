"""Message catalogs. Every user-facing string goes through a `Translator` for the reader's language.

Catalogs are gettext `.po` files under `bot/locale/<lang>/LC_MESSAGES/coopbot.po`, compiled in
memory with Babel at first use, so no binary `.mo` file is committed or built at install time.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "coopbot"
DEFAULT_LANGUAGE = "en"
# Each language named in itself, as a picker shows it to someone who cannot read the current one.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}


def N_(message: str) -> str:
    """Mark a string for the catalog without translating it yet (translated where it is shown)."""
    return message


# Quarter names differ in shape per language ("Q1 2027", "2027年第一季度"), so each is a catalog entry.
_QUARTERS = (N_("Q1 {year}"), N_("Q2 {year}"), N_("Q3 {year}"), N_("Q4 {year}"))
# How dates, times and numbers read is the catalog's too: Babel (CLDR) patterns, so each language writes them
# its own way through the same code. English keeps Babel's medium date ("Jan 4, 2027") and grouped digits
# ("12,345"); Chinese adds the weekday ("2027年1月4日（周一）"), joins the time without a space
# ("2027年1月4日（周一）14:00") and writes numbers without a thousands separator ("3000").
DATE_PATTERN = N_("MMM d, y")
DATE_AND_TIME = N_("{date}, {time}")
NUMBER_PATTERN = N_("#,##0.###")
# An aside in brackets: an intern and their student id, a time and its zone, a name after a mention. Its
# brackets are the reader's language's ("王芳 (S2024001)" would put half-width brackets in a Chinese sentence).
_ASIDE = N_("{name} ({detail})")


def available_languages() -> list[str]:
    """English (the source language) plus every language with a catalog."""
    return list(_available_languages())


@cache
def _available_languages() -> tuple[str, ...]:
    # Read once: the catalogs ship with the code, and every request matched languages against a glob.
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT_LANGUAGE, *[lang for lang in found if lang != DEFAULT_LANGUAGE])


@lru_cache(maxsize=256)
def match_language(value: str | None) -> str | None:
    """The language we have for a Slack locale ("zh-CN", "en-US") or a setting, or None."""
    if not value:
        return None
    wanted = value.replace("-", "_")
    languages = _available_languages()
    for candidate in (wanted, wanted.split("_")[0]):
        for lang in languages:
            if lang.lower() == candidate.lower() or lang.split("_")[0].lower() == candidate.lower():
                return lang
    return None


def normalize_language(value: str | None) -> str:
    """Like `match_language`, but English when we have nothing closer."""
    return match_language(value) or DEFAULT_LANGUAGE


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

    def date(self, value: date, *, weekday: bool = True) -> str:
        """A date as a message reads it ("Jan 4, 2027", "2027年1月4日（周一）"). `weekday=False` for a formal
        document, which writes the date alone (Babel's medium form: "Jan 4, 2027", "2027年1月4日")."""
        if not weekday:
            return format_date(value, format="medium", locale=self.locale)
        return format_date(value, format=self.gettext(DATE_PATTERN), locale=self.locale)

    def datetime(self, value: datetime, tz: str) -> str:
        """`value` (aware) as the clock on the wall in `tz` reads it: the date as `date` writes it, the time to
        the minute ("Dec 4, 2026, 2:30 PM", "2026年12月4日（周五）14:30"), joined as the language joins them."""
        zone = _zone(tz)
        time_part = format_time(value, format="short", tzinfo=zone, locale=self.locale)
        return self.gettext(DATE_AND_TIME).format(date=self.date(value.astimezone(zone).date()), time=time_part)

    def number(self, value: float) -> str:
        return format_decimal(value, format=self.gettext(NUMBER_PATTERN), locale=self.locale)

    def aside(self, name: str, detail: str) -> str:
        """`name` with `detail` in brackets, as the language brackets an aside ("王芳 (S2024001)" in English,
        "王芳（S2024001）" in Chinese). Escaping is the caller's: escape both parts for mrkdwn."""
        return self.gettext(_ASIDE).format(name=name, detail=detail)

    def quarter(self, year: int, q: int) -> str:
        """The quarter's name: "Q1 2027" in English, "2027年第一季度" in Chinese; `q` is 1–4."""
        if not 1 <= q <= 4:
            raise ValueError(f"quarter must be 1-4, got {q}")
        return self.gettext(_QUARTERS[q - 1]).format(year=year)


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


class LazyTranslator:
    """Stands in for a Translator and makes the real one on first use (see Services.lazy_translator_for)."""

    def __init__(self, make: Callable[[], Translator]) -> None:
        self._make = make
        self._made: Translator | None = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            self._made = self._make()
        return getattr(self._made, name)
