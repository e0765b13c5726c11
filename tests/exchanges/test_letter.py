"""The staff exchange certificate as a reader and a records office meet it: every name prints and extracts as
written (characters beyond Unicode's first plane too), its fonts are embedded, and it carries what an official
letter needs on its foot and on every page. Without the fonts it needs, no letter is issued, and the coordinator
is told why."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import update

from bot.exchanges import letter, letter_fonts
from bot.exchanges.ids import ExchangeActionId
from bot.exchanges.letter_fonts import LetterUnavailable
from bot.exchanges.snapshot import AssessmentView, ExchangeSnapshot
from bot.i18n.catalog import translator
from bot.storage.db import Database
from models.exchange import ExchangeStatus, Rating
from models.roster import Person, Side
from tests.support.exchanges import assess, ended, the_exchange
from tests.support.harness import COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness, dm, running_app, seed_roster
from tests.support.samples import AT, exchange

# 𠮷 and 𤭢 are beyond the first plane (CJK Extension B); 𤭢 is only in the second Hanazono file.
PERSON = "𠮷田 𤭢子 Zoë O’Brien-Łukasz"
ENTERPRISE = "𠮷野家华为技术有限公司"
NOT_IN_ANY_FONT = "\U00030000"  # CJK Extension G: in no font the letter has


def _letter_exchange(**changes: object) -> ExchangeSnapshot:
    x = exchange(person_name=PERSON, enterprise=ENTERPRISE, host_unit="华为 2012 实验室 <b>&",
                 expected_outcomes="完成一个测试平台 & a test bench", status=ExchangeStatus.COMPLETED,
                 assessments={Side.SCHOOL: AssessmentView(Side.SCHOOL, "U0COORDS", "陈静", Rating.EXCELLENT,
                                                          "认真负责", AT),
                              Side.ENTERPRISE: AssessmentView(Side.ENTERPRISE, "U0MENTOR", "李强 Lee", Rating.GOOD,
                                                              None, AT)})
    return replace(x, **changes)  # type: ignore[arg-type]


def _render(x: ExchangeSnapshot, language: str = "en") -> bytes:
    return letter.render(replace(x, language=language), "COOP-2027-0001", date(2027, 10, 8), "张敏 Zhang",
                         translator(language), letter_fonts.load(letter_fonts.DEFAULT_FONTS))


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _text(pdf: bytes) -> str:
    """The letter's words as one text (a line may wrap anywhere in Chinese)."""
    return "".join(_pages(pdf)).replace("\n", "")


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use: whether its TrueType program is embedded (FontFile2)."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found[str(font["/BaseFont"]).lstrip("/")] = embedded
    return found


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_name_prints_as_written_in_embedded_fonts(language: str) -> None:
    pdf = _render(_letter_exchange(), language)
    fonts = _fonts(pdf)
    assert fonts and all(fonts.values()), fonts  # nothing left for the reader to substitute
    assert {name.split("+", 1)[1] for name in fonts} == {"LiberationSerif", "HanaMinA", "HanaMinB"}
    assert all(name.split("+", 1)[0].isalpha() and len(name.split("+", 1)[0]) == 6 for name in fonts)  # subsets
    text = _text(pdf)
    for name in (PERSON, ENTERPRISE, "深圳职业技术大学", "华为 2012 实验室 <b>&", "陈静", "李强 Lee", "张敏 Zhang",
                 "完成一个测试平台 & a test bench", "COOP-2027-0001"):
        assert name in text, name


def test_what_a_records_office_expects_is_on_the_english_letter() -> None:
    text = _text(_render(_letter_exchange()))
    for words in ("Staff Exchange Certificate", "Certificate number: COOP-2027-0001",
                  f"Issued by 深圳职业技术大学 and {ENTERPRISE}", "Date of issue: Oct 8, 2027",
                  "For the college深圳职业技术大学", f"For the enterprise{ENTERPRISE}", "Seal",
                  "Signature of the person in charge:", "Date: ____",
                  "Certificate number COOP-2027-0001 · page 1 of 1"):
        assert words in text, words
    assert text.count("Seal") == 2 and text.count("Signature of the person in charge:") == 2


