"""OAuth mode as Slack meets it: the app served with a client id and secret instead of one bot token, the fake
Slack's workspaces installing it through the OAuth flow over HTTP, and signed requests from each workspace."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr
from sqlalchemy import select, update

from bot.container import build_services
from bot.devtools.fake_oauth import AUTHORIZE_PATH
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_requests import SlackRequests
from bot.installs.routing import link_partnership
from bot.serving.runtime import build_runtime
from bot.serving.server import build_wsgi_app, start_in_thread
from bot.settings import Settings
from bot.slack.manifest import INSTALL_PATH, REDIRECT_PATH
from bot.storage.db import Database
from models.base import utcnow
from models.installation import slack_bots
from models.roster import Partnership
from tests.support.harness import MENTOR, Harness
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET

CLIENT_ID, CLIENT_SECRET = "1111.2222", "fake-client-secret"
COLLEGE, COMPANY, STRANGER = "T0COLLEGE", "T0COMPANY", "T0STRANGER"


class Clock:
    """The app's clock, moved by a test (the fake Slack's tokens expire by the wall clock, 12 hours on)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One GET, redirects not followed (a browser's single step): status, headers (Set-Cookie kept), body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8")
    finally:
        connection.close()


def install(h: Harness, workspace: str) -> tuple[int, str]:
    """An admin of `workspace` installs the app, as a browser goes: /slack/install → Slack's authorize page
    (the fake approves at once) → /slack/oauth_redirect with the code and the state, its cookie sent back."""
    status, headers, _ = get(h.server.url + INSTALL_PATH)
    assert status == 302, status
    cookie = headers["set-cookie"].split(";", 1)[0]
    h.fake.oauth.next_workspace = workspace
    status, headers, body = get(headers["location"])
    assert status == 302, body
    status, _, body = get(headers["location"], {"Cookie": cookie})
    return status, body


def slack_from(h: Harness, team_id: str) -> SlackRequests:
    """Signed requests as Slack sends them from `team_id`'s workspace."""
    return SlackRequests(h.server.url, SIGNING_SECRET, fake=h.fake, team_id=team_id)


def token_of(call: Any) -> str:
    """The bearer token a recorded call to the fake carried."""
    return str(call.headers.get("Authorization", "")).removeprefix("Bearer ")


@contextmanager
def running_oauth_app(db: Database, *, clock: Callable[[], datetime] = utcnow, token_rotation: bool = False,
                      **setting_overrides: Any) -> Iterator[Harness]:
    """The app in OAuth mode (no SLACK_BOT_TOKEN), and a fake Slack with three workspaces: a college's, a
    company's, and a stranger's that never installs."""
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.oauth.client_id, fake.oauth.client_secret = CLIENT_ID, CLIENT_SECRET
        fake.oauth.token_rotation = token_rotation
        fake.oauth.add_workspace(COLLEGE, "深圳职业技术大学", bot_user_id="U0BOTCOLL")
        fake.oauth.add_workspace(COMPANY, "华为技术有限公司", bot_user_id="U0BOTCOMP")
        fake.oauth.add_workspace(STRANGER, "Stranger Ltd", bot_user_id="U0BOTSTR")
        setting_overrides.setdefault("coopbot_home_refresh_seconds", 0)
        settings = Settings(slack_client_id=CLIENT_ID, slack_client_secret=SecretStr(CLIENT_SECRET),
                            slack_signing_secret=SecretStr(SIGNING_SECRET), slack_api_url=fake.url,
                            slack_authorize_url=fake.base + AUTHORIZE_PATH, database_url=db.url,
                            **setting_overrides)
        services = build_services(settings, db=db, clock=clock)
        runtime = build_runtime(settings, services)
        server = start_in_thread(build_wsgi_app(runtime.app, runtime.health, runtime.metrics, runtime.guard))
        fake.oauth.redirect_url = server.url + REDIRECT_PATH
        try:
            slack = SlackRequests(server.url, SIGNING_SECRET, fake=fake, team_id=COLLEGE)
            yield Harness(db=db, fake=fake, slack=slack, services=services, runtime=runtime, server=server)
        finally:
            server.stop()
        assert not fake.refused_blocks, f"Slack would refuse these blocks: {fake.refused_blocks[:3]}"


PARTNERSHIP = "深职院–华为"  # the demo roster's partnership whose channel both organizations share


def bot_token(db: Database, team: str) -> str | None:
    """The bot token stored for a workspace's installation (None: not installed)."""
    with db.engine.connect() as conn:
        return conn.scalar(select(slack_bots.c.bot_token).where(slack_bots.c.team_id == team))


def accept_partner(db: Database, partner: str, name: str = PARTNERSHIP) -> None:
    """The enterprise's coordinator accepted the link: the partnership is `partner`'s workspace's too."""
    with db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.name == name).values(partner_team_id=partner))


def both_installed(h: Harness) -> None:
    """The college and the company install coopbot; the partnership's channel is the college's, shared with the
    company, whose coordinator accepted; the mentor used coopbot in the company's workspace (so Slack said
    which organization they are of)."""
    for workspace in (COLLEGE, COMPANY):
        status, page = install(h, workspace)
        assert status == 200, page
    link_partnership(h.db, PARTNERSHIP, COLLEGE)
    accept_partner(h.db, COMPANY)
    assert slack_from(h, COMPANY).command("/intern-issue", user_id=MENTOR).status == 200
    h.settle()


def link_both(db: Database, name: str, host: str | None, partner: str | None = None) -> None:
    """Link a partnership to its college's installation (`host`) and its enterprise's (`partner`), as the
    college's coordinator's link and the enterprise's acceptance leave it (docs/decisions/0012): in OAuth mode
    a request sees only the partnerships of the installation it came through."""
    with db.transaction() as session:
        session.execute(update(Partnership).where(Partnership.name == name)
                        .values(install_team_id=host, partner_team_id=partner))


def seed_linked_roster(db: Database, tmp_path: Any, host: str | None = COLLEGE, partner: str | None = COMPANY) -> None:
    """The demo roster (tests.support.harness.seed_roster), its partnership 深职院–华为 linked to the college's
    and the company's installations."""
    from tests.support.harness import seed_roster

    seed_roster(db, tmp_path)
    link_both(db, PARTNERSHIP, host, partner)
