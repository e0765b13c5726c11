"""The intern compliance checklist: kept by the intern's teacher, shown to coordinators.

Items: the tripartite internship agreement signed, internship liability insurance for the whole period,
guardian consent (required only for an intern under 18 on the start date — from the optional birth date),
pay agreed at no less than 80% of the same post's probation wage, and no overtime or night shifts unless the
post needs them and it is filed (the 2021 regulation on vocational students' internships). An intern whose
internship has not ended and who lacks a required item is *flagged* (`missing_compliance`): before
the start date that is a warning, after it the placement runs without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from bot import audit
from bot.errors import NotAllowed, NotFound
from bot.permissions import Action, Subject, find_person, is_allowed, require
from bot.roster.rules import is_minor
from bot.storage.db import Database
from models.base import utcnow
from models.compliance import ComplianceItem, InternCompliance
from models.delivery import ProcessedRequest
from models.roster import Intern, Membership, Partnership, Person


def required_items(intern: Intern) -> tuple[ComplianceItem, ...]:
    """What this intern's placement needs: guardian consent only under 18 on the start date."""
    return items_required(intern.birth_date, intern.start_date)


def items_required(birth_date: date | None, start_date: date) -> tuple[ComplianceItem, ...]:
    """`required_items` from the two dates it depends on."""
    minor = is_minor(birth_date, start_date)
    return tuple(i for i in ComplianceItem if minor or i != ComplianceItem.GUARDIAN_CONSENT)


@dataclass(frozen=True)
class Checklist:
    """One intern's checklist as the modal and App Home show it."""

    intern_id: int
    name: str
    student_id: str
    start_date: date
    end_date: date
    minor: bool
    birth_date_known: bool
    ticked: frozenset[ComplianceItem]
    required: tuple[ComplianceItem, ...]

    @property
    def missing(self) -> tuple[ComplianceItem, ...]:
        return tuple(i for i in self.required if i not in self.ticked)


@dataclass(frozen=True)
class MissingCompliance:
    """A flagged intern: required items not ticked, for an internship that has not ended."""

    intern_id: int
    partnership_id: int
    name: str
    student_id: str
    teacher: str  # the teacher's Slack user id (who keeps the checklist)
    start_date: date
    missing: tuple[ComplianceItem, ...]
    started: bool  # already under way without them


def missing_compliance(session: Session, partnership_id: int, today: date) -> list[MissingCompliance]:
    """The partnership's flagged interns, soonest start first (for App Home and the digest)."""
    return missing_compliance_many(session, {partnership_id: today}).get(partnership_id, [])


def missing_compliance_many(session: Session, todays: dict[int, date]) -> dict[int, list[MissingCompliance]]:
    """`missing_compliance` for many partnerships (each with its own local today) in one query."""
    if not todays:
        return {}
    teacher = aliased(Person)
    # Columns, not ORM objects: a coordinator's App Home and the digest read every active intern of their
    # partnerships here, and building that many objects was most of an App Home render.
    items = tuple(ComplianceItem)
    rows = session.execute(
        select(Intern.id, Intern.partnership_id, Intern.name, Intern.student_id, Intern.start_date, Intern.end_date,
               Intern.birth_date, teacher.slack_user_id, *(getattr(InternCompliance, i.value) for i in items))
        .join(teacher, teacher.id == Intern.teacher_id)
        .outerjoin(InternCompliance, InternCompliance.intern_id == Intern.id)
        .where(Intern.partnership_id.in_(list(todays)), Intern.end_date >= min(todays.values()))
        .order_by(Intern.partnership_id, Intern.start_date, Intern.name, Intern.id))
    found: dict[int, list[MissingCompliance]] = {}
    for intern_id, partnership_id, name, student_id, start, end, birth, teacher_uid, *ticks in rows:
        today = todays[partnership_id]
        if end < today:
            continue
        ticked = {item for item, tick in zip(items, ticks, strict=True) if tick}
        missing = tuple(item for item in items_required(birth, start) if item not in ticked)
        if missing:
            found.setdefault(partnership_id, []).append(MissingCompliance(
                intern_id, partnership_id, name, student_id, teacher_uid, start, missing, start <= today))
    return found


