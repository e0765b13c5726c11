"""A problem as plain data: what messages and App Home render, read inside the transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.i18n.catalog import match_language
from models.problem import Category, EventKind, Problem, ProblemEvent, ProblemStatus, Severity
from models.roster import Intern, Membership, Partnership, Person, Role, Side


@dataclass(frozen=True)
class ProblemSnapshot:
    id: int
    partnership_id: int
    partnership_name: str
    channel_id: str
    timezone: str
    language: str
    intern_name: str
    student_id: str
    category: Category
    severity: Severity
    status: ProblemStatus
    description: str
    occurred_on: date
    actions_taken: str | None
    reporter: str
    teacher: str
    mentor: str
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution: str | None
    update_count: int
    coordinators: tuple[str, ...]
    # School-side only (docs/decisions/0009-who-sees-what.md): `channel_id` is then the school-side channel,
    # or, without one, the intern's teacher (their DM holds the report); `coordinators` are the college's.
    school_only: bool = False
    # The language each person loaded here chose for themselves (None: none chosen), by Slack id, so a
    # notice to the reporter, teacher or mentor needs no query for it (bot.problems.notify).
    chosen_languages: Mapping[str, str | None] = field(default_factory=dict)
    # The language the partnership set for each one's side (None: none), for those whose Slack gives none
    side_languages: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def message_key(self) -> str:
        """The outbox key of the problem's message in the partnership channel."""
        return f"problem:{self.id}"


_TIMES = ("created_at", "acknowledged_at", "resolved_at")
_ENUMS = {"category": Category, "severity": Severity, "status": ProblemStatus}


def snapshot_data(p: ProblemSnapshot) -> dict[str, object]:
    """The snapshot as plain JSON values (what an outbox row drawn at delivery keeps: bot.delivery.outbox)."""
    data: dict[str, object] = dict(p.__dict__)
    data["occurred_on"] = p.occurred_on.isoformat()
    for name in _TIMES:
        value = data[name]
        data[name] = value.isoformat() if isinstance(value, datetime) else None
    for name in _ENUMS:
        data[name] = str(data[name])
    data["coordinators"] = list(p.coordinators)
    data["chosen_languages"], data["side_languages"] = dict(p.chosen_languages), dict(p.side_languages)
    return data


def snapshot_from_data(data: dict[str, object]) -> ProblemSnapshot:
    """`snapshot_data`'s inverse."""
    values: dict[str, object] = dict(data)
    values["occurred_on"] = date.fromisoformat(str(data["occurred_on"]))
    for name in _TIMES:
        value = data[name]
        values[name] = datetime.fromisoformat(value) if isinstance(value, str) else None
    for name, kind in _ENUMS.items():
        values[name] = kind(str(data[name]))
    values["coordinators"] = tuple(data["coordinators"])  # type: ignore[arg-type]
    return ProblemSnapshot(**values)  # type: ignore[arg-type]


def snapshot(session: Session, problem: Problem, default_timezone: str, *,
             update_count: int | None = None) -> ProblemSnapshot:
    """Read the problem and what its messages show; pass `update_count` when it is known (e.g. 0 for
    a report just made) to save the count query."""
    school_only = bool(problem.school_only)
    updates = update_count if update_count is not None else session.scalar(
        select(func.count()).select_from(ProblemEvent).where(
            ProblemEvent.problem_id == problem.id, ProblemEvent.kind == EventKind.UPDATE)) or 0
    as_reported = _as_reported(
        problem_id=problem.id, partnership=problem.partnership, intern=problem.intern, reporter=problem.reporter,
        coordinators=coordinators_of(session, problem.partnership_id, school_only=school_only), fields=problem,
        created_at=problem.created_at, default_timezone=default_timezone, school_only=school_only)
    return replace(
        as_reported, status=problem.status, update_count=int(updates), resolution=problem.resolution,
        acknowledged_by=problem.acknowledged_by.slack_user_id if problem.acknowledged_by else None,
        acknowledged_at=problem.acknowledged_at,
        resolved_by=problem.resolved_by.slack_user_id if problem.resolved_by else None,
        resolved_at=problem.resolved_at)


def new_report_snapshot(*, problem_id: int, intern: Intern, reporter: Person, coordinators: tuple[str, ...],
                        fields: ReportFields, created_at: datetime, default_timezone: str,
                        school_only: bool = False) -> ProblemSnapshot:
    """The snapshot of a report just inserted, from what the caller already holds (no ORM object for
    the problem: creating one costs more than the rest of the request; no query either)."""
    return _as_reported(problem_id=problem_id, partnership=intern.partnership, intern=intern, reporter=reporter,
                        coordinators=coordinators, fields=fields, created_at=created_at,
                        default_timezone=default_timezone, school_only=school_only)


def report_place(partnership: Partnership, intern: Intern, school_only: bool) -> str:
    """Where a report's message lives: the partnership's channel; for a school-side report its school-side
    channel, or without one the intern's teacher's DM."""
    if not school_only:
        return partnership.channel_id
    return partnership.school_channel_id or intern.teacher.slack_user_id


def _as_reported(*, problem_id: int, partnership: Partnership, intern: Intern, reporter: Person,
                 coordinators: tuple[str, ...], fields: ReportFields, created_at: datetime,
                 default_timezone: str, school_only: bool) -> ProblemSnapshot:
    """A problem as it stood when reported: open, no updates. The one place a snapshot is built."""
    return ProblemSnapshot(
        id=problem_id, partnership_id=partnership.id, partnership_name=partnership.name,
        channel_id=report_place(partnership, intern, school_only),
        timezone=partnership.timezone or default_timezone,
        language=partnership.language, intern_name=intern.name, student_id=intern.student_id,
        category=fields.category, severity=fields.severity, status=ProblemStatus.OPEN,
        description=fields.description, occurred_on=fields.occurred_on, actions_taken=fields.actions_taken,
        reporter=reporter.slack_user_id, teacher=intern.teacher.slack_user_id, mentor=intern.mentor.slack_user_id,
        created_at=created_at, acknowledged_by=None, acknowledged_at=None, resolved_by=None, resolved_at=None,
        resolution=None, update_count=0, coordinators=coordinators, school_only=school_only,
        chosen_languages=_chosen_languages(reporter, intern.teacher, intern.mentor),
        side_languages={p.slack_user_id: match_language(
            partnership.school_language if p.side == Side.SCHOOL else partnership.enterprise_language)
            for p in (reporter, intern.teacher, intern.mentor)},
    )


def _chosen_languages(*people: Person) -> dict[str, str | None]:
    return {person.slack_user_id: match_language(person.locale) for person in people}


class ReportFields(Protocol):
    """What a new report says (bot.problems.forms.ProblemReportInput)."""

    @property
    def category(self) -> Category: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def description(self) -> str: ...
    @property
    def occurred_on(self) -> date: ...
    @property
    def actions_taken(self) -> str | None: ...


_COORDINATORS = (select(Person.slack_user_id, Person.side).join(Membership, Membership.person_id == Person.id)
                 .where(Membership.partnership_id == bindparam("partnership_id"), Membership.role == Role.COORDINATOR)
                 .order_by(Person.id))  # built once (every report reads it)


def coordinators_of(session: Session, partnership_id: int, *, school_only: bool = False) -> tuple[str, ...]:
    """The partnership's coordinators; of a school-side report, the college's only."""
    rows = session.execute(_COORDINATORS, {"partnership_id": partnership_id})
    return tuple(user for user, side in rows if not school_only or side == Side.SCHOOL)
