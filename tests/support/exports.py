"""A small roster with one record of each kind, written straight to the database, for export tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.storage.db import Database
from models.cooperation import EntryKind, LedgerEntry, Ownership
from models.exchange import Direction, Exchange, ExchangeStatus, Purpose
from models.internship import Grade, InternshipEvaluation
from models.meeting import Meeting, MeetingStatus
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Membership, Partnership, Person, Role, Side

EVIL = '=HYPERLINK("http://evil.example","点我")'
WHEN = datetime(2027, 7, 2, 1, 30, tzinfo=UTC)


def seed(db: Database) -> None:
    with db.transaction() as session:
        partnership = Partnership(name="深职院–华为", school="深圳职业技术大学", enterprise="华为", channel_id="C0X",
                                  timezone="Asia/Shanghai")
        teacher = Person(slack_user_id="U0T", name="王芳", side=Side.SCHOOL)
        mentor = Person(slack_user_id="U0M", name="李强", side=Side.ENTERPRISE, slack_team_id="T0HUAWEI",
                        is_external=True)
        session.add_all([Membership(person=teacher, partnership=partnership, role=Role.TEACHER),
                         Membership(person=teacher, partnership=partnership, role=Role.COORDINATOR),
                         Membership(person=mentor, partnership=partnership, role=Role.MENTOR)])
        ended = Intern(student_id="S1", name="张伟", partnership=partnership, teacher=teacher, mentor=mentor,
                       start_date=date(2026, 9, 1), end_date=date(2027, 6, 30), position="软件测试")
        waiting = Intern(student_id="S2", name="欧阳娜娜", partnership=partnership, teacher=teacher, mentor=mentor,
                         start_date=date(2026, 9, 1), end_date=date(2027, 6, 30), position="硬件装配")
        going = Intern(student_id="S3", name="李雷", partnership=partnership, teacher=teacher, mentor=mentor,
                       start_date=date(2026, 9, 1), end_date=date(2099, 6, 30), position="@装配")
        session.add_all([ended, waiting, going])
        session.add(Problem(partnership=partnership, intern=ended, reporter=teacher, category=Category.SAFETY,
                            severity=Severity.P1, status=ProblemStatus.OPEN, description=EVIL,
                            occurred_on=date(2027, 3, 1), created_at=WHEN))
        session.add(Exchange(partnership=partnership, person=teacher, requester=teacher,
                             direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit="华为 2012 实验室",
                             purpose=Purpose.PRODUCTION_PRACTICE, start_date=date(2027, 1, 4),
                             end_date=date(2027, 4, 2), confidentiality_acknowledged_at=WHEN,
                             status=ExchangeStatus.PENDING, review_round=1, created_at=WHEN, updated_at=WHEN))
        session.add(Meeting(partnership=partnership, organiser=mentor, title="季度会议 +1", starts_at=WHEN,
                            duration_minutes=60, location="线上", status=MeetingStatus.SCHEDULED, quarter="2027Q3",
                            ics_uid="meeting-1@coopbot.test"))
        session.add(InternshipEvaluation(
            intern=ended, evaluator=mentor, attendance=Grade.EXCELLENT, professional_skills=Grade.GOOD,
            attitude=Grade.EXCELLENT, safety_awareness=Grade.PASS, teamwork=Grade.FAIL,
            comments="-踏实肯干", certificate_issued=True, source_key="view:V1", created_at=WHEN))
        session.add(LedgerEntry(partnership=partnership, kind=EntryKind.COURSE, title="+工业互联网教材",
                                started_on=date(2027, 3, 1), ownership=Ownership.JOINT, created_by=teacher,
                                created_at=WHEN))