def test_what_a_records_office_expects_is_on_the_chinese_letter() -> None:
    text = _text(_render(_letter_exchange(), "zh_CN"))
    for words in ("人员交流证明", "编号：COOP-2027-0001", f"出具单位：深圳职业技术大学、{ENTERPRISE}",
                  "出具日期：2027年10月8日", "学校深圳职业技术大学", f"企业{ENTERPRISE}", "盖章",
                  "负责人签字：", "日期：", "人员交流证明 COOP-2027-0001 · 第 1 页，共 1 页"):
        assert words in text, words
    assert text.count("盖章") == 2 and "聘书" not in text and "证明编号" not in text


def test_every_page_carries_the_letter_number_and_its_page() -> None:
    long = _letter_exchange(expected_outcomes="完成一个测试平台，a test bench。" * 300)
    pages = _pages(_render(long, "zh_CN"))
    assert len(pages) >= 3
    for n, page in enumerate(pages, start=1):
        assert f"人员交流证明 COOP-2027-0001 · 第 {n} 页，共 {len(pages)} 页" in page, n
    # the foot stays whole on the last page: issuer, date, both parties' signature and seal places
    assert "出具日期" in pages[-1] and pages[-1].count("盖章") == 2


def test_a_line_never_starts_with_a_closing_mark() -> None:
    words = "认真负责，按时完成；" * 60
    x = _letter_exchange(assessments={Side.SCHOOL: AssessmentView(Side.SCHOOL, "U0COORDS", "陈静", Rating.GOOD,
                                                                  words, AT)})
    for page in _pages(_render(x, "zh_CN")):
        assert not [line for line in page.splitlines() if line[:1] in "，。；：、）”"]


def test_a_name_no_font_can_print_refuses_the_letter_and_free_text_names_the_character() -> None:
    with pytest.raises(LetterUnavailable) as refused:
        _render(_letter_exchange(person_name=f"王{NOT_IN_ANY_FONT}"))
    assert refused.value.characters == NOT_IN_ANY_FONT
    # in a comment it is written as its code point, never as a wrong or blank glyph
    x = _letter_exchange(expected_outcomes=f"平台{NOT_IN_ANY_FONT}测试")
    assert "平台[U+30000]测试" in _text(_render(x))


def test_fonts_that_are_not_there_or_not_truetype_are_named(tmp_path: Path) -> None:
    not_truetype = tmp_path / "font.ttf"
    not_truetype.write_bytes(b"OTTO" + bytes(100))  # an OpenType (CFF) header: reportlab cannot embed it
    missing = str(tmp_path / "HanaMinB.ttf")
    with pytest.raises(LetterUnavailable) as refused:
        letter_fonts.load((letter_fonts.DEFAULT_FONTS[0], str(not_truetype), missing))
    assert refused.value.missing == (str(not_truetype), missing)
    assert missing in str(refused.value)


# --- through Slack --------------------------------------------------------------------------------
@pytest.fixture
def without_fonts(db: Database, tmp_path: Path) -> Iterator[Harness]:
    seed_roster(db, tmp_path)
    with running_app(db, coopbot_letter_fonts=(letter_fonts.DEFAULT_FONTS[0], str(tmp_path / "HanaMinB.ttf"))) as h:
        yield h


def _confirm(h: Harness) -> None:
    assert assess(h, MENTOR, "good").text == "" and assess(h, COORD_SCHOOL, "pass").text == ""
    h.deliver()
    confirm = dm(h, COORD_ENTERPRISE, ExchangeActionId.CONFIRM)
    h.click(COORD_ENTERPRISE, ExchangeActionId.CONFIRM, confirm, channel="D" + COORD_ENTERPRISE)
    h.deliver()


def test_without_its_fonts_no_letter_is_issued_and_the_coordinator_is_told(without_fonts: Harness) -> None:
    h = without_fonts
    ended(h)
    _confirm(h)
    assert the_exchange(h).status == ExchangeStatus.ASSESSED and the_exchange(h).letter_number is None
    assert h.fake.files == {}
    assert any("the fonts it needs are not installed on this server" in text for text in h.ephemerals())


def test_a_name_no_font_can_print_is_named_to_the_coordinator(harness: Harness) -> None:
    h = harness
    ended(h)
    with h.db.transaction() as session:
        session.execute(update(Person).where(Person.slack_user_id == TEACHER).values(name=f"王{NOT_IN_ANY_FONT}芳"))
    _confirm(h)
    assert the_exchange(h).status == ExchangeStatus.ASSESSED and h.fake.files == {}
    assert any(f"{NOT_IN_ANY_FONT} (U+30000)" in text for text in h.ephemerals())
