"""The catalogs: every string in the code is translated, and translations keep what Slack and `format` need.

The source is extracted at test time with the same extractor `make i18n` uses, so a new string without a
Chinese translation fails here with the exact msgids and the command that fixes it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from string import Formatter

import pytest
from babel.messages.catalog import Message
from pydantic import ValidationError

from bot.i18n.catalog import (
    LANGUAGE_NAMES,
    available_languages,
    match_language,
    normalize_language,
    translator,
)
from bot.i18n.extract import PO_FIX, extract_catalog
from models.schemas import LANGUAGES, PartnershipInput
from tests.support.i18n import message_ids, message_strings, read_catalog

TRANSLATED = [lang for lang in available_languages() if lang != "en"]
SLACK_TOKENS = re.compile(r"<[#@!][^>]*>")  # channel and user mentions, special mentions
CODE_SPANS = re.compile(r"`[^`]+`")  # commands a person copies must stay exactly as they are


def _key(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def _translated_pairs(language: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) for every finished translation, plural forms against the plural msgid (fuzzy ones are
    guesses by `make i18n`, reported by the completeness test instead)."""
    pairs = []
    for message in read_catalog(language):
        if not message.id or message.fuzzy:
            continue
        ids = message_ids(message)
        pairs += [(ids[min(i, len(ids) - 1)], text) for i, text in enumerate(message_strings(message)) if text]
    return pairs


def test_languages_agree_everywhere() -> None:
    assert available_languages() == ["en", "zh_CN"]
    assert tuple(available_languages()) == LANGUAGES  # models/schemas.py keeps its own copy
    assert set(LANGUAGE_NAMES) == set(available_languages())


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_string_in_the_code_is_translated(language: str) -> None:
    catalog = read_catalog(language)
    source = extract_catalog()
    assert len(source) > 50, "the extractor found almost nothing: is bot/i18n/extract.py broken?"
    missing = [_key(m) for m in source if m.id and (_key(m) not in catalog or not catalog[_key(m)].id)]
    if missing:
        pytest.fail(f"{len(missing)} string(s) used in the code are not in the {language} catalog:\n"
                    + "\n".join(f"  {m!r}" for m in missing) + f"\nFix: {PO_FIX}.", pytrace=False)
    unfinished = [_key(m) for m in catalog if m.id and (m.fuzzy or not all(message_strings(m)))]
    if unfinished:
        pytest.fail(f"{len(unfinished)} fuzzy or empty translation(s) in the {language} catalog:\n"
                    + "\n".join(f"  {m!r}" for m in unfinished)
                    + f"\nFix: translate them and remove the `#, fuzzy` flag ({PO_FIX}).", pytrace=False)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language: str) -> None:
    wrong = [(msgid, text) for msgid, text in _translated_pairs(language)
             if _placeholders(msgid) != _placeholders(text)]
    assert not wrong, "placeholders differ between msgid and msgstr:\n" + "\n".join(
        f"  {msgid!r}: {sorted(_placeholders(msgid))} vs {text!r}: {sorted(_placeholders(text))}"
        for msgid, text in wrong)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_slack_markup_and_commands(language: str) -> None:
    def tokens(text: str) -> list[str]:
        return sorted(SLACK_TOKENS.findall(text) + CODE_SPANS.findall(text))

    wrong = [(msgid, text) for msgid, text in _translated_pairs(language) if tokens(msgid) != tokens(text)]
    assert not wrong, "Slack markup (<#…>, <@…>) or `code` differs between msgid and msgstr:\n" + "\n".join(
        f"  {msgid!r} → {text!r}" for msgid, text in wrong)


def test_strings_inside_f_strings_are_extracted() -> None:
    """Babel's token-based extractor misses `f"{_('Status')}"` on Python 3.11; ours must not."""
    ids = {_key(m) for m in extract_catalog() if m.id}
    assert {"Status", "Reported by", "Q1 {year}", "Use my Slack language"} <= ids


def test_quarter_names() -> None:
    assert translator("en").quarter(2027, 1) == "Q1 2027"
    assert translator("en").quarter(2026, 4) == "Q4 2026"
    zh = translator("zh_CN")
    assert [zh.quarter(2027, q) for q in (1, 2, 3, 4)] == [
        "2027年第一季度", "2027年第二季度", "2027年第三季度", "2027年第四季度"]
    with pytest.raises(ValueError, match="quarter"):
        zh.quarter(2027, 5)


def test_dates_times_and_numbers_follow_the_locale() -> None:
    en, zh = translator("en"), translator("zh_CN")
    day = date(2027, 3, 5)
    assert en.date(day) == "Mar 5, 2027"
    assert zh.date(day) == "2027年3月5日（周五）"  # Chinese dates read with the weekday (glossary, house style)
    assert zh.date(date(2027, 1, 4)) == "2027年1月4日（周一）"
    assert en.date(day, weekday=False) == "Mar 5, 2027" and zh.date(day, weekday=False) == "2027年3月5日"  # a document
    moment = datetime(2027, 3, 5, 1, 30, tzinfo=UTC)
    assert en.datetime(moment, "Asia/Shanghai") == "Mar 5, 2027, 9:30\u202fAM"  # to the minute: no seconds
    assert zh.datetime(moment, "Asia/Shanghai") == "2027年3月5日（周五）09:30"
    assert zh.datetime(moment, "America/Los_Angeles") == "2027年3月4日（周四）17:30"  # the day (and weekday) there
    assert zh.datetime(datetime(2027, 1, 4, 6, 0, tzinfo=UTC), "Asia/Shanghai") == "2027年1月4日（周一）14:00"
    assert en.number(12345.5) == "12,345.5" and en.number(3000) == "3,000"
    assert zh.number(3000) == "3000" and zh.number(12345.5) == "12345.5"  # no thousands separator in Chinese


def test_names_and_asides_take_the_brackets_of_the_readers_language() -> None:
    assert translator("en").aside("王芳", "S2024001") == "王芳 (S2024001)"
    assert translator("zh_CN").aside("王芳", "S2024001") == "王芳（S2024001）"


def test_plurals_and_plain_lookups() -> None:
    en, zh = translator("en"), translator("zh_CN")
    singular, plural = "{count} update in the thread", "{count} updates in the thread"
    assert en.ngettext(singular, plural, 1) == singular and en.ngettext(singular, plural, 2) == plural
    assert zh.ngettext(singular, plural, 1) == zh.ngettext(singular, plural, 7) == "讨论串中有 {count} 条进展"
    assert zh.gettext("Log intern problem") == "上报实习问题"
    assert zh.gettext("P1 – Critical") == "P1 – 紧急"


@pytest.mark.parametrize(("slack_locale", "expected"), [
    ("zh-CN", "zh_CN"), ("zh_CN", "zh_CN"), ("zh-TW", "zh_CN"), ("en-US", "en"), ("en-GB", "en"),
    ("fr-FR", None), ("", None), (None, None)])
def test_slack_locales_map_to_our_languages(slack_locale: str | None, expected: str | None) -> None:
    assert match_language(slack_locale) == expected
    assert normalize_language(slack_locale) == (expected or "en")


def test_partnership_language_is_validated() -> None:
    base = {"name": "N", "school": "S", "enterprise": "E", "channel_id": "C0123ABCD"}
    assert PartnershipInput(**base).language == "en"
    assert PartnershipInput(**base, language="zh-CN").language == "zh_CN"
    assert PartnershipInput(**base, language=" zh_cn ").language == "zh_CN"
    with pytest.raises(ValidationError, match="unknown language 'fr'"):
        PartnershipInput(**base, language="fr")
