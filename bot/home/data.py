"""What a person's App Home and `/coop status` show, read in one session in a fixed number of queries.

Each list is one query that returns one page and, through a window count, how long the whole list is;
so a coordinator of hundreds of interns and problems costs the same dozen round trips as a new
teacher. Which buttons a person gets is decided here from the permission matrix (`allows` over the
relations derived from the rows already loaded), never from what a button or page value says.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import ColumnElement

from bot.exchanges.practice import PracticeRecord, practice_of
from bot.home.followups import Followups, load_followups
from bot.permissions import Action, Relation, Subject, allows, relations_given
from bot.plans.college import CollegePicture, college_pictures, current_placement, dean_colleges
from bot.plans.numbers import PlacementRow
from bot.problems.escalation import overdue
from models.cooperation import EntryKind, LedgerEntry
from models.exchange import Direction, Exchange, ExchangeDecision, ExchangeStatus
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingStatus
from models.problem import AWAITING_ACKNOWLEDGEMENT, Category, Problem, ProblemStatus, Severity
from models.roster import Intern, Membership, Partnership, Person, Role, Side

PAGE_SIZE = 8  # items per list and page: every list at its longest still fits Slack's 100 blocks
ACTION_ITEMS_SHOWN = 5
ENDING_WITHIN = timedelta(days=30)
QUICK_ACTIONS = (Action.REPORT_PROBLEM, Action.REQUEST_EXCHANGE, Action.SCHEDULE_MEETING, Action.POST_OPENING)


class Section(enum.StrEnum):
    """The paged lists of a home; a "Show more" button carries `<section>:<page>`."""

    AWAITING = "awaiting"  # problems waiting for the viewer's acknowledgement (their interns')
    PROBLEMS = "problems"  # the viewer's other open problems (theirs to resolve, or reported by them)
    INTERNS = "interns"  # the interns the viewer teaches or mentors: current ones first (by enterprise), ended last
    OVERDUE = "overdue"  # coordinators: unacknowledged past the escalation deadline
    APPROVALS = "approvals"  # pending exchanges: all of a coordinator's partnerships', else awaiting the viewer
    ENDING = "ending"  # coordinators: internships ending within 30 days


@dataclass(frozen=True)
class ProblemItem:
    id: int
    channel_id: str
    intern_name: str
    student_id: str
    category: Category
    severity: Severity
    status: ProblemStatus
    description: str
    created_at: datetime
    next_step: Action | None  # ACKNOWLEDGE_PROBLEM or RESOLVE_PROBLEM if the viewer may take it


@dataclass(frozen=True)
class InternItem:
    id: int
    name: str
    student_id: str
    position: str
    end_date: date
    open_problems: int
    enterprise: str = ""
    ended: bool = False  # before today on the partnership's clock: listed after every current intern
    several_enterprises: bool = False  # the viewer's current interns are at more than one: grouped by it


@dataclass(frozen=True)
class ExchangeItem:
    id: int
    channel_id: str
    person_name: str
    direction: Direction
    host_unit: str
    start_date: date
    end_date: date
    can_review: bool


@dataclass(frozen=True)
class EndingItem:
    name: str
    student_id: str
    end_date: date


@dataclass(frozen=True)
class MeetingItem:
    id: int
    title: str
    starts_at: datetime
    timezone: str
    channel_id: str


@dataclass(frozen=True)
class ActionItemLine:
    id: int
    text: str
    due_date: date
    meeting_title: str


@dataclass(frozen=True)
class Outsider:
    """Someone of a coordinated partnership whom Slack shows as of another organization, or as a guest: they
    cannot use slash commands, and start everything from the channel's panel."""

    slack_user_id: str
    name: str
    external: bool
    guest: bool


@dataclass(frozen=True)
class Page:
    section: Section
    items: tuple[Any, ...]
    page: int
    total: int

    @property
    def first(self) -> int:
        return self.page * PAGE_SIZE + 1

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * PAGE_SIZE < self.total


@dataclass(frozen=True)
class Overview:
    """A coordinator's partnerships at a glance."""

    open_by_severity: dict[Severity, int]
    overdue: int
    pending_approvals: int
    ending_soon: int


