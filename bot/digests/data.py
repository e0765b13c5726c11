"""What a digest says, read for many partnerships at once in a fixed number of queries.

Every section is one aggregate or windowed query over all the partnerships asked for (grouped or
partitioned by partnership), so a digest costs the same twelve round trips for one partnership with
three problems as for fifty with thousands. Periods and "today" differ per partnership (timezones),
so they enter the SQL as a CASE on the partnership id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, String, and_, case, cast, false, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.compliance.service import MissingCompliance, missing_compliance_many
from bot.plans.numbers import Hiring, PlacementRow, hiring, placement
from models.base import UTCDateTime
from models.delivery import SlackMessage
from models.exchange import Exchange, ExchangeStatus
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingStatus
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Partnership, Person

TOP = 5  # items listed per section; the rest are counted
ENDING_WITHIN = timedelta(days=30)
# Not decided yet: awaiting a decision (PENDING), or sent back and awaiting the requester's edit.
PENDING_EXCHANGES = (ExchangeStatus.PENDING, ExchangeStatus.CHANGES_REQUESTED)
# What the digest lists: not decided yet, approved (coming up, until the start date makes it active), under way.
LISTED_EXCHANGES = (*PENDING_EXCHANGES, ExchangeStatus.APPROVED, ExchangeStatus.ACTIVE)


@dataclass(frozen=True)
class Window:
    """The period one partnership's digest covers, and its local today."""

    since: datetime
    until: datetime
    today: date


@dataclass(frozen=True)
class Link:
    """Where an item lives in Slack: its message (if we posted it and know the ts) or the channel."""

    channel: str
    ts: str | None


@dataclass(frozen=True)
class ProblemLine:
    id: int
    intern: str
    student_id: str
    category: Category
    severity: Severity
    created_at: datetime
    link: Link


@dataclass(frozen=True)
class ExchangeLine:
    id: int
    person: str
    host_unit: str
    start_date: date
    end_date: date
    link: Link


@dataclass(frozen=True)
class MeetingLine:
    id: int
    title: str
    starts_at: datetime
    link: Link


@dataclass(frozen=True)
class ActionLine:
    id: int
    owner: str  # Slack user id
    text: str
    due_date: date
    link: Link


@dataclass(frozen=True)
class InternLine:
    name: str
    student_id: str
    end_date: date


@dataclass
class Counts:
    opened: int = 0
    resolved: int = 0
    open: int = 0


@dataclass
class DigestData:
    partnership_id: int
    name: str
    channel_id: str
    timezone: str
    language: str
    window: Window
    by_category: dict[Category, Counts] = field(default_factory=dict)
    by_severity: dict[Severity, Counts] = field(default_factory=dict)
    oldest_open: list[ProblemLine] = field(default_factory=list)
    exchanges: dict[str, list[ExchangeLine]] = field(default_factory=dict)  # bucket → first items
    exchange_counts: dict[str, int] = field(default_factory=dict)
    next_meeting: MeetingLine | None = None
    action_items: list[ActionLine] = field(default_factory=list)
    action_item_count: int = 0
    ending: list[InternLine] = field(default_factory=list)
    ending_count: int = 0
    compliance: list[MissingCompliance] = field(default_factory=list)  # interns flagged, all of them
    # School-side reports, counted only: the digest is posted where the enterprise reads it
    # (docs/decisions/0009-who-sees-what.md). They are in no other count or list.
    school_side: Counts = field(default_factory=Counts)
    placement: list[PlacementRow] = field(default_factory=list)  # the plan periods running today
    hiring: Hiring | None = None  # recruitment in the period, and the employment rate of its cohort

    @property
    def totals(self) -> Counts:
        total = Counts()
        for counts in self.by_severity.values():
            total.opened += counts.opened
            total.resolved += counts.resolved
            total.open += counts.open
        return total


def collect(session: Session, windows: dict[int, Window], default_timezone: str) -> dict[int, DigestData]:
    """The digest of each partnership in `windows`, in twelve queries whatever the data."""
    if not windows:
        return {}
    ids = list(windows)
    digests = {
        p.id: DigestData(p.id, p.name, p.channel_id, p.timezone or default_timezone, p.language, windows[p.id])
        for p in session.scalars(select(Partnership).where(Partnership.id.in_(ids)).order_by(Partnership.id))
    }
    _problem_counts(session, digests)
    _oldest_open(session, digests)
    _exchanges(session, digests)
    _next_meetings(session, digests)
    _action_items(session, digests)
    _internships_ending(session, digests)
    for pid, flagged in missing_compliance_many(session, {i: d.window.today for i, d in digests.items()}).items():
        digests[pid].compliance = flagged
    _plans_and_hiring(session, digests)
    return digests


