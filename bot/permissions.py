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
from models.exchange import Direction, Exchange
from models.meeting import ActionItem, Meeting
from models.problem import Problem
from models.roster import Intern, Membership, Person, Role


class Action(enum.StrEnum):
    REPORT_PROBLEM = "report_problem"
    ACKNOWLEDGE_PROBLEM = "acknowledge_problem"
    UPDATE_PROBLEM = "update_problem"
    RESOLVE_PROBLEM = "resolve_problem"
    REOPEN_PROBLEM = "reopen_problem"
    POST_DIGEST = "post_digest"
    SCHEDULE_MEETING = "schedule_meeting"
    CHANGE_MEETING = "change_meeting"  # reschedule or cancel
    RSVP_MEETING = "rsvp_meeting"
    RECORD_MINUTES = "record_minutes"
    COMPLETE_ACTION_ITEM = "complete_action_item"
    REQUEST_EXCHANGE = "request_exchange"
    REQUEST_EXCHANGE_FOR_OTHERS = "request_exchange_for_others"
    DECIDE_EXCHANGE = "decide_exchange"
    EDIT_EXCHANGE = "edit_exchange"
    ASSESS_EXCHANGE = "assess_exchange"
    CONFIRM_EXCHANGE = "confirm_exchange"


class Relation(enum.StrEnum):
    COORDINATOR = "coordinator"
    TEACHER = "teacher"
    MENTOR = "mentor"
    MEMBER = "member"
    INTERN_TEACHER = "intern's teacher"
    INTERN_MENTOR = "intern's mentor"
    REPORTER = "reporter"
    ORGANISER = "meeting's organiser"
    INVITEE = "meeting's invitee"
    ITEM_OWNER = "action item's owner"
    SENDING_COORDINATOR = "sending side's coordinator"
    HOST_APPROVER = "host side's approver"  # enterprise mentor or coordinator; college coordinator
    EXCHANGE_REQUESTER = "exchange's requester"
    EXCHANGE_PERSON = "person going on the exchange"


R = Relation
MATRIX: dict[Action, frozenset[Relation]] = {
    Action.REPORT_PROBLEM: frozenset({R.COORDINATOR, R.TEACHER, R.MENTOR}),
    Action.ACKNOWLEDGE_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR}),
    Action.UPDATE_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR, R.REPORTER}),
    Action.RESOLVE_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR}),
    Action.REOPEN_PROBLEM: frozenset({R.COORDINATOR, R.INTERN_TEACHER, R.INTERN_MENTOR, R.REPORTER}),
    Action.POST_DIGEST: frozenset({R.COORDINATOR}),
    Action.SCHEDULE_MEETING: frozenset({R.COORDINATOR}),
    Action.CHANGE_MEETING: frozenset({R.COORDINATOR, R.ORGANISER}),
    Action.RSVP_MEETING: frozenset({R.INVITEE}),
    Action.RECORD_MINUTES: frozenset({R.COORDINATOR, R.ORGANISER}),
    Action.COMPLETE_ACTION_ITEM: frozenset({R.COORDINATOR, R.ITEM_OWNER}),
    Action.REQUEST_EXCHANGE: frozenset({R.COORDINATOR, R.TEACHER, R.MENTOR, R.MEMBER}),
    Action.REQUEST_EXCHANGE_FOR_OTHERS: frozenset({R.COORDINATOR}),
    Action.DECIDE_EXCHANGE: frozenset({R.SENDING_COORDINATOR, R.HOST_APPROVER}),
    Action.EDIT_EXCHANGE: frozenset({R.EXCHANGE_REQUESTER}),
    Action.ASSESS_EXCHANGE: frozenset({R.SENDING_COORDINATOR, R.HOST_APPROVER}),
    Action.CONFIRM_EXCHANGE: frozenset({R.COORDINATOR}),
}
# The matrix's "never" column: relations that forbid an action whatever else the person is. Nobody
# decides, assesses or confirms an exchange that is their own (one they asked for, or are going on).
NEVER: dict[Action, frozenset[Relation]] = {
    Action.DECIDE_EXCHANGE: frozenset({R.EXCHANGE_REQUESTER, R.EXCHANGE_PERSON}),
    Action.ASSESS_EXCHANGE: frozenset({R.EXCHANGE_PERSON}),
    Action.CONFIRM_EXCHANGE: frozenset({R.EXCHANGE_REQUESTER, R.EXCHANGE_PERSON}),
}


@dataclass(frozen=True)
class Subject:
    """What an action is about: always a partnership, sometimes an intern, a problem, a meeting or an
    action item in it."""

    partnership_id: int
    intern: Intern | None = None
    problem: Problem | None = None
    meeting: Meeting | None = None
    action_item: ActionItem | None = None
    exchange: Exchange | None = None


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
    meeting = subject.meeting or (subject.action_item.meeting if subject.action_item else None)
    if meeting is not None and meeting.partnership_id == subject.partnership_id:
        if meeting.organiser_id == person.id:
            found.add(Relation.ORGANISER)
        if any(invitee.person_id == person.id for invitee in meeting.invitees):
            found.add(Relation.INVITEE)
    if subject.action_item is not None and subject.action_item.owner_id == person.id:
        found.add(Relation.ITEM_OWNER)
    if subject.exchange is not None and subject.exchange.partnership_id == subject.partnership_id:
        found |= _exchange_relations(person, found, subject.exchange)
    return found


def _exchange_relations(person: Person, found: set[Relation], exchange: Exchange) -> set[Relation]:
    """The sending side decides through its coordinator; the host side through an enterprise mentor
    or coordinator (a teacher coming to the enterprise) or a college coordinator (an engineer coming
    to the college)."""
    direction = Direction(exchange.direction)
    extra: set[Relation] = set()
    if person.side == direction.sending_side and Relation.COORDINATOR in found:
        extra.add(Relation.SENDING_COORDINATOR)
    host_roles = ({Relation.MENTOR, Relation.COORDINATOR} if direction == Direction.SCHOOL_TO_ENTERPRISE
                  else {Relation.COORDINATOR})
    if person.side == direction.host_side and host_roles & found:
        extra.add(Relation.HOST_APPROVER)
    if exchange.requester_id == person.id:
        extra.add(Relation.EXCHANGE_REQUESTER)
    if exchange.person_id == person.id:
        extra.add(Relation.EXCHANGE_PERSON)
    return extra


def is_allowed(session: Session, person: Person, action: Action, subject: Subject) -> bool:
    held = relations(session, person, subject)
    return bool(MATRIX[action] & held) and not NEVER.get(action, frozenset()) & held


def people_allowed(session: Session, action: Action, subject: Subject) -> list[Person]:
    """Everyone on the subject's partnership roster whom the matrix allows `action` (e.g. whom to ask
    for a decision), in roster order."""
    members = session.scalars(select(Person).join(Membership, Membership.person_id == Person.id).distinct()
                              .where(Membership.partnership_id == subject.partnership_id).order_by(Person.id))
    return [p for p in members if is_allowed(session, p, action, subject)]


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
