"""Who may do what: one matrix of actions × relations, decided from the database on every action.

A person's *relations* to a thing are derived from the roster: their roles in the thing's
partnership, and whether they are the intern's teacher or mentor or the problem's reporter. An
action is allowed when the person has at least one relation the matrix lists for it. Button
values and private_metadata only say *which* thing; they never grant anything.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import Session

from bot.errors import NotAllowed, NotFound, NotOnRoster
from bot.i18n.catalog import N_
from models.exchange import Direction, Exchange
from models.meeting import ActionItem, Meeting
from models.problem import Problem
from models.roster import CollegeDean, Intern, Membership, Partnership, Person, Role, Side


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
    EVALUATE_INTERN = "evaluate_intern"  # at the end of the internship
    ADMINISTER_ROSTER = "administer_roster"  # people, roles, interns, supervisors, ending early
    LINK_CHANNEL = "link_channel"  # /coop setup
    KEEP_CHECKLIST = "keep_checklist"  # an intern's compliance checklist
    VIEW_CHECKLIST = "view_checklist"
    VIEW_COLLEGE = "view_college"  # a dean: every partnership of the college, read-only
    POST_OPENING = "post_opening"  # recruitment (agreement III.7)
    RECOMMEND_INTERN = "recommend_intern"
    RECORD_HIRE = "record_hire"  # an offer, a hire or a decline
    READ_REVIEW_PACK = "read_review_pack"  # the quarterly review pack (/coop review)
    KEEP_LEDGER = "keep_ledger"  # the cooperation ledger and the agreement
    EXPORT_PARTNERSHIPS = "export_partnerships"  # /coop export


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
    ENTERPRISE_COORDINATOR = "enterprise coordinator"  # a coordinator on the enterprise side
    COLLEGE_COORDINATOR = "college coordinator"  # a coordinator on the college side
    DEAN = "college's dean"  # a dean of the partnership's college: reads, never acts


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
    # The announcement's buttons are in the partnership's channel, for everyone there: anyone on the roster
    # answers, and someone not invited joins the meeting by answering (MeetingService.rsvp).
    Action.RSVP_MEETING: frozenset({R.INVITEE, R.COORDINATOR, R.TEACHER, R.MENTOR, R.MEMBER}),
    Action.RECORD_MINUTES: frozenset({R.COORDINATOR, R.ORGANISER}),
    Action.COMPLETE_ACTION_ITEM: frozenset({R.COORDINATOR, R.ITEM_OWNER}),
    Action.REQUEST_EXCHANGE: frozenset({R.COORDINATOR, R.TEACHER, R.MENTOR, R.MEMBER}),
    Action.REQUEST_EXCHANGE_FOR_OTHERS: frozenset({R.COORDINATOR}),
    Action.DECIDE_EXCHANGE: frozenset({R.SENDING_COORDINATOR, R.HOST_APPROVER}),
    Action.EDIT_EXCHANGE: frozenset({R.EXCHANGE_REQUESTER}),
    Action.ASSESS_EXCHANGE: frozenset({R.SENDING_COORDINATOR, R.HOST_APPROVER}),
    Action.CONFIRM_EXCHANGE: frozenset({R.COORDINATOR}),
    Action.EVALUATE_INTERN: frozenset({R.INTERN_MENTOR, R.ENTERPRISE_COORDINATOR}),
    Action.ADMINISTER_ROSTER: frozenset({R.COORDINATOR}),
    Action.LINK_CHANNEL: frozenset({R.COORDINATOR}),
    Action.KEEP_CHECKLIST: frozenset({R.INTERN_TEACHER}),
    Action.VIEW_CHECKLIST: frozenset({R.COORDINATOR, R.INTERN_TEACHER}),
    # A dean reads every partnership of the college (here, its review pack and its export) and is granted no
    # action that changes anything: a dean acts only where a membership makes them, say, a coordinator.
    Action.VIEW_COLLEGE: frozenset({R.DEAN}),
    Action.POST_OPENING: frozenset({R.ENTERPRISE_COORDINATOR, R.MENTOR}),
    Action.RECOMMEND_INTERN: frozenset({R.COLLEGE_COORDINATOR, R.TEACHER}),
    Action.RECORD_HIRE: frozenset({R.ENTERPRISE_COORDINATOR, R.MENTOR}),
    # The cooperation group (invited to the quarterly meeting by default) reads the pack it reviews; a dean
    # reads the college's (one pack for all its partnerships) and exports its records: both only read.
    Action.READ_REVIEW_PACK: frozenset({R.COORDINATOR, R.MEMBER, R.DEAN}),
    Action.KEEP_LEDGER: frozenset({R.COORDINATOR}),
    Action.EXPORT_PARTNERSHIPS: frozenset({R.COORDINATOR, R.DEAN}),
}
# The matrix's "never" column: relations that forbid an action whatever else the person is. Nobody
# decides or assesses an exchange they are going on, nor confirms one they asked for or are going on. A
# coordinator who asked for a colleague's exchange still decides for their side: with one coordinator a
# side (the usual set-up) nobody else could, and the request would wait for ever.
NEVER: dict[Action, frozenset[Relation]] = {
    Action.DECIDE_EXCHANGE: frozenset({R.EXCHANGE_PERSON}),
    Action.ASSESS_EXCHANGE: frozenset({R.EXCHANGE_PERSON}),
    Action.CONFIRM_EXCHANGE: frozenset({R.EXCHANGE_REQUESTER, R.EXCHANGE_PERSON}),
}

# What each action and relation is called where people read the matrix: `/coop help` (translated) and
# the README's table (`python -m bot.permissions --markdown`).
ACTION_LABELS: dict[Action, str] = {
    Action.REPORT_PROBLEM: N_("log a problem with an intern (`/intern-issue`)"),
    Action.ACKNOWLEDGE_PROBLEM: N_("acknowledge a problem"),
    Action.UPDATE_PROBLEM: N_("add an update to a problem"),
    Action.RESOLVE_PROBLEM: N_("resolve a problem"),
    Action.REOPEN_PROBLEM: N_("reopen a problem"),
    Action.POST_DIGEST: N_("post a digest now (`/coop digest`)"),
    Action.SCHEDULE_MEETING: N_("schedule a meeting (`/coop-meeting`)"),
    Action.CHANGE_MEETING: N_("reschedule or cancel a meeting"),
    Action.RSVP_MEETING: N_("answer a meeting (Going, Maybe, Can't go)"),
    Action.RECORD_MINUTES: N_("record a meeting's minutes"),
    Action.COMPLETE_ACTION_ITEM: N_("mark an action item done"),
    Action.REQUEST_EXCHANGE: N_("request a staff exchange (`/exchange`)"),
    Action.REQUEST_EXCHANGE_FOR_OTHERS: N_("request an exchange for someone else"),
    Action.DECIDE_EXCHANGE: N_("approve, reject or send back an exchange"),
    Action.EDIT_EXCHANGE: N_("edit an exchange sent back for changes"),
    Action.ASSESS_EXCHANGE: N_("assess an exchange at its end"),
    Action.CONFIRM_EXCHANGE: N_("confirm an exchange and issue its certificate"),
    Action.EVALUATE_INTERN: N_("evaluate an intern when the internship ends"),
    Action.ADMINISTER_ROSTER: N_("add people and interns, change supervisors, end an internship early "
                                 "(`/coop admin`)"),
    Action.LINK_CHANNEL: N_("link a channel to the partnership (`/coop setup`)"),
    Action.KEEP_CHECKLIST: N_("keep an intern's compliance checklist (`/coop checklist`)"),
    Action.VIEW_CHECKLIST: N_("see interns' compliance checklists"),
    Action.VIEW_COLLEGE: N_("see every partnership of the college, read-only (App Home, college digest)"),
    Action.POST_OPENING: N_("post job openings"),
    Action.RECOMMEND_INTERN: N_("recommend interns"),
    Action.RECORD_HIRE: N_("record offers and hires"),
    Action.READ_REVIEW_PACK: N_("read the quarterly review pack (`/coop review`)"),
    Action.KEEP_LEDGER: N_("log in the cooperation ledger (`/coop ledger`), set the agreement (`/coop agreement`)"),
    Action.EXPORT_PARTNERSHIPS: N_("export the partnership's records to a spreadsheet (`/coop export`)"),
}
RELATION_LABELS: dict[Relation, str] = {
    R.COORDINATOR: N_("coordinator"),
    R.TEACHER: N_("teacher"),
    R.MENTOR: N_("mentor"),
    R.MEMBER: N_("member"),
    R.INTERN_TEACHER: N_("intern's teacher"),
    R.INTERN_MENTOR: N_("intern's mentor"),
    R.REPORTER: N_("reporter"),
    R.ORGANISER: N_("meeting's organiser"),
    R.INVITEE: N_("meeting's invitee"),
    R.ITEM_OWNER: N_("action item's owner"),
    R.SENDING_COORDINATOR: N_("sending side's coordinator"),
    R.HOST_APPROVER: N_("host side's approver"),
    R.EXCHANGE_REQUESTER: N_("exchange's requester"),
    R.EXCHANGE_PERSON: N_("person going on the exchange"),
    R.ENTERPRISE_COORDINATOR: N_("enterprise coordinator"),
    R.COLLEGE_COORDINATOR: N_("college coordinator"),
    R.DEAN: N_("college's dean"),
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


# Built once: on the busiest path (every report) building and cache-keying a statement costs as much as
# running it.
_PERSON_WITH_ROLES = select(Person, Membership.role).outerjoin(
    Membership, (Membership.person_id == Person.id) & (Membership.partnership_id == bindparam("partnership_id"))
).where(Person.slack_user_id == bindparam("slack_user_id"))


def person_with_roles(session: Session, slack_user_id: str, partnership_id: int) -> tuple[Person, set[Role]]:
    """The person and their roles in one partnership, in one query (for `relations_given`)."""
    rows = session.execute(_PERSON_WITH_ROLES,
                           {"partnership_id": partnership_id, "slack_user_id": slack_user_id}).all()
    if not rows:
        raise NotOnRoster(slack_user_id)
    return rows[0][0], {role for _, role in rows if role is not None}


def roles_in(session: Session, person: Person, partnership_id: int) -> set[Role]:
    return set(session.scalars(select(Membership.role).where(
        Membership.person_id == person.id, Membership.partnership_id == partnership_id)))


def _roles_and_deanship(session: Session, person: Person, partnership_id: int) -> tuple[set[Role], bool]:
    """The person's roles in the partnership and whether they are a dean of its college, in one query."""
    dean = exists().where(CollegeDean.person_id == person.id, CollegeDean.college_id == Partnership.college_id)
    rows = session.execute(
        select(dean, Membership.role).select_from(Partnership)
        .outerjoin(Membership, (Membership.partnership_id == Partnership.id) & (Membership.person_id == person.id))
        .where(Partnership.id == partnership_id)).all()
    return {role for _, role in rows if role is not None}, any(is_dean for is_dean, _ in rows)


