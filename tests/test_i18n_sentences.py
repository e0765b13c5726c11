"""Sentences a translator can translate: each message is one catalog string with placeholders, never
fragments joined in code or a translated word lower-cased. Checked by the English and Chinese a person reads."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from bot.errors import InvalidTransition
from bot.exchanges import letter, letter_fonts
from bot.exchanges import messages as exchange_messages
from bot.exchanges.practice import PracticeRecord
from bot.i18n.catalog import translator
from bot.meetings import messages as meeting_messages
from bot.meetings.snapshot import InviteeSnapshot
from handlers.exchanges import exchange_refusal
from models.exchange import DecisionKind, Direction, ExchangeStatus, Rating
from models.meeting import MeetingStatus, Rsvp
from models.roster import Side
from tests.support.samples import assessment, decision, exchange, meeting

EN, ZH = translator("en"), translator("zh_CN")


def notice(side: Side, kind: DecisionKind, language: str) -> str:
    x = exchange(person_name="王芳", decisions={side: decision(side, kind, "U0DECIDER", comment=None)})
    text, blocks = exchange_messages.requester_notice(x, "U0DECIDER", translator(language))
    assert blocks[0]["text"]["text"].startswith(text)
    return text


@pytest.mark.parametrize(("side", "kind", "english", "chinese"), [
    (Side.SCHOOL, DecisionKind.APPROVE, "For the college, <@U0DECIDER> approved your exchange request for 王芳.",
     "<@U0DECIDER> 代表学校批准了您为 王芳 提交的人员交流申请。"),
    (Side.SCHOOL, DecisionKind.REJECT, "For the college, <@U0DECIDER> rejected your exchange request for 王芳.",
     "<@U0DECIDER> 代表学校驳回了您为 王芳 提交的人员交流申请。"),
    (Side.ENTERPRISE, DecisionKind.REQUEST_CHANGES,
     "For the enterprise, <@U0DECIDER> asked for changes to your exchange request for 王芳.",
     "<@U0DECIDER> 代表企业退回了您为 王芳 提交的人员交流申请，要求修改。"),
    (Side.ENTERPRISE, DecisionKind.APPROVE,
     "For the enterprise, <@U0DECIDER> approved your exchange request for 王芳.",
     "<@U0DECIDER> 代表企业批准了您为 王芳 提交的人员交流申请。"),
])
def test_the_requester_reads_one_sentence_per_side_and_decision(side: Side, kind: DecisionKind, english: str,
                                                                 chinese: str) -> None:
    assert notice(side, kind, "en") == english
    assert notice(side, kind, "zh_CN") == chinese


def test_a_notice_about_someone_who_decided_nothing_has_no_empty_brackets() -> None:
    x = exchange(person_name="王芳")
    assert exchange_messages.requester_notice(x, "U9", EN)[0] == "<@U9> updated your exchange request for 王芳."
    assert exchange_messages.requester_notice(x, "U9", ZH)[0] == "<@U9> 更新了您为 王芳 提交的人员交流申请。"


def test_side_labels_are_one_catalog_string() -> None:
    x = exchange(direction=Direction.ENTERPRISE_TO_SCHOOL, decisions={
        Side.SCHOOL: decision(Side.SCHOOL, DecisionKind.APPROVE, "U0COORDS")})
    assert exchange_messages.side_lines(x, EN).split("\n") == [
        "*Enterprise* (sending side): ⏳ awaiting a decision",
        "*College* (host side): ✅ Approved by <@U0COORDS>"]
    assert exchange_messages.side_lines(x, ZH).split("\n") == [
        "*企业*（派出方）：⏳ 待审批",
        "*学校*（接收方）：✅ 已批准（<@U0COORDS>）"]


def test_the_review_request_names_the_exchange_once() -> None:
    x = exchange(person_name="王芳", requester="U0COORDS")
    assert exchange_messages.review_dm(x, Side.SCHOOL, EN)[0] == (
        "<@U0COORDS> asks for your decision on the staff exchange of 王芳 (College → Enterprise).")
    assert exchange_messages.review_dm(x, Side.SCHOOL, ZH)[0] == (
        "<@U0COORDS> 请您审批 王芳 的人员交流申请（学校 → 企业）。")


@pytest.mark.parametrize(("met", "english", "chinese"), [
    (True, "Enterprise practice in the last 5 years: 6.5 of 6 months. ✅ The 6-month rule is met.",
     "近 5 年企业实践：累计 6.5 个月，要求 6 个月。✅ 已满足 6 个月企业实践要求。"),
    (False, "Enterprise practice in the last 5 years: 2.5 of 6 months. ⚠️ 3.5 more months needed.",
     "近 5 年企业实践：累计 2.5 个月，要求 6 个月。⚠️ 还需 3.5 个月。"),
])
def test_the_practice_ledger_is_one_sentence(met: bool, english: str, chinese: str) -> None:
    record = PracticeRecord("U0TEACHER", "王芳", 6.5 if met else 2.5, date(2022, 4, 1), date(2027, 4, 1))
    for t, expected in ((EN, english), (ZH, chinese)):
        [block] = exchange_messages.status_blocks([], record, t)
        assert block["text"]["text"] == expected


@pytest.mark.parametrize(("status", "english", "chinese"), [
    (ExchangeStatus.APPROVED, "Nothing changed: this exchange is already approved.",
     "未作任何更改：该人员交流已获批准。"),
    (ExchangeStatus.CHANGES_REQUESTED, "Nothing changed: changes have been requested on this exchange.",
     "未作任何更改：该人员交流申请已退回修改。"),
    (ExchangeStatus.COMPLETED, "Nothing changed: this exchange is completed.", "未作任何更改：该人员交流已完成。"),
])
def test_refusals_name_the_state_in_a_whole_sentence(status: ExchangeStatus, english: str, chinese: str) -> None:
    assert exchange_refusal(InvalidTransition(status.value), EN) == english
    assert exchange_refusal(InvalidTransition(status.value), ZH) == chinese


def test_every_exchange_state_has_a_refusal_in_every_language() -> None:
    for status in ExchangeStatus:
        for t in (EN, ZH):
            words = exchange_refusal(InvalidTransition(status.value), t)
            assert "{" not in words and words != t.gettext("That did not work: {reason}")


def test_the_letter_reads_whole_sentences_and_its_title_is_the_catalog_string() -> None:
    x = exchange(person_name="王芳", status=ExchangeStatus.ASSESSED, assessments={
        side: replace(assessment(side, Rating.EXCELLENT), assessor_name="张敏", comments=None) for side in Side})
    for t, title, lines in (
            (EN, "Staff exchange certificate COOP-2027-0007", ("Assessment by the college (张敏): Excellent",
                                                          "Assessment by the enterprise (张敏): Excellent")),
            (ZH, "人员交流证明 COOP-2027-0007", ("学校考核（张敏）：优秀", "企业考核（张敏）：优秀"))):
        fonts = letter_fonts.load(letter_fonts.DEFAULT_FONTS)
        pdf = PdfReader(io.BytesIO(letter.render(x, "COOP-2027-0007", date(2027, 10, 8), "陈静", t, fonts)))
        assert pdf.metadata is not None and pdf.metadata.title == title
        text = "".join(page.extract_text() for page in pdf.pages)
        for line in lines:
            assert line in text


def test_the_certificate_certifies_in_chinese_with_dates_as_a_document_writes_them() -> None:
    x = exchange(person_name="王芳", status=ExchangeStatus.ASSESSED, host_unit="2012 实验室")
    fonts = letter_fonts.load(letter_fonts.DEFAULT_FONTS)
    pdf = PdfReader(io.BytesIO(letter.render(x, "COOP-2027-0007", date(2027, 10, 8), "陈静", ZH, fonts)))
    text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert "人员交流证明 编号：COOP-2027-0007兹证明：" in text  # the title, its number, the statement
    assert "出具日期：2027年10月8日" in text  # at its foot
    assert "兹证明：王芳（深圳职业技术大学）于 2027年4月1日至 2027年9月30日，依据校企合作协议" in text
    assert "到 华为技术有限公司（2012 实验室）参加人员交流。" in text
    assert "（周" not in text  # a formal document: the date alone, no weekday


@pytest.mark.parametrize(("status", "english", "chinese"), [
    (MeetingStatus.SCHEDULED, "Meeting scheduled: Q1 review, ", "会议已安排：Q1 review，"),
    (MeetingStatus.HELD, "Meeting held: Q1 review, ", "会议已召开：Q1 review，"),
    (MeetingStatus.CANCELLED, "Meeting cancelled: Q1 review, ", "会议已取消：Q1 review，"),
])
def test_an_announcement_says_its_state_in_a_whole_sentence(status: MeetingStatus, english: str,
                                                            chinese: str) -> None:
    m = meeting(title="Q1 review", status=status)
    assert meeting_messages.announcement(m, EN)[0].startswith(english)
    assert meeting_messages.announcement(m, ZH)[0].startswith(chinese)


def test_rsvp_lines_are_one_catalog_string_each() -> None:
    m = meeting(invitees=(InviteeSnapshot("U0A", "A", None, Rsvp.GOING), InviteeSnapshot("U0B", "B", None, Rsvp.GOING),
                          InviteeSnapshot("U0C", "C", None, None)))
    assert meeting_messages.rsvp_lines(m, EN).split("\n") == [
        "Going: 2 — <@U0A>, <@U0B>", "Maybe: 0", "Can't go: 0", "No answer yet: 1"]
    assert meeting_messages.rsvp_lines(m, ZH).split("\n") == [
        "参加：2 人（<@U0A>、<@U0B>）", "待定：0 人", "无法参加：0 人", "尚未答复：1 人"]


def test_a_label_and_its_value_take_the_colon_of_the_readers_language() -> None:
    from bot.digests.messages import labelled

    assert labelled("P1 – Critical", "3 new", EN) == "P1 – Critical: 3 new"
    assert labelled("P1 – 紧急", "新增 3", ZH) == "P1 – 紧急：新增 3"
