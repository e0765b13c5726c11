"""The Chinese a person reads speaks the field's language: the glossary's terms, its house style.

Everything coopbot writes is rendered in Chinese (tests/support/renders.py: every builder, modal, error,
refusal, the certificate and the calendar file) and read against the glossary (tests/support/glossary.py):
no term it rejects, no half-width punctuation in a Chinese sentence, 您 throughout, no thousands separator.
The catalog's translations are read the same way, with the English they translate.

The glossary read is the repository's copy, docs/GLOSSARY.zh_CN.md: the rule travels with the code that obeys
it (a clone without ../shared still runs these tests, and a change to the glossary lands in the same reviewed
commit as the translations it changes). Where ../shared is beside the repository (CI, the team's machines),
the copy must be the shared glossary, word for word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from string import Formatter

import pytest

from bot.i18n.catalog import DATE_PATTERN, translator
from tests.support.glossary import (
    COPY,
    ELLIPSIS,
    INFORMAL_YOU,
    LATIN_TOUCHING,
    SHARED,
    THOUSANDS,
    half_width_punctuation,
    read_glossary,
    rejected_terms_in,
    spaced_full_width,
    unspaced_latin,
)
from tests.support.i18n import message_ids, message_strings, read_catalog
from tests.support.renders import builders, called_codes, every_rendering, texts

ZH = translator("zh_CN")
GLOSSARY = read_glossary()


def _renderings() -> Iterator[tuple[str, str]]:
    for what, rendered in every_rendering(ZH):
        for text in texts(rendered):
            yield what, text


def _translations() -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of every Chinese translation, each plural form against its msgid."""
    for message in read_catalog("zh_CN"):
        if message.id:
            ids = message_ids(message)
            for i, text in enumerate(message_strings(message)):
                yield ids[min(i, len(ids) - 1)], text


RENDERED = list(_renderings())
TRANSLATED = list(_translations())


def _report(found: list[str], what: str) -> str:
    return f"{len(found)} {what}:\n" + "\n".join(f"  {line}" for line in found[:40])


# --- the glossary itself -----------------------------------------------------------------------------
def test_the_copy_is_the_shared_glossary() -> None:
    if not SHARED.exists():
        pytest.skip(f"no shared glossary at {SHARED} to compare the copy with (a clone without ../shared)")
    assert COPY.read_bytes() == SHARED.read_bytes(), (
        f"{COPY.relative_to(COPY.parents[1])} differs from {SHARED}: copy the shared glossary into the repository "
        "and fix what it changes")


def test_the_glossary_is_read_as_written() -> None:
    """The reading of the "not" column (tests/support/glossary.py) on the rows whose wording it depends on."""
    rows = {e.english: e for e in GLOSSARY.entries}
    assert len(rows) >= 35
    assert rows["cooperation group"].rejected == ("合作工作组",)
    assert rows["roster"].rejected == ("名册",)  # 名单, accepted on the same row, is not rejected
    assert rows["supervising teacher (college)"].rejected == ("教师", "指导人")
    assert rows["acknowledge / acknowledged"].contextual == ("确认",)
    assert rows["log / report a problem"].contextual == ("记录", "报告")
    assert rows["letter of appointment"].rejected == ("聘任证明", "证明编号")
    assert rows["letter of appointment"].contextual == ("出具", "签发", "发放")
    assert rows["Going / Maybe / Can't go counts"].count_unit == "人"
    assert rows["guardian consent (under 18)"].rejected == ("同意书", "岁")
    assert ("聘书", "人员交流证明") in GLOSSARY.alternatives


