"""Every exchange, meeting, calendar, digest and escalation builder, rendered in every language, fits Slack's
limits without being cut to fit — the checker of tests/test_i18n_render.py (tests/support/i18n.py), over the other
workflows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.digests import data as digest_data
from bot.digests.messages import digest_message
from bot.errors import InvalidTransition, NotAllowed, NotFound, NotOnRoster
from bot.exchanges import forms as exchange_forms
from bot.exchanges import messages as exchange_messages
from bot.exchanges.letter_fonts import LetterUnavailable
from bot.exchanges.practice import PracticeRecord
from bot.exchanges.state import AlreadyDecided
from bot.i18n.catalog import Translator
from bot.meetings import forms as meeting_forms
from bot.meetings import messages as meeting_messages
from bot.meetings.minutes_form import minutes_modal, owner_error
from bot.meetings.quarterly import QuarterPrompt, prompt_message
from bot.permissions import Action
from bot.problems.messages import escalation_dm, escalation_note
from bot.quarters import Quarter
from handlers.exchanges import exchange_refusal
from handlers.meetings import meeting_refusal
from models.exchange import ExchangeStatus
from models.problem import Severity
from models.roster import Side
from tests.support.i18n import check
from tests.support.samples import LONG_NAME, every_exchange, every_meeting, every_problem_state, exchange, meeting
from tests.support.slack import section

PARTNERSHIPS = [(i, f"深圳职业技术大学–华为技术有限公司校企合作项目 {i}" * 2) for i in range(1, 30)]


# --- exchanges ---------------------------------------------------------------------------------------
def test_exchange_modals_fit(t: Translator) -> None:
    for partnerships in ([], PARTNERSHIPS[:1], PARTNERSHIPS):
        check(exchange_forms.request_modal(t, caller="U0TEACHER", partnerships=partnerships, today=date(2027, 3, 5)),
              f"request modal ({len(partnerships)} partnerships)")
    for x in every_exchange():
        details = exchange_messages.details(x, t)
        check(exchange_forms.request_modal(t, caller="U0TEACHER", partnerships=[], today=x.start_date, current=x),
              f"edit modal {x.status}")
        check(exchange_forms.review_modal(x, [*details, exchange_messages.section(exchange_messages.side_lines(x, t))],
                                          t), f"review modal {x.status}")
        check(exchange_forms.assess_modal(x, details, t), f"assess modal {x.status}")


def test_exchange_form_errors_fit(t: Translator) -> None:
    fields = (*exchange_forms.REQUEST_BLOCKS, "unknown")
    codes = ("missing", "before_start", "too_long", "past", "not_on_roster", "not_allowed", "wrong_side", "not_yours")
    for field in fields:
        for code in codes:
            check(section(exchange_forms.request_error(field, code, t)), f"request error {field} {code}")
    check(section(exchange_forms.comment_required(t)), "comment required")


def test_exchange_messages_fit_in_every_state(t: Translator) -> None:
    for x in every_exchange():
        what = f"exchange {x.status} {x.direction} {x.purpose}"
        check(exchange_messages.channel_summary(x, t), f"channel summary, {what}")
        for side in Side:
            check(exchange_messages.review_dm(x, side, t), f"review DM to {side}, {what}")
        for actor in ("U0COORDS", "U0MENTOR", "U0NOBODY"):
            check(exchange_messages.requester_notice(x, actor, t), f"requester notice from {actor}, {what}")
        check(exchange_messages.assessment_request(x, t), f"assessment request, {what}")
        check(exchange_messages.confirm_request(x, t), f"confirm request, {what}")
        for reader in (x.person, x.requester):
            check([exchange_messages.letter_comment(x, reader, t)], f"letter comment to {reader}, {what}")
        check(exchange_messages.failed_notice(x, t), f"failed notice, {what}")
        for kind in ("review", "escalate", "assess"):
            check(exchange_messages.reminder(x, kind, t), f"{kind} reminder, {what}")
        check([exchange_messages.status_words(x, t)], f"status words, {what}")


def test_exchange_status_and_refusals_fit(t: Translator) -> None:
    awaiting = list(every_exchange())
    for months in (0.0, 2.5, 6.0, 60.0):
        record = PracticeRecord("U0TEACHER", LONG_NAME, months, date(2022, 4, 1), date(2027, 4, 1))
        for shown in (awaiting, awaiting[:1], []):
            check(exchange_messages.status_blocks(shown, record, t), f"exchange status, {months} months")
    check(exchange_messages.status_blocks(awaiting, None, t), "exchange status, no practice ledger")
    errors = [NotOnRoster("U1"), NotAllowed("x"), NotFound("x"), AlreadyDecided("U0COORDS"),
              InvalidTransition("resubmitted"), *(InvalidTransition(s.value) for s in ExchangeStatus),
              LetterUnavailable(missing=["/usr/share/fonts/truetype/hanazono/HanaMinB.ttf"]),
              LetterUnavailable(characters="\U00030000<&>" * 20)]
    for error in errors:
        check(section(exchange_refusal(error, t)), f"exchange refusal {error!r}")


# --- meetings ----------------------------------------------------------------------------------------
def test_meeting_modals_fit(t: Translator) -> None:
    for partnerships in (PARTNERSHIPS[:1], PARTNERSHIPS):
        defaults = meeting_forms.ScheduleDefaults(
            partnerships=tuple(partnerships), title=t.gettext("{quarter} cooperation review").format(
                quarter=t.quarter(2027, 1)), invitees=tuple(f"U0P{i}" for i in range(40)), today=date(2027, 3, 5),
            timezone="America/Argentina/ComodRivadavia")
        check(meeting_forms.schedule_modal(t, defaults), f"schedule modal ({len(partnerships)} partnerships)")
    for m in every_meeting():
        check(meeting_forms.reschedule_modal(t, m), f"reschedule modal {m.status}")
        check(meeting_forms.cancel_modal(t, m), f"cancel modal {m.status}")
        check(minutes_modal(t, m), f"minutes modal {m.status}")


def test_meeting_form_errors_fit(t: Translator) -> None:
    for field in (*meeting_forms.SCHEDULE_BLOCKS, "agenda", "reason"):
        for kind in ("missing", "past", "nonexistent", "not_on_roster"):
            check(section(meeting_forms.meeting_error(field, kind, t)), f"meeting error {field} {kind}")
    check(section(owner_error(t)), "owner error")


def test_meeting_messages_fit_in_every_state(t: Translator) -> None:
    for m in every_meeting():
        what = f"meeting {m.status} ({len(m.invitees)} invited)"
        check(meeting_messages.announcement(m, t), f"announcement, {what}")
        for change in ("new", "joined", "rescheduled", "cancelled"):
            check([meeting_messages.invitation_comment(m, t, change=change)], f"invitation {change}, {what}")
        for reason in (None, "会议室维修" * 700):
            check(meeting_messages.change_note(m, t, "U0COORDS", reason), f"change note, {what}")
        for hours in (24, 1):
            check(meeting_messages.reminder(m, t, hours=hours), f"{hours}h reminder, {what}")
        check(meeting_messages.minutes_request(m, t), f"minutes request, {what}")
        if m.minutes:
            check(meeting_messages.minutes_note(m, t, "U0COORDS"), f"minutes note, {what}")
        for item in m.action_items:
            for reminder in (False, True):
                check(meeting_messages.action_item(item, t, reminder=reminder), f"action item {item.status}")


def test_meeting_refusals_fit(t: Translator) -> None:
    errors = [NotOnRoster("U1"), NotFound("x"), *(NotAllowed(a.value) for a in Action),
              *(InvalidTransition(s) for s in ("cancelled", "held", "recorded", "done", "scheduled"))]
    for error in errors:
        check(section(meeting_refusal(error, t)), f"meeting refusal {error!r}")


# --- the calendar: quarterly prompt, digests ---------------------------------------------------------
def test_quarterly_prompt_fits(t: Translator) -> None:
    scheduled = meeting(title="2027 年第一季度校企合作工作会议 <!here>" * 10,
                        starts_at=datetime(2027, 1, 20, 2, 0, tzinfo=UTC))
    for number in range(1, 5):
        for review in (None, scheduled):
            for late in (False, True):
                prompt = QuarterPrompt(123456, "C0PARTNER", "en", "Asia/Shanghai", Quarter(2027, number), review,
                                       late)
                check(prompt_message(prompt, t),
                      f"quarterly prompt Q{number} ({'scheduled' if review else 'to schedule'}, late={late})")


def _digest(full: bool) -> digest_data.DigestData:
    since = datetime(2027, 3, 1, tzinfo=UTC)
    window = digest_data.Window(since, since + timedelta(days=7), date(2027, 3, 8))
    d = digest_data.DigestData(1, "深圳职业技术大学–华为技术有限公司校企合作项目 <!channel>" * 5, "C0PARTNER",
                               "Asia/Shanghai", "en", window)
    if not full:
        return d
    link = digest_data.Link("C0PARTNER", "1700000000.000100")
    problems = list(every_problem_state())
    d.by_severity = {s: digest_data.Counts(999, 999, 999) for s in Severity}
    d.by_category = {p.category: digest_data.Counts(999, 999, 999) for p in problems}
    d.oldest_open = [digest_data.ProblemLine(p.id, LONG_NAME, p.student_id, p.category, p.severity, p.created_at, link)
                     for p in problems[:digest_data.TOP]]
    line = digest_data.ExchangeLine(1, LONG_NAME, "华为 2012 实验室 <b>" * 10, date(2027, 4, 1), date(2027, 9, 30),
                                    link)
    buckets = ("pending", "changes", "upcoming", "active", "due")
    d.exchanges = {bucket: [line] * digest_data.TOP for bucket in buckets}
    d.exchange_counts = dict.fromkeys(buckets, 99)
    d.next_meeting = digest_data.MeetingLine(1, "2027 年第一季度校企合作工作会议 <!here>" * 10, since, link)
    d.action_items = [digest_data.ActionLine(1, "U0MENTOR", "整理实习岗位清单" * 125, date(2027, 3, 31), link)
                      ] * digest_data.TOP
    d.action_item_count = 99
    d.ending = [digest_data.InternLine(LONG_NAME, "S2024001" * 4, date(2027, 3, 31))] * digest_data.TOP
    d.ending_count = 99
    return d


def test_digests_fit(t: Translator) -> None:
    for full in (False, True):
        for quarter in (None, Quarter(2027, 1)):
            text, blocks = digest_message(_digest(full), t, quarter)
            check((text, blocks), f"digest (full={full}, quarter={quarter})")
            assert len(blocks) <= 50


# --- problem escalation ------------------------------------------------------------------------------
def test_escalation_notes_fit(t: Translator) -> None:
    for p in every_problem_state():
        for coordinators in ((), p.coordinators, tuple(f"U0COORD{i:02d}" for i in range(50))):
            for waited in (timedelta(hours=1), timedelta(hours=47), timedelta(days=400)):
                q = replace(p, coordinators=coordinators)
                check(escalation_note(q, waited, t), f"escalation thread note {p.severity}")
                check(escalation_dm(q, waited, t), f"escalation DM {p.severity}")


def test_the_samples_cover_every_exchange_state() -> None:
    assert {x.status for x in every_exchange()} == set(ExchangeStatus)
    assert exchange().decisions == {}
