"""CSV imports of people and interns (`coopbot people import`, `coopbot interns import`).

An import is all or nothing: every row is validated, and checked against the database, before
anything is written; any problem aborts the whole file with one message per problem, each naming
file, physical line and field. The write is one transaction, upserting by natural key, and a
re-import of the same file writes nothing at all (not even audit entries).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import ImportFailed
from bot.roster.lock import lock_roster
from bot.roster.rules import cli_message, side_problem, supervision_problem, supervisor_problem
from bot.storage.db import Database
from models.plan import PlanLine
from models.roster import CollegeDean, Intern, Membership, Partnership, Person, Role, Side
from models.schemas import InternRow, PersonRow, field_errors

PEOPLE_HEADER = ("slack_user_id", "name", "email", "side", "roles", "partnership")
INTERN_HEADER = (
    "student_id", "name", "partnership", "teacher", "mentor", "start_date", "end_date", "position",
)
# May follow the contract's header, in this order: birth_date decides whether guardian consent is needed;
# plan_line links the intern to the plan line they fill (its `line` in `coopbot plans import`).
INTERN_OPTIONAL = ("birth_date", "plan_line")
# Bounded IN lists: SQLite caps bound parameters, and huge lists plan badly on PostgreSQL.
_CHUNK = 500

RowT = TypeVar("RowT", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class ImportSummary:
    """How many records (people or interns, not CSV rows) the import created, updated or left alone."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _Problems:
    """Collects every problem so that one run reports all of them, not just the first."""

    def __init__(self, path: Path) -> None:
        self.file = str(path)
        self._found: list[tuple[int, str]] = []

    def add(self, line: int, field: str, message: str) -> None:
        self._found.append((line, f"{self.file}:{line}: {field}: {message}"))

    def raise_if_any(self) -> None:
        if self._found:
            # Row checks and database cross-checks run in separate passes; report in file order.
            raise ImportFailed([message for _, message in sorted(self._found, key=lambda f: f[0])])


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# One valid multi-byte UTF-8 sequence (group 1), or else one byte that cannot start one (no group).
_UTF8_SEQUENCE = re.compile(
    rb"([\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2})|[\x80-\xff]")
_SAVE_AS = 'save it as "CSV UTF-8"'
_NOT_ENCODED = f"not UTF-8 or GB18030 text; {_SAVE_AS}"


def _line_at(data: bytes | str, offset: int) -> int:
    return (data[:offset].count(b"\n") if isinstance(data, bytes) else data[:offset].count("\n")) + 1


def _utf8_bad_bytes(raw: bytes) -> tuple[int, dict[int, int]]:
    """How many valid multi-byte UTF-8 sequences `raw` holds, and the first byte of each line that
    cannot be UTF-8."""
    valid = 0
    bad: dict[int, int] = {}
    line, counted = 1, 0  # lines counted as the matches advance: once over the file, not once per byte
    for match in _UTF8_SEQUENCE.finditer(raw):
        if match.group(1) is not None:
            valid += 1
            continue
        line += raw.count(b"\n", counted, match.start())
        counted = match.start()
        bad.setdefault(line, raw[counted])
    return valid, bad


def _wrong_gb18030_guess(text: str) -> int | None:
    """The offset of the first sign that `text` is not really GB18030 (so the decode garbled it).

    Signs: a private-use or unassigned character (Big5 bytes land in GB18030's user-defined areas);
    a character whose second byte is an ASCII letter right after an ASCII letter ("Renée" saved as
    Windows-1252 reads as "Ren閑"); or fewer than half of the characters from GB2312, the set nearly
    all Chinese text is written in (UTF-8 read as GB18030 is mostly rarer characters: "张伟" reads
    as "寮犱紵").
    """
    common = rare = 0
    first_rare: int | None = None
    for offset, char in enumerate(text):
        if char.isascii():
            continue
        if unicodedata.category(char) in ("Co", "Cn"):
            return offset
        if (len(char.encode("gb18030")) == 2 and char.encode("gb18030")[1:].isalpha() and offset
                and text[offset - 1].isascii() and text[offset - 1].isalpha()):
            return offset
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            rare += 1
            first_rare = offset if first_rare is None else first_rare
    return first_rare if rare > common else None