@dataclass(frozen=True)
class LedgerLine:
    partnership: str
    kind: EntryKind
    title: str
    started_on: date
    deadline: date | None


@dataclass(frozen=True)
class HomeData:
    user: str
    name: str
    side: Side
    language_choice: str | None
    roles_by_partnership: tuple[tuple[str, frozenset[Role]], ...]  # (partnership name, roles there), by name
    teaches: bool  # some intern's teacher
    mentors: bool  # some intern's mentor
    quick_actions: frozenset[Action]
    sections: dict[Section, Page]
    overview: Overview | None
    meetings: tuple[MeetingItem, ...]
    action_items: tuple[ActionItemLine, ...]
    action_item_total: int
    practice: PracticeRecord | None = field(default=None)
    followups: Followups | None = field(default=None)  # checklist gaps, internship evaluations
    colleges: tuple[CollegePicture, ...] = ()  # a dean's colleges, read-only
    placement: tuple[PlacementRow, ...] = ()  # placed/planned in the partnerships the viewer coordinates

    @property
    def college(self) -> CollegePicture | None:
        return self.colleges[0] if self.colleges else None
    ledger: tuple[LedgerLine, ...] = ()  # a coordinator's newest cooperation ledger entries (bot/cooperation)
    outsiders: tuple[Outsider, ...] = ()  # coordinators: their partnerships' external people and guests
    outsider_total: int = 0

    @property
    def partnerships(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.roles_by_partnership)

    @property
    def roles(self) -> frozenset[Role]:
        """The roles held in any partnership."""
        return frozenset(role for _, roles in self.roles_by_partnership for role in roles)

    @property
    def coordinates(self) -> bool:
        return Role.COORDINATOR in self.roles


@dataclass
class _Viewer:
    person: Person
    roles: dict[int, set[Role]]  # partnership id → roles there
    zones: dict[int, str]  # partnership id → timezone
    channels: dict[int, str]

    def held(self, subject: Subject) -> set[Relation]:
        return relations_given(self.person, self.roles.get(subject.partnership_id, set()), subject)

    @property
    def coordinated(self) -> list[int]:
        return [pid for pid, roles in self.roles.items() if Role.COORDINATOR in roles]


def load_home(session: Session, slack_user_id: str, *, now: datetime, default_timezone: str = "UTC",
              pages: dict[Section, int] | None = None, with_practice: bool = False) -> HomeData | None:
    """The person's home; None when they are on no roster (they see only how to get added)."""
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    if person is None:
        return None
    viewer = _viewer(session, person, default_timezone)
    deans_of = dean_colleges(session, person.id)
    if not viewer.roles and not deans_of:
        return None
    pages = pages or {}
    teaches, mentors = _supervises(session, person)
    sections: dict[Section, Page] = {}

    def paged(section: Section, loader: Any) -> None:
        sections[section] = _page(section, pages.get(section, 0), loader)

    if teaches or mentors:
        paged(Section.AWAITING, lambda off: _awaiting(session, viewer, off))
    paged(Section.PROBLEMS, lambda off: _problems(session, viewer, off))
    if teaches or mentors:
        paged(Section.INTERNS, lambda off: _interns(session, viewer, now, default_timezone, off))
    overview = None
    if viewer.coordinated:
        paged(Section.OVERDUE, lambda off: _overdue(session, viewer, now, off))
        paged(Section.ENDING, lambda off: _ending(session, viewer, now, off))
        overview = _overview(session, viewer, now, sections)
    paged(Section.APPROVALS, lambda off: _approvals(session, viewer, off))
    if overview is not None:
        overview = Overview(overview.open_by_severity, overview.overdue, sections[Section.APPROVALS].total,
                            overview.ending_soon)
    items, item_total = _action_items(session, person)
    quick = frozenset(a for a in QUICK_ACTIONS
                      if any(allows(a, viewer.held(Subject(pid))) for pid in viewer.roles))
    named = session.execute(select(Partnership.id, Partnership.name).where(Partnership.id.in_(list(viewer.roles)))
                            .order_by(Partnership.name)).all()
    roles_by_partnership = tuple((name, frozenset(viewer.roles[pid])) for pid, name in named)
    today = now.astimezone(ZoneInfo(default_timezone)).date()
    taught = [pid for pid, roles in viewer.roles.items() if Role.TEACHER in roles] if teaches else []
    mentored = [pid for pid, roles in viewer.roles.items() if Role.MENTOR in roles] if mentors else []
    followups = load_followups(session, person_id=person.id, slack_user_id=slack_user_id,
                               coordinated=viewer.coordinated, taught=taught, zones=viewer.zones, now=now,
                               mentored=mentored)
    outsiders, outsider_total = _outsiders(session, viewer) if viewer.coordinated else ((), 0)
    return HomeData(
        outsiders=outsiders, outsider_total=outsider_total,
        user=slack_user_id, name=person.name, side=Side(person.side), language_choice=person.locale,
        roles_by_partnership=roles_by_partnership, teaches=teaches, mentors=mentors, quick_actions=quick,
        sections=sections, overview=overview,
        meetings=_next_meetings(session, viewer, now), action_items=items, action_item_total=item_total,
        practice=practice_of(session, slack_user_id, today) if with_practice else None, followups=followups,
        colleges=tuple(college_pictures(session, deans_of, today)),
        placement=tuple(current_placement(session, viewer.coordinated, today)),
        ledger=_ledger(session, list(viewer.coordinated)) if viewer.coordinated else ())


