"""`coopbot sandbox`: the real bot, a fake Slack, and a Slack-like page on loopback, in one process.

Nothing here is a second implementation of the bot: the app is built by `bot.serving.runtime.build_runtime`
exactly as `coopbot serve` builds it, with SLACK_API_URL pointing at `FakeSlack` and a signing secret
and token made up for this run. The page's actions reach the app as signed requests to /slack/events.

With `oauth` (`coopbot sandbox --oauth`) the app runs in OAuth mode instead, with a client id and secret, and
the fake Slack has the college's workspace and the company's, each installing coopbot through the app's own
/slack/install and /slack/oauth_redirect (bot.devtools.sandbox_workspaces).
"""

from __future__ import annotations

import secrets
import signal
import sys
import threading
import webbrowser
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pydantic import SecretStr

from bot.container import build_services
from bot.devtools.fake_oauth import AUTHORIZE_PATH
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.sandbox_api import SandboxApi
from bot.devtools.sandbox_seed import COLLEGE_TEAM, TEACHER, link_demo_partnership, seed_demo
from bot.devtools.sandbox_state import SandboxState
from bot.devtools.sandbox_workspaces import CLIENT_ID, HOST_TEAM, SandboxWorkspaces, add_workspaces
from bot.devtools.slack_requests import SlackRequests
from bot.serving.runtime import Runtime, build_runtime
from bot.serving.server import RunningServer, build_wsgi_app, start_in_thread
from bot.settings import Settings
from bot.slack.manifest import REDIRECT_PATH
from bot.storage.db import Database
from bot.storage.migrate import upgrade

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
else:
    StartResponse = WSGIApplication = WSGIEnvironment = Any

DEFAULT_PORT = 3000
SANDBOX_DATABASE = "sqlite:///coopbot-sandbox.db"
BOT_USER_ID = "U0COOPBOT"


def sandbox_database_url() -> str:
    """Always the sandbox's own SQLite file, never DATABASE_URL: the sandbox seeds demo people, lets its
    page act as anyone, and runs the calendar jobs against a stand-in for Slack (their ledger would keep
    the real digests and reminders from being sent). `make run` starts it on a machine whose .env may
    name the production database but no Slack credentials yet."""
    return SANDBOX_DATABASE


def database_url_configured() -> bool:
    """Whether the operator set DATABASE_URL (environment or .env): the sandbox then says it is not using it."""
    try:
        return "database_url" in Settings().model_fields_set
    except Exception:
        return False


