"""Who sees what of a problem report (docs/decisions/0009-who-sees-what.md), exhaustively: every persona (role,
side, relation to the intern) against every kind of report (ordinary; school-side with and without a school-side
channel) and every verb — on both databases, through the real services (ProblemService, its Slack notifier's
outbox rows, App Home's data, the problem export). The expected table below is the one the decision prints; a
test keeps the two identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import CoopError, NotFound
from bot.home.data import load_home
from bot.problems.export import iter_problem_rows
from bot.problems.forms import ProblemReportInput
from bot.problems.notify import SlackProblemNotifier
from bot.problems.service import ProblemService
from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage
from models.problem import Category, Severity
from models.roster import Intern, Membership, Partnership, Person, Role, Side

SHARED, SCHOOL_CHANNEL = "C0SHARED", "C0SCHOOLSIDE"
NOW = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
REPORTED = NOW - timedelta(days=10)  # overdue by now, so coordinators' App Homes list it
VERBS = ("see in channel", "get DM", "see in App Home", "acknowledge", "update", "resolve", "reopen", "export")
ACTIONS = ("acknowledge", "update", "resolve", "reopen")


@dataclass(frozen=True)
class Persona:
    key: str
    label: str
    side: Side
    role: Role


PERSONAS = (
    Persona("teacher", "intern's teacher", Side.SCHOOL, Role.TEACHER),
    Persona("teacher2", "teacher (another intern's)", Side.SCHOOL, Role.TEACHER),
    Persona("coord_s", "coordinator", Side.SCHOOL, Role.COORDINATOR),
    Persona("member_s", "member", Side.SCHOOL, Role.MEMBER),
    Persona("mentor", "intern's mentor", Side.ENTERPRISE, Role.MENTOR),
    Persona("mentor2", "mentor (another intern's)", Side.ENTERPRISE, Role.MENTOR),
    Persona("coord_e", "coordinator", Side.ENTERPRISE, Role.COORDINATOR),
    Persona("member_e", "member", Side.ENTERPRISE, Role.MEMBER),
)
KINDS = {
    "ordinary": "ordinary (e.g. working hours)",
    "school_channel": "school-side, with a school-side channel",
    "no_school_channel": "school-side, without a school-side channel",
}
ALL_ACTIONS = set(ACTIONS)
# THE TABLE: (kind, persona) → the verbs they get. Reported (P3) by a college teacher who is none of them; the
# school-side ones are health reports, school-side whatever the reporter ticks.
EXPECTED: dict[tuple[str, str], set[str]] = {
    ("ordinary", "teacher"): {"see in channel", "get DM", "see in App Home", *ALL_ACTIONS, "export"},
    ("ordinary", "teacher2"): {"see in channel", "export"},
    ("ordinary", "coord_s"): {"see in channel", "see in App Home", *ALL_ACTIONS, "export"},
    ("ordinary", "member_s"): {"see in channel", "export"},
    ("ordinary", "mentor"): {"see in channel", "get DM", "see in App Home", *ALL_ACTIONS, "export"},
    ("ordinary", "mentor2"): {"see in channel", "export"},
    ("ordinary", "coord_e"): {"see in channel", "see in App Home", *ALL_ACTIONS, "export"},
    ("ordinary", "member_e"): {"see in channel", "export"},
    ("school_channel", "teacher"): {"see in channel", "get DM", "see in App Home", *ALL_ACTIONS, "export"},
    ("school_channel", "teacher2"): {"see in channel", "export"},
    ("school_channel", "coord_s"): {"see in channel", "get DM", "see in App Home", *ALL_ACTIONS, "export"},
    ("school_channel", "member_s"): {"see in channel", "export"},
    ("no_school_channel", "teacher"): {"get DM", "see in App Home", *ALL_ACTIONS, "export"},
    ("no_school_channel", "teacher2"): {"export"},
    ("no_school_channel", "coord_s"): {"get DM", "see in App Home", *ALL_ACTIONS, "export"},
    ("no_school_channel", "member_s"): {"export"},
    # enterprise people: nothing of a school-side report, whatever their relation to the intern
    **{(kind, p.key): set() for kind in ("school_channel", "no_school_channel") for p in PERSONAS
       if p.side == Side.ENTERPRISE},
}


def markdown_table() -> str:
    """THE TABLE as decision 0009 prints it (✓ = gets it)."""
    rows = ["| report | side | role | " + " | ".join(VERBS) + " |", "|---" * (len(VERBS) + 3) + "|"]
    for kind, kind_label in KINDS.items():
        for p in PERSONAS:
            cells = ["✓" if verb in EXPECTED[(kind, p.key)] else "" for verb in VERBS]
            rows.append(f"| {kind_label} | {p.side.value} | {p.label} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


@dataclass
class World:
    db: Database
    users: dict[str, str]  # persona key → Slack id
    intern_id: int
    partnership_id: int


def _world(db: Database, *, school_channel: str | None) -> World:
    with db.transaction() as session:
        partnership = Partnership(name="P", school="College", enterprise="Works", channel_id=SHARED,
                                  school_channel_id=school_channel, timezone="Asia/Shanghai")
        session.add(partnership)
        people: dict[str, Person] = {}
        for key, side, role in [(p.key, p.side, p.role) for p in PERSONAS] + [("reporter", Side.SCHOOL, Role.TEACHER)]:
            person = Person(slack_user_id="U0" + key.upper().replace("_", ""), name=key, side=side)
            people[key] = person
            session.add_all([person, Membership(person=person, partnership=partnership, role=role)])
        intern = Intern(student_id="S1", name="张伟", partnership=partnership, teacher=people["teacher"],
                        mentor=people["mentor"], start_date=date(2026, 9, 1), end_date=date(2027, 6, 30),
                        position="测试")
        other = Intern(student_id="S2", name="李娜", partnership=partnership, teacher=people["teacher2"],
                       mentor=people["mentor2"], start_date=date(2026, 9, 1), end_date=date(2027, 6, 30),
                       position="装配")
        session.add_all([intern, other])
        session.flush()
        return World(db, {k: p.slack_user_id for k, p in people.items()}, intern.id, partnership.id)


def _report(world: World, kind: str, key: str, *, clock: Callable[[], datetime] = lambda: REPORTED) -> int:
    service = ProblemService(world.db, SlackProblemNotifier(), default_timezone="UTC", clock=clock)
    category = Category.HOURS if kind == "ordinary" else Category.HEALTH
    data = ProblemReportInput(intern_id=world.intern_id, category=category, severity=Severity.P3,
                              description="心理压力大，失眠", occurred_on=date(2027, 3, 1))
    return service.report(world.users["reporter"], data, source_key=key).problem.id


def _acted(world: World, problem_id: int, verb: str, user: str) -> bool:
    service = ProblemService(world.db, SlackProblemNotifier(), default_timezone="UTC", clock=lambda: NOW)
    if verb == "reopen":  # reopening needs a resolved report: the school's coordinator resolves it first
        service.resolve(problem_id, world.users["coord_s"], "done", f"setup:{problem_id}")
    try:
        if verb == "acknowledge":
            service.acknowledge(problem_id, user)
        elif verb == "update":
            service.add_update(problem_id, user, "note", f"u:{problem_id}:{user}")
        elif verb == "resolve":
            service.resolve(problem_id, user, "fixed", f"r:{problem_id}:{user}")
        else:
            service.reopen(problem_id, user, None, None)
    except NotFound:
        return False
    except CoopError:
        return False
    return True


def _seen(world: World, problem_id: int, persona: Persona) -> set[str]:
    user = world.users[persona.key]
    got: set[str] = set()
    with world.db.session() as session:
        rows = session.query(OutboxMessage).filter(OutboxMessage.kind == OutboxKind.POST).all()
        home = load_home(session, user, now=NOW)
    for row in rows:
        if row.channel == SHARED or (row.channel == SCHOOL_CHANNEL and persona.side == Side.SCHOOL):
            got.add("see in channel")
        if row.channel == user:
            got.add("get DM")
    assert home is not None
    if any(item.id == problem_id for page in home.sections.values() for item in page.items
           if hasattr(item, "category")):
        got.add("see in App Home")
    exported = {row[0] for row in iter_problem_rows(world.db, side=persona.side)}
    if problem_id in exported:
        got.add("export")
    return got


@pytest.mark.parametrize("kind", list(KINDS))
def test_who_sees_what_of_a_report(db: Database, kind: str) -> None:
    world = _world(db, school_channel=SCHOOL_CHANNEL if kind != "no_school_channel" else None)
    problem_id = _report(world, kind, "seen")
    found: dict[tuple[str, str], set[str]] = {}
    for persona in PERSONAS:
        found[(kind, persona.key)] = _seen(world, problem_id, persona)
    for persona in PERSONAS:
        for verb in ACTIONS:
            fresh = _report(world, kind, f"{verb}:{persona.key}")
            if _acted(world, fresh, verb, world.users[persona.key]):
                found[(kind, persona.key)].add(verb)
    expected = {k: v for k, v in EXPECTED.items() if k[0] == kind}
    assert found == expected


def test_enterprise_people_are_refused_a_school_side_report_as_one_that_does_not_exist(db: Database) -> None:
    world = _world(db, school_channel=SCHOOL_CHANNEL)
    problem_id = _report(world, "school_channel", "x")
    service = ProblemService(db, SlackProblemNotifier(), default_timezone="UTC", clock=lambda: NOW)
    with pytest.raises(NotFound) as hidden:
        service.acknowledge(problem_id, world.users["mentor"])
    with pytest.raises(NotFound) as missing:
        service.acknowledge(problem_id + 1000, world.users["mentor"])
    assert type(hidden.value) is type(missing.value)


def test_an_enterprise_persons_tick_makes_nothing_school_side(db: Database) -> None:
    """Decided by the reporter's side on the roster, not by what the form drew or sent."""
    world = _world(db, school_channel=SCHOOL_CHANNEL)
    service = ProblemService(db, SlackProblemNotifier(), default_timezone="UTC", clock=lambda: NOW)
    data = ProblemReportInput(intern_id=world.intern_id, category=Category.HOURS, severity=Severity.P3,
                              description="加班", occurred_on=date(2027, 3, 1), school_only=True)
    assert service.report(world.users["mentor"], data, source_key="e").problem.school_only is False
    assert service.report(world.users["teacher2"], data, source_key="s").problem.school_only is True


def test_the_decision_prints_this_table() -> None:
    decision = (Path(__file__).resolve().parents[2] / "docs" / "decisions" / "0009-who-sees-what.md").read_text(
        encoding="utf-8")
    printed = re.search(r"<!-- table:start -->\n(.*?)\n<!-- table:end -->", decision, re.S)
    assert printed is not None and printed.group(1) == markdown_table()
