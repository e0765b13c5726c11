"""OAuth mode: when one organization's coopbot is uninstalled (or its tokens revoked), what would go through it
waits, and the other organization's coordinators are told, through their own installation and in their
language; when it is installed again, what waited goes out once and they are told it resumed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.i18n.language import set_language
from bot.installs.routing import HELD
from bot.storage.db import Database
from models.delivery import OutboxMessage, OutboxStatus
from tests.support.harness import CHANNEL, COORD_ENTERPRISE, COORD_SCHOOL, MENTOR, TEACHER, Harness, seed_roster
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    Clock,
    bot_token,
    both_installed,
    install,
    running_oauth_app,
    slack_from,
    token_of,
)


def _dms(h: Harness, user: str) -> list[tuple[str, str]]:
    """(text, token) of every DM to `user`."""
    return [(str(c.args.get("text")), token_of(c)) for c in h.fake.calls_to("chat.postMessage")
            if c.args.get("channel") == user]


def _removed(h: Harness, team: str) -> None:
    """The admin removes the app: Slack sends both events, as it does."""
    h.fake.oauth.uninstall(team)
    assert slack_from(h, team).event({"type": "app_uninstalled"}).status == 200
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT"]}}
    assert slack_from(h, team).event(revoked).status == 200
    h.settle()


def test_the_company_hears_when_the_college_s_coopbot_stops_and_resumes(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    clock = Clock()
    with running_oauth_app(db, clock=clock) as h:
        both_installed(h)
        set_language(db, COORD_ENTERPRISE, "zh_CN")
        company = bot_token(db, COMPANY)
        assert h.report(TEACHER).status == 200
        h.settle()
        _removed(h, COLLEGE)
        h.deliver()
        # the enterprise's coordinator is told once, in Chinese, through the company's own installation
        told = [(text, token) for text, token in _dms(h, COORD_ENTERPRISE) if "coopbot" in text]
        assert len(told) == 1 and "已移除 coopbot" in told[0][0] and "深圳职业技术大学" in told[0][0]
        assert told[0][1] == company
        assert _dms(h, COORD_SCHOOL) == [] and h.fake.messages(CHANNEL) == []  # they wait for the college's
        assert [token for _, token in _dms(h, MENTOR)] == [company]  # the mentor's DM did not need it

        clock.now += timedelta(hours=3)  # hours pass: what waits never fails, its attempts are not used up
        h.deliver()
        with db.session() as session:
            waiting = session.scalars(select(OutboxMessage).where(OutboxMessage.status != OutboxStatus.SENT)).all()
            assert waiting and {(r.status, r.last_error, r.attempts) for r in waiting} == {
                (OutboxStatus.PENDING, HELD, 0)}
        assert h.fake.messages(CHANNEL) == []

        status, page = install(h, COLLEGE)  # installed again
        assert status == 200, page
        h.deliver()
        college = bot_token(db, COLLEGE)
        posts = [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]
        assert [token_of(c) for c in posts] == [college]  # what waited went, once
        assert [token for _, token in _dms(h, COORD_SCHOOL)] == [college]
        resumed = [text for text, token in _dms(h, COORD_ENTERPRISE) if "已重新安装" in text and token == company]
        assert len(resumed) == 1
        with db.session() as session:
            assert {r.status for r in session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}


def test_the_college_hears_when_the_company_revokes_and_a_first_install_tells_nobody(db: Database,
                                                                                    tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        both_installed(h)
        h.deliver()
        assert _dms(h, COORD_SCHOOL) == [] and _dms(h, COORD_ENTERPRISE) == []  # installing told no one
        _removed(h, COMPANY)
        h.deliver()
        told = _dms(h, COORD_SCHOOL)
        assert len(told) == 1 and told[0][1] == bot_token(db, COLLEGE)
        assert "removed from the Slack of 华为技术有限公司" in told[0][0]
        assert _dms(h, COORD_ENTERPRISE) == []  # their own side is not told through anything
