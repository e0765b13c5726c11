"""Intern problems: the rules and transactions of logging, acknowledging, updating, resolving, reopening.

Knows nothing of Slack. Each change happens in one transaction that also writes the timeline
event, the audit record and (through the notifier) the outgoing messages, so either all of it
happens or none. A repeated request (Slack retry, double click) finds its work already done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, FromClause, Select, bindparam, case, func, insert, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import CoopError, InvalidTransition, NotAllowed, NotFound, NotOnRoster, raise_problems
from bot.i18n.catalog import match_language
from bot.installs.scope import core_tenant, visible_in_core
from bot.permissions import (
    MATRIX,
    Action,
    Subject,
    allows,
    find_person,
    partnerships_allowing,
    relations_given,
    require,
)
from bot.problems.forms import ProblemReportInput
from bot.problems.snapshot import ProblemSnapshot, new_report_snapshot, snapshot
from bot.storage.db import Database, insert_at_commit
from models.base import utcnow
from models.delivery import ProcessedRequest
from models.problem import (
    AWAITING_ACKNOWLEDGEMENT,
    SCHOOL_SIDE_CATEGORIES,
    Category,
    EventKind,
    Problem,
    ProblemEvent,
    ProblemStatus,
    Severity,
)
from models.roster import Intern, Membership, Partnership, Person, Role, Side

RESOLVABLE = (ProblemStatus.OPEN, ProblemStatus.ACKNOWLEDGED, ProblemStatus.REOPENED)


class ProblemNotifier(Protocol):
    """Tells people about problems; called inside the change's transaction."""

    def reported(self, session: Session, problem: ProblemSnapshot) -> None: ...

    def changed(self, session: Session, problem: ProblemSnapshot, kind: EventKind, actor: str,
                text: str | None) -> None: ...

    def escalated(self, session: Session, problem: ProblemSnapshot, waited: timedelta) -> None: ...


@dataclass(frozen=True)
class ReportForm:
    """Whether the person may open the report form (else `refusal`), its default date, their languages."""

    today: date
    refusal: CoopError | None = None
    chosen_language: str | None = None
    partnership_language: str | None = None
    # the reporter's side: a college person is offered "School-side only" (the service decides on submit)
    side: Side | None = None


@dataclass(frozen=True)
class InternChoice:
    id: int
    name: str
    student_id: str


@dataclass(frozen=True)
class Outcome:
    """A problem after an action; `changed` is False when the request had already been handled."""

    problem: ProblemSnapshot
    changed: bool


# Built once: on the busiest paths (every report, every /intern-issue) building and cache-keying a
# statement costs about as much as running it.
# Everything a report is checked against and shows, in one read, through Core: the intern with its partnership
# and people, the reporter, and each membership in the intern's partnership that is the reporter's (their
# roles) or a coordinator's (whom a serious report alerts), the coordinator's Slack id and side alongside. The
# ORM's loading of five entities per row cost more than the query; the rows become plain (transient) model
# objects, never added to the session (`_Loaded`).
class _Loaded:
    """A model's mapped columns, selected from `table` (the model's table or an alias of it) and labelled
    apart; `load` makes a transient object of the model from them."""

    def __init__(self, model: type[Any], table: FromClause, prefix: str) -> None:
        self.manager = inspect(model).class_manager
        self.keys = [attr.key for attr in inspect(model).column_attrs]
        self.columns = [table.c[attr.columns[0].name].label(f"{prefix}_{attr.key}")
                        for attr in inspect(model).column_attrs]
        self.start = 0

    def placed(self, start: int) -> int:
        """Where its columns begin in the row; returns where the next ones do."""
        self.start = start
        return start + len(self.keys)

    def load(self, row: Sequence[Any], **related: object) -> Any:
        """A transient object of the model with the row's values (and `related` objects), put in its state
        as the ORM's own loading does: through the constructor, each attribute's events cost more than the
        query."""
        obj = self.manager.new_instance()
        obj.__dict__.update(zip(self.keys, row[self.start:self.start + len(self.keys)], strict=True), **related)
        return obj


