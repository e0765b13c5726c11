"""OAuth mode, installed by both organizations (issue #21): a post to the partnership's channel goes once,
through the host's installation; a message to a person (DM, App Home) through their own organization's
installation, else one sharing a channel with them, else it waits until one is installed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from bot.installs.routing import HELD
from bot.storage.db import Database
from models.delivery import OutboxMessage, OutboxStatus
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness, seed_roster
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    bot_token,
    both_installed,
    install,
    running_oauth_app,
    slack_from,
    token_of,
)


def _uninstall(h: Harness, team: str) -> None:
    h.fake.oauth.uninstall(team)  # the admin removes the app; Slack tells the app
    assert slack_from(h, team).event({"type": "app_uninstalled"}).status == 200
    h.settle()


def _sent(h: Harness) -> dict[tuple[str, str], list[str]]:
    """(method, addressee) → the tokens of the calls, for DMs, channel posts and App Homes (not the notices
    that the other organization's coopbot stopped or resumed)."""
    sent: dict[tuple[str, str], list[str]] = {}
    for method, key in (("chat.postMessage", "channel"), ("views.publish", "user_id")):
        for call in h.fake.calls_to(method):
            if "the Slack of" in str(call.args.get("text")):
                continue  # one organization's coopbot stopped or resumed: tests/test_oauth_uninstall.py
            sent.setdefault((method, str(call.args.get(key))), []).append(token_of(call))
    return sent


def _statuses(db: Database) -> set[tuple[OutboxStatus, str | None]]:
    with db.session() as session:
        return {(r.status, r.last_error) for r in session.scalars(select(OutboxMessage))}


def _once_each(tokens: Iterable[list[str]]) -> bool:
    return all(len(t) == 1 for t in tokens)


def test_each_person_hears_through_their_own_organization_and_the_channel_once_through_the_host(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        both_installed(h)
        college, company = bot_token(db, COLLEGE), bot_token(db, COMPANY)
        assert h.report(TEACHER).status == 200  # from the college's workspace
        h.deliver()
        sent = _sent(h)
        assert sent[("chat.postMessage", CHANNEL)] == [college]  # the shared channel: once, by the host's bot
        assert sent[("chat.postMessage", MENTOR)] == [company]  # known to be the company's
        assert sent[("chat.postMessage", COORD_ENTERPRISE)] == [company]  # not known yet: the enterprise's side
        assert sent[("chat.postMessage", COORD_SCHOOL)] == [college]
        assert sent[("views.publish", MENTOR)] == [company]
        assert sent[("views.publish", TEACHER)] == [college]
        assert sent[("views.publish", COORD_ENTERPRISE)] == [company]
        assert _once_each(sent.values())


def test_a_company_that_uninstalls_is_reached_through_the_host_s_shared_channel(db: Database,
                                                                             tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        both_installed(h)
        college = bot_token(db, COLLEGE)
        _uninstall(h, COMPANY)
        assert h.report(TEACHER).status == 200
        h.deliver()
        sent = _sent(h)
        assert sent[("chat.postMessage", MENTOR)] == [college]  # the college's bot shares the channel with them
        assert sent[("chat.postMessage", CHANNEL)] == [college]
        assert {status for status, _ in _statuses(db)} == {OutboxStatus.SENT}


def test_with_no_installation_to_reach_them_messages_wait_and_each_goes_once_when_installed(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        both_installed(h)
        assert h.report(TEACHER).status == 200
        h.settle()
        _uninstall(h, COMPANY)
        _uninstall(h, COLLEGE)
        h.deliver()
        assert h.fake.calls_to("chat.postMessage") == [] and h.fake.calls_to("views.publish") == []
        waiting = _statuses(db)
        assert {status for status, _ in waiting} == {OutboxStatus.PENDING}
        assert any(error == HELD for _, error in waiting)

        install(h, COMPANY)  # the company first: its people's messages go, through its new installation
        h.deliver()
        company = bot_token(db, COMPANY)
        sent = _sent(h)
        assert sent[("chat.postMessage", MENTOR)] == [company]
        assert sent[("chat.postMessage", COORD_ENTERPRISE)] == [company]
        assert ("chat.postMessage", CHANNEL) not in sent  # the channel's host is still not installed
        assert ("chat.postMessage", COORD_SCHOOL) not in sent

        install(h, COLLEGE)
        h.deliver()
        college = bot_token(db, COLLEGE)
        sent = _sent(h)
        assert sent[("chat.postMessage", CHANNEL)] == [college]
        assert sent[("chat.postMessage", COORD_SCHOOL)] == [college]
        assert sent[("views.publish", TEACHER)] == [college]
        assert _once_each(sent.values())  # nothing sent twice
        assert {status for status, _ in _statuses(db)} == {OutboxStatus.SENT}