def _decode(path: Path, problems: _Problems) -> str:
    """UTF-8 (Excel adds a BOM) or, failing that, GB18030, which Chinese-locale Excel writes by default.

    Anything else is refused rather than guessed at: a wrong guess stores garbled names and reports
    success. A file that is UTF-8 but for a few bytes (one name pasted in from another encoding) is
    refused naming each line with such a byte.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportFailed([f"{problems.file}:1: file: cannot read: {exc.strerror or exc}"]) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    is_bom = raw.startswith(b"\xef\xbb\xbf")
    wrong: str | None = None
    if not is_bom:
        try:
            text = raw.decode("gb18030").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            wrong = f"{problems.file}:{_line_at(raw, exc.start)}: file: {_NOT_ENCODED}"
        else:
            offset = _wrong_gb18030_guess(text)
            if offset is None:
                return text
            wrong = f"{problems.file}:{_line_at(text, offset)}: file: {_NOT_ENCODED}"
    valid, bad = _utf8_bad_bytes(raw)
    if is_bom or valid >= len(bad):  # mostly UTF-8: point at the stray bytes
        raise ImportFailed([f"{problems.file}:{line}: file: not UTF-8 (byte 0x{byte:02X}); {_SAVE_AS}"
                            for line, byte in sorted(bad.items())])
    raise ImportFailed([wrong or f"{problems.file}:1: file: {_NOT_ENCODED}"])


def _read_rows(path: Path, header: tuple[str, ...], schema: type[RowT], problems: _Problems,
               optional: tuple[str, ...] = ()) -> list[tuple[int, RowT]]:
    """Validate every data row; return (physical line, row) for the valid ones, noting the rest.

    Invalid rows are left out rather than aborting, so that the database cross-checks still run on
    the others and one attempt reports every problem in the file. The header is `header`, optionally
    followed by any of the columns of `optional`, in that order.
    """
    reader = csv.reader(io.StringIO(_decode(path, problems), newline=""))
    expected = ",".join(header)
    try:
        first = next(reader, None)
        got = tuple(cell.strip() for cell in first) if first is not None else None
        while got and not got[-1]:
            got = got[:-1]  # Excel's trailing empty cells, as on data rows
        accepted = [header + tuple(extra) for n in range(len(optional) + 1) for extra in combinations(optional, n)]
        if got not in accepted:
            found = "an empty file" if first is None else repr(",".join(first))
            problems.add(1, "header", f"expected {expected!r}, found {found}")
            problems.raise_if_any()
        columns = got or header
        expected = ",".join(columns)
        rows: list[tuple[int, RowT]] = []
        end_of_previous = reader.line_num
        for cells in reader:
            # A quoted cell may span lines; report the line the row starts on.
            line, end_of_previous = end_of_previous + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and Excel's trailing ",,,,," rows
            while len(cells) > len(columns) and not cells[-1].strip():
                cells = cells[:-1]
            if len(cells) != len(columns):
                problems.add(line, "row", f"expected {len(columns)} fields ({expected}), found {len(cells)}")
                continue
            try:
                rows.append((line, schema.model_validate(dict(zip(columns, cells, strict=True)))))
            except ValidationError as exc:
                for field, message in field_errors(exc):
                    problems.add(line, field, message)
    except csv.Error as exc:
        problems.add(reader.line_num or 1, "row", f"malformed CSV: {exc}")
    return rows


def _partnerships(session: Session, names: Iterable[str]) -> dict[str, Partnership]:
    wanted = sorted(set(names))
    found: dict[str, Partnership] = {}
    for chunk in _chunks(wanted):
        query = select(Partnership).where(Partnership.name.in_(chunk))
        found.update((p.name, p) for p in session.scalars(query))
    return found


def _people(session: Session, slack_ids: Iterable[str]) -> dict[str, Person]:
    wanted = sorted(set(slack_ids))
    found: dict[str, Person] = {}
    for chunk in _chunks(wanted):
        query = select(Person).where(Person.slack_user_id.in_(chunk))
        found.update((p.slack_user_id, p) for p in session.scalars(query))
    return found


def _memberships(session: Session, person_ids: Iterable[int]) -> list[Membership]:
    out: list[Membership] = []
    for chunk in _chunks(sorted(set(person_ids))):
        out.extend(session.scalars(select(Membership).where(Membership.person_id.in_(chunk))))
    return out


def _unknown_partnership(name: str) -> str:
    return f"unknown partnership {name!r} (create it first with `coopbot partnership add`)"


# --- people ---------------------------------------------------------------------------------------


@dataclass
class _PersonPlan:
    """Everything the file says about one person, gathered from all of their rows."""

    first_line: int
    row: PersonRow
    roles: dict[str, tuple[Role, ...]]  # partnership name -> exactly these roles
    lines: dict[str, int]  # partnership name -> the line that sets the roles there
    deans: set[str]  # partnership names whose college the person is a dean of (roles `dean`)


def _plan_people(rows: list[tuple[int, PersonRow]], partnerships: dict[str, Partnership],
                 existing: dict[str, Person], problems: _Problems) -> list[_PersonPlan]:
    plans: dict[str, _PersonPlan] = {}
    seen_in: dict[tuple[str, str], int] = {}
    for line, row in rows:
        uid = row.slack_user_id
        if row.partnership not in partnerships:
            problems.add(line, "partnership", _unknown_partnership(row.partnership))
        key = (uid, row.partnership)
        if key in seen_in:
            problems.add(line, "slack_user_id",
                         f"{uid} is already listed for {row.partnership!r} on line {seen_in[key]}")
            continue
        seen_in[key] = line
        side_changed = side_problem(existing.get(uid), uid, row.side)
        if side_changed is not None:
            problems.add(line, side_changed.field, cli_message(side_changed))
        plan = plans.get(uid)
        if plan is None:
            plans[uid] = _PersonPlan(line, row, {row.partnership: row.roles}, {row.partnership: line},
                                     {row.partnership} if row.dean else set())
            continue
        if row.dean:
            plan.deans.add(row.partnership)
        # One person is one record: rows for other partnerships must agree on who they are.
        for field in ("side", "name", "email"):
            mine, theirs = getattr(row, field), getattr(plan.row, field)
            if mine != theirs:
                problems.add(line, field, f"{_show(mine)} differs from {_show(theirs)} for {uid} "
                             f"on line {plan.first_line}")
        plan.roles[row.partnership] = row.roles
        plan.lines[row.partnership] = line
    return list(plans.values())


_SUPERVISING = (Role.TEACHER, Role.MENTOR)


def _check_supervision(session: Session, plans: list[_PersonPlan], partnerships: dict[str, Partnership],
                       existing: dict[str, Person], held: dict[tuple[int, int], dict[Role, Membership]],
                       problems: _Problems) -> None:
    """Refuse taking teacher or mentor away from someone an intern of that partnership names as such.

    Only roles the file takes away matter (one in the database, missing from the row), so a file
    that demotes nobody costs no query; the interns of everyone it does demote are read at once.
    A row for another partnership leaves this one's roles alone, and a side change is refused
    anyway, so a role can only be lost on the row for its own partnership.
    """
    dropped: dict[tuple[int, int, Role], tuple[int, Person, Partnership]] = {}
    for plan in plans:
        person = existing.get(plan.row.slack_user_id)
        if person is None:
            continue
        for pname, roles in plan.roles.items():
            partnership = partnerships.get(pname)
            if partnership is None:
                continue  # already reported
            have = held.get((person.id, partnership.id), {})
            for role in _SUPERVISING:
                if role in have and role not in roles:
                    dropped[(person.id, partnership.id, role)] = (plan.lines[pname], person, partnership)
    if not dropped:
        return
    person_ids = sorted({person_id for person_id, _, _ in dropped})
    partnership_ids = sorted({partnership_id for _, partnership_id, _ in dropped})
    supervised: dict[tuple[int, int, Role], list[str]] = {}
    for chunk in _chunks(person_ids):
        query = (select(Intern.student_id, Intern.partnership_id, Intern.teacher_id, Intern.mentor_id)
                 .where(Intern.partnership_id.in_(partnership_ids),
                        or_(Intern.teacher_id.in_(chunk), Intern.mentor_id.in_(chunk))))
        for student_id, partnership_id, teacher_id, mentor_id in session.execute(query):
            for role, person_id in ((Role.TEACHER, teacher_id), (Role.MENTOR, mentor_id)):
                if (person_id, partnership_id, role) in dropped:
                    supervised.setdefault((person_id, partnership_id, role), []).append(student_id)
    for key, student_ids in sorted(supervised.items()):
        line, person, partnership = dropped[key]
        found = supervision_problem(person, partnership, key[2], student_ids)
        if found is not None:
            problems.add(line, found.field, cli_message(found))


def _show(value: Any) -> str:
    return repr(value.value if isinstance(value, Side) else value)


def _person_snapshot(slack_user_id: str, name: str, email: str | None, side: Side,
                     roles: dict[str, tuple[Role, ...]], dean_of: Iterable[str] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {"slack_user_id": slack_user_id, "name": name, "email": email, "side": side,
           "roles": {p: [r.value for r in Role if r in set(rs)] for p, rs in sorted(roles.items())}}
    names = sorted(set(dean_of))
    if names:
        out["dean_of"] = names  # college names
    return out


def _deans(session: Session, person_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(person id, college id) of every dean link these people hold."""
    out: set[tuple[int, int]] = set()
    for chunk in _chunks(sorted(set(person_ids))):
        query = select(CollegeDean.person_id, CollegeDean.college_id).where(CollegeDean.person_id.in_(chunk))
        out.update((person_id, college_id) for person_id, college_id in session.execute(query))
    return out