class ComplianceService:
    def __init__(self, db: Database, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self.clock = clock

    def interns_kept_by(self, slack_user_id: str) -> list[Checklist]:
        """The checklists of the interns the person teaches whose internship has not ended."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            interns = session.scalars(select(Intern).where(Intern.teacher_id == person.id)
                                      .order_by(Intern.start_date, Intern.name))
            return [self._checklist(session, i) for i in interns if i.end_date >= self._today(i.partnership)]

    def search_kept(self, slack_user_id: str, query: str, limit: int = 100) -> list[tuple[int, str, str]]:
        """(id, name, student id) of the person's current interns whose name or student id contains `query`:
        the chooser's search."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            mine = (Intern.teacher_id == person.id, Intern.matching(query.strip()))
            interns = session.scalars(select(Intern).where(*mine).order_by(Intern.name, Intern.student_id))
            current = (i for i in interns if i.end_date >= self._today(i.partnership))
            return [(i.id, i.name, i.student_id) for i in islice(current, limit)]

    def find_student(self, slack_user_id: str, student_id: str) -> int | None:
        """The intern with this student id among the caller's own partnerships (NotOnRoster for someone on
        none): an intern elsewhere reads as "no such student", so nobody can probe other rosters."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            mine = select(Membership.partnership_id).where(Membership.person_id == person.id)
            return session.scalar(select(Intern.id).where(Intern.student_id == student_id.strip(),
                                                          Intern.partnership_id.in_(mine)))

    def checklist(self, slack_user_id: str, intern_id: int, action: Action = Action.KEEP_CHECKLIST) -> Checklist:
        """The intern's checklist, if the person may `action` it (keep, or only see)."""
        with self.db.session() as session:
            intern = session.get(Intern, intern_id)
            if intern is None:
                raise NotFound(f"intern {intern_id}")
            require(session, slack_user_id, action, Subject(intern.partnership_id, intern=intern))
            return self._checklist(session, intern)

    def may_keep(self, slack_user_id: str, intern_id: int) -> bool:
        with self.db.session() as session:
            intern = session.get(Intern, intern_id)
            person = find_person(session, slack_user_id)
            return intern is not None and is_allowed(session, person, Action.KEEP_CHECKLIST,
                                                     Subject(intern.partnership_id, intern=intern))

    def save(self, slack_user_id: str, intern_id: int, ticked: set[ComplianceItem], source_key: str) -> bool:
        """Set the intern's checklist to exactly `ticked`; audited. False when nothing changed or the
        same submission was already saved."""
        try:
            with self.db.transaction() as session:
                intern = session.get(Intern, intern_id, with_for_update=True)
                if intern is None:
                    raise NotFound(f"intern {intern_id}")
                person = require(session, slack_user_id, Action.KEEP_CHECKLIST,
                                 Subject(intern.partnership_id, intern=intern))
                if session.get(ProcessedRequest, source_key) is not None:
                    return False
                session.add(ProcessedRequest(key=source_key))
                row = session.get(InternCompliance, intern.id)
                if row is None:
                    row = InternCompliance(intern_id=intern.id, **{i.value: False for i in ComplianceItem})
                    session.add(row)
                before = _state(row)
                for item in ComplianceItem:
                    setattr(row, item.value, item in ticked)
                after = _state(row)
                if before == after:
                    return False
                row.updated_at, row.updated_by_id = self.clock(), person.id
                audit.record(session, actor=slack_user_id, action="compliance.update", entity_type="intern",
                             entity_id=intern.id, before=before, after=after)
                return True
        except IntegrityError:
            with self.db.session() as session:
                if session.get(ProcessedRequest, source_key) is not None:
                    return False
            raise

    def ensure_teacher(self, slack_user_id: str) -> None:
        """Raise NotOnRoster / NotAllowed unless the person teaches some intern."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            if session.scalar(select(Intern.id).where(Intern.teacher_id == person.id).limit(1)) is None:
                raise NotAllowed(Action.KEEP_CHECKLIST.value)

    def _checklist(self, session: Session, intern: Intern) -> Checklist:
        row = session.get(InternCompliance, intern.id)
        return Checklist(intern.id, intern.name, intern.student_id, intern.start_date, intern.end_date,
                         is_minor(intern.birth_date, intern.start_date), intern.birth_date is not None,
                         frozenset(row.ticked() if row else ()), required_items(intern))

    def _today(self, partnership: Partnership) -> date:
        return self.clock().astimezone(ZoneInfo(partnership.timezone or self.default_timezone)).date()


def _state(row: InternCompliance) -> dict[str, bool]:
    return {item.value: bool(getattr(row, item.value)) for item in ComplianceItem}