LEDGER_LINES = 5


def _ledger(session: Session, coordinated: list[int]) -> tuple[LedgerLine, ...]:
    """The newest entries of the ledgers the person keeps, in one query."""
    rows = session.execute(select(LedgerEntry.kind, LedgerEntry.title, LedgerEntry.started_on, LedgerEntry.deadline,
                                  Partnership.name).join(Partnership, Partnership.id == LedgerEntry.partnership_id)
                           .where(LedgerEntry.partnership_id.in_(coordinated))
                           .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()).limit(LEDGER_LINES))
    return tuple(LedgerLine(name, kind, title, started, deadline) for kind, title, started, deadline, name in rows)


# --- the viewer -----------------------------------------------------------------------------------------
Viewer = _Viewer  # what other readers of a person's work (bot.home.tasks) are given


def viewer_of(session: Session, person: Person, default_timezone: str) -> _Viewer:
    """The person with their roles, timezones and channels by partnership (what "My tasks" reads with)."""
    return _viewer(session, person, default_timezone)


def _viewer(session: Session, person: Person, default_timezone: str) -> _Viewer:
    viewer = _Viewer(person, {}, {}, {})
    rows = session.execute(select(Membership.partnership_id, Membership.role, Partnership.timezone,
                                  Partnership.channel_id)
                           .join(Partnership, Partnership.id == Membership.partnership_id)
                           .where(Membership.person_id == person.id))
    for pid, role, zone, channel in rows:
        viewer.roles.setdefault(pid, set()).add(Role(role))
        viewer.zones[pid] = zone or default_timezone
        viewer.channels[pid] = channel
    return viewer


def _supervises(session: Session, person: Person) -> tuple[bool, bool]:
    teaches = exists().where(Intern.teacher_id == person.id)
    mentors = exists().where(Intern.mentor_id == person.id)
    teaching, mentoring = session.execute(select(teaches, mentors)).one()
    return bool(teaching), bool(mentoring)


# --- paging -------------------------------------------------------------------------------------------
def _page(section: Section, page: int, loader: Any) -> Page:
    """One page of a list; a page past the end (the list shrank, or a forged value) shows the last one."""
    page = max(0, min(page, 10_000))
    items, total = loader(page * PAGE_SIZE)
    if not items and page > 0:
        items, total = loader(0)
        page = (total - 1) // PAGE_SIZE if total > PAGE_SIZE else 0
        if page:
            items, total = loader(page * PAGE_SIZE)
    return Page(section, tuple(items), page, total)


def _paged_rows(session: Session, stmt: Any, offset: int) -> tuple[list[Any], int]:
    rows = list(session.execute(stmt.add_columns(func.count().over().label("total")).limit(PAGE_SIZE)
                                .offset(offset)))
    return rows, int(rows[0].total) if rows else 0