_INSERT_PROBLEM = insert(Problem).returning(Problem.id)
_person = Person.__table__
_teacher_t, _mentor_t, _reporter_t, _member_t = (
    _person.alias(name) for name in ("teacher", "mentor", "reporter", "member"))
_membership_t = Membership.__table__
_I, _P = _Loaded(Intern, Intern.__table__, "i"), _Loaded(Partnership, Partnership.__table__, "p")
_T, _M, _R = (_Loaded(Person, _teacher_t, "t"), _Loaded(Person, _mentor_t, "m"), _Loaded(Person, _reporter_t, "r"))
_MEMBER_AT = _R.placed(_M.placed(_T.placed(_P.placed(_I.placed(0)))))
_REPORTING = (
    select(*_I.columns, *_P.columns, *_T.columns, *_M.columns, *_R.columns, _membership_t.c.role,
           _membership_t.c.person_id, _member_t.c.slack_user_id, _member_t.c.side)
    .select_from(
        Intern.__table__
        .join(Partnership.__table__, Partnership.__table__.c.id == Intern.__table__.c.partnership_id)
        .join(_teacher_t, _teacher_t.c.id == Intern.__table__.c.teacher_id)
        .join(_mentor_t, _mentor_t.c.id == Intern.__table__.c.mentor_id)
        .outerjoin(_reporter_t, _reporter_t.c.slack_user_id == bindparam("slack_user_id"))
        .outerjoin(_membership_t, (_membership_t.c.partnership_id == Intern.__table__.c.partnership_id)
                   & ((_membership_t.c.person_id == _reporter_t.c.id) | (_membership_t.c.role == Role.COORDINATOR)))
        .outerjoin(_member_t, _member_t.c.id == _membership_t.c.person_id))
    .where(Intern.__table__.c.id == bindparam("intern_id"))
    .order_by(_member_t.c.id, _membership_t.c.id))
# OAuth mode: Core runs outside the ORM event that narrows every statement to the request's tenant
# (bot.installs.scope), so these two say it themselves: another tenant's intern is no intern.
_REPORTING_IN_SCOPE = _REPORTING.where(visible_in_core(Partnership.__table__))


LATEST_ZONE = "Pacific/Kiritimati"  # UTC+14: where each day begins first
def _report_form(membership: ColumnElement[bool]) -> Select[str | None, Side, Role, str | None, Any]:
    return (select(Person.locale, Person.side, Membership.role, Partnership.timezone,
                   # the person's side's language in the partnership, else the partnership's
                   func.coalesce(case((Person.side == Side.SCHOOL, Partnership.school_language),
                                      else_=Partnership.enterprise_language),
                                 Partnership.language).label("language"))
            .select_from(Person)
            .outerjoin(Membership, membership)
            .outerjoin(Partnership, Partnership.id == Membership.partnership_id)
            .where(Person.slack_user_id == bindparam("slack_user_id")).order_by(Membership.id))


_REPORT_FORM = _report_form(Membership.person_id == Person.id)
# ... and a membership in another tenant's partnership is none (the person stays, as on no roster there)
_REPORT_FORM_IN_SCOPE = _report_form((Membership.person_id == Person.id) & Membership.partnership_id.in_(
    select(Partnership.__table__.c.id).where(visible_in_core(Partnership.__table__))))


@dataclass(frozen=True)
class _Reporting:
    """What a report was checked against (`ProblemService._reporting`)."""

    intern: Intern  # with its partnership, teacher and mentor loaded
    person: Person
    coordinators: tuple[str, ...]
    school_only: bool