@dataclass
class Sandbox:
    """Start with `start()`, stop with `stop()`; `url` is the page."""

    port: int = DEFAULT_PORT
    host: str = "127.0.0.1"
    database_url: str = field(default_factory=sandbox_database_url)
    seed: bool = True
    oauth: bool = False  # two workspaces, each installing coopbot through the OAuth flow (module docstring)
    fake: FakeSlack = field(init=False)
    runtime: Runtime = field(init=False)
    state: SandboxState = field(init=False)
    api: SandboxApi = field(init=False)
    workspaces: SandboxWorkspaces | None = field(default=None, init=False)
    _servers: list[RunningServer] = field(default_factory=list, init=False)

    @property
    def url(self) -> str:
        return self._servers[-1].url + "/" if self._servers else f"http://{self.host}:{self.port}/"

    def start(self) -> Sandbox:
        token = "xoxb-sandbox-" + secrets.token_hex(12)
        signing_secret = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=token, bot_user_id=BOT_USER_ID, team_id=COLLEGE_TEAM if self.oauth else "T0001")
        self.fake.start()
        try:
            upgrade(self.database_url)
            db = Database(self.database_url)
            if self.seed:
                seed_demo(db)
            if self.oauth:  # no bot token: each workspace's comes from its installation
                client_secret = secrets.token_hex(16)
                add_workspaces(self.fake, CLIENT_ID, client_secret)
                settings = Settings(slack_bot_token=None, slack_client_id=CLIENT_ID,
                                    slack_client_secret=SecretStr(client_secret),
                                    slack_authorize_url=self.fake.base + AUTHORIZE_PATH, **self._common(signing_secret))
            else:
                settings = Settings(slack_bot_token=SecretStr(token), slack_client_id=None, slack_client_secret=None,
                                    **self._common(signing_secret))
            self.runtime = build_runtime(settings, build_services(settings, db=db))
            self.runtime.start()
            wsgi = build_wsgi_app(self.runtime.app, self.runtime.health)
            bot_server = start_in_thread(self._back_to_the_page(wsgi, db) if self.oauth else wsgi)
            self._servers.append(bot_server)
            self.state = SandboxState(self.fake, me=TEACHER)
            self._introduce_people(db)
            slack = SlackRequests(bot_server.url, signing_secret, fake=self.fake, team_id=self.fake.team_id)
            if self.oauth:
                assert self.runtime.services.installations is not None
                self.fake.oauth.redirect_url = bot_server.url + REDIRECT_PATH
                self.workspaces = SandboxWorkspaces(self.fake, self.runtime.services.installations, bot_server.url,
                                                    signing_secret)
                link_demo_partnership(db, self.workspaces.remember_installations())
            else:
                slack.teams.update({uid: str(user["team_id"]) for uid, user in self.fake.users.items()
                                    if user.get("team_id") not in (None, self.fake.team_id)})
            self.api = SandboxApi(self.state, slack, self.runtime.services, self.workspaces)
            self._servers.append(start_in_thread(self.api.wsgi(), host=self.host, port=self.port, threads=12))
        except BaseException:
            self.stop()
            raise
        return self

    def _common(self, signing_secret: str) -> dict[str, Any]:
        """Settings of both modes (given, so nothing of an operator's .env applies)."""
        return {"slack_signing_secret": SecretStr(signing_secret), "slack_app_token": None,
                "slack_api_url": self.fake.url, "database_url": self.database_url,
                "coopbot_outbox_poll_seconds": 1.0}

    def _back_to_the_page(self, app: WSGIApplication, db: Database) -> WSGIApplication:
        """OAuth mode: once the app's /slack/oauth_redirect has saved an installation, the demo partnership is
        linked to it (`link_demo_partnership`) and the installer is sent back to the sandbox's page, as Slack's
        client opens the workspace (the app's own page would send them to slack://)."""

        def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            if environ.get("PATH_INFO") != REDIRECT_PATH:
                return app(environ, start_response)
            answered: list[tuple[str, list[tuple[str, str]]]] = []

            def keep(status: str, headers: list[tuple[str, str]], *_exc: Any) -> Any:
                answered.append((status, headers))
                return lambda _data: None

            body = b"".join(app(environ, keep))
            status, headers = answered[0]
            query = parse_qs(str(environ.get("QUERY_STRING") or ""))
            if not status.startswith("200") or "error" in query or self.workspaces is None:  # the app's own page
                start_response(status, headers)
                return [body]
            link_demo_partnership(db, self.workspaces.installed())
            self.state.bump()
            cookies = [(k, v) for k, v in headers if k.lower() == "set-cookie"]  # the state cookie, cleared
            start_response("302 Found", [("Location", self.url), ("Content-Length", "0"), *cookies])
            return []

        return wrapped

    def _introduce_people(self, db: Database) -> None:
        """Slack knows everyone's profile (users.info); English, so the demo reads the same for all. The
        enterprise's people are of their own Slack organization (a Slack Connect channel): their clicks carry
        their team, and Slack gives no locale for them (the partnership's language, English, applies)."""
        from bot.devtools.sandbox_seed import ENTERPRISE_TEAM, roster

        for person in roster(db):
            self.fake.users[person.slack_user_id] = {"id": person.slack_user_id, "real_name": person.name,
                                                     "name": person.slack_user_id.lower(), "locale": "en-US"}
            if person.external:
                self.fake.users[person.slack_user_id]["team_id"] = ENTERPRISE_TEAM
            elif self.oauth:  # each person is of their own workspace
                self.fake.users[person.slack_user_id]["team_id"] = HOST_TEAM

    def stop(self) -> None:
        if hasattr(self, "state"):
            self.state.closed = True
            self.state.bump()
        for server in reversed(self._servers):
            server.stop()
        self._servers.clear()
        if hasattr(self, "runtime"):
            self.runtime.stop()
        if hasattr(self, "fake"):
            self.fake.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *_exc: Any) -> None:
        self.stop()


def run(port: int = DEFAULT_PORT, open_browser: bool = True, oauth: bool = False) -> int:
    """Run until Ctrl-C (or SIGTERM)."""
    sandbox = Sandbox(port=port, oauth=oauth)
    try:
        sandbox.start()
    except OSError as exc:
        print(f"coopbot sandbox: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
              f"try --port {port + 1} (make run PORT={port + 1})", file=sys.stderr)
        return 1
    print(f"coopbot sandbox: the bot with a local stand-in for Slack at {sandbox.url}\n"
          f"  database {_shown(sandbox.database_url)} (demo partnership \"Demo College – Demo Works\"), kept "
          "between runs: delete it to start afresh (README, \"Try it without Slack\")"
          + ("; DATABASE_URL is not used here\n" if database_url_configured() else "\n") +
          ("  OAuth mode: two workspaces, the college's and the company's; install coopbot in each with the "
           "page's \"Add to Slack\"\n" if oauth else "") +
          "  press Ctrl-C to stop", file=sys.stderr, flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(sandbox.url,), daemon=True).start()
    stop = threading.Event()

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        print("coopbot sandbox: stopping", file=sys.stderr)
        sandbox.stop()
    return 0


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
