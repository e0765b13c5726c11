"""People and intern CSV imports: all-or-nothing validation, upserts, idempotence, encodings."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from bot.errors import ImportFailed
from bot.roster.importer import ImportSummary, import_interns, import_people
from bot.roster.partnerships import add_partnership
from bot.storage.db import Database
from models.audit import AuditEntry
from models.roster import Intern, Membership, Partnership, Person, Role, Side
from models.schemas import PartnershipInput
from tests.support.cli import operator_env, run

WriteCsv = Callable[[str, str], Path]
HUAWEI, TENCENT = "深职院–华为", "深职院–腾讯"
PEOPLE_HEADER = "slack_user_id,name,email,side,roles,partnership\n"
INTERN_HEADER = "student_id,name,partnership,teacher,mentor,start_date,end_date,position\n"
PEOPLE = PEOPLE_HEADER + (
    f"U0000T001,张伟,zhangwei@szpu.edu.cn,school,teacher,{HUAWEI}\n"
    f"U0000M001, 欧阳娜娜 ,,enterprise,mentor;mentor,{HUAWEI}\n"
    f"U0000C001,李娜,lina@szpu.edu.cn,school,coordinator;Teacher,{HUAWEI}\n"
    f"U0000C001,李娜,lina@szpu.edu.cn,school,member,{TENCENT}\n"
    f"U0000K001,黄协调,,school,coordinator,{HUAWEI}\n"
)
INTERNS = INTERN_HEADER + (
    f"2023001,王小明,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,\"测试工程师, 终端\"\n"
    f"2023002,陈静,{HUAWEI},U0000C001,U0000M001,2025-03-01,2025-03-01,装配\n"
)


@pytest.fixture
def partnerships(db: Database) -> None:
    for name, channel in ((HUAWEI, "C0123ABCD"), (TENCENT, "C0456EFGH")):
        add_partnership(db, PartnershipInput(name=name, school="深圳职业技术大学", enterprise=name[4:],
                                             channel_id=channel))


def _counts(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {m.__name__: session.scalar(select(func.count()).select_from(m)) or 0
                for m in (Person, Membership, Intern, AuditEntry)}


def _roles(db: Database, slack_user_id: str, partnership: str) -> set[Role]:
    with db.session() as session:
        query = (select(Membership.role).join(Person).join(Partnership)
                 .where(Person.slack_user_id == slack_user_id, Partnership.name == partnership))
        return set(session.scalars(query))


@contextmanager
def _statements(db: Database) -> Iterator[list[str]]:
    """Record every SQL statement sent, to prove a re-import writes nothing and queries in bulk."""
    seen: list[str] = []

    def listen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def _failure(call: Callable[[], object]) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        call()
    return info.value.problems


@pytest.mark.usefixtures("partnerships")
def test_people_import_with_chinese_names(db: Database, tmp_csv: WriteCsv) -> None:
    summary = import_people(db, tmp_csv("people.csv", PEOPLE))
    assert summary == ImportSummary(created=4, updated=0, unchanged=0)
    with db.session() as session:
        people = {p.slack_user_id: p for p in session.scalars(select(Person))}
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "person")))
    assert people["U0000M001"].name == "欧阳娜娜" and people["U0000M001"].email is None
    assert people["U0000C001"].side is Side.SCHOOL
    assert _roles(db, "U0000M001", HUAWEI) == {Role.MENTOR}
    assert _roles(db, "U0000C001", HUAWEI) == {Role.COORDINATOR, Role.TEACHER}
    assert _roles(db, "U0000C001", TENCENT) == {Role.MEMBER}
    assert len(entries) == 4 and {e.action for e in entries} == {"person.create"}
    lina = next(e for e in entries if e.entity_id == str(people["U0000C001"].id))
    assert lina.after == {"slack_user_id": "U0000C001", "name": "李娜", "email": "lina@szpu.edu.cn",
                          "side": "school", "roles": {HUAWEI: ["teacher", "coordinator"], TENCENT: ["member"]}}


@pytest.mark.usefixtures("partnerships")
def test_reimport_changes_nothing(db: Database, tmp_csv: WriteCsv) -> None:
    people, interns = tmp_csv("people.csv", PEOPLE), tmp_csv("interns.csv", INTERNS)
    import_people(db, people)
    assert import_interns(db, interns) == ImportSummary(created=2)
    before = _counts(db)
    with _statements(db) as seen:
        assert import_people(db, people) == ImportSummary(unchanged=4)
        assert import_interns(db, interns) == ImportSummary(unchanged=2)
    assert _counts(db) == before
    assert not {"INSERT", "UPDATE", "DELETE"} & set(seen)


@pytest.mark.usefixtures("partnerships")
def test_people_update_replaces_roles_in_listed_partnership_only(db: Database, tmp_csv: WriteCsv) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    changed = PEOPLE_HEADER + f"U0000C001,李娜,lina@szpu.edu.cn,school,coordinator,{HUAWEI}\n"
    assert import_people(db, tmp_csv("changed.csv", changed)) == ImportSummary(updated=1)
    assert _roles(db, "U0000C001", HUAWEI) == {Role.COORDINATOR}
    assert _roles(db, "U0000C001", TENCENT) == {Role.MEMBER}  # not in the file: left alone
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "person.update")).one()
    assert entry.before is not None and entry.after is not None
    assert entry.before["roles"] == {HUAWEI: ["teacher", "coordinator"]}
    assert entry.after["roles"] == {HUAWEI: ["coordinator"]}


@pytest.mark.usefixtures("partnerships")
def test_intern_update_audits_before_and_after(db: Database, tmp_csv: WriteCsv) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    import_interns(db, tmp_csv("interns.csv", INTERNS))
    moved = INTERNS.replace("2025-08-31", "2025-09-30")
    assert import_interns(db, tmp_csv("moved.csv", moved)) == ImportSummary(updated=1, unchanged=1)
    with db.session() as session:
        intern = session.scalars(select(Intern).where(Intern.student_id == "2023001")).one()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "intern.update")).one()
    assert intern.end_date.isoformat() == "2025-09-30" and intern.position == "测试工程师, 终端"
    assert entry.entity_id == str(intern.id)
    assert entry.before is not None and entry.before["end_date"] == "2025-08-31"
    assert entry.after is not None and entry.after["end_date"] == "2025-09-30"
    assert entry.after["teacher"] == "U0000T001" and entry.after["partnership"] == HUAWEI


BAD_PEOPLE = [
    ("bad side", f"U0000T009,赵六,,college,teacher,{HUAWEI}\n", 2, "side"),
    ("unknown role", f"U0000T009,赵六,,school,teacher;boss,{HUAWEI}\n", 2, "roles"),
    ("no role", f"U0000T009,赵六,,school, ; ,{HUAWEI}\n", 2, "roles"),
    ("unknown partnership", "U0000T009,赵六,,school,teacher,不存在\n", 2, "partnership"),
    ("bad slack id", f"zhao,赵六,,school,teacher,{HUAWEI}\n", 2, "slack_user_id"),
    ("bad email", f"U0000T009,赵六,not-an-email,school,teacher,{HUAWEI}\n", 2, "email"),
    ("control character", f"U0000T009,赵\x07六,,school,teacher,{HUAWEI}\n", 2, "name"),
    ("too few fields", f"U0000T009,赵六,school,teacher,{HUAWEI}\n", 2, "row"),
    ("side conflict", f"U0000T009,赵六,,school,teacher,{HUAWEI}\nU0000T009,赵六,,enterprise,mentor,{TENCENT}\n",
     3, "side"),
    ("duplicate pair", f"U0000T009,赵六,,school,teacher,{HUAWEI}\nU0000T009,赵六,,school,member,{HUAWEI}\n",
     3, "slack_user_id"),
]


@pytest.mark.usefixtures("partnerships")
@pytest.mark.parametrize(("body", "line", "field"), [c[1:] for c in BAD_PEOPLE], ids=[c[0] for c in BAD_PEOPLE])
def test_bad_people_row_rejects_whole_file(db: Database, tmp_csv: WriteCsv, body: str, line: int,
                                           field: str) -> None:
    good = f"U0000G001,好人,,school,teacher,{HUAWEI}\n"
    path = tmp_csv("people.csv", PEOPLE_HEADER + good + body)
    before = _counts(db)
    problems = _failure(lambda: import_people(db, path))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:{line + 1}: {field}: ")
    assert _counts(db) == before


@pytest.mark.usefixtures("partnerships")
def test_person_side_cannot_change(db: Database, tmp_csv: WriteCsv) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    path = tmp_csv("flip.csv", PEOPLE_HEADER + f"U0000T001,张伟,,enterprise,mentor,{TENCENT}\n")
    before = _counts(db)
    assert _failure(lambda: import_people(db, path))[0].startswith(f"{path}:2: side: U0000T001 is on the roster")
    assert _counts(db) == before


BAD_INTERNS = [
    ("bad date", f"2024009,孙七,{HUAWEI},U0000T001,U0000M001,2025/03/01,2025-08-31,装配\n", "start_date"),
    ("impossible date", f"2024009,孙七,{HUAWEI},U0000T001,U0000M001,2025-02-30,2025-08-31,装配\n", "start_date"),
    ("end before start", f"2024009,孙七,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-02-28,装配\n", "end_date"),
    ("teacher not a teacher", f"2024009,孙七,{HUAWEI},U0000K001,U0000M001,2025-03-01,2025-08-31,装配\n",
     "teacher"),
    ("teacher on wrong side", f"2024009,孙七,{HUAWEI},U0000M001,U0000M001,2025-03-01,2025-08-31,装配\n",
     "teacher"),
    ("unknown mentor", f"2024009,孙七,{HUAWEI},U0000T001,U0000M999,2025-03-01,2025-08-31,装配\n", "mentor"),
    ("unknown partnership", "2024009,孙七,不存在,U0000T001,U0000M001,2025-03-01,2025-08-31,装配\n",
     "partnership"),
    ("duplicate student id", f"2024001,孙七,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,装配\n",
     "student_id"),
    ("missing position", f"2024009,孙七,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,  \n", "position"),
]


@pytest.mark.usefixtures("partnerships")
@pytest.mark.parametrize(("body", "field"), [c[1:] for c in BAD_INTERNS], ids=[c[0] for c in BAD_INTERNS])
def test_bad_intern_row_rejects_whole_file(db: Database, tmp_csv: WriteCsv, body: str, field: str) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    good = f"2024001,周八,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,装配\n"
    path = tmp_csv("interns.csv", INTERN_HEADER + good + body)
    before = _counts(db)
    problems = _failure(lambda: import_interns(db, path))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:3: {field}: ")
    assert _counts(db) == before


@pytest.mark.usefixtures("partnerships")
@pytest.mark.parametrize("header", [
    "student_id,name,partnership,teacher,mentor,start,end_date,position\n",
    "student_id,name,partnership,teacher,mentor,start_date,end_date\n",
    "",
])
def test_wrong_intern_header(db: Database, tmp_csv: WriteCsv, header: str) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    path = tmp_csv("interns.csv", header + INTERNS.split("\n", 1)[1] if header else "")
    before = _counts(db)
    problems = _failure(lambda: import_interns(db, path))
    assert problems == [f"{path}:1: header: expected '{INTERN_HEADER.strip()}', found " +
                        (repr(header.strip()) if header else "an empty file")]
    assert _counts(db) == before


def test_wrong_people_header(db: Database, tmp_csv: WriteCsv) -> None:
    path = tmp_csv("people.csv", "slack_id,name,email,side,roles,partnership\n")
    assert _failure(lambda: import_people(db, path))[0].startswith(f"{path}:1: header: expected ")
    assert _counts(db)["Person"] == 0


@pytest.mark.usefixtures("partnerships")
def test_every_problem_is_reported_with_physical_line(db: Database, tmp_csv: WriteCsv) -> None:
    body = (f'U0000T009,"赵\n六",,school,teacher,{HUAWEI}\n'  # a quoted newline: one row on lines 2-3
            f"\n"  # a blank line 4 is skipped but still counted
            f"U0000T010,钱七,,school,wizard,{HUAWEI}\n"
            f"U0000T011,孙八,,school,teacher,不存在\n")
    path = tmp_csv("people.csv", PEOPLE_HEADER + body)
    problems = _failure(lambda: import_people(db, path))
    assert [p.split(": ", 2)[0:2] for p in problems] == [
        [f"{path}:2", "name"], [f"{path}:5", "roles"], [f"{path}:6", "partnership"]]
    assert _counts(db)["Person"] == 0


@pytest.mark.usefixtures("partnerships")
def test_excel_bom_and_trailing_empty_cells(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    text = PEOPLE.replace("\n", ",,\r\n") + ",,,,,,,\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.replace(PEOPLE_HEADER.replace("\n", ",,\r\n"),
                                                    PEOPLE_HEADER.replace("\n", "\r\n")).encode())
    assert import_people(db, path) == ImportSummary(created=4)
    assert _roles(db, "U0000T001", HUAWEI) == {Role.TEACHER}


@pytest.mark.usefixtures("partnerships")
def test_gb18030_files(db: Database, tmp_path: Path) -> None:
    people, interns = tmp_path / "people.csv", tmp_path / "interns.csv"
    people.write_bytes(PEOPLE.encode("gb18030"))
    interns.write_bytes(INTERNS.encode("gb18030"))
    assert import_people(db, people) == ImportSummary(created=4)
    assert import_interns(db, interns) == ImportSummary(created=2)
    with db.session() as session:
        names = set(session.scalars(select(Person.name))) | set(session.scalars(select(Intern.name)))
    assert {"张伟", "欧阳娜娜", "王小明", "陈静"} <= names


def test_undecodable_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(PEOPLE_HEADER.encode() + b"U0000T001,\x80\xff\n")
    assert _failure(lambda: import_people(db, path)) == [
        f'{path}:2: file: not UTF-8 or GB18030 text; save it as "CSV UTF-8"']


def test_missing_file(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    assert _failure(lambda: import_people(db, path))[0].startswith(f"{path}:1: file: cannot read")


@pytest.mark.usefixtures("partnerships")
def test_large_import_queries_in_bulk(db: Database, tmp_csv: WriteCsv) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    rows = "".join(f"S{n:06d},学生{n},{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,装配\n"
                   for n in range(1200))
    path = tmp_csv("interns.csv", INTERN_HEADER + rows)
    with _statements(db) as seen:
        assert import_interns(db, path) == ImportSummary(created=1200)
    assert seen.count("SELECT") <= 10, seen.count("SELECT")
    assert _counts(db)["AuditEntry"] == 2 + 4 + 1200
    with _statements(db) as seen:
        assert import_interns(db, path) == ImportSummary(unchanged=1200)
    assert seen.count("SELECT") <= 10


@pytest.mark.usefixtures("partnerships")
def test_interns_may_carry_an_optional_birth_date_column(db: Database, tmp_csv: WriteCsv) -> None:
    """The contract's header, optionally followed by birth_date; without the column a stored one is kept."""
    from sqlalchemy import select

    from models.roster import Intern

    import_people(db, tmp_csv("people.csv", PEOPLE))
    row = f"2024001,周八,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,装配"
    with_birth = tmp_csv("with.csv", INTERN_HEADER.strip() + ",birth_date\n" + row + ",2008-04-01\n")
    assert import_interns(db, with_birth).created == 1
    assert import_interns(db, tmp_csv("without.csv", INTERN_HEADER + row + "\n")).unchanged == 1
    with db.session() as session:
        assert str(session.scalar(select(Intern.birth_date))) == "2008-04-01"
    late = tmp_csv("late.csv", INTERN_HEADER.strip() + ",birth_date\n" + row + ",2025-03-01\n")
    assert _failure(lambda: import_interns(db, late)) == [f"{late}:2: birth_date: birth_date 2025-03-01 is not "
                                                          "before start_date 2025-03-01"]


