"""Everything coopbot writes for a person, rendered in one language: every Block Kit builder and modal, every
form error and refusal, the certificate PDF's text and the calendar file — with the samples of
tests/support/samples.py, in every state.

`every_rendering(t)` yields (what, rendered) pairs; `texts(rendered)` takes out the texts a person reads.
`builders()` lists every function of bot/ and handlers/ that takes a Translator, so a test can check that
rendering everything really called each of them (a new builder nobody renders fails that test).
"""

from __future__ import annotations

import ast
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from icalendar import Calendar
from pypdf import PdfReader

from bot.admin import forms as admin_forms
from bot.admin.service import PartnershipChoice
from bot.compliance import forms as compliance_forms
from bot.compliance.service import Checklist, MissingCompliance
from bot.delivery.fallback import DM_REFUSALS, announcement, neutral_line
from bot.delivery.held import HeldView
from bot.delivery.notices import CHANNEL_ERRORS, _how_to_fix
from bot.digests import data as digest_data
from bot.digests.messages import digest_message, labelled
from bot.errors import DatabaseBusy, InvalidInput, InvalidTransition, NotAllowed, NotFound, NotOnRoster
from bot.exchanges import forms as exchange_forms
from bot.exchanges import letter, letter_fonts
from bot.exchanges import messages as exchange_messages
from bot.exchanges.letter_fonts import LetterUnavailable
from bot.exchanges.practice import PracticeRecord
from bot.exchanges.state import AlreadyDecided, Overlaps
from bot.home.data import ExchangeItem, MeetingItem, Outsider, Page, Section
from bot.home.followups import EvaluationItem, Followups, ToEvaluate, followup_blocks
from bot.home.help import help_text, status_blocks
from bot.home.tasks import Tasks, tasks_modal
from bot.home.views import home_view, how_to_get_added
from bot.i18n.catalog import Translator
from bot.installs import linking
from bot.installs.notices import installation_notice
from bot.installs.views import accepted_text, invitation_text, link_blocks
from bot.internships import forms as internship_forms
from bot.internships import messages as internship_messages
from bot.internships.service import ONGOING, AlreadyEvaluated
from bot.internships.snapshot import EvaluationSnapshot, InternSnapshot
from bot.meetings import forms as meeting_forms
from bot.meetings import messages as meeting_messages
from bot.meetings.ics import meeting_ics
from bot.meetings.labels import DEFAULT_TITLE
from bot.meetings.minutes_form import minutes_modal, owner_error, parse_minutes
from bot.meetings.quarterly import QuarterPrompt, prompt_message
from bot.panel.messages import panel_message
from bot.permissions import Action
from bot.problems import forms as problem_forms
from bot.problems import messages as problem_messages
from bot.problems.ids import ProblemCallback
from bot.quarters import Quarter
from bot.reviews import charts as review_charts
from bot.reviews import data as review_data
from bot.reviews.pack import render as render_pack
from bot.reviews.service import pack_title
from bot.roster.rules import RosterProblem
from bot.slack.forms import named_option
from handlers.admin import only_coordinators
from handlers.common import refusal
from handlers.compliance import only_teachers
from handlers.exchanges import _not_mine, exchange_refusal
from handlers.held import details_modal, held_refusal
from handlers.home import language_refusal
from handlers.internships import evaluation_refusal
from handlers.meetings import _input_error, meeting_refusal
from handlers.problems import problem_refusal
from models.compliance import ComplianceItem
from models.delivery import OutboxKind
from models.exchange import Direction, ExchangeStatus
from models.internship import Grade
from models.problem import EventKind, ProblemStatus, Severity
from models.roster import Role, Side
from tests.support.samples import (
    AT,
    LONG_NAME,
    every_exchange,
    every_meeting,
    every_problem_state,
    full_home,
    meeting,
)

ROOT = Path(__file__).resolve().parents[2]
Rendering = tuple[str, Any]
PARTNERSHIPS = [(1, "深圳职业技术大学–华为技术有限公司校企合作项目"), (2, "深职院–腾讯")]


# --- what a person reads ---------------------------------------------------------------------------
TEXT_KEYS = ("text", "initial_value")


