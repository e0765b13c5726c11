"""OAuth mode: what Slack says of a person (their locale, their organization) is asked with a token that can
see them, their own organization's installation first, and "external" is relative to the installation their
request came through."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.installs.routing import link_partnership
from bot.storage.db import Database
from models.installation import slack_bots
from models.roster import Person
from tests.support.harness import MENTOR, TEACHER, Harness, seed_roster
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    PARTNERSHIP,
    accept_partner,
    install,
    running_oauth_app,
    slack_from,
    token_of,
)


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _person(db: Database, user: str) -> tuple[str | None, bool]:
    with db.session() as session:
        person = session.scalars(select(Person).where(Person.slack_user_id == user)).one()
        return person.slack_team_id, person.is_external


def _setup(h: Harness) -> dict[str, str]:
    h.fake.users[MENTOR] = {"id": MENTOR, "team_id": COMPANY, "locale": "zh-CN"}
    h.fake.users[TEACHER] = {"id": TEACHER, "team_id": COLLEGE, "locale": "en-US"}
    for workspace in (COLLEGE, COMPANY):
        assert install(h, workspace)[0] == 200
    link_partnership(h.db, PARTNERSHIP, COLLEGE)
    accept_partner(h.db, COMPANY)
    with h.db.engine.connect() as conn:
        return {row.team_id: row.bot_token for row in conn.execute(select(slack_bots))}


def test_a_person_s_slack_language_is_asked_through_their_own_organization_s_installation(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        tokens = _setup(h)
        before = len(h.fake.calls_to("views.open"))
        assert slack_from(h, COMPANY).command("/intern-issue", user_id=MENTOR).status == 200
        opened = h.fake.wait_for("views.open", count=before + 1)[-1]
        h.settle()
        asked = [c for c in h.fake.calls_to("users.info") if c.args.get("user") == MENTOR]
        assert asked and {token_of(c) for c in asked} == {tokens[COMPANY]}
        assert _chinese(str(opened.args.get("view")))  # their Slack's zh-CN, not the partnership's English
        assert _person(db, MENTOR) == (COMPANY, False)

        # the college's teacher, asked through the college's installation, reads English as their Slack says
        before = len(h.fake.calls_to("views.open"))
        assert slack_from(h, COLLEGE).command("/intern-issue", user_id=TEACHER).status == 200
        opened = h.fake.wait_for("views.open", count=before + 1)[-1]
        h.settle()
        asked = [c for c in h.fake.calls_to("users.info") if c.args.get("user") == TEACHER]
        assert asked and {token_of(c) for c in asked} == {tokens[COLLEGE]}
        assert not _chinese(str(opened.args.get("view", {}).get("title")))


def test_external_is_relative_to_the_installation_the_request_came_through(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        _setup(h)
        assert h.report(TEACHER).status == 200  # a submission through the college's installation
        h.settle()
        assert _person(db, TEACHER) == (COLLEGE, False)
        # the mentor in their own workspace: not external there
        assert slack_from(h, COMPANY).command("/intern-issue", user_id=MENTOR).status == 200
        h.settle()
        assert _person(db, MENTOR) == (COMPANY, False)
        # the mentor in the college's shared channel (Slack Connect): external to the college's installation
        h.slack.teams[MENTOR] = COMPANY  # their submissions say so: `user.team_id`, `team.id`
        assert h.report(MENTOR).status == 200
        h.settle()
        assert _person(db, MENTOR) == (COMPANY, True)