def test_the_checks_catch_what_they_should() -> None:
    assert rejected_terms_in("2027年第一季度校企合作回顾会", GLOSSARY)
    assert rejected_terms_in("未满 18 岁", GLOSSARY) and not rejected_terms_in("未满 18 周岁", GLOSSARY)
    assert rejected_terms_in("请联系教师", GLOSSARY) and not rejected_terms_in("请联系指导教师", GLOSSARY)
    assert rejected_terms_in("已确认此问题", GLOSSARY, msgid="{person} acknowledged this problem.")
    assert not rejected_terms_in("确认并出具证明", GLOSSARY, msgid="Confirm and issue certificate")
    assert rejected_terms_in("受理后请确认", GLOSSARY)  # 受理 and 确认 in one line: 确认 means acknowledge
    assert not rejected_terms_in("受理问题\n确认人员交流", GLOSSARY)  # one line each: two things
    assert half_width_punctuation("*状态*: 待受理") and half_width_punctuation("欧阳娜娜 (S2024002)")
    assert half_width_punctuation("2027年1月4日（周一）14:00 (Asia/Shanghai)")
    assert half_width_punctuation("请重试.") and half_width_punctuation("已完成, 谢谢")
    assert not half_width_punctuation("2027年1月4日（周一）14:00（Asia/Shanghai） · 90 分钟")
    assert not half_width_punctuation("<@U0MENTOR> 已受理：`/coop checklist S1` :white_check_mark: 6.5 个月")
    assert not half_width_punctuation("Going: 2 (A, B)")  # English is not Chinese
    assert THOUSANDS.search("最多 3,000 字") and not THOUSANDS.search("最多 3000 字")
    assert unspaced_latin("未满18 周岁") and unspaced_latin("已于2027年1月4日结束")
    assert spaced_full_width("张伟（S2024001） 的实习")
    assert not spaced_full_width("张伟（S2024001）的实习 · <@U1> 已受理")
    assert not unspaced_latin("已于 2027年1月4日（周一）结束，2027年第一季度已开始，<@U1> 已受理")


# --- rendered Chinese ----------------------------------------------------------------------------------
def test_every_builder_is_rendered() -> None:
    """Every function that takes a Translator runs when everything is rendered: a new builder that the
    renderings do not reach fails here, so the checks below always read all of coopbot's Chinese."""
    ran = called_codes(lambda: list(every_rendering(ZH)))
    missed = sorted(name for name, code in builders().items() if code not in ran
                    and name not in NOT_BUILDERS)
    assert not missed, "not rendered by tests/support/renders.py: " + ", ".join(missed)


# Functions that take a Translator but only pass it on to a Slack call or a service (handlers whose words are
# built by the refusals and builders rendered above).
NOT_BUILDERS = {
    "bot.meetings.service.MeetingService.schedule_defaults",  # its title is DEFAULT_TITLE, rendered above
    "handlers.coop._post_digest",  # a service call, then the catalog's words (checked in the catalog below)
    "handlers.reviews.coop_review",  # a service call, then the catalog's words (checked in the catalog below)
    "bot.reviews.service.ReviewService.build",  # passes it on to bot.reviews.pack.render, rendered above
    "handlers.exports.coop_export",  # a service call, then the catalog's words (checked in the catalog below)
    "handlers.cooperation._modal",  # passes it on to bot.cooperation.forms.ledger_modal, rendered above
    "handlers.cooperation._agreement_modal",  # passes it on to bot.cooperation.forms.agreement_modal
    "handlers.cooperation.only_coordinators",  # the catalog's words (checked in the catalog below)
    "handlers.coop._repost_panel",  # the same
    "handlers.exchanges._review_view", "handlers.exchanges._edit_view", "handlers.exchanges._assess_view",
}


def test_rendered_chinese_uses_no_rejected_term() -> None:
    found = [f"{what}: {term}: {text[:80]!r}" for what, text in RENDERED
             for term in rejected_terms_in(text, GLOSSARY)]
    assert not found, _report(found, "rejected term(s) of the glossary in rendered Chinese")


def test_rendered_chinese_has_no_half_width_punctuation() -> None:
    found = [f"{what}: {excerpt}" for what, text in RENDERED for excerpt in half_width_punctuation(text)]
    assert not found, _report(found, "half-width punctuation in Chinese sentences")


def test_rendered_chinese_says_nin_and_writes_numbers_plainly() -> None:
    found = [f"{what}: {text[:80]!r}" for what, text in RENDERED
             if INFORMAL_YOU in text or THOUSANDS.search(text)]
    assert not found, _report(found, "text(s) with 你 or a thousands separator")