def import_people(db: Database, path: Path, actor: str = "cli") -> ImportSummary:
    """Upsert people by Slack user id.

    For each (person, partnership) in the file the person's roles there become exactly those listed;
    roles in partnerships the file does not mention are left alone. The role `dean` makes the person a
    dean of the partnership's college (a link the import adds and never removes). Taking teacher or mentor away
    from someone who still supervises interns of that partnership in that role is refused.
    """
    problems = _Problems(path)
    rows = _read_rows(path, PEOPLE_HEADER, PersonRow, problems)
    created = updated = unchanged = 0
    with db.transaction() as session:
        lock_roster(session)  # checks and writes see no other roster change half-done (bot.roster.lock)
        partnerships = _partnerships(session, (r.partnership for _, r in rows))
        existing = _people(session, (r.slack_user_id for _, r in rows))
        plans = _plan_people(rows, partnerships, existing, problems)
        held: dict[tuple[int, int], dict[Role, Membership]] = {}
        for m in _memberships(session, (p.id for p in existing.values())):
            held.setdefault((m.person_id, m.partnership_id), {})[m.role] = m
        _check_supervision(session, plans, partnerships, existing, held, problems)
        problems.raise_if_any()

        deans = _deans(session, (p.id for p in existing.values()))
        colleges = {p.college_id: p.school for p in partnerships.values()}
        new_people = [Person(slack_user_id=p.row.slack_user_id, name=p.row.name, email=p.row.email,
                             side=p.row.side) for p in plans if p.row.slack_user_id not in existing]
        session.add_all(new_people)
        session.flush()  # one batched INSERT; we need the ids for memberships and audit entries
        by_uid = existing | {p.slack_user_id: p for p in new_people}

        for plan in plans:
            row = plan.row
            person = by_uid[row.slack_user_id]
            dean_of = {partnerships[pname].college_id for pname in plan.deans}
            after = _person_snapshot(row.slack_user_id, row.name, row.email, row.side, plan.roles,
                                     (colleges[c] for c in dean_of))
            session.add_all(CollegeDean(person_id=person.id, college_id=c)
                            for c in sorted(dean_of) if (person.id, c) not in deans)
            if row.slack_user_id not in existing:
                for pname, roles in plan.roles.items():
                    session.add_all(Membership(person_id=person.id, partnership_id=partnerships[pname].id,
                                               role=role) for role in roles)
                audit.record(session, actor=actor, action="person.create", entity_type="person",
                             entity_id=person.id, after=after)
                created += 1
                continue
            current = {pname: tuple(held.get((person.id, partnerships[pname].id), {}))
                       for pname in plan.roles}
            before = _person_snapshot(person.slack_user_id, person.name, person.email, person.side, current,
                                      (colleges[c] for c in dean_of if (person.id, c) in deans))
            if before == after:
                unchanged += 1
                continue
            person.name, person.email = row.name, row.email
            for pname, roles in plan.roles.items():
                pid = partnerships[pname].id
                have = held.get((person.id, pid), {})
                for role, membership in have.items():
                    if role not in roles:
                        session.delete(membership)
                session.add_all(Membership(person_id=person.id, partnership_id=pid, role=role)
                                for role in roles if role not in have)
            audit.record(session, actor=actor, action="person.update", entity_type="person",
                         entity_id=person.id, before=before, after=after)
            updated += 1
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