def _plans_and_hiring(session: Session, digests: dict[int, DigestData]) -> None:
    """Placed/planned of the plan periods running on each partnership's today, and recruitment over the digest's
    days (bot.plans.numbers: four queries). The days are taken as one range for every partnership, from the
    earliest local first day to the latest local last day (they differ only by timezone)."""
    ids = list(digests)
    todays = [d.window.today for d in digests.values()]
    for row in placement(session, ids, (min(todays), max(todays))):
        today = digests[row.partnership_id].window.today
        if row.start_date <= today <= row.end_date:
            digests[row.partnership_id].placement.append(row)
    first = min(d.window.since.astimezone(ZoneInfo(d.timezone)).date() for d in digests.values())
    last = max((d.window.until - timedelta(microseconds=1)).astimezone(ZoneInfo(d.timezone)).date()
               for d in digests.values())
    for pid, figures in hiring(session, ids, (first, last)).items():
        digests[pid].hiring = figures


def _per_partnership(column: Any, values: dict[int, Any], type_: Any) -> ColumnElement[Any]:
    """A per-partnership constant (a period start, a local today) as SQL: CASE partnership_id WHEN …"""
    return case({pid: literal(value, type_) for pid, value in values.items()}, value=column)


def _message(key_prefix: str, id_column: Any) -> Any:
    """An outer-join target: the SlackMessage posted under "<prefix>:<id>", if any."""
    return SlackMessage.key == literal(key_prefix + ":", String()) + cast(id_column, String)


def _problem_counts(session: Session, digests: dict[int, DigestData]) -> None:
    since = _per_partnership(Problem.partnership_id, {i: d.window.since for i, d in digests.items()}, UTCDateTime())
    until = _per_partnership(Problem.partnership_id, {i: d.window.until for i, d in digests.items()}, UTCDateTime())
    opened = func.sum(case((and_(Problem.created_at >= since, Problem.created_at < until), 1), else_=0))
    resolved = func.sum(case((and_(Problem.status == ProblemStatus.RESOLVED, Problem.resolved_at >= since,
                                   Problem.resolved_at < until), 1), else_=0))
    still_open = func.sum(case((Problem.status != ProblemStatus.RESOLVED, 1), else_=0))
    rows = session.execute(
        select(Problem.partnership_id, Problem.category, Problem.severity, Problem.school_only, opened, resolved,
               still_open)
        .where(Problem.partnership_id.in_(list(digests)))
        .group_by(Problem.partnership_id, Problem.category, Problem.severity, Problem.school_only))
    for pid, category, severity, school_only, n_opened, n_resolved, n_open in rows:
        digest = digests[pid]
        if school_only:
            digest.school_side.opened += int(n_opened or 0)
            digest.school_side.resolved += int(n_resolved or 0)
            digest.school_side.open += int(n_open or 0)
            continue
        for bucket in (digest.by_category.setdefault(category, Counts()),
                       digest.by_severity.setdefault(severity, Counts())):
            bucket.opened += int(n_opened or 0)
            bucket.resolved += int(n_resolved or 0)
            bucket.open += int(n_open or 0)


def _oldest_open(session: Session, digests: dict[int, DigestData]) -> None:
    rank = func.row_number().over(partition_by=Problem.partnership_id,
                                  order_by=(Problem.created_at, Problem.id)).label("rn")
    ranked = (select(Problem.id, Problem.partnership_id, Problem.category, Problem.severity, Problem.created_at,
                     Intern.name, Intern.student_id, rank)
              .join(Intern, Intern.id == Problem.intern_id)
              .where(Problem.partnership_id.in_(list(digests)), Problem.status != ProblemStatus.RESOLVED,
                     Problem.school_only.is_(false()))
              .subquery())
    rows = session.execute(
        select(ranked, SlackMessage.channel, SlackMessage.ts)
        .outerjoin(SlackMessage, _message("problem", ranked.c.id))
        .where(ranked.c.rn <= TOP).order_by(ranked.c.partnership_id, ranked.c.rn))
    for row in rows:
        digest = digests[row.partnership_id]
        digest.oldest_open.append(ProblemLine(row.id, row.name, row.student_id, row.category, row.severity,
                                              row.created_at, Link(row.channel or digest.channel_id, row.ts)))