def relations(session: Session, person: Person, subject: Subject) -> set[Relation]:
    roles, dean = _roles_and_deanship(session, person, subject.partnership_id)
    return relations_given(person, roles, subject, dean=dean)


def relations_given(person: Person, roles: set[Role], subject: Subject, *, dean: bool = False) -> set[Relation]:
    """The person's relations to `subject`, given their `roles` in its partnership (and whether they are a
    dean of its college). Reads only what the subject already holds, so a caller that loaded many subjects
    at once can check each without a query."""
    found = {Relation(role.value) for role in roles}
    if dean:
        found.add(Relation.DEAN)
    if Relation.COORDINATOR in found:
        found.add(Relation.ENTERPRISE_COORDINATOR if person.side == Side.ENTERPRISE else Relation.COLLEGE_COORDINATOR)
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


def allows(action: Action, held: set[Relation]) -> bool:
    """The matrix itself: some relation that grants `action`, and none that forbids it."""
    return bool(MATRIX[action] & held) and not NEVER.get(action, frozenset()) & held


def is_allowed(session: Session, person: Person, action: Action, subject: Subject) -> bool:
    return allows(action, relations(session, person, subject))


def people_allowed(session: Session, action: Action, subject: Subject) -> list[Person]:
    """Everyone on the subject's partnership roster whom the matrix allows `action` (e.g. whom to ask
    for a decision), in roster order."""
    rows = session.execute(select(Person, Membership.role).join(Membership, Membership.person_id == Person.id)
                           .where(Membership.partnership_id == subject.partnership_id).order_by(Person.id))
    roles: dict[int, set[Role]] = {}
    people: dict[int, Person] = {}
    for person, role in rows:  # one query for the roster and its roles, not one per member
        people.setdefault(person.id, person)
        roles.setdefault(person.id, set()).add(role)
    return [p for p in people.values() if allows(action, relations_given(p, roles[p.id], subject))]