# --- interns --------------------------------------------------------------------------------------


def _check_supervisor(line: int, field: str, uid: str, partnership: Partnership | None,
                      people: dict[str, Person], roles_held: set[tuple[int, int, Role]],
                      problems: _Problems) -> None:
    """The rule of bot.roster.rules.supervisor_problem, reported with the file's line."""
    found = supervisor_problem(field, uid, people.get(uid), partnership, roles_held)
    if found is not None:
        problems.add(line, field, cli_message(found))


_INTERN_COLUMNS = (Intern.id, Intern.student_id, Intern.name, Intern.partnership_id, Intern.teacher_id,
                   Intern.mentor_id, Intern.start_date, Intern.end_date, Intern.position, Intern.birth_date,
                   Intern.plan_line_id)
_Stored = dict[str, tuple[Any, dict[str, Any]]]  # columns as in _INTERN_COLUMNS


def _existing_interns(session: Session, student_ids: Sequence[str], partnership_ids: Sequence[int],
                      refs: dict[int, str]) -> _Stored:
    """Interns already stored (as columns, not ORM objects: 20,000 of those cost seconds), each with its
    audit snapshot (names and Slack ids, not row ids).

    A file usually lists the interns of its partnerships, so those are read in one scan first; only
    student ids still missing (new, or moved from another partnership) are looked up by key. Long
    IN lists against a table PostgreSQL has not yet analysed (right after a first import) cost
    ~0.2 s per 500 ids, which made a 20,000-row re-import take seconds.
    """
    wanted = set(student_ids)
    same_partnerships = select(*_INTERN_COLUMNS).where(Intern.partnership_id.in_(partnership_ids))
    interns: list[Any] = [i for i in session.execute(same_partnerships) if i.student_id in wanted]
    missing = sorted(wanted - {i.student_id for i in interns})
    for chunk in _chunks(missing):
        interns.extend(session.execute(select(*_INTERN_COLUMNS).where(Intern.student_id.in_(chunk))))
    names: dict[int, str] = {}
    for ids in _chunks(sorted({i.partnership_id for i in interns})):
        query = select(Partnership.id, Partnership.name).where(Partnership.id.in_(ids))
        names.update((pid, name) for pid, name in session.execute(query))
    slack_ids: dict[int, str] = {}
    for ids in _chunks(sorted({pid for i in interns for pid in (i.teacher_id, i.mentor_id)})):
        query = select(Person.id, Person.slack_user_id).where(Person.id.in_(ids))
        slack_ids.update((pid, uid) for pid, uid in session.execute(query))
    return {i.student_id: (i, _intern_snapshot(
        i.student_id, i.name, names[i.partnership_id], slack_ids[i.teacher_id], slack_ids[i.mentor_id],
        i.start_date, i.end_date, i.position, i.birth_date, refs.get(i.plan_line_id))) for i in interns}