def test_rendered_chinese_spaces_latin_letters_and_digits() -> None:
    """One rule for spaces (the glossary's house style): between Chinese and Latin letters or digits, whether
    the catalog wrote them or they came in a placeholder (a name, a count, a date's year)."""
    found = [f"{what}: {excerpt}" for what, text in RENDERED for excerpt in unspaced_latin(text)]
    assert not found, _report(found, "place(s) where Chinese touches a Latin letter or a digit")


def test_rendered_chinese_puts_no_space_beside_full_width_punctuation() -> None:
    found = [f"{what}: {excerpt}" for what, text in RENDERED for excerpt in spaced_full_width(text)]
    assert not found, _report(found, "space(s) beside full-width punctuation")


def test_both_names_of_the_certificate_are_never_used() -> None:
    """The glossary's letter of appointment (聘书) or, if the document is a certificate of participation,
    人员交流证明: one of them everywhere, never both."""
    everything = "\n".join([text for _, text in RENDERED] + [text for _, text in TRANSLATED])
    for name, alternative in GLOSSARY.alternatives:
        assert not (name in everything and alternative in everything), f"both {name} and {alternative} are used"


# --- the catalog ---------------------------------------------------------------------------------------
def test_translations_use_no_rejected_term() -> None:
    found = [f"{msgid!r} → {text!r}: {term}" for msgid, text in TRANSLATED
             for term in rejected_terms_in(text, GLOSSARY, msgid=msgid)]
    assert not found, _report(found, "translation(s) with a rejected term of the glossary")


def test_translations_follow_the_house_style() -> None:
    found = []
    for msgid, text in TRANSLATED:
        if INFORMAL_YOU in text:
            found.append(f"{text!r}: 你 (the house style addresses everyone as 您)")
        if THOUSANDS.search(text):
            found.append(f"{text!r}: a thousands separator")
        if ELLIPSIS.search(text):
            found.append(f"{text!r}: an ellipsis other than ……")
        found += [f"{text!r}: half-width punctuation {excerpt}" for excerpt in half_width_punctuation(text)]
        if msgid != DATE_PATTERN and LATIN_TOUCHING.search(_without_placeholders(text)):
            found.append(f"{text!r}: no space between Chinese and Latin letters or digits")
    assert not found, _report(found, "translation(s) off the house style")


def _without_placeholders(text: str) -> str:
    names = {name for _, name, _, _ in Formatter().parse(text) if name}
    return re.sub("|".join(re.escape("{" + n + "}") for n in names), " ", text) if names else text


def test_counts_of_people_say_how_many_people() -> None:
    """"参加：{count} 人", never a bare number after a label."""
    rules = [e for e in GLOSSARY.entries if e.count_unit]
    assert rules
    found = [f"{msgid!r} → {text!r}" for msgid, text in TRANSLATED for rule in rules
             if any(msgid.startswith(f"{label}:") for label in rule.labels) and "{count}" in msgid
             and "{count} " + str(rule.count_unit) not in text]
    assert not found, _report(found, "count(s) without their unit")


def test_the_glossary_reaches_every_translation_it_names() -> None:
    """Each row's English, where the catalog uses it, is translated with the row's Chinese (or the glossary's
    alternative for it): "Acknowledge" reads 受理, "P1 – Critical" reads P1 – 紧急."""
    alternatives = dict(GLOSSARY.alternatives)
    found = []
    for entry in GLOSSARY.entries:
        if entry.count_unit:  # a rule for counts (checked above), not a term
            continue
        names = {n.strip().lower() for n in re.sub(r"\([^)]*\)", "", entry.english).split(" / ")}
        wanted = {*entry.accepted, *(alternatives[a] for a in entry.accepted if a in alternatives)}
        for msgid, text in TRANSLATED:
            if msgid.lower() in names and not any(w in text for w in wanted):
                found.append(f"{msgid!r} → {text!r}, glossary: {entry.chinese}")
    assert not found, _report(found, "translation(s) not in the glossary's words")
