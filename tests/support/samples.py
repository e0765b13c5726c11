"""Snapshots and homes with long, realistic content in every state, for the rendering tests (no database
needed): problems, exchanges, meetings and App Homes.

Long names, units and comments make the texts around them as long as they get, so a limit broken by a
translation shows up here rather than in front of a user.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from bot.exchanges.practice import PracticeRecord
from bot.exchanges.snapshot import AssessmentView, DecisionView, ExchangeSnapshot
from bot.home.data import (
    PAGE_SIZE,
    ActionItemLine,
    EndingItem,
    ExchangeItem,
    HomeData,
    InternItem,
    MeetingItem,
    Overview,
    Page,
    ProblemItem,
    Section,
)
from bot.meetings.snapshot import ActionItemSnapshot, InviteeSnapshot, MeetingSnapshot
from bot.permissions import Action
from bot.problems.snapshot import ProblemSnapshot
from models.exchange import DecisionKind, Direction, ExchangeStatus, Purpose, Rating
from models.meeting import ActionItemStatus, MeetingStatus, Rsvp
from models.problem import Category, ProblemStatus, Severity
from models.roster import Role, Side

# --- exchanges and meetings ----------------------------------------------------------------------
AT = datetime(2027, 3, 5, 1, 0, tzinfo=UTC)
LONG_NAME = "欧阳娜娜 Ouyang Nana <!channel> & co " * 4


def exchange(**changes: Any) -> ExchangeSnapshot:
    base = ExchangeSnapshot(
        id=123456, partnership_id=1, partnership_name="深圳职业技术大学–华为技术有限公司校企合作项目",
        school="深圳职业技术大学", enterprise="华为技术有限公司", channel_id="C0PARTNER", timezone="Asia/Shanghai",
        language="en", person="U0TEACHER", person_name=LONG_NAME, requester="U0TEACHER", requester_name=LONG_NAME,
        direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit="华为 2012 实验室 <b>" * 10,
        purpose=Purpose.CURRICULUM, start_date=date(2027, 4, 1), end_date=date(2027, 9, 30),
        expected_outcomes="完成一个测试平台" * 400, status=ExchangeStatus.PENDING, review_round=3, decisions={},
        assessments={}, approvers={Side.SCHOOL: ("U0COORDS",), Side.ENTERPRISE: ("U0MENTOR", "U0COORDE")},
        confirmed_by=None, letter_number=None, created_at=AT)
    return replace(base, **changes)


def decision(side: Side, kind: DecisionKind, user: str = "U0COORDS", comment: str | None = "请补充计划" * 300
             ) -> DecisionView:
    return DecisionView(side, user, LONG_NAME, kind, comment if kind != DecisionKind.APPROVE else None, AT)


def assessment(side: Side, rating: Rating = Rating.EXCELLENT) -> AssessmentView:
    return AssessmentView(side, "U0MENTOR", LONG_NAME, rating, "认真负责" * 500, AT)


def every_exchange() -> Iterator[ExchangeSnapshot]:
    """Every status, both directions, every decision and rating."""
    for direction in Direction:
        for purpose in Purpose:
            yield exchange(direction=direction, purpose=purpose)
    school, enterprise = Side.SCHOOL, Side.ENTERPRISE
    yield exchange(decisions={school: decision(school, DecisionKind.APPROVE)})
    yield exchange(status=ExchangeStatus.CHANGES_REQUESTED, decisions={
        school: decision(school, DecisionKind.APPROVE),
        enterprise: decision(enterprise, DecisionKind.REQUEST_CHANGES, "U0MENTOR")})
    yield exchange(status=ExchangeStatus.REJECTED, decisions={school: decision(school, DecisionKind.REJECT)})
    both = {school: decision(school, DecisionKind.APPROVE), enterprise: decision(enterprise, DecisionKind.APPROVE,
                                                                                "U0MENTOR")}
    yield exchange(status=ExchangeStatus.APPROVED, decisions=both)
    yield exchange(status=ExchangeStatus.ACTIVE, decisions=both, assessments={school: assessment(school)})
    for rating in Rating:
        if rating != Rating.FAIL:  # a Fail ends the exchange: never assessed and awaiting a letter
            rated = {school: assessment(school, rating), enterprise: assessment(enterprise, rating)}
            yield exchange(status=ExchangeStatus.ASSESSED, decisions=both, assessments=rated)
    for failing in (school, enterprise):  # ended by either side's Fail, the other side assessed or not
        yield exchange(status=ExchangeStatus.FAILED, decisions=both, assessments={failing: assessment(failing,
                                                                                                    Rating.FAIL)})
        yield exchange(status=ExchangeStatus.FAILED, decisions=both, assessments={
            side: assessment(side, Rating.FAIL if side == failing else Rating.GOOD) for side in (school, enterprise)})
    yield exchange(status=ExchangeStatus.COMPLETED, decisions=both, confirmed_by="U0COORDE",
                   letter_number="COOP-2027-0001", assessments={school: assessment(school),
                                                                enterprise: assessment(enterprise)})
    yield exchange(status=ExchangeStatus.CANCELLED)


def meeting(**changes: Any) -> MeetingSnapshot:
    invitees = tuple(InviteeSnapshot(f"U0PERSON{i:02d}", f"Person {i}", None,
                                     (Rsvp.GOING, Rsvp.MAYBE, Rsvp.DECLINED, None)[i % 4]) for i in range(40))
    base = MeetingSnapshot(
        id=98765, partnership_id=1, partnership_name="深圳职业技术大学–华为技术有限公司校企合作项目",
        channel_id="C0PARTNER", timezone="Asia/Shanghai", language="en",
        title="2027 年第一季度校企合作工作会议 <!here> & review " * 5, starts_at=AT, duration_minutes=90,
        location="深圳市南山区华为坂田基地 B 区 3 楼会议室 https://meet.example.com/abc" * 8,
        agenda="实习生安全、薪酬与岗位匹配" * 200, status=MeetingStatus.SCHEDULED, quarter="2027Q1",
        organiser="U0COORDS", organiser_name=LONG_NAME, organiser_email=None, ics_uid="uid@coopbot", ics_sequence=2,
        minutes=None, invitees=invitees, action_items=())
    return replace(base, **changes)


def action_item(**changes: Any) -> ActionItemSnapshot:
    base = ActionItemSnapshot(
        id=555, meeting_id=98765, meeting_title="2027 年第一季度校企合作工作会议 <!here>" * 5, partnership_id=1,
        channel_id="C0PARTNER", language="en", owner="U0MENTOR", owner_name=LONG_NAME, text="整理实习岗位清单" * 125,
        due_date=date(2027, 3, 31), status=ActionItemStatus.OPEN, done_at=None)
    return replace(base, **changes)


def every_meeting() -> Iterator[MeetingSnapshot]:
    yield meeting()
    yield meeting(invitees=(), agenda=None, location=None, duration_minutes=1)
    yield meeting(invitees=tuple(InviteeSnapshot("U0ONE", "One", None, Rsvp.GOING) for _ in range(1)))
    items = (action_item(), action_item(id=556, status=ActionItemStatus.DONE, done_at=AT))
    yield meeting(status=MeetingStatus.HELD, minutes="会议纪要" * 750, action_items=items)
    yield meeting(status=MeetingStatus.HELD, minutes="会议纪要", action_items=items[:1])
    yield meeting(status=MeetingStatus.CANCELLED)


# --- problems ------------------------------------------------------------------------------------
def sample(**changes: Any) -> ProblemSnapshot:
    """A problem with long, realistic content, so the texts around it are measured at their worst."""
    base = ProblemSnapshot(
        id=123456, partnership_id=1, partnership_name="深圳职业技术大学–华为技术有限公司校企合作项目",
        channel_id="C0PARTNER",
        timezone="Asia/Shanghai", language="en", intern_name="欧阳娜娜" * 10, student_id="S2024001" * 4,
        category=Category.PAY, severity=Severity.P1, status=ProblemStatus.OPEN, description="工资被拖欠" * 600,
        occurred_on=date(2027, 3, 5), actions_taken="已与企业人事沟通" * 300, reporter="U0TEACHER",
        teacher="U0TEACHER", mentor="U0MENTOR", created_at=datetime(2027, 3, 5, 1, 0, tzinfo=UTC),
        acknowledged_by=None, acknowledged_at=None, resolved_by=None, resolved_at=None, resolution=None,
        update_count=0, coordinators=("U0COORDS", "U0COORDE"))
    return replace(base, **changes)


def every_problem_state() -> Iterator[ProblemSnapshot]:
    for category in Category:
        for severity in Severity:
            yield sample(category=category, severity=severity)
    now = datetime(2027, 3, 6, tzinfo=UTC)
    yield sample(status=ProblemStatus.ACKNOWLEDGED, acknowledged_by="U0MENTOR", acknowledged_at=now, update_count=1)
    yield sample(status=ProblemStatus.RESOLVED, resolved_by="U0COORDS", resolved_at=now, resolution="已解决" * 900,
                 update_count=2)
    yield sample(status=ProblemStatus.REOPENED, update_count=3)


# --- App Homes: every list full, every text at its longest -----------------------------------------
def _problem(n: int, step: Action | None) -> ProblemItem:
    return ProblemItem(100000 + n, "C0PARTNER", "欧阳娜娜" * 10, "S2024001" * 4, list(Category)[n % len(Category)],
                       list(Severity)[n % 4], list(ProblemStatus)[n % 4], "工资被拖欠" * 600, AT, step)


def _items(section: Section) -> tuple[object, ...]:
    if section in (Section.AWAITING, Section.PROBLEMS, Section.OVERDUE):
        steps = (Action.ACKNOWLEDGE_PROBLEM, Action.RESOLVE_PROBLEM, None)
        return tuple(_problem(n, steps[n % 3]) for n in range(PAGE_SIZE))
    if section == Section.INTERNS:
        return tuple(InternItem(n, "欧阳娜娜" * 50, "S2024001" * 8, "软件测试" * 50, date(2027, 6, 30), n,
                                enterprise="华为技术有限公司" * 20 + f" {n % 3}", ended=n >= PAGE_SIZE - 2,
                                several_enterprises=True) for n in range(PAGE_SIZE))
    if section == Section.ENDING:
        return tuple(EndingItem("欧阳娜娜" * 50, "S2024001" * 8, date(2027, 6, 30)) for _ in range(PAGE_SIZE))
    return tuple(ExchangeItem(n, "C0PARTNER", "王芳" * 100, Direction.SCHOOL_TO_ENTERPRISE, "华为" * 100,
                              date(2027, 4, 1), date(2027, 9, 30), n % 2 == 0) for n in range(PAGE_SIZE))


def full_home(*, coordinator: bool = True, page: int = 3, language_choice: str | None = None) -> HomeData:
    sections = {s: Page(s, _items(s), page, 1000) for s in Section}
    if not coordinator:
        for s in (Section.OVERDUE, Section.ENDING):
            del sections[s]
    overview = Overview({s: 1000 for s in Severity}, 1000, 1000, 1000) if coordinator else None
    roles = frozenset(Role) if coordinator else frozenset({Role.TEACHER, Role.MENTOR})
    return HomeData(
        user="U0COORDS", name="陈静" * 80, side=Side.SCHOOL, language_choice=language_choice,
        roles_by_partnership=((("深圳职业技术大学–华为技术有限公司校企合作项目" * 3), roles),) * 10,
        teaches=True, mentors=True,
        quick_actions=frozenset({Action.REPORT_PROBLEM, Action.REQUEST_EXCHANGE, Action.SCHEDULE_MEETING}),
        sections=sections, overview=overview,
        meetings=tuple(MeetingItem(n, "2027年第一季度校企合作座谈会 " * 20, AT, "Asia/Shanghai", "C0PARTNER")
                       for n in range(5)),
        action_items=tuple(ActionItemLine(n, "整理实习生安全培训材料" * 100, date(2027, 4, 1), "座谈会" * 50)
                           for n in range(5)),
        action_item_total=40,
        practice=PracticeRecord("U0COORDS", "陈静", 2.5, date(2022, 3, 5), date(2027, 3, 5)))