# --- problems -------------------------------------------------------------------------------------------
def _problem_items(viewer: _Viewer, rows: list[Any]) -> list[ProblemItem]:
    items = []
    for row in rows:
        problem, intern = row.Problem, row.Intern
        held = viewer.held(Subject(problem.partnership_id, intern=intern, problem=problem))
        step = None
        if problem.status in AWAITING_ACKNOWLEDGEMENT and allows(Action.ACKNOWLEDGE_PROBLEM, held):
            step = Action.ACKNOWLEDGE_PROBLEM
        elif problem.status != ProblemStatus.RESOLVED and allows(Action.RESOLVE_PROBLEM, held):
            step = Action.RESOLVE_PROBLEM
        items.append(ProblemItem(problem.id, viewer.channels.get(problem.partnership_id, ""), intern.name,
                                 intern.student_id, problem.category, problem.severity, problem.status,
                                 problem.description, problem.created_at, step))
    return items


def _problem_select(viewer: _Viewer) -> Any:
    return (select(Problem, Intern).join(Intern, Intern.id == Problem.intern_id).where(_visible(viewer.person))
            .order_by(Problem.severity, Problem.created_at, Problem.id))


def _visible(person: Person, problem: Any = Problem) -> ColumnElement[bool]:
    """The problems the person may know of: school-side reports are not there for enterprise people, not
    even as a count (docs/decisions/0009-who-sees-what.md)."""
    return true() if person.side == Side.SCHOOL else problem.school_only.is_(false())


def _awaits_me(person: Person) -> ColumnElement[bool]:
    return and_(Problem.status.in_(AWAITING_ACKNOWLEDGEMENT),
                or_(Intern.mentor_id == person.id, Intern.teacher_id == person.id))


def _awaiting(session: Session, viewer: _Viewer, offset: int) -> tuple[list[ProblemItem], int]:
    rows, total = _paged_rows(session, _problem_select(viewer).where(_awaits_me(viewer.person)), offset)
    return _problem_items(viewer, rows), total


def _problems(session: Session, viewer: _Viewer, offset: int) -> tuple[list[ProblemItem], int]:
    me = viewer.person.id
    # A union of two index lookups (problem.reporter_id; intern.teacher_id/mentor_id, then
    # problem.intern_id): as `reporter_id = me OR intern.teacher_id = me OR …` across the join, both
    # databases scanned every problem of every partnership (100 ms at 200,000 problems).
    supervised = (select(Problem.id).join(Intern, Intern.id == Problem.intern_id)
                  .where(or_(Intern.teacher_id == me, Intern.mentor_id == me)))
    mine = Problem.id.in_(select(Problem.id).where(Problem.reporter_id == me).union(supervised))
    stmt = _problem_select(viewer).where(Problem.status != ProblemStatus.RESOLVED, mine, ~_awaits_me(viewer.person))
    rows, total = _paged_rows(session, stmt, offset)
    return _problem_items(viewer, rows), total


def _overdue(session: Session, viewer: _Viewer, now: datetime, offset: int) -> tuple[list[ProblemItem], int]:
    stmt = _problem_select(viewer).where(Problem.partnership_id.in_(viewer.coordinated), overdue(now))
    rows, total = _paged_rows(session, stmt, offset)
    return _problem_items(viewer, rows), total


def _overview(session: Session, viewer: _Viewer, now: datetime, sections: dict[Section, Page]) -> Overview:
    rows = session.execute(select(Problem.severity, func.count()).where(
        Problem.partnership_id.in_(viewer.coordinated), Problem.status != ProblemStatus.RESOLVED,
        _visible(viewer.person))
        .group_by(Problem.severity))
    by_severity = {severity: 0 for severity in Severity}
    for severity, count in rows:
        by_severity[Severity(severity)] = int(count)
    return Overview(by_severity, sections[Section.OVERDUE].total, 0, sections[Section.ENDING].total)


