"""The permission matrix, exhaustively: every action against every relation a person can hold to a thing,
plus someone of another partnership and someone on no roster — on real roster rows in both databases.

Each persona below holds exactly the relations listed for it (checked first, so a change in how relations
are derived fails here by name); then `is_allowed` must say what MATRIX and NEVER say for that set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.errors import NotOnRoster
from bot.permissions import MATRIX, NEVER, Action, Relation, Subject, is_allowed, markdown_table, relations, require
from bot.storage.db import Database
from models.exchange import Direction, Exchange, ExchangeStatus, Purpose
from models.meeting import ActionItem, ActionItemStatus, Meeting, MeetingInvitee, MeetingStatus
from models.problem import Category, Problem, ProblemStatus, Severity
from models.roster import CollegeDean, Intern, Membership, Partnership, Person, Role, Side
from tests.support.databases import BACKENDS, wipe

R = Relation
WHEN = datetime(2027, 3, 1, tzinfo=UTC)
EXCHANGE_ACTIONS = {Action.DECIDE_EXCHANGE, Action.EDIT_EXCHANGE, Action.ASSESS_EXCHANGE, Action.CONFIRM_EXCHANGE,
                    Action.REQUEST_EXCHANGE_FOR_OTHERS, Action.REQUEST_EXCHANGE}


@dataclass(frozen=True)
class Persona:
    name: str
    side: Side
    roles: tuple[Role, ...]
    # what they hold towards the partnership's intern/problem/meeting/action item, and towards its exchange
    things: frozenset[Relation]
    exchange: frozenset[Relation]


def persona(name: str, side: Side, roles: tuple[Role, ...], things: set[Relation],
            exchange: set[Relation] | None = None) -> Persona:
    return Persona(name, side, roles, frozenset(things), frozenset(things if exchange is None else exchange))


S, E = Side.SCHOOL, Side.ENTERPRISE
PERSONAS = [
    persona("coordinator", S, (Role.COORDINATOR,), {R.COORDINATOR, R.COLLEGE_COORDINATOR},
            {R.COORDINATOR, R.COLLEGE_COORDINATOR, R.SENDING_COORDINATOR}),
    persona("enterprise coordinator", E, (Role.COORDINATOR,), {R.COORDINATOR, R.ENTERPRISE_COORDINATOR},
            {R.COORDINATOR, R.ENTERPRISE_COORDINATOR, R.HOST_APPROVER}),
    persona("teacher", S, (Role.TEACHER,), {R.TEACHER}),
    persona("mentor", E, (Role.MENTOR,), {R.MENTOR}, {R.MENTOR, R.HOST_APPROVER}),
    persona("member", E, (Role.MEMBER,), {R.MEMBER}),
    persona("intern's teacher", S, (Role.TEACHER,), {R.TEACHER, R.INTERN_TEACHER}, {R.TEACHER}),
    persona("intern's mentor", E, (Role.MENTOR,), {R.MENTOR, R.INTERN_MENTOR}, {R.MENTOR, R.HOST_APPROVER}),
    persona("reporter", S, (Role.TEACHER,), {R.TEACHER, R.REPORTER}, {R.TEACHER}),
    persona("organiser", E, (Role.MEMBER,), {R.MEMBER, R.ORGANISER}, {R.MEMBER}),
    persona("invitee", E, (Role.MEMBER,), {R.MEMBER, R.INVITEE}, {R.MEMBER}),
    persona("item owner", E, (Role.MEMBER,), {R.MEMBER, R.ITEM_OWNER}, {R.MEMBER}),
    persona("sending coordinator", S, (Role.COORDINATOR, Role.TEACHER),
            {R.COORDINATOR, R.COLLEGE_COORDINATOR, R.TEACHER},
            {R.COORDINATOR, R.COLLEGE_COORDINATOR, R.TEACHER, R.SENDING_COORDINATOR}),
    persona("host approver", E, (Role.MENTOR,), {R.MENTOR}, {R.MENTOR, R.HOST_APPROVER}),
    persona("requester", S, (Role.TEACHER,), {R.TEACHER}, {R.TEACHER, R.EXCHANGE_REQUESTER}),
    persona("person going", S, (Role.TEACHER,), {R.TEACHER}, {R.TEACHER, R.EXCHANGE_PERSON}),
    # NEVER beats everything: a sending coordinator who asked for, and goes on, the exchange
    persona("coordinator going", S, (Role.COORDINATOR,), {R.COORDINATOR, R.COLLEGE_COORDINATOR},
            {R.COORDINATOR, R.COLLEGE_COORDINATOR, R.SENDING_COORDINATOR, R.EXCHANGE_REQUESTER, R.EXCHANGE_PERSON}),
    # a dean of the partnership's college, with no role in it: reads the college, may do nothing else
    persona("dean", S, (), {R.DEAN}),
    # every role and the intern's teacher — but in another partnership: nothing here
    persona("other partnership", S, (), set()),
]


@dataclass
class World:
    db: Database
    ids: dict[str, int]  # persona name → person id
    partnership_id: int
    intern_id: int
    problem_id: int
    meeting_id: int
    item_id: int
    exchange_id: int


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, database_urls: dict[str, str]) -> Iterator[World]:
    """One partnership with one of everything, and a person per persona; built once per backend."""
    db = Database(database_urls[request.param])
    wipe(db)
    with db.transaction() as session:
        home = Partnership(name="Home", school="College", enterprise="Works", channel_id="C1", language="en")
        away = Partnership(name="Away", school="College B", enterprise="Works B", channel_id="C2", language="en")
        session.add_all([home, away])
        people = {p.name: Person(slack_user_id=f"U{n:03d}", name=p.name, side=p.side) for n, p in enumerate(PERSONAS)}
        session.add_all(people.values())
        session.flush()
        for p in PERSONAS:
            for role in p.roles:
                session.add(Membership(person=people[p.name], partnership=home, role=role))
        session.add(CollegeDean(person=people["dean"], college_id=home.college_id))
        outsider = people["other partnership"]
        for role in Role:
            session.add(Membership(person=outsider, partnership=away, role=role))
        intern = Intern(student_id="S1", name="Intern", partnership=home, teacher=people["intern's teacher"],
                        mentor=people["intern's mentor"], start_date=date(2027, 1, 1), end_date=date(2027, 6, 30),
                        position="Tester")
        session.add(Intern(student_id="S2", name="Away intern", partnership=away, teacher=outsider, mentor=outsider,
                           start_date=date(2027, 1, 1), end_date=date(2027, 6, 30), position="Welder"))
        problem = Problem(partnership=home, intern=intern, reporter=people["reporter"], category=Category.PAY,
                          severity=Severity.P2, description="x", occurred_on=date(2027, 3, 1),
                          status=ProblemStatus.OPEN, created_at=WHEN)
        meeting = Meeting(partnership=home, organiser=people["organiser"], title="Q1", starts_at=WHEN,
                          duration_minutes=60, status=MeetingStatus.SCHEDULED, quarter="2027Q1", ics_uid="u@x",
                          invitees=[MeetingInvitee(person=people["invitee"])])
        item = ActionItem(meeting=meeting, owner=people["item owner"], text="do", due_date=date(2027, 4, 1),
                          status=ActionItemStatus.OPEN)
        exchange = Exchange(partnership=home, person=people["person going"], requester=people["requester"],
                            direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit="Lab", purpose=Purpose.TEACHING,
                            start_date=date(2027, 4, 1), end_date=date(2027, 9, 30),
                            confidentiality_acknowledged_at=WHEN, status=ExchangeStatus.PENDING)
        going = Exchange(partnership=home, person=people["coordinator going"], requester=people["coordinator going"],
                         direction=Direction.SCHOOL_TO_ENTERPRISE, host_unit="Lab", purpose=Purpose.TEACHING,
                         start_date=date(2027, 4, 1), end_date=date(2027, 9, 30),
                         confidentiality_acknowledged_at=WHEN, status=ExchangeStatus.PENDING)
        session.add_all([intern, problem, meeting, item, exchange, going])
        session.flush()
        world = World(db, {name: p.id for name, p in people.items()}, home.id, intern.id, problem.id, meeting.id,
                      item.id, exchange.id)
        world.ids["_going_exchange"] = going.id
    yield world
    db.dispose()


def _subject(session, world: World, persona: Persona, action: Action) -> Subject:  # type: ignore[no-untyped-def]
    if action in EXCHANGE_ACTIONS:
        exchange_id = world.ids["_going_exchange"] if persona.name == "coordinator going" else world.exchange_id
        return Subject(world.partnership_id, exchange=session.get(Exchange, exchange_id))
    return Subject(world.partnership_id, intern=session.get(Intern, world.intern_id),
                   problem=session.get(Problem, world.problem_id), meeting=session.get(Meeting, world.meeting_id),
                   action_item=session.get(ActionItem, world.item_id))


def test_every_relation_has_a_persona() -> None:
    held = set().union(*(p.things | p.exchange for p in PERSONAS))
    assert held == set(Relation), f"add a persona for {set(Relation) - held}"


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("who", PERSONAS, ids=lambda p: p.name)
def test_is_allowed_is_the_matrix(world: World, who: Persona, action: Action) -> None:
    with world.db.session() as session:
        person = session.get(Person, world.ids[who.name])
        assert person is not None
        subject = _subject(session, world, who, action)
        expected_held = who.exchange if action in EXCHANGE_ACTIONS else who.things
        assert relations(session, person, subject) == expected_held
        expected = bool(MATRIX[action] & expected_held) and not NEVER.get(action, frozenset()) & expected_held
        assert is_allowed(session, person, action, subject) is expected


@pytest.mark.parametrize("action", list(Action), ids=str)
def test_someone_on_no_roster_may_do_nothing(world: World, action: Action) -> None:
    with world.db.session() as session, pytest.raises(NotOnRoster):
        require(session, "U0NOBODY", action, _subject(session, world, PERSONAS[0], action))


def test_a_dean_may_only_read_the_college() -> None:
    """The brief of the role: a dean reads every partnership of the college (its review pack and its export
    too) and acts in none."""
    assert [action for action in Action if R.DEAN in MATRIX[action]] == [
        Action.VIEW_COLLEGE, Action.READ_REVIEW_PACK, Action.EXPORT_PARTNERSHIPS]


@pytest.mark.parametrize("action", [a for a in Action if R.DEAN not in MATRIX[a]], ids=str)
def test_a_dean_of_another_college_or_here_is_refused_every_action(world: World, action: Action) -> None:
    from bot.errors import NotAllowed

    with world.db.session() as session:
        dean = session.get(Person, world.ids["dean"])
        assert dean is not None
        with pytest.raises(NotAllowed):
            require(session, dean.slack_user_id, action, _subject(session, world, PERSONAS[-1], action))


def test_the_readme_prints_the_matrix_as_generated() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- permissions:start -->\n(.*?)\n<!-- permissions:end -->", readme, re.S)
    assert found, "README.md lost its <!-- permissions:start/end --> markers"
    assert found.group(1) == markdown_table(), (
        "README.md's permission table differs from bot/permissions.py: paste the output of "
        "`python -m bot.permissions --markdown` between the markers")