def texts(node: Any) -> Iterator[str]:
    """Every text a person reads in a rendered view, message, (text, blocks) pair or plain string: text
    objects, bare strings of a message, a field's prefilled value (a default meeting title). Ids, values and
    metadata are not read by anyone and are left out."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, tuple | list):
        for item in node:
            yield from texts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield value
            elif isinstance(value, dict | list | tuple):
                yield from texts(value)


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the builders ----------------------------------------------------------------------------------
def builders() -> dict[str, CodeType]:
    """"module.function" → code of every function (or method) in bot/ and handlers/ with a parameter annotated
    `Translator`, the sandbox's dev tools aside."""
    found: dict[str, CodeType] = {}
    for package in ("bot", "handlers"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "devtools" in path.parts:
                continue
            module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for owner, node in _functions(tree):
                arguments = [*node.args.args, *node.args.kwonlyargs]
                if any(isinstance(a.annotation, ast.Name) and a.annotation.id == "Translator" for a in arguments):
                    module = sys.modules.get(module_name) or __import__(module_name, fromlist=["_"])
                    holder = getattr(module, owner) if owner else module
                    function = getattr(holder, node.name)
                    found[f"{module_name}.{owner + '.' if owner else ''}{node.name}"] = function.__code__
    return found


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield "", node
        elif isinstance(node, ast.ClassDef):
            yield from ((node.name, f) for f in node.body if isinstance(f, ast.FunctionDef))


def called_codes(run: Callable[[], object]) -> set[CodeType]:
    """The code objects of every Python function `run` called."""
    seen: set[CodeType] = set()

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event == "call":
            seen.add(frame.f_code)

    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(previous)
    return seen


# --- every rendering -------------------------------------------------------------------------------
def every_rendering(t: Translator) -> Iterator[Rendering]:
    yield from _problems(t)
    yield from _exchanges(t)
    yield from _meetings(t)
    yield from _digests(t)
    yield from _home(t)
    yield from _internships(t)
    yield from _compliance(t)
    yield from _administration(t)
    yield from _refusals(t)
    yield from _cooperation_numbers(t)
    yield from _reviews(t)
    yield from _linking(t)
    yield from _installations(t)


def _problems(t: Translator) -> Iterator[Rendering]:
    yield "report modal", problem_forms.report_modal(t, date(2027, 3, 5))
    yield "report modal, college person", problem_forms.report_modal(t, date(2027, 3, 5), school_side=True)
    # report_modal keeps what it drew once per language: drawn afresh here, whatever an earlier test drew
    yield "report modal, drawn", problem_forms._draw_report_modal(t, date(2027, 3, 5), school_side=True)
    yield "report errors", problem_forms.parse_report({}, t)
    for field in (*problem_forms.REPORT_BLOCKS, "unknown"):
        for kind in ("missing", "future", "before_internship", "not_yours"):
            yield f"report error {field} {kind}", problem_forms.report_error(field, kind, t)
    for callback in (ProblemCallback.UPDATE, ProblemCallback.RESOLVE):
        yield f"{callback} modal", problem_forms.note_modal(callback, 1, t, intern=t.aside("欧阳娜娜", "S2024002"))
    yield "note error", problem_forms.parse_note({}, t)
    yield "intern option", named_option("欧阳娜娜" * 30, "S2024002", "1", t)
    states = list(every_problem_state())
    school_side = [replace(states[0], school_only=True), replace(states[0], school_only=True, channel_id="U0TEACHER")]
    for p in [*states, *school_side]:
        what = f"problem {p.status} {p.severity} {p.category} {p.school_only} {p.channel_id}"
        yield f"channel message, {what}", problem_messages.channel_message(p, t, mention_people=("U0MENTOR",))
        yield f"supervisor DM, {what}", problem_messages.supervisor_dm(p, t)
        yield f"coordinator alert, {what}", problem_messages.coordinator_alert(p, t)
        for kind in EventKind:
            yield f"thread note {kind}", problem_messages.thread_note(kind, "U0MENTOR", "说明情况", t)
            yield f"reporter notice {kind}", problem_messages.reporter_notice(p, kind, "U0MENTOR", t)
        for waited in (timedelta(hours=1), timedelta(hours=30), timedelta(days=4)):
            for q in (p, replace(p, coordinators=())):
                yield f"escalation note {waited}", problem_messages.escalation_note(q, waited, t)
                yield f"escalation DM {waited}", problem_messages.escalation_dm(q, waited, t)


def _exchanges(t: Translator) -> Iterator[Rendering]:
    for partnerships in ([], PARTNERSHIPS):
        yield "request modal", exchange_forms.request_modal(t, caller="U0TEACHER", partnerships=partnerships,
                                                            today=date(2027, 3, 5))
    yield "request errors", exchange_forms.parse_request({}, t)
    codes = ("missing", "before_start", "too_long", "past", "not_on_roster", "not_allowed", "no_sending_approver",
             "no_host_approver", "wrong_side", "not_yours")
    for field in (*exchange_forms.REQUEST_BLOCKS, "unknown"):
        for code in codes:
            yield f"request error {field} {code}", exchange_forms.request_error(field, code, t)
    yield "comment required", exchange_forms.comment_required(t)
    for error in (InvalidInput("start_date", "past"), Overlaps(next(iter(every_exchange())))):
        yield f"request input error {error!r}", exchange_forms.input_error(error, t)
    yield "decision errors", exchange_forms.parse_decision({}, t)
    yield "assessment errors", exchange_forms.parse_assessment({}, t)
    for x in every_exchange():
        what = f"exchange {x.status} {x.direction} {x.purpose}"
        details = exchange_messages.details(x, t)
        yield f"edit modal, {what}", exchange_forms.request_modal(t, caller="U0TEACHER", partnerships=[],
                                                                   today=x.start_date, current=x)
        yield f"review modal, {what}", exchange_forms.review_modal(x, details, t)
        yield f"assess modal, {what}", exchange_forms.assess_modal(x, details, t)
        yield f"channel summary, {what}", exchange_messages.channel_summary(x, t)
        for side in Side:
            yield f"review DM to {side}, {what}", exchange_messages.review_dm(x, side, t)
        for actor in ("U0COORDS", "U0MENTOR", "U0NOBODY"):
            yield f"requester notice from {actor}, {what}", exchange_messages.requester_notice(x, actor, t)
        yield f"assessment request, {what}", exchange_messages.assessment_request(x, t)
        yield f"confirm request, {what}", exchange_messages.confirm_request(x, t)
        yield f"failed notice, {what}", exchange_messages.failed_notice(x, t)
        if x.letter_number:
            for user in (x.person, "U0COORDS"):  # the person who went, and someone else
                yield f"certificate comment to {user}, {what}", exchange_messages.letter_comment(x, user, t)
        for kind in ("review", "escalate", "assess"):
            yield f"{kind} reminder, {what}", exchange_messages.reminder(x, kind, t)
    for months in (0.0, 2.5, 6.0, 1234.5):
        record = PracticeRecord("U0TEACHER", LONG_NAME, months, date(2022, 4, 1), date(2027, 4, 1))
        yield f"exchange status, {months} months", exchange_messages.status_blocks(list(every_exchange()), record, t)
    assessed = next(x for x in every_exchange() if x.status == ExchangeStatus.COMPLETED)
    fonts = letter_fonts.load(letter_fonts.DEFAULT_FONTS)
    yield "certificate PDF", pdf_text(letter.render(assessed, "COOP-2027-0001", date(2027, 10, 8), "陈静", t, fonts))


def _meetings(t: Translator) -> Iterator[Rendering]:
    default_title = t.gettext(DEFAULT_TITLE).format(quarter=t.quarter(2027, 1))
    defaults = meeting_forms.ScheduleDefaults(partnerships=tuple(PARTNERSHIPS), title=default_title,
                                              invitees=("U0COORDS",), today=date(2027, 3, 5), timezone="Asia/Shanghai")
    yield "schedule modal", meeting_forms.schedule_modal(t, defaults)
    yield "schedule errors", meeting_forms.parse_schedule({}, t)
    for field in (*meeting_forms.SCHEDULE_BLOCKS, "agenda", "reason"):
        for kind in ("missing", "past", "nonexistent", "not_on_roster", "not_yours"):
            yield f"meeting error {field} {kind}", meeting_forms.meeting_error(field, kind, t)
    yield "owner error", owner_error(t)
    yield "reschedule errors", meeting_forms.parse_reschedule({}, t)
    yield "cancel errors", meeting_forms.parse_cancel({"reason": {"value": {"value": "很" * 4000}}}, t)
    yield "minutes errors", parse_minutes({}, t)
    titled = meeting(title=default_title)
    event = Calendar.from_ical(meeting_ics(titled, now=AT, recipient_email=None)).walk("VEVENT")[0]
    yield "calendar file", [str(event[field]) for field in ("SUMMARY", "LOCATION", "DESCRIPTION")]
    for m in (*every_meeting(), titled):
        what = f"meeting {m.status} ({len(m.invitees)} invited)"
        yield f"reschedule modal, {what}", meeting_forms.reschedule_modal(t, m)
        yield f"cancel modal, {what}", meeting_forms.cancel_modal(t, m)
        yield f"minutes modal, {what}", minutes_modal(t, m)
        yield f"announcement, {what}", meeting_messages.announcement(m, t)
        for change in ("new", "rescheduled", "cancelled"):
            yield f"invitation {change}, {what}", meeting_messages.invitation_comment(m, t, change=change)
        for reason in (None, "会议室维修"):
            yield f"change note, {what}", meeting_messages.change_note(m, t, "U0COORDS", reason)
        for hours in (24, 1):
            yield f"{hours}h reminder, {what}", meeting_messages.reminder(m, t, hours=hours)
        yield f"minutes request, {what}", meeting_messages.minutes_request(m, t)
        if m.minutes:
            yield f"minutes note, {what}", meeting_messages.minutes_note(m, t, "U0COORDS")
        for item in m.action_items:
            for reminder in (False, True):
                yield f"action item {item.status}", meeting_messages.action_item(item, t, reminder=reminder)
    for number in range(1, 5):
        for scheduled in (None, titled):
            prompt = QuarterPrompt(1, "C0PARTNER", t.language, "Asia/Shanghai", Quarter(2027, number), scheduled)
            yield f"quarterly prompt Q{number}", prompt_message(prompt, t)


def _digests(t: Translator) -> Iterator[Rendering]:
    since = datetime(2027, 3, 1, tzinfo=UTC)
    window = digest_data.Window(since, since + timedelta(days=7), date(2027, 3, 8))
    empty = digest_data.DigestData(1, "深职院–华为", "C0PARTNER", "Asia/Shanghai", t.language, window)
    full = replace(empty, name="深职院–华为 <!channel>")
    problems = list(every_problem_state())
    full.by_severity = {s: digest_data.Counts(3000, 12, 1) for s in Severity}
    full.by_category = {p.category: digest_data.Counts(1, 1, 1) for p in problems}
    at_message, in_channel = digest_data.Link("C0PARTNER", "1700000000.000100"), digest_data.Link("C0PARTNER", None)
    full.oldest_open = [digest_data.ProblemLine(p.id, "欧阳娜娜", "S2024001", p.category, p.severity,
                                                p.created_at, link)
                        for p, link in zip(problems[:2], (at_message, in_channel), strict=True)]
    line = digest_data.ExchangeLine(1, "王芳", "华为 2012 实验室", date(2027, 4, 1), date(2027, 9, 30), in_channel)
    buckets = ("pending", "changes", "upcoming", "active", "due")
    full.exchanges = {bucket: [line] * digest_data.TOP for bucket in buckets}
    full.exchange_counts = dict.fromkeys(buckets, 9)
    full.next_meeting = digest_data.MeetingLine(1, "2027 年第一季度校企合作座谈会", since, at_message)
    full.action_items = [digest_data.ActionLine(1, "U0MENTOR", "整理实习岗位清单", date(2027, 3, 31), in_channel)
                         ] * digest_data.TOP
    full.action_item_count = 9
    full.ending = [digest_data.InternLine("欧阳娜娜", "S2024001", date(2027, 3, 31))] * digest_data.TOP
    full.ending_count = 9
    full.school_side = digest_data.Counts(2, 1, 3)
    full.compliance = [MissingCompliance(1, 1, "张伟", "S2024003", "U0TEACHER", date(2027, 3, 1),
                                         tuple(ComplianceItem), started) for started in (True, False)] * 5
    for d in (empty, full):
        for quarter in (None, Quarter(2027, 1)):
            yield f"digest ({len(d.oldest_open)} problems, {quarter})", digest_message(d, t, quarter)
    yield "a labelled value", labelled(t.gettext("Status"), t.gettext("Open"), t)


def _home(t: Translator) -> Iterator[Rendering]:
    join = how_to_get_added(t)
    yield "home for someone on no roster", home_view(None, t, how_to_join=join)
    yield "help for someone on no roster", help_text(t, None, how_to_join=join)
    for coordinator in (True, False):
        for page in (0, 3):
            data = replace(full_home(coordinator=coordinator, page=page), followups=_followups(),
                           ledger=_ledger_lines() if coordinator else ())
            yield f"home (coordinator={coordinator}, page={page})", home_view(data, t, how_to_join=join)
        data = full_home(coordinator=coordinator)
        yield "help", help_text(t, data, how_to_join=join)
        yield "status", status_blocks(data, t)
    for side in Side:  # OAuth mode: a coordinator of each side learns how to link the partnership
        yield f"help with linking ({side})", help_text(t, replace(full_home(coordinator=True), side=side),
                                                       how_to_join=join, linking=True)
    single = replace(full_home(), roles_by_partnership=(("深职院–华为", frozenset({Role.TEACHER})),))
    yield "home with one partnership", home_view(single, t, how_to_join=join)
    yield "followups, none", followup_blocks(Followups((), 0, (), keeps_checklists=True), t)
    full = replace(full_home(), followups=_followups())
    exchanges = tuple(ExchangeItem(n, "C0PARTNER", "王芳" * 100, Direction.ENTERPRISE_TO_SCHOOL, "信息学院" * 50,
                                   date(2027, 4, 1), date(2027, 9, 30), True) for n in range(8))
    meetings = tuple(MeetingItem(n, "2027年第一季度校企合作座谈会 " * 20, datetime(2027, 4, 1, 6, tzinfo=UTC),
                                 "Asia/Shanghai", "C0PARTNER") for n in range(8))
    yield "my tasks, full", tasks_modal(Tasks(full, exchanges, meetings), t, how_to_join=join)
    yield "my tasks, nothing", tasks_modal(Tasks(replace(full_home(), sections={
        s: Page(s, (), 0, 0) for s in Section}, followups=None), (), ()), t, how_to_join=join)
    yield "my tasks, on no roster", tasks_modal(None, t, how_to_join=join)
    outsiders = tuple(Outsider(f"U0EXT{n}", "李强" * 60, n % 2 == 0, n % 3 == 0) for n in range(10))
    with_outsiders = replace(full_home(), outsiders=outsiders, outsider_total=40)
    yield "home with external people and guests", home_view(with_outsiders, t, how_to_join=join)
    yield "coopbot panel", panel_message(1, "深圳职业技术大学–华为技术有限公司校企合作项目" * 30, t)


def _linking(t: Translator) -> Iterator[Rendering]:
    """OAuth mode: linking a partnership to both organizations' installations (bot.installs, handlers/links.py)."""
    from handlers import links as handlers_links

    name, college, enterprise = "深职院–华为" * 20, "深圳职业技术大学" * 20, "华为技术有限公司" * 20
    both = linking.Links((linking.Invitation(1, name, college),),
                         (linking.ToLink(2, name, enterprise, None),
                          linking.ToLink(3, name, enterprise, datetime(2027, 4, 1, tzinfo=UTC))))
    yield "link blocks", link_blocks(both, t)
    yield "home with links", home_view(full_home(coordinator=True), t, how_to_join=how_to_get_added(t), links=both)
    yield "invitation DM", invitation_text(name, college, t)
    yield "accepted DM", accepted_text(name, enterprise, t)
    yield "link: single-token mode", handlers_links.single_token(t)
    for again in (False, True):
        yield f"linked (again={again})", handlers_links.linked_text(name, enterprise, again, t)
    yield "accepted here", handlers_links.accepted_here_text(name, college, t)
    errors = [linking.NotYourWorkspace("x"), linking.LinkedElsewhere("x"), linking.AlreadyLinked("x"),
              linking.HostInstallation("x"), linking.NoInvitation("x"), linking.SeveralInvitations("x"),
              NotFound("x"), NotAllowed("x"), NotOnRoster("U1")]
    for refuse in (handlers_links.link_refusal, handlers_links.accept_refusal):
        for error in errors:
            yield f"{refuse.__name__} {error!r}", refuse(error, t)


def _followups() -> Followups:
    flagged = tuple(MissingCompliance(n, 1, "张伟", "S2024003", "U0TEACHER", date(2027, 3, 1), tuple(ComplianceItem),
                                      n % 2 == 0) for n in range(1, 6))
    evaluation = _evaluation()
    evaluations = (EvaluationItem("欧阳娜娜", "S2024001", date(2027, 3, 1), None),
                   EvaluationItem("张伟", "S2024003", date(2027, 3, 1), evaluation))
    waiting = tuple(ToEvaluate(n, "王芳", f"S20240{n:02d}", date(2027, 3, 1)) for n in range(1, 6))
    return Followups(flagged, 9, evaluations, keeps_checklists=True, to_evaluate=waiting, to_evaluate_total=9)


def _intern(n: int = 1) -> InternSnapshot:
    return InternSnapshot(n, "欧阳娜娜", f"S20240{n:02d}", "软件测试", "深职院–华为", "zh_CN", date(2026, 9, 1),
                          date(2027, 3, 1), "U0TEACHER", "U0MENTOR")


def _evaluation(comments: str | None = "踏实肯干，安全意识强") -> EvaluationSnapshot:
    grades = dict.fromkeys(("attendance", "professional_skills", "attitude", "safety_awareness", "teamwork"),
                           Grade.GOOD)
    return EvaluationSnapshot(1, grades, comments, True, "U0MENTOR", "李强", AT)


def _internships(t: Translator) -> Iterator[Rendering]:
    intern = _intern()
    yield "evaluation modal", internship_forms.evaluation_modal(intern, t)
    yield "evaluation errors", internship_forms.parse_evaluation({}, t)
    for reminder in (False, True):
        yield f"evaluation request (reminder={reminder})", internship_messages.evaluation_request(intern, t,
                                                                                                  reminder=reminder)
    item = internship_messages.RequestItem
    cohorts = {
        "one, done": [item(intern, 0, _evaluation())],
        "one, reminded": [item(intern, 1)],
        "several": [item(_intern(n), 0) for n in range(1, 4)],
        "several, reminded, some done": [item(_intern(1), 1, _evaluation()), item(_intern(2), 1)],
        "several, all done": [item(_intern(n), 0, _evaluation()) for n in range(1, 4)],
    }
    for what, items in cohorts.items():
        yield f"evaluation requests, {what}", internship_messages.evaluation_requests(items, t)
    for evaluation in (_evaluation(), _evaluation(comments=None)):
        yield "teacher notice", internship_messages.teacher_notice(intern, evaluation, t)
        yield "evaluation lines", internship_messages.evaluation_lines(evaluation, t)


def _checklist(n: int, *, minor: bool, known: bool, ticked: frozenset[ComplianceItem]) -> Checklist:
    return Checklist(n, "欧阳娜娜", f"S20240{n:02d}", date(2027, 3, 1), date(2027, 8, 31), minor, known, ticked,
                     tuple(ComplianceItem))


def _compliance(t: Translator) -> Iterator[Rendering]:
    checklists = [_checklist(n, minor=n % 2 == 0, known=n % 3 != 0, ticked=frozenset(list(ComplianceItem)[:n % 6]))
                  for n in range(1, 100)]
    for shown in (checklists[:3], checklists):
        yield f"checklist chooser ({len(shown)} interns)", compliance_forms.chooser_modal(shown, t)
    for c in checklists[:6]:
        yield "checklist modal", compliance_forms.checklist_modal(c, t)
        yield "checklist summary", compliance_forms.summary_text(c, t)


def _administration(t: Translator) -> Iterator[Rendering]:
    choices = [PartnershipChoice(pid, name, "C0PARTNER", date(2027, 3, 5)) for pid, name in PARTNERSHIPS]
    for listed in (choices[:1], choices):
        yield "setup modal", admin_forms.setup_modal(t, "C0PARTNER", listed)
    yield "administration menu", admin_forms.menu_modal(t, choices)
    marked = [replace(c, external=12, guests=3) for c in choices]
    yield "administration menu with external people and guests", admin_forms.menu_modal(t, marked)
    for action in admin_forms.FORM_CALLBACKS:
        yield f"administration form {action}", admin_forms.form_modal(action, t, choices[0])
    problems = [RosterProblem(field, code, side=side, role=role, student_ids=ids)
                for field in ("teacher", "mentor", "roles")
                for code in ("unknown_person", "wrong_side", "missing_role", "supervises", "side_change")
                for side in (Side.SCHOOL.value, Side.ENTERPRISE.value)
                for role in (Role.TEACHER.value, Role.MENTOR.value)
                for ids in (("S2024001",), ("S2024001", "S2024002", "S2024003", "S2024004"))]
    yield "roster errors", admin_forms.errors({f"b{n}": p for n, p in enumerate(problems)}, t)
    blocks = ("slack_user_id", "name", "email", "side", "roles", "student_id", "position", "teacher", "mentor",
              "start_date", "end_date", "birth_date", "intern", "reason", "partnership", "unknown")
    codes = ("missing", "invalid", "student_exists", "nothing_chosen", "before_start", "not_earlier",
             "birth_after_start", "bad_channel", "channel_taken", "last_coordinator", "shared_person", "side_fixed")
    yield "field errors", admin_forms.errors({f"{b}/{c}": c for b in blocks for c in codes}, t)
    yield "field errors by block", [admin_forms.field_error(b, c, t) for b in blocks for c in codes]
    for error in CHANNEL_ERRORS | DM_REFUSALS | {"not_allowed_token_type"}:
        for conversation in ("C0PARTNER", "U0TEACHER"):
            yield f"delivery notice {error} {conversation}", _how_to_fix(t, error, conversation)
    for prefix in ("exchange_review", "exchange_assess", "exchange_edit", "internship_evaluate", "problem_ack",
                   "meeting_rsvp", "home_other"):
        line = neutral_line(OutboxKind.POST, [{"type": "actions", "elements": [{"action_id": prefix}]}], "U0MENTOR", t)
        yield f"held DM announcement {prefix}", announcement(7, line, t)
    yield "held file announcement", announcement(8, neutral_line(OutboxKind.UPLOAD, None, "U0MENTOR", t), t)
    link = "https://coop.example.edu/files/8.1800000000.abc"
    for held in (HeldView("x", [{"type": "section", "text": {"type": "mrkdwn", "text": "您好"}}], None, None),
                 HeldView("您的人员交流证明", [], "人员交流证明 COOP-2027-0001.pdf", link),
                 HeldView("您的人员交流证明", [], "人员交流证明 COOP-2027-0001.pdf", None)):
        yield f"held details {held.filename} {held.link}", details_modal(held, t)


def _refusals(t: Translator) -> Iterator[Rendering]:
    errors = [NotOnRoster("U1"), NotAllowed("x"), NotFound("x"), DatabaseBusy(), InvalidTransition("resolved"),
              InvalidInput("field", "code"), *(NotAllowed(a.value) for a in Action),
              *(InvalidTransition(s.value) for s in ProblemStatus),
              *(InvalidTransition(s.value) for s in ExchangeStatus),
              *(InvalidTransition(s) for s in ("cancelled", "held", "recorded", "done", "scheduled", "resubmitted",
                                               ONGOING)),
              AlreadyDecided("U0COORDS"), AlreadyEvaluated("U0MENTOR")]
    for refuse in (refusal, problem_refusal, exchange_refusal, meeting_refusal, evaluation_refusal,
                   only_coordinators, only_teachers, language_refusal, held_refusal):
        for error in errors:
            yield f"{refuse.__name__} {error!r}", refuse(error, t)
    for unavailable in (LetterUnavailable(missing=("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",)),
                        LetterUnavailable(characters="\U00030000")):  # only confirming an exchange makes one
        yield f"exchange_refusal {unavailable!r}", exchange_refusal(unavailable, t)
    for field in ("item1_owner", "minutes", "title", "start_time"):
        yield f"meeting input error {field}", _input_error(field, "missing", t)
    yield "not mine", _not_mine(t)



def _cooperation_numbers(t: Translator) -> Iterator[Rendering]:
    """Colleges and deans, the placement plan, recruitment (issue 22)."""
    from bot.digests.messages import college_digest, rate_words
    from bot.plans.college import CollegePicture, PartnershipGlance
    from bot.plans.messages import shortfall_notice
    from bot.plans.numbers import Hiring, PlacementRow
    from bot.recruitment import forms as recruitment_forms
    from bot.recruitment import messages as recruitment_messages
    from bot.recruitment.snapshot import Candidate, EvaluationResult, OpeningSnapshot, RecommendationSnapshot
    from handlers.recruitment import recruitment_refusal
    from models.recruitment import RecommendationStatus

    rows = (PlacementRow(1, "深职院–华为", "2027 春季", date(2027, 3, 1), date(2027, 6, 30), "HW-SW", "软件技术 <b>",
                         "软件测试", "华为鸿蒙订单班", 20, 12),
            PlacementRow(1, "深职院–华为", "2027 春季", date(2027, 3, 1), date(2027, 6, 30), "HW-HW", "电子信息",
                         "硬件装配", None, 10, 10))
    hired, none = Hiring(1, 2, 5, 8, 3, 2, 4, 1), Hiring(1)
    glance = PartnershipGlance(1, "深职院–华为", "C0PARTNER", 30, {s: 2 for s in Severity}, 22, 30, 2)
    quiet = PartnershipGlance(2, "深职院–腾讯", "C0OTHER", 0, {s: 0 for s in Severity}, 0, 0, 0)
    picture = CollegePicture("深圳职业技术大学", (glance, quiet), hired)
    for figures in (hired, none):
        for this_year in (True, False):
            yield f"rate words {figures} {this_year}", rate_words(figures, t, this_year=this_year)
    yield "college digest", college_digest(picture, t)
    yield "college digest, no hires", college_digest(replace(picture, hiring=none, partnerships=()), t)
    yield "shortfall notice", shortfall_notice("深职院–华为", "2027 春季", list(rows), t)
    join = how_to_get_added(t)
    for coordinator in (True, False):
        data = replace(full_home(coordinator=coordinator), colleges=(picture,), placement=rows)
        yield f"home with a college and a plan ({coordinator})", home_view(data, t, how_to_join=join)
        yield f"help of a dean ({coordinator})", help_text(t, data, how_to_join=join)
    dean = replace(full_home(coordinator=False), roles_by_partnership=(), colleges=(picture,))
    yield "home of a dean", home_view(dean, t, how_to_join=join)
    yield "home of a dean, empty college", home_view(replace(dean, colleges=(replace(picture, partnerships=()),)),
                                                     t, how_to_join=join)
    digest = digest_data.DigestData(1, "深职院–华为", "C0PARTNER", "Asia/Shanghai", t.language, digest_data.Window(
        datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 8, tzinfo=UTC), date(2027, 3, 8)))
    digest.placement, digest.hiring = list(rows), hired
    yield "digest with placement and hiring", digest_message(digest, t)
    for partnerships in (PARTNERSHIPS[:1], PARTNERSHIPS):
        yield f"opening modal {len(partnerships)}", recruitment_forms.opening_modal(partnerships, t)
    yield "opening errors", recruitment_forms.parse_opening({}, "{}", t)
    opening = OpeningSnapshot(1, 1, "深职院–华为", "C0PARTNER", t.language, "测试工程师 <!channel>", "软件测试", 3,
                              date(2027, 7, 1), "转正后签订劳动合同 & 五险一金", "U0COORDE")
    best = Candidate(1, "欧阳娜娜", "S2024002", "硬件装配", EvaluationResult((Grade.EXCELLENT,) * 4 + (Grade.GOOD,)))
    unevaluated = Candidate(2, LONG_NAME, "S2024001", "软件测试", None)
    yield "recommend modal", recruitment_forms.recommend_modal(opening, [best, unevaluated], t)
    yield "recommend modal, nobody left", recruitment_forms.recommend_modal(opening, [], t)
    yield "opening post", recruitment_messages.opening_post(opening, t)
    yield "opening post without description", recruitment_messages.opening_post(replace(opening, description=None), t)
    for status in RecommendationStatus:
        rec = RecommendationSnapshot(1, opening, best, "U0COORDS", status)
        yield f"recommendation DM {status}", recruitment_messages.recommendation_dm(rec, t)
    yield "recommendation DM, not evaluated", recruitment_messages.recommendation_dm(
        RecommendationSnapshot(2, opening, unevaluated, "U0COORDS", RecommendationStatus.RECOMMENDED), t)
    for error in (NotAllowed("record_hire"), NotAllowed("post_opening"), NotAllowed("recommend_intern"),
                  InvalidInput("interns", "required"), NotFound("opening 1")):
        yield f"recruitment refusal {error!r}", recruitment_refusal(error, t)
