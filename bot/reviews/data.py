"""What the quarterly review pack shows, read for a scope of partnerships (one, or several: a college) in a
constant number of set-based queries, however many partnerships the scope has.

Placed against planned and recruitment come from bot.plans.numbers (the same numbers App Home and the digests
show): the plan lines of the plans running in the current quarter, and openings to hires over the four quarters
(up to `today`).

The pack looks back over the last four quarters (the quarter of `today` and the three before it), in the
timezone of the scope's first partnership. Every number here is plain data; the charts and the layout are
bot.reviews.charts and bot.reviews.pack.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.exchanges.practice import PracticeRecord, practice_ledger
from bot.plans.numbers import Hiring, PlacementRow, combined, hiring, placement
from bot.quarters import Quarter, local_midnight
from models.cooperation import Agreement, ApplicationStatus, EntryKind, LedgerEntry, Ownership
from models.exchange import Direction, Exchange, ExchangeStatus
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingStatus, Rsvp
from models.problem import Category, Problem, Severity
from models.roster import Membership, Partnership, Person, Role, Side

QUARTERS = 4
DAY = timedelta(days=1)
# Exchanges that happened (or are happening): what counts as exchange months.
TAKING_PLACE = (ExchangeStatus.APPROVED, ExchangeStatus.ACTIVE, ExchangeStatus.ASSESSED, ExchangeStatus.COMPLETED)
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class ScopePartnership:
    id: int
    name: str
    school: str
    enterprise: str
    agreement_signed: date | None = None
    agreement_ends: date | None = None


@dataclass(frozen=True)
class MeetingLine:
    partnership: str
    title: str
    day: date
    status: MeetingStatus
    invited: int
    going: int
    answered: int


@dataclass(frozen=True)
class ItemLine:
    partnership: str
    text: str
    owner: str
    due: date
    overdue: bool


@dataclass(frozen=True)
class EntryLine:
    partnership: str
    kind: EntryKind
    title: str
    started_on: date
    deadline: date | None
    status: ApplicationStatus | None
    ownership: Ownership | None
    trainees: int | None
    hours: int | None


@dataclass(frozen=True)
class PackData:
    """The numbers of one pack. Quarters are oldest first; dicts keyed by `Quarter`."""

    title: str
    today: date
    timezone: str
    partnerships: tuple[ScopePartnership, ...]
    quarters: tuple[Quarter, ...]
    by_category: dict[Quarter, Counter[Category]]
    by_severity: dict[Quarter, Counter[Severity]]
    ack_days: dict[Quarter, float | None]  # median days from report to acknowledgement, of that quarter's reports
    resolve_days: dict[Quarter, float | None]  # median days from report to resolution
    exchange_months: dict[Quarter, dict[Direction, float]]  # person-months spent on exchanges in the quarter
    practice: tuple[PracticeRecord, ...]  # the scope's college teachers, furthest from the rule first
    meetings: tuple[MeetingLine, ...]
    open_items: tuple[ItemLine, ...]
    new_entries: tuple[EntryLine, ...]  # ledger entries logged in the current quarter
    # Placed against planned, per plan line, of the plans running in the current quarter (bot.plans.numbers).
    placement: tuple[PlacementRow, ...] = ()
    # Recruitment over the four quarters, per partnership (every partnership of the scope has an entry), and
    # the employment rate of the interns whose internship ended in them.
    hiring: dict[int, Hiring] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # what other section loaders add (by name)

    @property
    def quarter(self) -> Quarter:
        return self.quarters[-1]

    def problems_in(self, quarter: Quarter) -> int:
        return sum(self.by_severity[quarter].values())

    @property
    def hiring_total(self) -> Hiring:
        return combined(list(self.hiring.values()))

    @property
    def placed_planned(self) -> tuple[int, int]:
        return sum(r.placed for r in self.placement), sum(r.planned for r in self.placement)

    @property
    def practice_met(self) -> int:
        return sum(r.met for r in self.practice)


def load(session: Session, partnership_ids: Sequence[int], title: str, today: date,
         default_timezone: str = "UTC") -> PackData:
    """The pack's numbers for `partnership_ids`: a fixed number of queries whatever their count."""
    ids = list(dict.fromkeys(partnership_ids))
    rows = session.execute(select(Partnership, Agreement).outerjoin(
        Agreement, Agreement.partnership_id == Partnership.id).where(Partnership.id.in_(ids))).all()
    found = {p.id: (p, a) for p, a in rows}
    ordered = [found[i] for i in ids if i in found]
    zone = (ordered[0][0].timezone if ordered else None) or default_timezone
    names = {p.id: p.name for p, _ in ordered}
    quarters = [Quarter.of(today)]
    while len(quarters) < QUARTERS:
        quarters.insert(0, quarters[0].previous())
    since = local_midnight(quarters[0].first_day, zone)
    bounds = [(q, local_midnight(q.first_day, zone), local_midnight(q.next().first_day, zone)) for q in quarters]

    def quarter_of(moment: datetime) -> Quarter | None:
        return next((q for q, start, end in bounds if start <= moment < end), None)

    by_category: dict[Quarter, Counter[Category]] = {q: Counter() for q in quarters}
    by_severity: dict[Quarter, Counter[Severity]] = {q: Counter() for q in quarters}
    acks: dict[Quarter, list[float]] = {q: [] for q in quarters}
    resolves: dict[Quarter, list[float]] = {q: [] for q in quarters}
    problems = session.execute(select(
        Problem.created_at, Problem.category, Problem.severity, Problem.acknowledged_at, Problem.resolved_at)
        # School-side reports are the college's alone (decision 0009), and the pack is shared where the
        # enterprise reads it (the meeting's thread in the partnership's channel): they are not in it.
        .where(Problem.partnership_id.in_(ids), Problem.created_at >= since, Problem.school_only.is_(False)))
    for created, category, severity, acknowledged, resolved in problems:
        quarter = quarter_of(created)
        if quarter is None:
            continue
        by_category[quarter][category] += 1
        by_severity[quarter][severity] += 1
        if acknowledged is not None:
            acks[quarter].append((acknowledged - created) / DAY)
        if resolved is not None:
            resolves[quarter].append((resolved - created) / DAY)

    months: dict[Quarter, dict[Direction, float]] = {q: dict.fromkeys(Direction, 0.0) for q in quarters}
    exchanges = session.execute(select(Exchange.direction, Exchange.start_date, Exchange.end_date).where(
        Exchange.partnership_id.in_(ids), Exchange.status.in_(TAKING_PLACE),
        Exchange.end_date >= quarters[0].first_day, Exchange.start_date <= quarters[-1].last_day))
    for direction, first, last in exchanges:
        for q in quarters:
            overlap = (min(last, q.last_day) - max(first, q.first_day)).days + 1
            if overlap > 0:
                months[q][direction] += overlap / DAYS_PER_MONTH

    teacher_ids = list(session.scalars(select(Person.id).join(Membership, Membership.person_id == Person.id)
                                       .distinct().where(Membership.partnership_id.in_(ids),
                                                         Membership.role == Role.TEACHER, Person.side == Side.SCHOOL)))
    practice = practice_ledger(session, today, person_ids=teacher_ids) if teacher_ids else []
    practice.sort(key=lambda r: (r.months, r.name))

    meetings = session.scalars(select(Meeting).options(selectinload(Meeting.invitees)).where(
        Meeting.partnership_id.in_(ids), Meeting.starts_at >= since, Meeting.status != MeetingStatus.CANCELLED)
        .order_by(Meeting.starts_at, Meeting.id)).all()
    meeting_lines = [MeetingLine(
        names[m.partnership_id], m.title, m.starts_at.astimezone(ZoneInfo(zone)).date(), m.status, len(m.invitees),
        sum(i.rsvp == Rsvp.GOING for i in m.invitees), sum(i.rsvp is not None for i in m.invitees))
        for m in meetings]
    items = session.execute(select(ActionItem.text, ActionItem.due_date, Person.name, Meeting.partnership_id)
                            .join(Meeting, Meeting.id == ActionItem.meeting_id)
                            .join(Person, Person.id == ActionItem.owner_id)
                            .where(Meeting.partnership_id.in_(ids), ActionItem.status == ActionItemStatus.OPEN)
                            .order_by(ActionItem.due_date, ActionItem.id))
    item_lines = [ItemLine(names[pid], text, owner, due, due < today) for text, due, owner, pid in items]

    entries = session.scalars(select(LedgerEntry).where(
        LedgerEntry.partnership_id.in_(ids), LedgerEntry.created_at >= bounds[-1][1])
        .order_by(LedgerEntry.started_on, LedgerEntry.id)).all()
    entry_lines = [EntryLine(names[e.partnership_id], e.kind, e.title, e.started_on, e.deadline, e.status,
                             e.ownership, e.trainees, e.hours) for e in entries]

    # Four queries, whatever the scope's size (bot.plans.numbers).
    scope = [p.id for p, _ in ordered]
    lines = placement(session, scope, (quarters[-1].first_day, quarters[-1].last_day)) if scope else []
    # Up to today: an internship that ends later this quarter has not ended, so is not in the rate's cohort yet.
    recruitment = hiring(session, scope, (quarters[0].first_day, today)) if scope else {}

    return PackData(
        title=title, today=today, timezone=zone,
        partnerships=tuple(ScopePartnership(p.id, p.name, p.school, p.enterprise,
                                            a.signed_on if a else None, a.ends_on if a else None)
                           for p, a in ordered),
        quarters=tuple(quarters), by_category=by_category, by_severity=by_severity,
        ack_days={q: _median(acks[q]) for q in quarters}, resolve_days={q: _median(resolves[q]) for q in quarters},
        exchange_months={q: {d: round(v, 1) for d, v in months[q].items()} for q in quarters},
        practice=tuple(practice), meetings=tuple(meeting_lines), open_items=tuple(item_lines),
        new_entries=tuple(entry_lines), placement=tuple(lines), hiring=recruitment)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None
