"""Administration in Slack: linking a channel, people and their roles, interns, supervisors, ending early.

The same rules as the CSV imports — `models.schemas` for the shape of a person or an intern,
`bot.roster.rules` for the checks that need the database — applied for the coordinators of the
partnership concerned (the matrix's `administer_roster` and `link_channel`). Each change is one
transaction with its audit entry (before → after) and a ProcessedRequest row keyed by the view id,
so a Slack retry or a double submit changes nothing twice. Knows nothing of Slack beyond the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit
from bot.delivery import outbox
from bot.errors import CoopError, NotAllowed, NotFound
from bot.i18n.catalog import available_languages, translator
from bot.installs.scope import current_tenant, every_tenant
from bot.panel.service import post_panel
from bot.permissions import Action, Subject, find_person, partnerships_allowing, require
from bot.roster import partnerships as partnership_rules
from bot.roster.lock import lock_roster
from bot.roster.rules import RosterProblem, side_problem, supervision_problem, supervisor_problem
from bot.slack.forms import accepted_fields, first_errors
from bot.slack.text import escape
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import ProcessedRequest
from models.roster import Intern, Membership, Partnership, Person, Role, Side
from models.schemas import ChannelId, InternRow, IsoDate, Name, PersonRow

RowT = TypeVar("RowT", bound=BaseModel)
MAX_REASON = 1000
_CHANNEL = TypeAdapter(ChannelId)
_COLLEGE = TypeAdapter(Name)
_DATE = TypeAdapter(IsoDate)


class FormRejected(CoopError):
    """A submission breaks a rule: block id → a rule code (the form words it) or a roster problem."""

    def __init__(self, problems: dict[str, str | RosterProblem]) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PartnershipChoice:
    id: int
    name: str
    channel_id: str
    today: date | None = None  # in the partnership's timezone, when asked for
    college: str = ""  # the college it belongs to (its name)
    external: int = 0  # people on its roster of another Slack organization (partnerships_for)
    guests: int = 0  # and guests of the workspace


@dataclass(frozen=True)
class InternChoice:
    id: int
    name: str
    student_id: str


@dataclass(frozen=True)
class PersonForm:
    """What a coordinator entered; blanks keep an existing person's name, email and side."""

    slack_user_id: str | None
    name: str | None = None
    email: str | None = None
    side: str | None = None
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class InternForm:
    student_id: str | None
    name: str | None
    teacher: str | None
    mentor: str | None
    start_date: str | None
    end_date: str | None
    position: str | None
    birth_date: str | None = None


@dataclass(frozen=True)
class SupervisorsForm:
    intern_id: int | None
    teacher: str | None = None  # None keeps the current one
    mentor: str | None = None


@dataclass(frozen=True)
class EndForm:
    intern_id: int | None
    end_date: str | None
    reason: str | None