def _reviews(t: Translator) -> Iterator[Rendering]:
    """The quarterly review pack with something in every section (the charts' words are in the catalog)."""
    from collections import Counter

    from models.cooperation import ApplicationStatus, EntryKind, Ownership
    from models.exchange import Direction
    from models.meeting import MeetingStatus
    from models.problem import Category, Severity

    quarters = (Quarter(2026, 2), Quarter(2026, 3), Quarter(2026, 4), Quarter(2027, 1))
    data = review_data.PackData(
        title=LONG_NAME, today=date(2027, 3, 5), timezone="Asia/Shanghai",
        partnerships=(review_data.ScopePartnership(1, "深职院–华为", "深圳职业技术大学", "华为技术有限公司",
                                                   date(2025, 1, 1), date(2028, 1, 1)),),
        quarters=quarters, by_category={q: Counter({Category.SAFETY: 2, Category.PAY: 1}) for q in quarters},
        by_severity={q: Counter({Severity.P1: 1, Severity.P3: 2}) for q in quarters},
        ack_days=dict.fromkeys(quarters, 1.5) | {quarters[0]: None}, resolve_days=dict.fromkeys(quarters, 3.0),
        exchange_months={q: {Direction.SCHOOL_TO_ENTERPRISE: 2.0, Direction.ENTERPRISE_TO_SCHOOL: 0.5}
                         for q in quarters},
        practice=(PracticeRecord("U0TEACHER", LONG_NAME, 2.5, date(2022, 3, 5), date(2027, 3, 5)),
                  PracticeRecord("U0COORDS", "陈静", 7.0, date(2022, 3, 5), date(2027, 3, 5))),
        meetings=(review_data.MeetingLine("深职院–华为", "2027年第一季度校企合作座谈会", date(2027, 3, 1),
                                          MeetingStatus.SCHEDULED, 4, 3, 4),),
        open_items=(review_data.ItemLine("深职院–华为", "修订实习方案", "王芳", date(2027, 3, 1), True),),
        new_entries=(review_data.EntryLine("深职院–华为", EntryKind.JOINT_PROJECT, "省级产教融合项目申报",
                                           date(2027, 1, 10), date(2027, 4, 1), ApplicationStatus.SUBMITTED,
                                           None, None, None),
                     review_data.EntryLine("深职院–华为", EntryKind.COURSE, "工业互联网教材", date(2027, 1, 12),
                                           None, None, Ownership.JOINT, None, None),
                     review_data.EntryLine("深职院–华为", EntryKind.STAFF_TRAINING, "员工培训", date(2027, 2, 1),
                                           None, None, None, 30, 16)))
    fonts = letter_fonts.load(letter_fonts.DEFAULT_FONTS)
    families = review_charts.font_families(letter_fonts.DEFAULT_FONTS)
    yield "review pack PDF", pdf_text(render_pack(data, t, fonts, families))
    yield "review pack title", pack_title(data, t)
    from bot.cooperation import forms as ledger_forms
    from bot.cooperation.agreement import renewal_message
    from bot.cooperation.service import deadline_text

    two = [(1, "深职院–华为"), (2, "Other College–Acme")]
    yield "ledger modal", ledger_forms.ledger_modal(two, t, date(2027, 3, 5))
    yield "ledger errors", dict(ledger_forms.parse_entry({}, "", t))
    yield "agreement modal", ledger_forms.agreement_modal(two, t, {1: (date(2025, 7, 1), date(2028, 6, 30),
                                                                       ["https://example.org/a.pdf"])})
    bad = {"signed_on": {"v": {"type": "datepicker", "selected_date": "2025-07-01"}},
           "ends_on": {"v": {"type": "datepicker", "selected_date": "2025-01-01"}},
           "links": {"v": {"type": "plain_text_input", "value": "ftp://x"}}}
    yield "agreement errors", dict(ledger_forms.parse_agreement(bad, '{"partnership": 1}', t))  # type: ignore[arg-type]
    for code in ledger_forms.ERROR_WORDS:
        yield f"ledger error {code}", ledger_forms.error_words(code, t)
    yield "ledger deadline", deadline_text("省级产教融合项目申报", "深职院–华为", date(2027, 4, 1), 14, t)
    yield "agreement renewal", renewal_message("深职院–华为", date(2027, 6, 30), 30, ["https://example.org/a.pdf"], t)


def _ledger_lines() -> tuple[Any, ...]:
    from bot.home.data import LedgerLine
    from models.cooperation import EntryKind

    return (LedgerLine("深职院–华为", EntryKind.JOINT_PROJECT, "省级产教融合项目申报 <!channel>", date(2027, 1, 10),
                       date(2027, 4, 1)),
            LedgerLine("深职院–华为", EntryKind.CONSULTANCY, LONG_NAME, date(2027, 2, 1), None))


def _installations(t: Translator) -> Iterator[Rendering]:
    for stopped in (True, False):
        yield f"installation notice stopped={stopped}", installation_notice(t, "华为技术有限公司", "深职院–华为",
                                                                            stopped=stopped)