def _intern_snapshot(student_id: str, name: str, partnership: str, teacher: str, mentor: str,
                     start_date: Any, end_date: Any, position: str, birth_date: Any = None,
                     plan_line: str | None = None) -> dict[str, Any]:
    out = {"student_id": student_id, "name": name, "partnership": partnership, "teacher": teacher,
           "mentor": mentor, "start_date": start_date, "end_date": end_date, "position": position,
           "birth_date": birth_date}
    if plan_line is not None:
        out["plan_line"] = plan_line
    return out


def _plan_lines(session: Session, partnership_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(partnership id, line reference) → plan line id."""
    query = select(PlanLine.partnership_id, PlanLine.ref, PlanLine.id).where(
        PlanLine.partnership_id.in_(list(partnership_ids)))
    return {(pid, ref): line_id for pid, ref, line_id in session.execute(query)}


def import_interns(db: Database, path: Path, actor: str = "cli") -> ImportSummary:
    """Upsert interns by student id; teacher and mentor must already be on that partnership's roster."""
    problems = _Problems(path)
    rows = _read_rows(path, INTERN_HEADER, InternRow, problems, INTERN_OPTIONAL)
    created = updated = unchanged = 0
    with db.transaction() as session:
        lock_roster(session)
        partnerships = _partnerships(session, (r.partnership for _, r in rows))
        people = _people(session, [uid for _, r in rows for uid in (r.teacher, r.mentor)])
        roles_held = {(m.person_id, m.partnership_id, m.role)
                      for m in _memberships(session, (p.id for p in people.values()))}
        plan_lines = _plan_lines(session, [p.id for p in partnerships.values()])
        first_line: dict[str, int] = {}
        for line, row in rows:
            if row.student_id in first_line:
                problems.add(line, "student_id",
                             f"{row.student_id} is already listed on line {first_line[row.student_id]}")
            else:
                first_line[row.student_id] = line
            partnership = partnerships.get(row.partnership)
            if partnership is None:
                problems.add(line, "partnership", _unknown_partnership(row.partnership))
            _check_supervisor(line, "teacher", row.teacher, partnership, people, roles_held, problems)
            _check_supervisor(line, "mentor", row.mentor, partnership, people, roles_held, problems)
            if (partnership is not None and row.plan_line is not None
                    and (partnership.id, row.plan_line) not in plan_lines):
                problems.add(line, "plan_line", f"no plan line {row.plan_line!r} in {row.partnership!r} "
                             "(add it first with `coopbot plans import`)")
        problems.raise_if_any()

        existing = _existing_interns(session, [r.student_id for _, r in rows], [p.id for p in partnerships.values()],
                                     {line_id: ref for (_, ref), line_id in plan_lines.items()})
        new: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
        changed: list[dict[str, Any]] = []
        for _, row in rows:
            stored = existing.get(row.student_id)
            # Without the optional column a birth date already stored is kept; with it, a blank clears it.
            birth_date = (row.birth_date if "birth_date" in row.model_fields_set or stored is None
                          else stored[0].birth_date)
            pid = partnerships[row.partnership].id
            # The same for the plan line; a stored line of another partnership (the intern moved) is dropped.
            plan_line = (row.plan_line if "plan_line" in row.model_fields_set or stored is None
                         else stored[1].get("plan_line"))
            plan_line_id = plan_lines.get((pid, plan_line)) if plan_line is not None else None
            plan_line = plan_line if plan_line_id is not None else None
            fields = {"name": row.name, "partnership_id": pid,
                      "teacher_id": people[row.teacher].id, "mentor_id": people[row.mentor].id,
                      "start_date": row.start_date, "end_date": row.end_date, "position": row.position,
                      "birth_date": birth_date, "plan_line_id": plan_line_id}
            after = _intern_snapshot(row.student_id, row.name, row.partnership, row.teacher, row.mentor,
                                     row.start_date, row.end_date, row.position, birth_date, plan_line)
            if stored is None:
                new[row.student_id] = ({"student_id": row.student_id, **fields}, after)
                continue
            intern, before = stored
            if before == after:
                unchanged += 1
                continue
            changed.append({"intern_id": intern.id, **fields})
            audit.record(session, actor=actor, action="intern.update", entity_type="intern",
                         entity_id=intern.id, before=before, after=after)
        _write_interns(session, new, changed, actor)
        created, updated = len(new), len(changed)
    return ImportSummary(created=created, updated=updated, unchanged=unchanged)


def _write_interns(session: Session, new: dict[str, tuple[dict[str, Any], dict[str, Any]]],
                   changed: list[dict[str, Any]], actor: str) -> None:
    """Core executemany statements: the ORM's unit of work took most of a 20,000-intern import."""
    connection = session.connection()  # statements on the connection run as Core, outside the ORM
    if changed:
        columns: dict[str, Any] = {key: bindparam(key) for key in changed[0] if key != "intern_id"}
        connection.execute(update(Intern).where(Intern.id == bindparam("intern_id")).values(columns), changed)
    if new:
        # Each new intern's id goes into its audit entry.
        statement = insert(Intern).returning(Intern.id, Intern.student_id, sort_by_parameter_order=True)
        inserted = connection.execute(statement, [values for values, _ in new.values()])
        for intern_id, student_id in inserted:
            audit.record(session, actor=actor, action="intern.create", entity_type="intern",
                         entity_id=intern_id, after=new[student_id][1])