# --- interns --------------------------------------------------------------------------------------------
def _interns(session: Session, viewer: _Viewer, now: datetime, default_timezone: str,
             offset: int) -> tuple[list[InternItem], int]:
    """The interns the viewer teaches or mentors: those still interning first, by enterprise and name; then
    those whose internship has ended, the most recent first. One query, whatever the page."""
    me = viewer.person.id
    days = {pid: literal(now.astimezone(ZoneInfo(zone)).date(), Date()) for pid, zone in viewer.zones.items()}
    today = case(days, value=Intern.partnership_id,
                 else_=literal(now.astimezone(ZoneInfo(default_timezone)).date(), Date()))
    ended = Intern.end_date < today
    current_enterprise = case((ended, None), else_=Partnership.enterprise)
    problem = aliased(Problem)
    open_count = (select(func.count()).where(problem.intern_id == Intern.id, problem.status != ProblemStatus.RESOLVED,
                                             _visible(viewer.person, problem))
                  .correlate(Intern).scalar_subquery())
    stmt = (select(Intern.id, Intern.name, Intern.student_id, Intern.position, Intern.end_date,
                   open_count.label("open_problems"), Partnership.enterprise, ended.label("ended"),
                   (func.min(current_enterprise).over() != func.max(current_enterprise).over()).label("several"))
            .join(Partnership, Partnership.id == Intern.partnership_id)
            .where(or_(Intern.teacher_id == me, Intern.mentor_id == me))
            .order_by(ended, current_enterprise, case((ended, Intern.end_date)).desc(), Intern.name,
                      Intern.student_id))
    rows, total = _paged_rows(session, stmt, offset)
    return [InternItem(r.id, r.name, r.student_id, r.position, r.end_date, int(r.open_problems), r.enterprise,
                       bool(r.ended), bool(r.several)) for r in rows], total


def _local_today(viewer: _Viewer, now: datetime, column: Any) -> Any:
    """Today on each coordinated partnership's wall clock, as SQL (CASE partnership_id WHEN …)."""
    days = {pid: now.astimezone(ZoneInfo(viewer.zones[pid])).date() for pid in viewer.coordinated}
    return case({pid: literal(day, Date()) for pid, day in days.items()}, value=column)


def _ending(session: Session, viewer: _Viewer, now: datetime, offset: int) -> tuple[list[EndingItem], int]:
    today = _local_today(viewer, now, Intern.partnership_id)
    horizon = {pid: now.astimezone(ZoneInfo(viewer.zones[pid])).date() + ENDING_WITHIN for pid in viewer.coordinated}
    until = case({pid: literal(day, Date()) for pid, day in horizon.items()}, value=Intern.partnership_id)
    stmt = (select(Intern.name, Intern.student_id, Intern.end_date)
            .where(Intern.partnership_id.in_(viewer.coordinated), Intern.end_date >= today, Intern.end_date <= until)
            .order_by(Intern.end_date, Intern.name))
    rows, total = _paged_rows(session, stmt, offset)
    return [EndingItem(r.name, r.student_id, r.end_date) for r in rows], total


