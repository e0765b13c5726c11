"""Snapshots with long, realistic content in every state, for the rendering tests (no database needed).

Long names, units and comments make the texts around them as long as they get, so a limit broken by a
translation shows up here rather than in front of a user.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from bot.exchanges.snapshot import AssessmentView, DecisionView, ExchangeSnapshot
from bot.meetings.snapshot import ActionItemSnapshot, InviteeSnapshot, MeetingSnapshot
from models.exchange import DecisionKind, Direction, ExchangeStatus, Purpose, Rating
from models.meeting import ActionItemStatus, MeetingStatus, Rsvp
from models.roster import Side

AT = datetime(2027, 3, 5, 1, 0, tzinfo=UTC)
LONG_NAME = "欧阳娜娜 Ouyang Nana <!channel> & co" * 4


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
        rated = {school: assessment(school, rating), enterprise: assessment(enterprise, rating)}
        yield exchange(status=ExchangeStatus.ASSESSED, decisions=both, assessments=rated)
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