# --- encodings: refuse what is neither clean UTF-8 nor plausible GB18030, rather than garble it ------

ASCII_PARTNERSHIP = "SZPU-Acme"  # an ASCII name keeps a mixed file decodable as GB18030, as in the wild
MIXED_HEADER = PEOPLE_HEADER.encode()


@pytest.fixture
def ascii_partnership(db: Database) -> None:
    add_partnership(db, PartnershipInput(name=ASCII_PARTNERSHIP, school="SZPU", enterprise="Acme",
                                         channel_id="C0789IJKL"))


def _person(uid: str, name: bytes) -> bytes:
    return uid.encode() + b"," + name + f",,school,teacher,{ASCII_PARTNERSHIP}\r\n".encode()


@pytest.mark.usefixtures("ascii_partnership")
def test_utf8_file_with_a_stray_windows_1252_name_is_refused(db: Database, tmp_path: Path) -> None:
    """Read as GB18030 this file "works", turning 张伟 into 寮犱紵; it must name the bad line instead."""
    path = tmp_path / "people.csv"
    path.write_bytes(MIXED_HEADER + _person("U0000T001", "张伟".encode())
                     + _person("U0000T002", "Renée".encode("cp1252")) + _person("U0000T003", "王小明".encode())
                     + _person("U0000T004", "Müller".encode("cp1252")))
    assert _failure(lambda: import_people(db, path)) == [
        f'{path}:3: file: not UTF-8 (byte 0xE9); save it as "CSV UTF-8"',
        f'{path}:5: file: not UTF-8 (byte 0xFC); save it as "CSV UTF-8"']
    assert _counts(db)["Person"] == 0