class AdminService:
    def __init__(self, db: Database, *, default_timezone: str = "UTC",
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self.clock = clock

    # --- reading -----------------------------------------------------------------------------------
    def partnerships_for(self, slack_user_id: str, action: Action, channel_id: str | None = None
                         ) -> list[PartnershipChoice]:
        """The partnerships where the person may `action`; only the channel's own if it is one of them.
        Raises NotOnRoster / NotAllowed when there are none."""
        with self.db.session() as session:
            person = find_person(session, slack_user_id)
            ids = partnerships_allowing(session, person, action)
            if not ids:
                raise NotAllowed(action.value)
            rows = session.scalars(select(Partnership).where(Partnership.id.in_(ids)).order_by(Partnership.name))
            marks = _organization_marks(session, list(ids))
            found = [PartnershipChoice(p.id, p.name, p.channel_id, None, p.school, *marks.get(p.id, (0, 0)))
                     for p in rows]
        here = [p for p in found if p.channel_id == channel_id]
        return here or found

    def ensure_admin(self, slack_user_id: str, partnership_id: int) -> PartnershipChoice:
        """The partnership, if the person may administer it (checked before a form opens)."""
        with self.db.session() as session:
            partnership = _partnership(session, partnership_id)
            require(session, slack_user_id, Action.ADMINISTER_ROSTER, Subject(partnership.id))
            zone = ZoneInfo(partnership.timezone or self.default_timezone)
            return PartnershipChoice(partnership.id, partnership.name, partnership.channel_id,
                                     self.clock().astimezone(zone).date())

    def search_interns(self, slack_user_id: str, partnership_id: int, query: str, limit: int = 100
                       ) -> list[InternChoice]:
        """The partnership's interns matching `query`, for a coordinator of it (else none)."""
        with self.db.session() as session:
            try:
                require(session, slack_user_id, Action.ADMINISTER_ROSTER, Subject(partnership_id))
            except CoopError:
                return []
            stmt = select(Intern).where(Intern.partnership_id == partnership_id)
            if query.strip():
                stmt = stmt.where(Intern.matching(query.strip()))
            rows = session.scalars(stmt.order_by(Intern.name, Intern.student_id).limit(limit))
            return [InternChoice(i.id, i.name, i.student_id) for i in rows]

    # --- changing ----------------------------------------------------------------------------------
    def link_channel(self, slack_user_id: str, partnership_id: int, channel_id: str, source_key: str, *,
                     school_side: bool = False, college: str | None = None,
                     side_languages: dict[str, str | None] | None = None) -> bool:
        """Make `channel_id` the partnership's channel and say so there (with its coopbot panel) — or, `school_side`,
        its school-side channel: private, for reports the enterprise must not see, linked by a college coordinator
        only; with `college`, the partnership belongs to the college of that name from now on (found or created:
        partnerships naming the same college share its deans); and set the languages of its sides given (None:
        the partnership's). False when nothing changed (a retry, or already
        so)."""
        try:
            channel = _CHANNEL.validate_python(channel_id)
        except ValidationError:
            raise FormRejected({"partnership": "bad_channel"}) from None
        college_name: str | None = None
        if college is not None and college.strip():
            try:
                college_name = _COLLEGE.validate_python(college)
            except ValidationError:
                raise FormRejected({"college": "bad_college"}) from None
        wrong = {block: "unknown_language" for block, language in (side_languages or {}).items()
                 if block not in ("school_language", "enterprise_language")
                 or (language is not None and language not in available_languages())}
        if wrong:
            raise FormRejected(dict(wrong))

        def change(session: Session, partnership: Partnership, actor: Person) -> bool:
            with every_tenant():  # a channel is one partnership's, whichever tenant's: said "taken", never whose
                taken = session.scalar(select(Partnership.id).where(Partnership.channel_id == channel,
                                                                    Partnership.id != partnership.id))
            if taken is not None or (school_side and partnership.channel_id == channel):
                raise FormRejected({"partnership": "channel_taken"})
            if school_side:
                if actor.side != Side.SCHOOL:  # the enterprise never chooses where the college's reports go
                    raise FormRejected({"use": "college_only"})
                relinked = partnership.school_channel_id != channel
            else:
                if partnership.school_channel_id == channel:  # the shared channel never doubles as the private one
                    raise FormRejected({"partnership": "channel_taken"})
                relinked = partnership.channel_id != channel
            before = partnership_rules.snapshot(partnership)
            if college_name is not None and college_name != partnership.school:
                partnership.school = college_name
                partnership.college_id = partnership_rules.college_named(session, college_name).id
            for column, language in (side_languages or {}).items():
                setattr(partnership, column, language)
            if school_side:
                partnership.school_channel_id = channel
            else:
                partnership.channel_id = channel
            after = partnership_rules.snapshot(partnership)
            if after == before:
                return False
            audit.record(session, actor=slack_user_id, action="partnership.update", entity_type="partnership",
                         entity_id=partnership.id, before=before, after=after)
            if relinked and school_side:
                outbox.post(session, channel=channel, text=announce_school_link(partnership.name,
                                                                                 partnership.language),
                            notify_user=slack_user_id)
            elif relinked:
                outbox.post(session, channel=channel, text=announce_link(partnership.name, partnership.language),
                            notify_user=slack_user_id)
                post_panel(session, partnership)  # the buttons people of the other organization start from
            return True

        return self._submit(slack_user_id, partnership_id, Action.LINK_CHANNEL, source_key, change)

    def save_person(self, slack_user_id: str, partnership_id: int, form: PersonForm, source_key: str) -> bool:
        """Add a person to the partnership, or set their roles in it to exactly `form.roles`."""
        def change(session: Session, partnership: Partnership, actor: Person) -> bool:
            uid = (form.slack_user_id or "").strip()
            person = session.scalar(select(Person).where(Person.slack_user_id == uid)) if uid else None
            # What blanks keep is filled in only from someone this request may see (OAuth mode: on a roster of
            # its tenant), never from another tenant's records (docs/decisions/0012, Scope).
            known = person if person is not None and _seen_here(session, person) else None
            raw = {"slack_user_id": uid, "name": form.name or (known.name if known else None),
                   "email": form.email or (known.email if known else None),
                   "side": form.side or (known.side.value if known else None),
                   "roles": ";".join(form.roles), "partnership": partnership.name}
            # Every field's problem at once: the row's own rules, then those that need the roster, on
            # whichever fields the row's rules accepted.
            row, problems, accepted = _checked(PersonRow, raw)
            held: dict[Role, Membership] = {} if person is None else {
                m.role: m for m in session.scalars(select(Membership).where(
                    Membership.person_id == person.id, Membership.partnership_id == partnership.id))}
            if "side" in accepted and person is not None and known is None and person.side != accepted["side"]:
                problems.setdefault("side", "side_fixed")  # neither who they are nor their side is told
            elif "side" in accepted and (side_changed := side_problem(person, uid, accepted["side"])) is not None:
                problems.setdefault("side", side_changed)
            if person is not None and "roles" in accepted:
                dropped = [role for role in held if role not in accepted["roles"]]
                kept = _supervision_kept(session, person, partnership, dropped)
                if kept is not None:
                    problems.setdefault("roles", kept)
                elif Role.COORDINATOR in dropped and not _other_coordinators(session, partnership, person):
                    problems.setdefault("roles", "last_coordinator")  # nobody could administer it in Slack after
            changed = [field for field, now in (("name", person.name), ("email", person.email))
                       if field in accepted and accepted[field] != now] if person is not None else []
            if changed and person is not None and _elsewhere(session, person, actor):
                problems.setdefault(changed[0], "shared_person")
            if problems:
                raise FormRejected(problems)
            assert row is not None  # no problem: the row is valid
            if person is None:
                person = Person(slack_user_id=uid, name=row.name, email=row.email, side=row.side)
                session.add(person)
                session.flush()
                before = None
            else:
                before = _person_snapshot(person, partnership.name, held)
            person.name, person.email = row.name, row.email
            for role, membership in held.items():
                if role not in row.roles:
                    session.delete(membership)
            session.add_all(Membership(person_id=person.id, partnership_id=partnership.id, role=role)
                            for role in row.roles if role not in held)
            after = _person_snapshot(person, partnership.name, row.roles)
            if before == after:
                return False
            audit.record(session, actor=slack_user_id, action="person.create" if before is None else "person.update",
                         entity_type="person", entity_id=person.id, before=before, after=after)
            return True

        return self._submit(slack_user_id, partnership_id, Action.ADMINISTER_ROSTER, source_key, change)

    def add_intern(self, slack_user_id: str, partnership_id: int, form: InternForm, source_key: str) -> bool:
        """Add an intern to the partnership; teacher and mentor must be on its roster in those roles."""
        def change(session: Session, partnership: Partnership, actor: Person) -> bool:
            raw = {k: v for k, v in vars(form).items() if v is not None} | {"partnership": partnership.name}
            # Every field's problem at once: the row's own rules, then the roster's on the fields they accepted.
            row, problems, accepted = _checked(InternRow, raw)
            student_id = accepted.get("student_id")
            with every_tenant():  # a student id is one intern's, whichever tenant's: said "taken", never whose
                taken = student_id and session.scalar(select(Intern.id).where(Intern.student_id == student_id))
            if taken:
                problems.setdefault("student_id", "student_exists")
            wanted = {field: accepted[field] for field in ("teacher", "mentor") if field in accepted}
            people, roles_held = _people_and_roles(session, list(wanted.values()))
            for field, problem in _supervisor_problems(partnership, people, roles_held, **wanted).items():
                problems.setdefault(field, problem)
            if problems:
                raise FormRejected(problems)
            assert row is not None  # no problem: the row is valid
            intern = Intern(student_id=row.student_id, name=row.name, partnership_id=partnership.id,
                            teacher_id=people[row.teacher].id, mentor_id=people[row.mentor].id,
                            start_date=row.start_date, end_date=row.end_date, position=row.position,
                            birth_date=row.birth_date)
            session.add(intern)
            session.flush()
            after = {"student_id": row.student_id, "name": row.name, "partnership": partnership.name,
                     "teacher": row.teacher, "mentor": row.mentor, "start_date": row.start_date,
                     "end_date": row.end_date, "position": row.position, "birth_date": row.birth_date}
            audit.record(session, actor=slack_user_id, action="intern.create", entity_type="intern",
                         entity_id=intern.id, after=after)
            return True

        return self._submit(slack_user_id, partnership_id, Action.ADMINISTER_ROSTER, source_key, change)

    def change_supervisors(self, slack_user_id: str, partnership_id: int, form: SupervisorsForm,
                           source_key: str) -> bool:
        """Give an intern a new teacher and/or mentor (each checked as the interns import checks them)."""
        def change(session: Session, partnership: Partnership, actor: Person) -> bool:
            intern = _intern_or_none(session, partnership, form.intern_id)
            problems: dict[str, str | RosterProblem] = {} if intern is not None else {"intern": "unknown"}
            if not form.teacher and not form.mentor:
                problems["teacher"] = "nothing_chosen"
            wanted = {k: v for k, v in (("teacher", form.teacher), ("mentor", form.mentor)) if v}
            people, roles_held = _people_and_roles(session, list(wanted.values()))
            problems |= _supervisor_problems(partnership, people, roles_held, **wanted)
            if problems:
                raise FormRejected(problems)
            assert intern is not None
            before = {"teacher": intern.teacher.slack_user_id, "mentor": intern.mentor.slack_user_id}
            if "teacher" in wanted:
                intern.teacher = people[wanted["teacher"]]
            if "mentor" in wanted:
                intern.mentor = people[wanted["mentor"]]
            after = {"teacher": intern.teacher.slack_user_id, "mentor": intern.mentor.slack_user_id}
            if before == after:
                return False
            audit.record(session, actor=slack_user_id, action="intern.supervisors", entity_type="intern",
                         entity_id=intern.id, before=before, after=after)
            return True

        return self._submit(slack_user_id, partnership_id, Action.ADMINISTER_ROSTER, source_key, change)

    def end_early(self, slack_user_id: str, partnership_id: int, form: EndForm, source_key: str) -> bool:
        """End an internship before its planned end: the new last day and the reason are recorded."""
        def change(session: Session, partnership: Partnership, actor: Person) -> bool:
            intern = _intern_or_none(session, partnership, form.intern_id)
            reason = (form.reason or "").strip()
            problems: dict[str, str | RosterProblem] = {} if intern is not None else {"intern": "unknown"}
            if not reason or len(reason) > MAX_REASON:
                problems["reason"] = "reason"
            try:
                end: date = _DATE.validate_python(form.end_date or "")
            except ValidationError:
                problems["end_date"] = "invalid"
            else:
                if intern is not None and end < intern.start_date:
                    problems["end_date"] = "before_start"
                elif intern is not None and end >= intern.end_date:
                    problems["end_date"] = "not_earlier"
            if problems:
                raise FormRejected(problems)
            assert intern is not None
            before = {"end_date": intern.end_date, "end_reason": intern.end_reason}
            intern.end_date, intern.end_reason = end, reason
            audit.record(session, actor=slack_user_id, action="intern.end_early", entity_type="intern",
                         entity_id=intern.id, before=before, after={"end_date": end, "end_reason": reason})
            return True

        return self._submit(slack_user_id, partnership_id, Action.ADMINISTER_ROSTER, source_key, change)

    # --- helpers -------------------------------------------------------------------------------------
    def _submit(self, slack_user_id: str, partnership_id: int, action: Action, source_key: str,
                change: Callable[[Session, Partnership, Person], bool]) -> bool:
        """Run `change` for a person the matrix allows, once per `source_key`."""
        try:
            with self.db.transaction() as session:
                lock_roster(session)  # the imports' rules, checked against no half-done import (bot.roster.lock)
                partnership = _partnership(session, partnership_id, lock=True)
                actor = require(session, slack_user_id, action, Subject(partnership.id))
                if session.get(ProcessedRequest, source_key) is not None:
                    return False
                session.add(ProcessedRequest(key=source_key))
                return change(session, partnership, actor)
        except IntegrityError:
            with self.db.session() as session:  # the same submission raced us; it did the work
                if session.get(ProcessedRequest, source_key) is not None:
                    return False
            raise


def _organization_marks(session: Session, partnership_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per partnership: how many on its roster are of another Slack organization, and how many are guests."""
    people = (select(Membership.partnership_id, Person.id, Person.is_external, Person.is_guest)
              .join(Person, Person.id == Membership.person_id)
              .where(Membership.partnership_id.in_(partnership_ids), or_(Person.is_external, Person.is_guest))
              .distinct().subquery())
    rows = session.execute(select(people.c.partnership_id,
                                  func.sum(case((people.c.is_external, 1), else_=0)),
                                  func.sum(case((people.c.is_guest, 1), else_=0)))
                           .group_by(people.c.partnership_id))
    return {pid: (int(external or 0), int(guests or 0)) for pid, external, guests in rows}


def announce_link(name: str, language: str) -> str:
    """The post in a newly linked channel, in the partnership's language."""
    t = translator(language)
    return t.gettext("This channel is now the channel of the partnership *{name}*: problem reports, meetings "
                     "and digests are posted here.").format(name=escape(name))


def announce_school_link(name: str, language: str) -> str:
    """The post in a newly linked school-side channel, in the partnership's language."""
    t = translator(language)
    return t.gettext("This channel is now the school-side channel of the partnership *{name}*: reports kept from "
                     "the enterprise are posted here. Keep it private, for college people only.").format(
        name=escape(name))


def _partnership(session: Session, partnership_id: int, *, lock: bool = False) -> Partnership:
    partnership = session.get(Partnership, partnership_id, with_for_update=lock or None)
    if partnership is None:
        raise NotFound(f"partnership {partnership_id}")
    return partnership


def _intern_or_none(session: Session, partnership: Partnership, intern_id: int | None) -> Intern | None:
    """The partnership's intern (locked), or None if there is none of that id there."""
    intern = session.get(Intern, intern_id, with_for_update=True) if intern_id else None
    return intern if intern is not None and intern.partnership_id == partnership.id else None


def _valid(schema: type[RowT], raw: dict[str, Any]) -> RowT:
    """The schema's row, or FormRejected naming each bad field (the CLI's `field: message`)."""
    try:
        return schema.model_validate({k: v for k, v in raw.items() if v is not None})  # None: left empty
    except ValidationError as exc:
        kinds = first_errors(exc)
        # the two cross-field rules of InternRow get their own words; anything else is "invalid"
        codes = {f: ("before_start" if f == "end_date" and k == "value_error" else
                     "birth_after_start" if f == "birth_date" and k == "value_error" else
                     "missing" if k == "missing" else "invalid") for f, k in kinds.items()}
        raise FormRejected(dict(codes)) from None


def _checked(schema: type[RowT], raw: dict[str, Any]) -> tuple[RowT | None, dict[str, str | RosterProblem],
                                                                  dict[str, Any]]:
    """The schema's row (or None) with the problems `_valid` finds, and the fields valid on their own (all of
    the row's when it is valid), which the rules that need the roster check too."""
    try:
        row = _valid(schema, raw)
    except FormRejected as exc:
        given = {k: v for k, v in raw.items() if v is not None}
        return None, dict(exc.problems), accepted_fields(schema, given, exc.problems)
    return row, {}, dict(row)


def _people_and_roles(session: Session, uids: list[str]) -> tuple[dict[str, Person], set[tuple[int, int, Role]]]:
    people = {p.slack_user_id: p for p in session.scalars(select(Person).where(Person.slack_user_id.in_(uids)))}
    roles = {(m.person_id, m.partnership_id, m.role) for m in session.scalars(
        select(Membership).where(Membership.person_id.in_([p.id for p in people.values()])))}
    return people, roles


def _supervisor_problems(partnership: Partnership, people: dict[str, Person],
                         roles_held: set[tuple[int, int, Role]], **wanted: str) -> dict[str, str | RosterProblem]:
    found = (supervisor_problem(field, uid, people.get(uid), partnership, roles_held) for field, uid in wanted.items())
    return {p.field: p for p in found if p is not None}


def _person_snapshot(person: Person, partnership: str, roles: Any) -> dict[str, Any]:
    """The shape the people import audits: roles only in the partnership concerned."""
    return {"slack_user_id": person.slack_user_id, "name": person.name, "email": person.email,
            "side": person.side, "roles": {partnership: [r.value for r in Role if r in set(roles)]}}


def _supervision_kept(session: Session, person: Person, partnership: Partnership,
                      dropped: list[Role]) -> RosterProblem | None:
    """Why teacher or mentor cannot be taken from someone an intern of the partnership still names as such
    (the people import's rule, bot.roster.rules.supervision_problem), or None."""
    for role in dropped:
        column = {Role.TEACHER: Intern.teacher_id, Role.MENTOR: Intern.mentor_id}.get(role)
        if column is None:
            continue
        student_ids = list(session.scalars(select(Intern.student_id).where(
            Intern.partnership_id == partnership.id, column == person.id).order_by(Intern.student_id)))
        problem = supervision_problem(person, partnership, role, student_ids)
        if problem is not None:
            return problem
    return None


def _other_coordinators(session: Session, partnership: Partnership, person: Person) -> bool:
    """Whether the partnership has a coordinator besides `person`."""
    return session.scalar(select(Membership.id).where(
        Membership.partnership_id == partnership.id, Membership.role == Role.COORDINATOR,
        Membership.person_id != person.id).limit(1)) is not None


def _elsewhere(session: Session, person: Person, actor: Person) -> bool:
    """Whether `person` is on the roster of a partnership `actor` does not coordinate: their name and
    email are shared with it (its letters, calendar invitations, exports), so not this coordinator's to
    change. Whichever tenant's partnership it is (read past the scope; only "shared" is said, never whose)."""
    coordinated = select(Membership.partnership_id).where(Membership.person_id == actor.id,
                                                          Membership.role == Role.COORDINATOR)
    with every_tenant():
        return session.scalar(select(Membership.id).where(
            Membership.person_id == person.id, Membership.partnership_id.not_in(coordinated)).limit(1)) is not None


def _seen_here(session: Session, person: Person) -> bool:
    """Whether the request may see what is stored of `person`: always, but in OAuth mode only if they are on a
    roster of the request's tenant (`Person` is not scoped; the roster is)."""
    return current_tenant() is None or session.scalar(select(Membership.id).where(
        Membership.person_id == person.id).limit(1)) is not None