# --- exchanges ------------------------------------------------------------------------------------------
def _approvals(session: Session, viewer: _Viewer, offset: int) -> tuple[list[ExchangeItem], int]:
    """Pending exchanges in the partnerships the viewer coordinates, and elsewhere those whose side the
    viewer may decide for and has not yet: a cheap prefilter; the matrix decides each button below."""
    me = viewer.person
    side = Side(me.side)
    sending = Direction.SCHOOL_TO_ENTERPRISE if side == Side.SCHOOL else Direction.ENTERPRISE_TO_SCHOOL
    hosting = Direction.ENTERPRISE_TO_SCHOOL if side == Side.SCHOOL else Direction.SCHOOL_TO_ENTERPRISE
    host_roles = {Role.MENTOR, Role.COORDINATOR} if hosting == Direction.SCHOOL_TO_ENTERPRISE else {Role.COORDINATOR}
    hosts_in = [pid for pid, roles in viewer.roles.items() if roles & host_roles]
    decided = exists().where(ExchangeDecision.exchange_id == Exchange.id,
                             ExchangeDecision.review_round == Exchange.review_round, ExchangeDecision.side == side)
    awaiting_me = and_(or_(and_(Exchange.direction == sending, Exchange.partnership_id.in_(viewer.coordinated)),
                           and_(Exchange.direction == hosting, Exchange.partnership_id.in_(hosts_in))),
                       Exchange.requester_id != me.id, Exchange.person_id != me.id, ~decided)
    going = aliased(Person)
    stmt = (select(Exchange, going.name.label("person_name")).join(going, going.id == Exchange.person_id)
            .where(Exchange.status == ExchangeStatus.PENDING,
                   # implied by the next line; lets the database use (partnership_id, status)
                   Exchange.partnership_id.in_(sorted({*viewer.coordinated, *hosts_in})),
                   or_(Exchange.partnership_id.in_(viewer.coordinated), awaiting_me))
            .order_by(Exchange.submitted_at, Exchange.id))
    rows, total = _paged_rows(session, stmt, offset)
    ids = [r.Exchange.id for r in rows]
    sides_decided: dict[int, set[Side]] = {}
    if ids:
        for exchange_id, decided_side in session.execute(
                select(ExchangeDecision.exchange_id, ExchangeDecision.side)
                .join(Exchange, Exchange.id == ExchangeDecision.exchange_id)
                .where(ExchangeDecision.exchange_id.in_(ids), ExchangeDecision.review_round == Exchange.review_round)):
            sides_decided.setdefault(exchange_id, set()).add(Side(decided_side))
    items = []
    for row in rows:
        x = row.Exchange
        may = allows(Action.DECIDE_EXCHANGE, viewer.held(Subject(x.partnership_id, exchange=x)))
        items.append(ExchangeItem(x.id, viewer.channels.get(x.partnership_id, ""), row.person_name,
                                  Direction(x.direction), x.host_unit, x.start_date, x.end_date,
                                  may and side not in sides_decided.get(x.id, set())))
    return items, total


# --- meetings -------------------------------------------------------------------------------------------
def _next_meetings(session: Session, viewer: _Viewer, now: datetime) -> tuple[MeetingItem, ...]:
    rank = func.row_number().over(partition_by=Meeting.partnership_id,
                                  order_by=(Meeting.starts_at, Meeting.id)).label("rn")
    ranked = (select(Meeting.id, Meeting.partnership_id, Meeting.title, Meeting.starts_at, rank)
              .where(Meeting.partnership_id.in_(list(viewer.roles)), Meeting.status == MeetingStatus.SCHEDULED,
                     Meeting.starts_at > now).subquery())
    rows = session.execute(select(ranked).where(ranked.c.rn == 1).order_by(ranked.c.starts_at))
    return tuple(MeetingItem(r.id, r.title, r.starts_at, viewer.zones[r.partnership_id],
                             viewer.channels[r.partnership_id]) for r in rows)


OUTSIDERS_SHOWN = 10


def _outsiders(session: Session, viewer: _Viewer) -> tuple[tuple[Outsider, ...], int]:
    member = select(Membership.person_id).where(Membership.partnership_id.in_(viewer.coordinated))
    rows = session.execute(
        select(Person.slack_user_id, Person.name, Person.is_external, Person.is_guest, func.count().over())
        .where(Person.id.in_(member), or_(Person.is_external, Person.is_guest))
        .order_by(Person.name, Person.slack_user_id).limit(OUTSIDERS_SHOWN)).all()
    return (tuple(Outsider(r[0], r[1], bool(r[2]), bool(r[3])) for r in rows), int(rows[0][4]) if rows else 0)


def _action_items(session: Session, person: Person) -> tuple[tuple[ActionItemLine, ...], int]:
    stmt = (select(ActionItem.id, ActionItem.text, ActionItem.due_date, Meeting.title,
                   func.count().over().label("total"))
            .join(Meeting, Meeting.id == ActionItem.meeting_id)
            .where(ActionItem.owner_id == person.id, ActionItem.status == ActionItemStatus.OPEN)
            .order_by(ActionItem.due_date, ActionItem.id).limit(ACTION_ITEMS_SHOWN))
    rows = session.execute(stmt).all()
    return (tuple(ActionItemLine(r.id, r.text, r.due_date, r.title) for r in rows),
            int(rows[0].total) if rows else 0)