def hidden_from(person: Person, problem: Problem) -> bool:
    """A school-side report does not exist for enterprise people, whatever their relation to its intern
    (docs/decisions/0009-who-sees-what.md): they are refused as for a report that does not exist."""
    return bool(problem.school_only) and person.side == Side.ENTERPRISE


def require(session: Session, slack_user_id: str, action: Action, subject: Subject) -> Person:
    """The acting person, if the matrix allows them this action on this subject; else raise. A school-side
    report is NotFound for enterprise people (before the matrix: a refusal must not tell them it exists)."""
    person = find_person(session, slack_user_id)
    if subject.problem is not None and hidden_from(person, subject.problem):
        raise NotFound(f"problem {subject.problem.id}")
    if not is_allowed(session, person, action, subject):
        raise NotAllowed(action.value)
    return person


def partnerships_allowing(session: Session, person: Person, action: Action) -> list[int]:
    """Partnerships where the person's roles alone allow `action` (e.g. where they may report), and, for an
    action the matrix grants deans (reading), every partnership of the colleges the person is a dean of."""
    roles = {Role(r.value) for r in MATRIX[action] if r.value in Role._value2member_map_}
    by_role = select(Membership.partnership_id).where(Membership.person_id == person.id, Membership.role.in_(roles))
    if R.DEAN not in MATRIX[action]:
        return list(session.scalars(by_role.distinct()))
    by_college = (select(Partnership.id).join(CollegeDean, CollegeDean.college_id == Partnership.college_id)
                  .where(CollegeDean.person_id == person.id))
    return sorted(set(session.scalars(by_role.union(by_college))))


def markdown_table() -> str:
    """The matrix as the README prints it: ✓ where a relation grants the action, ✗ where it forbids it."""
    head = "| action | " + " | ".join(RELATION_LABELS[r] for r in Relation) + " |"
    rows = [head, "|---" * (len(Relation) + 1) + "|"]
    for action in Action:
        cells = ["✗" if r in NEVER.get(action, frozenset()) else "✓" if r in MATRIX[action] else ""
                 for r in Relation]
        rows.append("| " + ACTION_LABELS[action] + " | " + " | ".join(cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m bot.permissions --markdown
    import sys

    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m bot.permissions --markdown")
    print(markdown_table())