@pytest.mark.usefixtures("ascii_partnership")
def test_utf8_file_with_bom_and_a_stray_byte_is_refused(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(b"\xef\xbb\xbf" + MIXED_HEADER + _person("U0000T002", "Renée".encode("cp1252")))
    assert _failure(lambda: import_people(db, path)) == [
        f'{path}:2: file: not UTF-8 (byte 0xE9); save it as "CSV UTF-8"']
    assert _counts(db)["Person"] == 0


@pytest.mark.usefixtures("ascii_partnership")
@pytest.mark.parametrize(("encoding", "names", "line"), [
    ("big5", ["陳大文"], 2),  # Traditional Chinese Excel; GB18030 reads '朝\ue610ゅ'
    ("big5", ["張家豪", "劉德華", "陳大文"], 4),  # the first two read as plausible (rare) characters
    ("cp1252", ["Renée"], 2),  # Western Excel's "CSV"; GB18030 reads 'Ren閑'
    ("cp1252", ["Anna", "José"], 3),  # 'é,' is not GB18030 at all
], ids=["big5", "big5-rare-looking", "cp1252-letter-after", "cp1252-comma-after"])
def test_file_neither_utf8_nor_gb18030_is_refused(db: Database, tmp_path: Path, encoding: str,
                                                  names: list[str], line: int) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(MIXED_HEADER + b"".join(_person(f"U0000T{n:03d}", name.encode(encoding))
                                             for n, name in enumerate(names)))
    assert _failure(lambda: import_people(db, path)) == [
        f'{path}:{line}: file: not UTF-8 or GB18030 text; save it as "CSV UTF-8"']
    assert _counts(db)["Person"] == 0


@pytest.mark.usefixtures("partnerships")
def test_gb18030_with_rare_characters_and_latin_words_still_imports(db: Database, tmp_path: Path) -> None:
    """Names outside GB2312 (玥, 祎, 喆) and "Java开发" next to Chinese text are not mistaken for a wrong guess."""
    people, interns = tmp_path / "people.csv", tmp_path / "interns.csv"
    people.write_bytes((PEOPLE + f"U0000T002,王玥,,school,teacher,{HUAWEI}\n"
                        f"U0000T003,李祎喆,,school,teacher,{HUAWEI}\n").encode("gb18030"))
    interns.write_bytes((INTERNS + f"2023003,Lily张,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,"
                         "Java开发\n").encode("gb18030"))
    assert import_people(db, people) == ImportSummary(created=6)
    assert import_interns(db, interns) == ImportSummary(created=3)
    with db.session() as session:
        names = set(session.scalars(select(Person.name))) | set(session.scalars(select(Intern.name)))
        positions = set(session.scalars(select(Intern.position)))
    assert {"王玥", "李祎喆", "Lily张"} <= names and "Java开发" in positions


@pytest.mark.usefixtures("ascii_partnership")
def test_cli_refuses_a_mixed_encoding_file_and_exits_non_zero(db: Database, tmp_path: Path) -> None:
    """The operator's view: no "created" line, exit 1, the bad line on stderr, nothing stored."""
    path = tmp_path / "people.csv"
    path.write_bytes(MIXED_HEADER + _person("U0000T001", "张伟".encode())
                     + _person("U0000T002", "Renée".encode("cp1252")))
    result = _import_people_command(db, path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "created" not in result.stdout
    assert f'{path}:3: file: not UTF-8 (byte 0xE9); save it as "CSV UTF-8"' in result.stderr
    assert _counts(db)["Person"] == 0


# --- Excel's trailing empty header cells -----------------------------------------------------------


@pytest.mark.usefixtures("partnerships")
@pytest.mark.parametrize("trailing", [",,", ", ,\t", ","])
def test_people_header_with_trailing_empty_cells(db: Database, tmp_csv: WriteCsv, trailing: str) -> None:
    header = PEOPLE_HEADER.strip() + trailing + "\n"
    assert import_people(db, tmp_csv("people.csv", PEOPLE.replace(PEOPLE_HEADER, header))) == ImportSummary(created=4)


@pytest.mark.usefixtures("partnerships")
def test_intern_header_with_trailing_empty_cells(db: Database, tmp_csv: WriteCsv) -> None:
    import_people(db, tmp_csv("people.csv", PEOPLE))
    rows = INTERNS.split("\n", 1)[1]
    assert import_interns(db, tmp_csv("interns.csv", INTERN_HEADER.strip() + ",,\n" + rows)) == ImportSummary(created=2)
    row = f"2024001,周八,{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,装配,2008-04-01,,\n"
    with_birth = tmp_csv("with.csv", INTERN_HEADER.strip() + ",birth_date,,\n" + row)
    assert import_interns(db, with_birth) == ImportSummary(created=1)


@pytest.mark.parametrize("header", [
    "slack_user_id,name,email,side,roles,,partnership",  # an empty cell inside the header still counts
    "slack_user_id,name,email,side,roles,partnership,,x",  # so does anything after trailing empty cells
])
def test_header_with_inner_empty_cell_is_still_refused(db: Database, tmp_csv: WriteCsv, header: str) -> None:
    path = tmp_csv("people.csv", header + "\n")
    assert _failure(lambda: import_people(db, path)) == [
        f"{path}:1: header: expected '{PEOPLE_HEADER.strip()}', found {header!r}"]


# --- a supervisor keeps the role while interns name them -----------------------------------------

SUPERVISED_PEOPLE = PEOPLE + (
    f"U0000T002,刘老师,,school,teacher,{HUAWEI}\n"
    f"U0000T002,刘老师,,school,teacher,{TENCENT}\n"
    f"U0000M002,王导师,,enterprise,mentor,{TENCENT}\n"
    f"U0000T003,闲老师,,school,teacher;member,{HUAWEI}\n"
)
# 张伟 (U0000T001) teaches four interns in 华为, 李娜 (U0000C001) one; 欧阳娜娜 (U0000M001) mentors all five.
# 刘老师 (U0000T002) is a teacher in both partnerships but teaches only in 腾讯; 闲老师 teaches nobody.
SUPERVISED_INTERNS = INTERNS + "".join(
    f"20230{n:02d},学生{n},{HUAWEI},U0000T001,U0000M001,2025-03-01,2025-08-31,装配\n" for n in (3, 4, 5)
) + f"2023009,腾讯生,{TENCENT},U0000T002,U0000M002,2025-03-01,2025-08-31,开发\n"
KEEPS_ROLE = "(`coopbot interns import`, or /coop admin)"


@pytest.fixture
def supervised(db: Database, tmp_csv: WriteCsv, partnerships: None) -> None:
    import_people(db, tmp_csv("people.csv", SUPERVISED_PEOPLE))
    import_interns(db, tmp_csv("interns.csv", SUPERVISED_INTERNS))


def _all_roles(db: Database) -> dict[tuple[str, str], set[Role]]:
    with db.session() as session:
        query = select(Person.slack_user_id, Partnership.name, Membership.role).join(Person).join(Partnership)
        found: dict[tuple[str, str], set[Role]] = {}
        for uid, partnership, role in session.execute(query):
            found.setdefault((uid, partnership), set()).add(role)
        return found


DEMOTIONS = [
    ("teacher", f"U0000T001,张伟,zhangwei@szpu.edu.cn,school,coordinator,{HUAWEI}\n",
     f"U0000T001 (张伟) teaches 4 interns in '{HUAWEI}' (2023001, 2023003, 2023004, …); keep the role teacher "
     f"or give those interns another teacher first {KEEPS_ROLE}"),
    ("teacher of one", f"U0000C001,李娜,lina@szpu.edu.cn,school,coordinator,{HUAWEI}\n",
     f"U0000C001 (李娜) teaches 1 intern in '{HUAWEI}' (2023002); keep the role teacher "
     f"or give that intern another teacher first {KEEPS_ROLE}"),
    ("mentor", f"U0000M001,欧阳娜娜,,enterprise,member,{HUAWEI}\n",
     f"U0000M001 (欧阳娜娜) mentors 5 interns in '{HUAWEI}' (2023001, 2023002, 2023003, …); keep the role mentor "
     f"or give those interns another mentor first {KEEPS_ROLE}"),
    ("teacher in the other partnership", f"U0000T002,刘老师,,school,member,{TENCENT}\n",
     f"U0000T002 (刘老师) teaches 1 intern in '{TENCENT}' (2023009); keep the role teacher "
     f"or give that intern another teacher first {KEEPS_ROLE}"),
]


@pytest.mark.usefixtures("supervised")
@pytest.mark.parametrize(("body", "message"), [c[1:] for c in DEMOTIONS], ids=[c[0] for c in DEMOTIONS])
def test_demoting_a_supervisor_is_refused_and_nothing_changes(db: Database, tmp_csv: WriteCsv, body: str,
                                                              message: str) -> None:
    # Line 2 is a change that would be fine on its own: it is not written either.
    fine = f"U0000T003,闲老师,,school,teacher,{HUAWEI}\n"
    path = tmp_csv("demote.csv", PEOPLE_HEADER + fine + body)
    before, roles = _counts(db), _all_roles(db)
    with _statements(db) as seen:
        assert _failure(lambda: import_people(db, path)) == [f"{path}:3: roles: {message}"]
    assert not {"INSERT", "UPDATE", "DELETE"} & set(seen)
    assert _counts(db) == before and _all_roles(db) == roles
    # The interns file still imports unchanged: every supervisor still holds the role.
    assert import_interns(db, tmp_csv("interns.csv", SUPERVISED_INTERNS)) == ImportSummary(unchanged=6)


@pytest.mark.usefixtures("supervised")
def test_every_demoted_supervisor_is_reported(db: Database, tmp_csv: WriteCsv) -> None:
    body = "".join(c[1] for c in DEMOTIONS)
    path = tmp_csv("demote.csv", PEOPLE_HEADER + body)
    before = _counts(db)
    problems = _failure(lambda: import_people(db, path))
    assert problems == [f"{path}:{n + 2}: roles: {c[2]}" for n, c in enumerate(DEMOTIONS)]
    assert _counts(db) == before


@pytest.mark.usefixtures("supervised")
def test_demoting_someone_who_supervises_nobody_there_still_works(db: Database, tmp_csv: WriteCsv) -> None:
    body = (f"U0000T003,闲老师,,school,member,{HUAWEI}\n"  # teaches nobody
            f"U0000T002,刘老师,,school,coordinator,{HUAWEI}\n"  # teaches, but only in 腾讯
            f"U0000K001,黄协调,,school,member,{HUAWEI}\n")  # never a teacher
    assert import_people(db, tmp_csv("demote.csv", PEOPLE_HEADER + body)) == ImportSummary(updated=3)
    assert _roles(db, "U0000T003", HUAWEI) == {Role.MEMBER}
    assert _roles(db, "U0000T002", HUAWEI) == {Role.COORDINATOR}
    assert _roles(db, "U0000T002", TENCENT) == {Role.TEACHER}


@pytest.mark.usefixtures("supervised")
def test_demoting_a_mentor_who_mentors_nobody_still_works(db: Database, tmp_csv: WriteCsv) -> None:
    import_people(db, tmp_csv("more.csv", PEOPLE_HEADER + f"U0000M003,闲导师,,enterprise,mentor,{HUAWEI}\n"))
    body = f"U0000M003,闲导师,,enterprise,member,{HUAWEI}\n"
    assert import_people(db, tmp_csv("demote.csv", PEOPLE_HEADER + body)) == ImportSummary(updated=1)
    assert _roles(db, "U0000M003", HUAWEI) == {Role.MEMBER}


@pytest.mark.usefixtures("supervised")
def test_a_row_for_another_partnership_leaves_a_supervisor_in_place(db: Database, tmp_csv: WriteCsv) -> None:
    """A person cannot be moved out of a partnership by listing them elsewhere (nor by changing side)."""
    other = PEOPLE_HEADER + f"U0000T001,张伟,zhangwei@szpu.edu.cn,school,member,{TENCENT}\n"
    assert import_people(db, tmp_csv("other.csv", other)) == ImportSummary(updated=1)
    assert _roles(db, "U0000T001", HUAWEI) == {Role.TEACHER}
    flip = tmp_csv("flip.csv", PEOPLE_HEADER + f"U0000T001,张伟,zhangwei@szpu.edu.cn,enterprise,mentor,{HUAWEI}\n")
    problems = _failure(lambda: import_people(db, flip))
    assert problems[0].startswith(f"{flip}:2: side: U0000T001 is on the roster as school")
    assert _roles(db, "U0000T001", HUAWEI) == {Role.TEACHER}


@pytest.mark.usefixtures("supervised")
def test_the_same_demotion_imports_once_the_interns_have_another_supervisor(db: Database,
                                                                          tmp_csv: WriteCsv) -> None:
    demote = tmp_csv("demote.csv", PEOPLE_HEADER + (
        f"U0000T001,张伟,zhangwei@szpu.edu.cn,school,coordinator,{HUAWEI}\n"
        f"U0000M001,欧阳娜娜,,enterprise,member,{HUAWEI}\n"))
    assert len(_failure(lambda: import_people(db, demote))) == 2
    import_people(db, tmp_csv("new.csv", PEOPLE_HEADER + f"U0000M003,新导师,,enterprise,mentor,{HUAWEI}\n"))
    reassigned = tmp_csv("interns.csv", SUPERVISED_INTERNS.replace(f"{HUAWEI},U0000T001,U0000M001",
                                                                   f"{HUAWEI},U0000C001,U0000M003")
                         .replace(f"{HUAWEI},U0000C001,U0000M001", f"{HUAWEI},U0000C001,U0000M003"))
    assert import_interns(db, reassigned) == ImportSummary(updated=5, unchanged=1)
    assert import_people(db, demote) == ImportSummary(updated=2)
    assert _roles(db, "U0000T001", HUAWEI) == {Role.COORDINATOR}
    assert _roles(db, "U0000M001", HUAWEI) == {Role.MEMBER}
    assert import_interns(db, reassigned) == ImportSummary(unchanged=6)
    assert import_people(db, demote) == ImportSummary(unchanged=2)


@pytest.mark.usefixtures("partnerships")
def test_supervision_check_queries_in_bulk(db: Database, tmp_csv: WriteCsv) -> None:
    """One query for the interns of every demoted supervisor, however many rows demote one."""
    teachers = [f"U0000T{n:03d}" for n in range(120)]
    people = PEOPLE_HEADER + f"U0000M001,欧阳娜娜,,enterprise,mentor,{HUAWEI}\n" + "".join(
        f"{uid},老师{n},,school,teacher,{HUAWEI}\n" for n, uid in enumerate(teachers))
    import_people(db, tmp_csv("people.csv", people))
    import_interns(db, tmp_csv("interns.csv", INTERN_HEADER + "".join(
        f"S{n:06d},学生{n},{HUAWEI},{uid},U0000M001,2025-03-01,2025-08-31,装配\n" for n, uid in enumerate(teachers))))
    selects: list[int] = []
    for count in (1, 120):
        path = tmp_csv("demote.csv", PEOPLE_HEADER + "".join(
            f"{uid},老师{n},,school,member,{HUAWEI}\n" for n, uid in enumerate(teachers[:count])))
        with _statements(db) as seen, pytest.raises(ImportFailed) as info:
            import_people(db, path)
        assert len(info.value.problems) == count
        selects.append(seen.count("SELECT"))
    assert selects[0] == selects[1], selects


@pytest.mark.usefixtures("supervised")
def test_cli_refuses_demoting_a_supervisor_and_exits_non_zero(db: Database, tmp_csv: WriteCsv) -> None:
    path = tmp_csv("demote.csv", PEOPLE_HEADER + f"U0000C001,李娜,lina@szpu.edu.cn,school,coordinator,{HUAWEI}\n")
    roles = _all_roles(db)
    result = _import_people_command(db, path)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "updated" not in result.stdout
    assert f"{path}:2: roles: {DEMOTIONS[1][2]}" in result.stderr
    assert _all_roles(db) == roles


def _import_people_command(db: Database, path: Path) -> subprocess.CompletedProcess[str]:
    """`coopbot people import PATH` as an operator runs it: a subprocess, no Slack settings."""
    return run(["people", "import", str(path)], operator_env(db), path.parent)


@pytest.mark.usefixtures("partnerships")
def test_a_people_import_and_an_interns_import_at_the_same_moment_leave_a_consistent_roster(
        db: Database, tmp_csv: WriteCsv) -> None:
    """The people import takes the teacher role away from someone with no interns (allowed); at the same
    moment an interns import gives them an intern as its teacher (allowed). Each alone is fine; together they
    must not both commit. The people import is held just before it writes; the interns import runs meanwhile."""
    import threading

    import_people(db, tmp_csv("people.csv", PEOPLE))
    demoted = PEOPLE.replace(f"U0000T001,张伟,zhangwei@szpu.edu.cn,school,teacher,{HUAWEI}",
                             f"U0000T001,张伟,zhangwei@szpu.edu.cn,school,member,{HUAWEI}")
    people_file = tmp_csv("demoted.csv", demoted)
    interns_file = tmp_csv("interns.csv", INTERN_HEADER + f"2023009,刘洋,{HUAWEI},U0000T001,U0000M001,"
                                                          "2025-03-01,2025-08-31,质检\n")
    held, release = threading.Event(), threading.Event()
    people_thread: list[threading.Thread] = []

    def hold_before_writing(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if threading.current_thread() in people_thread and statement.lstrip().upper().startswith("DELETE"):
            held.set()
            release.wait(10)

    outcomes: dict[str, object] = {}

    def run_import(name: str, call: Callable[[], object]) -> None:
        try:
            outcomes[name] = call()
        except Exception as exc:  # asserted below
            outcomes[name] = exc

    event.listen(db.engine, "before_cursor_execute", hold_before_writing)
    try:
        people = threading.Thread(target=run_import, args=("people", lambda: import_people(db, people_file)))
        people_thread.append(people)
        people.start()
        assert held.wait(10), "the people import never reached its write"
        interns = threading.Thread(target=run_import, args=("interns", lambda: import_interns(db, interns_file)))
        interns.start()
        interns.join(2)  # with nothing to stop it, it would be done by now
        release.set()
        people.join(30)
        interns.join(30)
    finally:
        release.set()
        event.remove(db.engine, "before_cursor_execute", hold_before_writing)
    assert isinstance(outcomes["people"], ImportSummary)
    assert isinstance(outcomes["interns"], ImportFailed), outcomes["interns"]  # it saw the role go, and said so
    assert "U0000T001" in str(outcomes["interns"])
    with db.session() as session:
        supervised = session.execute(select(Intern.partnership_id, Intern.teacher_id)).all()
        teachers = set(session.execute(select(Membership.partnership_id, Membership.person_id)
                                       .where(Membership.role == Role.TEACHER)).all())
    assert all(tuple(row) in teachers for row in supervised)
