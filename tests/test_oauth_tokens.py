"""OAuth mode outside the install: rotating tokens refreshed once, under a lock, before they expire; a
workspace's uninstall holds what coopbot would send through it until it installs again; what is sent for a
partnership goes through its host installation."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.container import make_installations
from bot.installs.routing import HELD, link_partnership
from bot.storage.db import Database
from models.delivery import OutboxMessage, OutboxStatus
from models.roster import Partnership
from tests.support.cli import operator_env, run
from tests.support.harness import CHANNEL, TEACHER
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    Clock,
    bot_token,
    install,
    running_oauth_app,
    seed_linked_roster,
    slack_from,
    token_of,
)


def _refreshes(h: object) -> list[object]:
    return [c for c in h.fake.calls_to("oauth.v2.access")  # type: ignore[attr-defined]
            if c.args.get("grant_type") == "refresh_token"]


def _open_modal_token(h: object, team: str) -> str:
    fake = h.fake  # type: ignore[attr-defined]
    before = len(fake.calls_to("views.open"))
    reply = slack_from(h, team).command("/intern-issue", user_id=TEACHER)  # type: ignore[arg-type]
    assert reply.status == 200, reply.text
    return token_of(fake.wait_for("views.open", count=before + 1)[-1])


def test_a_token_near_expiry_is_refreshed_once_and_requests_use_the_new_one(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    clock = Clock()
    with running_oauth_app(db, clock=clock, token_rotation=True) as h:
        install(h, COLLEGE)
        first = bot_token(db, COLLEGE)
        assert _open_modal_token(h, COLLEGE) == first
        assert _refreshes(h) == []  # 12 hours left: nothing to do
        clock.now += timedelta(hours=10, minutes=30)  # 90 minutes left: inside the 2-hour margin
        fresh = _open_modal_token(h, COLLEGE)
        assert fresh != first and fresh == bot_token(db, COLLEGE)
        assert fresh in h.fake.oauth.tokens_of(COLLEGE)
        assert _open_modal_token(h, COLLEGE) == fresh
        assert len(_refreshes(h)) == 1


def test_two_replicas_refreshing_the_same_installation_at_once_refresh_it_once(db: Database) -> None:
    clock = Clock()
    with running_oauth_app(db, clock=clock, token_rotation=True) as h:
        install(h, COLLEGE)
        clock.now += timedelta(hours=11)
        replicas = [h.services.installations, make_installations(h.services.settings, db, clock)]
        h.fake.delay("oauth.v2.access", 0.5)  # the first refresh is slow: the second replica comes meanwhile
        start = threading.Barrier(2)
        got: list[str | None] = []

        def refresh(installations: object) -> None:
            start.wait()
            found = installations.bot(None, COLLEGE)  # type: ignore[attr-defined]
            got.append(found.bot_token if found else None)

        threads = [threading.Thread(target=refresh, args=(r,)) for r in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
        assert len(_refreshes(h)) == 1  # a second refresh would have spent the used refresh token and failed
        assert got == [bot_token(db, COLLEGE)] * 2
        assert got[0] in h.fake.oauth.tokens_of(COLLEGE)[-1:]


def test_the_delivery_worker_refreshes_a_token_before_sending(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    clock = Clock()
    with running_oauth_app(db, clock=clock, token_rotation=True) as h:
        install(h, COLLEGE)
        first = bot_token(db, COLLEGE)
        assert h.report(TEACHER).status == 200
        h.settle()
        clock.now += timedelta(hours=11)
        h.deliver()
        posts = h.fake.calls_to("chat.postMessage")
        assert posts and {token_of(c) for c in posts} == {bot_token(db, COLLEGE)}
        assert bot_token(db, COLLEGE) != first and len(_refreshes(h)) == 1


def test_app_uninstalled_holds_the_outbox_and_reinstalling_resumes_it(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path, partner=None)  # the college's installation alone
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        assert h.report(TEACHER).status == 200
        h.settle()
        h.fake.oauth.uninstall(COLLEGE)  # the admin removes the app; Slack tells the app
        assert slack_from(h, COLLEGE).event({"type": "app_uninstalled"}).status == 200
        h.settle()
        assert bot_token(db, COLLEGE) is None
        h.deliver()
        assert h.fake.calls_to("chat.postMessage") == []
        with db.session() as session:
            rows = session.scalars(select(OutboxMessage)).all()
            assert rows and {(r.status, r.last_error) for r in rows} == {(OutboxStatus.PENDING, HELD)}
        opened = len(h.fake.calls_to("views.open"))
        slack_from(h, COLLEGE).command("/intern-issue", user_id=TEACHER)
        h.settle()
        assert len(h.fake.calls_to("views.open")) == opened  # its requests are refused too

        install(h, COLLEGE)  # installed again: what waited goes, through the new installation
        h.deliver()
        assert h.channel_messages(CHANNEL), "the held report was not posted after reinstalling"
        assert {token_of(c) for c in h.fake.calls_to("chat.postMessage")} == {bot_token(db, COLLEGE)}
        with db.session() as session:
            assert {r.status for r in session.scalars(select(OutboxMessage))} == {OutboxStatus.SENT}


def test_tokens_revoked_for_the_bot_holds_like_an_uninstall(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        h.fake.oauth.uninstall(COLLEGE)
        event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOTCOLL"]}}
        assert slack_from(h, COLLEGE).event(event).status == 200
        h.settle()
        assert bot_token(db, COLLEGE) is None


def test_posts_for_a_partnership_go_through_its_host_installation(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path, host=None, partner=COLLEGE)  # the college's requests see it
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        install(h, COMPANY)
        link_partnership(db, "深职院–华为", COMPANY)  # its channel lives in the company's workspace
        assert h.report(TEACHER).status == 200  # reported from the college's workspace
        h.deliver()
        posts = h.fake.calls_to("chat.postMessage")
        assert {token_of(c) for c in posts if c.args.get("channel") == CHANNEL} == {bot_token(db, COMPANY)}
        # a DM goes through the person's own organization's installation: the teacher's is the college's
        assert {token_of(c) for c in h.fake.calls_to("views.publish")
                if c.args.get("user_id") == TEACHER} == {bot_token(db, COLLEGE)}


def test_coopbot_partnership_link_records_the_host_installation(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    env = operator_env(db)
    done = run(["partnership", "link", "--name", "深职院–华为", "--team", COMPANY], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert COMPANY in done.stdout
    with db.session() as session:
        linked = {name: team for name, team in session.execute(select(Partnership.name, Partnership.install_team_id))}
    assert linked == {"深职院–华为": COMPANY, "Other College–Acme": None}
    unknown = run(["partnership", "link", "--name", "Nobody", "--team", COMPANY], env, tmp_path)
    assert unknown.returncode != 0 and "Nobody" in unknown.stderr
    bad = run(["partnership", "link", "--name", "深职院–华为", "--team", "C0CHANNEL"], env, tmp_path)
    assert bad.returncode != 0 and "--team" in bad.stderr