class ProblemService:
    def __init__(self, db: Database, notifier: ProblemNotifier, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.notifier = notifier
        self.default_timezone = default_timezone
        self.clock = clock

    # --- reading -----------------------------------------------------------------------------------
    def report_form(self, slack_user_id: str) -> ReportForm:
        """What opening "Log intern problem" needs, in one query: whether the person may report (in some
        partnership), today in the timezone of the first partnership where they may (the form's default
        date), and their language settings (to word the form or the refusal)."""
        reporting_roles = {Role(r.value) for r in MATRIX[Action.REPORT_PROBLEM] if r.value in Role._value2member_map_}
        with self.db.session() as session:  # Core on the session's connection: the ORM's execute cost more
            tenant = core_tenant()
            rows = session.connection().execute(
                _REPORT_FORM if tenant is None else _REPORT_FORM_IN_SCOPE, {"slack_user_id": slack_user_id,
                                                                            **(tenant or {})}).all()
        if not rows:
            return ReportForm(today=self._today_in(None), refusal=NotOnRoster(slack_user_id))
        chosen, first_language = match_language(rows[0].locale), match_language(rows[0].language)
        zones = [row.timezone for row in rows if row.role in reporting_roles]
        if not zones:
            return ReportForm(today=self._today_in(None), refusal=NotAllowed(Action.REPORT_PROBLEM.value),
                              chosen_language=chosen, partnership_language=first_language)
        return ReportForm(today=self._today_in(zones[0]), chosen_language=chosen, partnership_language=first_language,
                          side=Side(rows[0].side))

    def search_interns(self, slack_user_id: str, query: str, limit: int = 100) -> list[InternChoice]:
        """Interns the person may report on whose name or student id contains `query`."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            partnership_ids = partnerships_allowing(session, person, Action.REPORT_PROBLEM)
            if not partnership_ids:
                return []
            stmt = select(Intern).where(Intern.partnership_id.in_(partnership_ids))
            words = query.strip()
            if words:
                stmt = stmt.where(Intern.matching(words))
            rows = session.scalars(stmt.order_by(Intern.name, Intern.student_id).limit(limit))
            return [InternChoice(i.id, i.name, i.student_id) for i in rows]

    def view(self, problem_id: int, slack_user_id: str, action: Action) -> ProblemSnapshot:
        """The problem, if the person may take `action` on it (used before opening a modal)."""
        with self.db.session() as session:
            problem = self._get(session, problem_id)
            require(session, slack_user_id, action, Subject(problem.partnership_id, problem=problem))
            return snapshot(session, problem, self.default_timezone)

    # --- changing ----------------------------------------------------------------------------------
    def report(self, slack_user_id: str, data: ProblemReportInput, source_key: str) -> Outcome:
        """Store a new report and announce it. The same `source_key` (view id) never makes two.

        What the report checks and shows is read by `_reporting`, in one statement inside the write
        transaction (on SQLite under its one writer lock: one read there costs less than a second transaction;
        docs/decisions/0008, "Profile").
        """
        try:
            with self.db.transaction() as session:
                reporting = self._reporting(session, slack_user_id, data)
                intern, person = reporting.intern, reporting.person
                # Core inserts, not ORM objects: this is the busiest write in the app, and the unit of
                # work for a problem and its event cost more than everything else the request does.
                # A repeat of the same submission fails on the unique source_key (handled below), so the
                # common case costs no lookup.
                now = self.clock()
                problem_id = session.connection().execute(_INSERT_PROBLEM, dict(
                    partnership_id=intern.partnership_id, intern_id=intern.id, reporter_id=person.id,
                    category=data.category, severity=data.severity, description=data.description,
                    occurred_on=data.occurred_on, actions_taken=data.actions_taken, status=ProblemStatus.OPEN,
                    school_only=reporting.school_only, created_at=now,
                    source_key=source_key,  # unique: a repeat fails here, before anything else
                )).scalar_one()
                insert_at_commit(session, ProblemEvent, {
                    "problem_id": problem_id, "kind": EventKind.REPORTED, "actor_id": person.id,
                    "text": data.description, "created_at": now})
                audit.record(session, actor=slack_user_id, action="problem.reported", entity_type="problem",
                             entity_id=problem_id, after=_state_of(ProblemStatus.OPEN, data.severity, data.category,
                                                                   None))
                view = new_report_snapshot(problem_id=problem_id, intern=intern, reporter=person,
                                           coordinators=reporting.coordinators, fields=data, created_at=now,
                                           default_timezone=self.default_timezone,
                                           school_only=reporting.school_only)
                self.notifier.reported(session, view)
                return Outcome(view, changed=True)
        except IntegrityError:
            # The same submission raced us into the unique source_key: theirs won; show that one.
            with self.db.session() as session:
                existing = session.scalar(select(Problem).where(Problem.source_key == source_key))
                if existing is None:
                    raise
                return Outcome(snapshot(session, existing, self.default_timezone), changed=False)

    def check_report(self, slack_user_id: str, fields: Mapping[str, Any]) -> None:
        """The report's rules that need the database, on the fields a form accepted (`intern_id`,
        `occurred_on`, either may be missing): raises InvalidInput naming every field that breaks one, so the
        person reads those errors with the form's own."""
        with self.db.session() as session:
            problems, _intern, _person, _coordinators = self._report_problems(
                session, slack_user_id, fields.get("intern_id"), fields.get("occurred_on"))
        raise_problems(problems)

    def _reporting(self, session: Session, slack_user_id: str, data: ProblemReportInput) -> _Reporting:
        """Who reports on whom, checked: the intern (with its partnership and people), the reporter, and the
        partnership's coordinators (whom a serious report alerts)."""
        problems, intern, person, coordinators = self._report_problems(
            session, slack_user_id, data.intern_id, data.occurred_on)
        raise_problems(problems)
        assert intern is not None and person is not None  # no problem: both found
        private = school_side_only(person.side, data.category, data.school_only)
        return _Reporting(intern, person, tuple(user for user, side in coordinators
                                                if not private or side == Side.SCHOOL), private)

    def _report_problems(self, session: Session, slack_user_id: str, intern_id: int | None,
                         occurred_on: date | None
                         ) -> tuple[dict[str, str], Intern | None, Person | None, list[tuple[str, Side]]]:
        """Every rule the intern and the date break (field → rule), and the intern, the reporter and the
        intern's partnership's coordinators (Slack id, side) when the person may report on that intern. One
        read (`_REPORTING`)."""
        problems: dict[str, str] = {}
        intern = person = None
        coordinators: list[tuple[str, Side]] = []
        if intern_id is not None:
            tenant = core_tenant()
            rows = session.connection().execute(_REPORTING if tenant is None else _REPORTING_IN_SCOPE, {
                "intern_id": intern_id, "slack_user_id": slack_user_id, **(tenant or {})}).all()
            if not rows:
                problems["intern_id"] = "unknown"
            else:
                first = rows[0]
                if first[_R.start] is None:  # no reporter: not on the roster
                    raise NotOnRoster(slack_user_id)
                intern = _I.load(first, partnership=_P.load(first), teacher=_T.load(first), mentor=_M.load(first))
                person = _R.load(first)
                members = [row[_MEMBER_AT:] for row in rows]
                roles = {role for role, member, _, _ in members if member == person.id}
                coordinators = list(dict.fromkeys((user, side) for role, _, user, side in members
                                                  if role == Role.COORDINATOR))
                if not allows(Action.REPORT_PROBLEM, relations_given(person, roles, Subject(intern.partnership_id,
                                                                                          intern))):
                    problems["intern_id"] = "not_yours"
                    intern = person = None  # nothing of theirs is used below
                    coordinators = []
        if occurred_on is not None:
            # Without the intern, "today" where it is latest on Earth: a date after it is in the future anywhere.
            today = self._today(intern.partnership) if intern is not None else self._today_in(LATEST_ZONE)
            if occurred_on > today:
                problems["occurred_on"] = "future"
            # Before a begun internship: a slip of the year, most likely. (One not begun yet, e.g. a problem at
            # the pre-placement training, may be reported with any past date.)
            elif intern is not None and occurred_on < intern.start_date <= today:
                problems["occurred_on"] = "before_internship"
        return problems, intern, person, coordinators

    def acknowledge(self, problem_id: int, slack_user_id: str) -> Outcome:
        return self._transition(problem_id, slack_user_id, Action.ACKNOWLEDGE_PROBLEM, EventKind.ACKNOWLEDGED,
                                allowed_from=AWAITING_ACKNOWLEDGEMENT, text=None, source_key=None)

    def resolve(self, problem_id: int, slack_user_id: str, resolution: str, source_key: str) -> Outcome:
        return self._transition(problem_id, slack_user_id, Action.RESOLVE_PROBLEM, EventKind.RESOLVED,
                                allowed_from=RESOLVABLE, text=resolution, source_key=source_key)

    def reopen(self, problem_id: int, slack_user_id: str, reason: str | None, source_key: str | None) -> Outcome:
        return self._transition(problem_id, slack_user_id, Action.REOPEN_PROBLEM, EventKind.REOPENED,
                                allowed_from=(ProblemStatus.RESOLVED,), text=reason, source_key=source_key)

    def add_update(self, problem_id: int, slack_user_id: str, text: str, source_key: str) -> Outcome:
        return self._transition(problem_id, slack_user_id, Action.UPDATE_PROBLEM, EventKind.UPDATE,
                                allowed_from=tuple(ProblemStatus), text=text, source_key=source_key)

    def _transition(self, problem_id: int, slack_user_id: str, action: Action, kind: EventKind, *,
                    allowed_from: tuple[ProblemStatus, ...], text: str | None,
                    source_key: str | None) -> Outcome:
        with self.db.transaction() as session:
            problem = self._get(session, problem_id, lock=True)
            person = require(session, slack_user_id, action, Subject(problem.partnership_id, problem=problem))
            if source_key is not None:
                if session.get(ProcessedRequest, source_key) is not None:
                    return Outcome(snapshot(session, problem, self.default_timezone), changed=False)
                session.add(ProcessedRequest(key=source_key))
            if problem.status not in allowed_from:
                raise InvalidTransition(problem.status.value)
            before = _state(problem)
            now = self.clock()
            if kind == EventKind.ACKNOWLEDGED:
                problem.status, problem.acknowledged_at, problem.acknowledged_by = (
                    ProblemStatus.ACKNOWLEDGED, now, person)
            elif kind == EventKind.RESOLVED:
                problem.status, problem.resolved_at, problem.resolved_by, problem.resolution = (
                    ProblemStatus.RESOLVED, now, person, text)
            elif kind == EventKind.REOPENED:
                problem.status, problem.resolved_at, problem.resolved_by = ProblemStatus.REOPENED, None, None
                problem.reopened_at, problem.reopen_count = now, problem.reopen_count + 1
            session.add(ProblemEvent(problem=problem, kind=kind, actor=person, text=text, created_at=now))
            session.flush()
            audit.record(session, actor=slack_user_id, action=f"problem.{kind.value}", entity_type="problem",
                         entity_id=problem.id, before=before,
                         after=_state(problem) if kind != EventKind.UPDATE else {**before, "update": text})
            view = snapshot(session, problem, self.default_timezone)
            self.notifier.changed(session, view, kind, slack_user_id, text)
            return Outcome(view, changed=True)

    # --- helpers -------------------------------------------------------------------------------------
    @staticmethod
    def _get(session: Session, problem_id: int, *, lock: bool = False) -> Problem:
        problem = session.get(Problem, problem_id, with_for_update=lock or None)
        if problem is None:
            raise NotFound(f"problem {problem_id}")
        return problem

    def _today(self, partnership: Partnership) -> date:
        return self._today_in(partnership.timezone)

    def _today_in(self, timezone: str | None) -> date:
        return self.clock().astimezone(ZoneInfo(timezone or self.default_timezone)).date()


def school_side_only(reporter_side: Side, category: Category, ticked: bool) -> bool:
    """Whether a new report is school-side only: a college person's, when they ticked "School-side only" or
    its category is one the enterprise never reads (SCHOOL_SIDE_CATEGORIES). Decided by the reporter's side
    on the roster, not by what the form drew: an enterprise person's tick is ignored (their report is theirs
    to see), and so it is for categories they report."""
    return reporter_side == Side.SCHOOL and (ticked or category in SCHOOL_SIDE_CATEGORIES)


def _state(problem: Problem) -> dict[str, object]:
    return _state_of(problem.status, problem.severity, problem.category, problem.resolution)


def _state_of(status: ProblemStatus, severity: Severity, category: Category,
              resolution: str | None) -> dict[str, object]:
    """What the audit keeps of a problem, before and after a change."""
    return {"status": status, "severity": severity, "category": category, "resolution": resolution}


