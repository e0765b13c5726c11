"""Each person's organization, and the language of each side: what Slack says of people of another organization
(their own team, no locale) and of guests, stored through the roster's service; a person's language is their
choice, else their Slack locale, else their side's language, else the partnership's — never English by default
alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.i18n.language import SlackLocales, language_in, language_settings
from bot.roster.organizations import Organizations, SlackOrganization, from_payload, from_user_info
from bot.storage.db import Database
from models.roster import Partnership, Person
from tests.support.harness import COORD_SCHOOL, MENTOR, TEACHER, seed_roster


def _sides(db: Database, *, school: str | None, enterprise: str | None, language: str = "en") -> None:
    with db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.name == "深职院–华为")
                        .values(school_language=school, enterprise_language=enterprise, language=language))


class _Known(SlackLocales):
    """Slack locales already learned (what a request before this one cached)."""

    def __init__(self, known: dict[str, str]) -> None:
        super().__init__(None)
        self.known = known

    def peek(self, slack_user_id: str) -> str | None:
        return self.known.get(slack_user_id)


@pytest.mark.parametrize(("school", "enterprise", "teacher", "mentor"), [
    (None, None, "en", "en"),  # no side set: the partnership's language for both
    (None, "zh_CN", "en", "zh_CN"),  # the enterprise side reads Chinese, the college the partnership's
    ("zh_CN", None, "zh_CN", "en"),
    ("zh_CN", "en", "zh_CN", "en"),
])
def test_each_side_reads_its_language_when_slack_gives_none(db: Database, tmp_path: Path, school: str | None,
                                                            enterprise: str | None, teacher: str, mentor: str) -> None:
    seed_roster(db, tmp_path)
    _sides(db, school=school, enterprise=enterprise)
    with db.session() as session:
        assert language_in(session, None, TEACHER) == teacher
        assert language_in(session, None, MENTOR) == mentor
        # a message about the partnership (its language as the default) still goes to each side in its own
        assert language_in(session, None, MENTOR, "en") == mentor
        assert language_settings(session, MENTOR) == (None, mentor)


def test_their_own_choice_and_their_slack_locale_come_before_the_side(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    _sides(db, school="en", enterprise="zh_CN")
    with db.transaction() as session:
        session.execute(update(Person).where(Person.slack_user_id == COORD_SCHOOL).values(locale="zh_CN"))
    with db.session() as session:
        assert language_in(session, None, COORD_SCHOOL) == "zh_CN"  # chosen
        assert language_in(session, _Known({MENTOR: "en"}), MENTOR) == "en"  # their Slack locale
        assert language_in(session, _Known({}), MENTOR) == "zh_CN"  # none: their side's


def test_people_of_another_organization_and_guests_are_stored_once(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    orgs = Organizations(db)
    seen = SlackOrganization("T0HUAWEI", None, None)
    assert orgs.learn(MENTOR, seen) is True  # the installing team is not known yet: not marked either way
    orgs.installed_in("T0001")
    assert orgs.learn(MENTOR, seen) is True  # now it is: external
    assert orgs.learn(MENTOR, seen) is False  # nothing new: no write
    assert orgs.learn(TEACHER, SlackOrganization("T0001", None, None)) is True
    assert orgs.learn(COORD_SCHOOL, from_user_info({"team_id": "T0001", "is_restricted": True})) is True
    assert orgs.learn("U0NOBODY", seen) is False  # on no roster: nothing stored
    with db.session() as session:
        people = {p.slack_user_id: p for p in session.scalars(select(Person))}
    assert (people[MENTOR].slack_team_id, people[MENTOR].is_external, people[MENTOR].is_guest) == (
        "T0HUAWEI", True, False)
    assert (people[TEACHER].is_external, people[TEACHER].is_guest) == (False, False)
    assert (people[COORD_SCHOOL].is_external, people[COORD_SCHOOL].is_guest) == (False, True)


def test_another_workspace_of_the_same_grid_organization_is_not_external(db: Database) -> None:
    orgs = Organizations(db)
    assert orgs.is_external("T0OTHER", "E0GRID") is None  # installing team unknown
    orgs.installed_in("T0HOME", "E0GRID")
    assert orgs.is_external("T0HOME", None) is False
    assert orgs.is_external("T0OTHER", "E0GRID") is False
    assert orgs.is_external("T0OTHER", "E0ELSE") is True
    assert orgs.is_external("T0OTHER", None) is True
    enterprise = from_user_info({"team_id": "T0OTHER", "enterprise_user": {"enterprise_id": "E0GRID"},
                                 "is_ultra_restricted": True})
    assert enterprise == SlackOrganization("T0OTHER", "E0GRID", True)


def test_payloads_say_whose_team_and_where_the_app_is_installed() -> None:
    click = {"type": "block_actions", "user": {"id": MENTOR, "team_id": "T0HUAWEI"}, "team": {"id": "T0HUAWEI"},
             "enterprise": {"id": "E0HUAWEI"}}
    assert from_payload(click) == (MENTOR, SlackOrganization("T0HUAWEI", "E0HUAWEI", None), None)
    submitted = {**click, "view": {"app_installed_team_id": "T0001"}}
    assert from_payload(submitted)[2] == "T0001"
    # a payload's `enterprise` is its team's: not the person's when the team is not theirs
    other = {**click, "team": {"id": "T0001"}}
    assert from_payload(other)[1] == SlackOrganization("T0HUAWEI", None, None)
    command = {"command": "/coop", "user_id": TEACHER, "team_id": "T0001", "enterprise_id": ""}
    assert from_payload(command) == (TEACHER, SlackOrganization("T0001", None, None), None)
    event = {"type": "event_callback", "event": {"type": "app_home_opened", "user": TEACHER},
             "authorizations": [{"team_id": "T0001", "is_bot": True}]}
    assert from_payload(event) == ("", SlackOrganization(None, None, None), "T0001")
    forged = {"user": {"id": MENTOR, "team_id": "T0<script>"}}
    assert from_payload(forged)[1].team_id is None


def test_someone_on_no_roster_is_looked_up_once_not_at_every_request(db: Database) -> None:
    """Each request's learning step would otherwise open a write transaction to find nobody."""
    from sqlalchemy import event

    organizations = Organizations(db)
    organizations.installed_in("T0001")
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert organizations.learn("U0STRANGER", SlackOrganization(team_id="T0OTHER")) is False
        looked = len(statements)
        assert looked > 0
        for _ in range(3):
            assert organizations.learn("U0STRANGER", SlackOrganization(team_id="T0OTHER")) is False
        assert len(statements) == looked
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
