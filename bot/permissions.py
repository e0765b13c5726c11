"""Who may do what: one matrix of actions × relations, decided from the database on every action.

A person's *relations* to a thing are derived from the roster: their roles in the thing's
partnership, and whether they are the intern's teacher or mentor or the problem's reporter. An
action is allowed when the person has at least one relation the matrix lists for it. Button
values and private_metadata only say *which* thing; they never grant anything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import NotAllowed, NotOnRoster
from models.problem import Problem
from models.roster import Intern, Membership, Person, Role


class Action(enum.StrEnum):
    REPORT_PROBLEM = "report_problem"
    ACKNOWLEDGE_PROBLEM = "acknowledge_problem"
    UPDATE_PROBLEM = "update_problem"
    RESOLVE_PROBLEM = "resolve_problem"
    REOPEN_PROBLEM = "reopen_problem"
    POST_DIGEST = "post_digest"


class Relation(enum.StrEnum):
    COORDINATOR = "coordinator"
    TEACHER = "teacher"
    MENTOR = "mentor"
    MEMBER = "member"
    INTERN_TEACHER = "intern's teacher"
    INTERN_MENTOR = "intern's mentor"
    REPORTER = "reporter"


R = Relation
MATRIX: dict[Action, frozenset[Relation]] = {
    Action.REPORT_PROBLEM: frozenset({R.COORDINATOR, R.TEACHER, R.MENTOR}),
    Action.ACKNOWLEDGE_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR}),
    Action.UPDATE_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR, R.REPORTER}),
    Action.RESOLVE_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR}),
    Action.REOPEN_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR, R.REPORTER}),
    Action.POST_DIGEST: frozenset({R.COORDINATOR}),
}


@dataclass(frozen=True)
class Subject:
    """What an action is about: always a partnership, sometimes an intern or a problem in it."""

    partnership_id: int
    intern: Intern | None = None
    problem: Problem | None = None


def find_person(session: Session, slack_user_id: str) -> Person:
    person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
    if person is None:
        raise NotOnRoster(slack_user_id)
    return person


def roles_in(session: Session, person: Person, partnership_id: int) -> set[Role]:
    return set(session.scalars(select(Membership.role).where(
        Membership.person_id == person.id, Membership.partnership_id == partnership_id)))


def relations(session: Session, person: Person, subject: Subject) -> set[Relation]:
    found = {Relation(role.value) for role in roles_in(session, person, subject.partnership_id)}
    intern = subject.intern or (subject.problem.intern if subject.problem else None)
    if intern is not None and intern.partnership_id == subject.partnership_id:
        if intern.teacher_id == person.id:
            found.add(Relation.INTERN_TEACHER)
        if intern.mentor_id == person.id:
            found.add(Relation.INTERN_MENTOR)
    if subject.problem is not None and subject.problem.reporter_id == person.id:
        found.add(Relation.REPORTER)
    return found


def is_allowed(session: Session, person: Person, action: Action, subject: Subject) -> bool:
    return bool(MATRIX[action] & relations(session, person, subject))


def require(session: Session, slack_user_id: str, action: Action, subject: Subject) -> Person:
    """The acting person, if the matrix allows them this action on this subject; else raise."""
    person = find_person(session, slack_user_id)
    if not is_allowed(session, person, action, subject):
        raise NotAllowed(action.value)
    return person


def partnerships_allowing(session: Session, person: Person, action: Action) -> list[int]:
    """Partnerships where the person's roles alone allow `action` (e.g. where they may report)."""
    roles = {Role(r.value) for r in MATRIX[action] if r.value in Role._value2member_map_}
    return list(session.scalars(select(Membership.partnership_id).distinct().where(
        Membership.person_id == person.id, Membership.role.in_(roles))))