def _exchanges(session: Session, digests: dict[int, DigestData]) -> None:
    """Exchanges not yet decided, approved but not started ("upcoming", soonest start first), under way, and
    at or past their end ("due"): the first few of each kind per partnership, and how many."""
    today = _per_partnership(Exchange.partnership_id, {i: d.window.today for i, d in digests.items()}, Date())
    upcoming = and_(Exchange.status == ExchangeStatus.APPROVED, Exchange.start_date > today)
    bucket = case((Exchange.status == ExchangeStatus.PENDING, literal("pending")),
                  (Exchange.status == ExchangeStatus.CHANGES_REQUESTED, literal("changes")),
                  (upcoming, literal("upcoming")),
                  (Exchange.end_date <= today, literal("due")), else_=literal("active"))
    soonest = case((upcoming, Exchange.start_date), else_=Exchange.end_date)
    ranked = (select(Exchange.id, Exchange.partnership_id, Exchange.host_unit, Exchange.start_date,
                     Exchange.end_date, Person.name.label("person"), bucket.label("bucket"),
                     func.row_number().over(partition_by=(Exchange.partnership_id, bucket),
                                            order_by=(soonest, Exchange.id)).label("rn"),
                     func.count().over(partition_by=(Exchange.partnership_id, bucket)).label("total"))
              .join(Person, Person.id == Exchange.person_id)
              .where(Exchange.partnership_id.in_(list(digests)), Exchange.status.in_(LISTED_EXCHANGES))
              .subquery())
    rows = session.execute(
        select(ranked, SlackMessage.channel, SlackMessage.ts)
        .outerjoin(SlackMessage, _message("exchange", ranked.c.id))
        .where(ranked.c.rn <= TOP).order_by(ranked.c.partnership_id, ranked.c.bucket, ranked.c.rn))
    for row in rows:
        digest = digests[row.partnership_id]
        digest.exchange_counts[row.bucket] = int(row.total)
        digest.exchanges.setdefault(row.bucket, []).append(
            ExchangeLine(row.id, row.person, row.host_unit, row.start_date, row.end_date,
                         Link(row.channel or digest.channel_id, row.ts)))


def _next_meetings(session: Session, digests: dict[int, DigestData]) -> None:
    until = _per_partnership(Meeting.partnership_id, {i: d.window.until for i, d in digests.items()}, UTCDateTime())
    ranked = (select(Meeting.id, Meeting.partnership_id, Meeting.title, Meeting.starts_at,
                     func.row_number().over(partition_by=Meeting.partnership_id,
                                            order_by=(Meeting.starts_at, Meeting.id)).label("rn"))
              .where(Meeting.partnership_id.in_(list(digests)), Meeting.status == MeetingStatus.SCHEDULED,
                     Meeting.starts_at >= until)
              .subquery())
    rows = session.execute(select(ranked, SlackMessage.channel, SlackMessage.ts)
                           .outerjoin(SlackMessage, _message("meeting", ranked.c.id)).where(ranked.c.rn == 1))
    for row in rows:
        digest = digests[row.partnership_id]
        digest.next_meeting = MeetingLine(row.id, row.title, row.starts_at,
                                          Link(row.channel or digest.channel_id, row.ts))


def _action_items(session: Session, digests: dict[int, DigestData]) -> None:
    ranked = (select(ActionItem.id, ActionItem.text, ActionItem.due_date, Meeting.partnership_id,
                     Person.slack_user_id,
                     func.row_number().over(partition_by=Meeting.partnership_id,
                                            order_by=(ActionItem.due_date, ActionItem.id)).label("rn"),
                     func.count().over(partition_by=Meeting.partnership_id).label("total"))
              .join(Meeting, Meeting.id == ActionItem.meeting_id)
              .join(Person, Person.id == ActionItem.owner_id)
              .where(Meeting.partnership_id.in_(list(digests)), ActionItem.status == ActionItemStatus.OPEN)
              .subquery())
    rows = session.execute(select(ranked, SlackMessage.channel, SlackMessage.ts)
                           .outerjoin(SlackMessage, _message("action_item", ranked.c.id))
                           .where(ranked.c.rn <= TOP).order_by(ranked.c.partnership_id, ranked.c.rn))
    for row in rows:
        digest = digests[row.partnership_id]
        digest.action_item_count = int(row.total)
        digest.action_items.append(ActionLine(row.id, row.slack_user_id, row.text, row.due_date,
                                              Link(row.channel or digest.channel_id, row.ts)))


def _internships_ending(session: Session, digests: dict[int, DigestData]) -> None:
    today = _per_partnership(Intern.partnership_id, {i: d.window.today for i, d in digests.items()}, Date())
    horizon = _per_partnership(Intern.partnership_id,
                               {i: d.window.today + ENDING_WITHIN for i, d in digests.items()}, Date())
    ranked = (select(Intern.partnership_id, Intern.name, Intern.student_id, Intern.end_date,
                     func.row_number().over(partition_by=Intern.partnership_id,
                                            order_by=(Intern.end_date, Intern.name)).label("rn"),
                     func.count().over(partition_by=Intern.partnership_id).label("total"))
              .where(Intern.partnership_id.in_(list(digests)),
                     Intern.end_date >= today, Intern.end_date <= horizon)
              .subquery())
    rows = session.execute(select(ranked).where(ranked.c.rn <= TOP)
                           .order_by(ranked.c.partnership_id, ranked.c.rn))
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.partnership_id].append(row)
    for pid, found in grouped.items():
        digests[pid].ending_count = int(found[0].total)
        digests[pid].ending = [InternLine(r.name, r.student_id, r.end_date) for r in found]
