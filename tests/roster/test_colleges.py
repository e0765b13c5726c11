"""Colleges and enterprises as records: partnerships share the college their school names, and deans are
linked to a college by the people import."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.errors import ImportFailed
from bot.roster.importer import ImportSummary, import_people
from bot.roster.partnerships import add_partnership
from bot.storage.db import Database
from models.roster import College, CollegeDean, Enterprise, Membership, Partnership, Person
from models.schemas import PartnershipInput

WriteCsv = Callable[[str, str], Path]
HEADER = "slack_user_id,name,email,side,roles,partnership\n"


@pytest.fixture
def three(db: Database) -> None:
    for name, school, enterprise, channel in (("深职院–华为", "深圳职业技术大学", "华为", "C0123ABCD"),
                                              ("深职院–腾讯", "深圳职业技术大学", "腾讯", "C0456EFGH"),
                                              ("广职院–华为", "广州职业技术学院", "华为", "C0789IJKL")):
        add_partnership(db, PartnershipInput(name=name, school=school, enterprise=enterprise, channel_id=channel))


@pytest.mark.usefixtures("three")
def test_partnerships_find_or_create_their_college_and_enterprise(db: Database) -> None:
    with db.session() as session:
        colleges = {c.name: c.id for c in session.scalars(select(College))}
        enterprises = {e.name: e.id for e in session.scalars(select(Enterprise))}
        links = {p.name: (p.college_id, p.enterprise_id) for p in session.scalars(select(Partnership))}
    assert set(colleges) == {"深圳职业技术大学", "广州职业技术学院"} and set(enterprises) == {"华为", "腾讯"}
    assert links == {"深职院–华为": (colleges["深圳职业技术大学"], enterprises["华为"]),
                     "深职院–腾讯": (colleges["深圳职业技术大学"], enterprises["腾讯"]),
                     "广职院–华为": (colleges["广州职业技术学院"], enterprises["华为"])}


@pytest.mark.usefixtures("three")
def test_the_dean_role_links_the_person_to_the_partnerships_college(db: Database, tmp_csv: WriteCsv) -> None:
    people = HEADER + ("U0000D001,王院长,,school,dean,深职院–腾讯\n"
                       "U0000C001,李娜,,school,coordinator;dean,深职院–华为\n")
    assert import_people(db, tmp_csv("people.csv", people)) == ImportSummary(created=2)
    with db.session() as session:
        deans = {(p.slack_user_id, c.name) for p, c in session.execute(
            select(Person, College).join(CollegeDean, CollegeDean.person_id == Person.id)
            .join(College, College.id == CollegeDean.college_id))}
        memberships = {(p.slack_user_id, m.role.value) for p, m in session.execute(
            select(Person, Membership).join(Membership, Membership.person_id == Person.id))}
    assert deans == {("U0000D001", "深圳职业技术大学"), ("U0000C001", "深圳职业技术大学")}
    assert memberships == {("U0000C001", "coordinator")}  # dean is no role in a partnership
    assert import_people(db, tmp_csv("people.csv", people)) == ImportSummary(unchanged=2)


@pytest.mark.usefixtures("three")
def test_a_dean_on_the_enterprise_side_is_refused_by_line(db: Database, tmp_csv: WriteCsv) -> None:
    path = tmp_csv("people.csv", HEADER + "U0000D001,王院长,,enterprise,dean,深职院–腾讯\n")
    with pytest.raises(ImportFailed) as failed:
        import_people(db, path)
    assert failed.value.problems == [f"{path}:2: roles: dean is a college role: the side must be school"]
    with db.session() as session:
        assert session.scalars(select(CollegeDean)).all() == []
