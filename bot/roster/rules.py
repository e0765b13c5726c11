"""Roster rules that need the database, shared by the CSV imports and administration in Slack.

Each check returns a `RosterProblem` (which field, which rule, about whom) rather than words: the CLI
renders it in English with file and line (`cli_message`), a Slack form in the reader's language on
the block of that field. So both paths refuse exactly the same things.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from models.roster import Partnership, Person, Role, Side

SUPERVISOR = {"teacher": (Side.SCHOOL, Role.TEACHER), "mentor": (Side.ENTERPRISE, Role.MENTOR)}


@dataclass(frozen=True)
class RosterProblem:
    """A broken rule: `field` is the CSV column (and the form's block id), `code` the rule."""

    field: str
    code: str  # unknown_person | wrong_side | missing_role | side_change | supervises
    slack_user_id: str = ""
    name: str = ""
    side: str = ""  # the side the person is on
    partnership: str = ""
    role: str = ""  # supervises: the role they would lose
    student_ids: tuple[str, ...] = ()  # supervises: the interns they supervise in that role


def supervisor_problem(field: str, slack_user_id: str, person: Person | None, partnership: Partnership | None,
                       roles_held: Collection[tuple[int, int, Role]]) -> RosterProblem | None:
    """A teacher must be a school-side teacher, a mentor an enterprise-side mentor, of that partnership.

    `roles_held` holds (person id, partnership id, role) for at least this person's memberships."""
    side, role = SUPERVISOR[field]
    if person is None:
        return RosterProblem(field, "unknown_person", slack_user_id)
    if person.side != side:
        return RosterProblem(field, "wrong_side", slack_user_id, person.name, person.side.value)
    if partnership is not None and (person.id, partnership.id, role) not in roles_held:
        return RosterProblem(field, "missing_role", slack_user_id, person.name, person.side.value, partnership.name)
    return None


def side_problem(person: Person | None, slack_user_id: str, side: Side) -> RosterProblem | None:
    """A person's side is fixed: someone already on the roster cannot be re-added on the other side."""
    if person is not None and person.side != side:
        return RosterProblem("side", "side_change", slack_user_id, person.name, person.side.value)
    return None


def supervision_problem(person: Person, partnership: Partnership, role: Role,
                        student_ids: Sequence[str]) -> RosterProblem | None:
    """Someone an intern of the partnership names as teacher (mentor) keeps that role there.

    Taking it away would leave those interns with a supervisor who no longer holds the role: the
    permissions derived from it break, and re-importing the unchanged interns file fails. Their
    interns need another teacher (mentor) first."""
    if role not in (Role.TEACHER, Role.MENTOR) or not student_ids:
        return None
    return RosterProblem("roles", "supervises", person.slack_user_id, person.name, person.side.value,
                         partnership.name, role.value, tuple(sorted(student_ids)))


def is_minor(birth_date: date | None, on: date) -> bool:
    """Under 18 on `on` (an unknown birth date counts as an adult: the column is optional)."""
    if birth_date is None:
        return False
    eighteenth = _add_years(birth_date, 18)
    return on < eighteenth


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a non-leap year: the birthday is kept on 1 March
        return date(day.year + years, 3, 1)


_LISTED = 3  # student ids named in a message; the count says how many more


def cli_message(problem: RosterProblem) -> str:
    """The English words the CSV imports print after `file:line: field:`."""
    uid, field = problem.slack_user_id, problem.field
    if problem.code == "unknown_person":
        return f"unknown person {uid} (import them with `coopbot people import` first)"
    if problem.code == "wrong_side":
        side = SUPERVISOR[field][0].value
        return f"{uid} ({problem.name}) is on the {problem.side} side; a {field} must be on the {side} side"
    if problem.code == "missing_role":
        role = SUPERVISOR[field][1].value
        return f"{uid} ({problem.name}) is not a {role} in {problem.partnership!r}"
    if problem.code == "side_change":
        return f"{uid} is on the roster as {problem.side}; a person's side cannot change"
    if problem.code == "supervises":
        role, count = problem.role, len(problem.student_ids)
        verb = "teaches" if role == Role.TEACHER.value else "mentors"
        listed = ", ".join(problem.student_ids[:_LISTED]) + (", …" if count > _LISTED else "")
        interns, those = ("interns", "those interns") if count != 1 else ("intern", "that intern")
        return (f"{uid} ({problem.name}) {verb} {count} {interns} in {problem.partnership!r} ({listed}); "
                f"keep the role {role} or give {those} another {role} first "
                "(`coopbot interns import`, or /coop admin)")
    raise ValueError(problem.code)
