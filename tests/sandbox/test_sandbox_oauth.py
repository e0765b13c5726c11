"""`coopbot sandbox --oauth` over HTTP: two workspaces install coopbot through the app's own OAuth flow and the
fake Slack's Allow page, and each side's people act through their own installation's token."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.devtools.fake_slack import Call
from bot.devtools.sandbox import Sandbox
from bot.devtools.sandbox_seed import (
    COLLEGE_TEAM,
    COORD_SCHOOL,
    DEMO_CHANNEL,
    DEMO_PARTNERSHIP,
    ENTERPRISE_TEAM,
    MENTOR,
    TEACHER,
)
from bot.devtools.sandbox_workspaces import BOT_USERS, CLIENT_ID, INSTALL_START
from bot.storage.db import Database
from models.roster import Partnership
from tests.support.cli import COOPBOT, free_port
from tests.support.installs import get
from tests.support.sandbox import PageApi, add_to_slack


@pytest.fixture
def oauth_sandbox(db: Database) -> Iterator[Sandbox]:
    with Sandbox(port=0, database_url=db.url, oauth=True) as running:
        yield running


@pytest.fixture
def api(oauth_sandbox: Sandbox) -> PageApi:
    return PageApi(oauth_sandbox)


def _links(db: Database) -> tuple[str | None, str | None]:
    with db.session() as session:
        found = session.execute(select(Partnership.install_team_id, Partnership.partner_team_id)
                                .where(Partnership.name == DEMO_PARTNERSHIP)).one()
    return found[0], found[1]


def _installed(state: dict[str, Any]) -> dict[str, bool]:
    return {w["id"]: w["installed"] for w in state["workspaces"]["workspaces"]}


def _only_token(sandbox: Sandbox, team: str) -> str:
    tokens = sandbox.fake.oauth.tokens_of(team)
    assert len(tokens) == 1, tokens
    return tokens[0]


def test_each_workspace_installs_coopbot_through_the_allow_page(oauth_sandbox: Sandbox, api: PageApi,
                                                               db: Database) -> None:
    state = api.state()
    assert state["workspaces"]["me"] == COLLEGE_TEAM  # the teacher is of the college's workspace
    assert _installed(state) == {COLLEGE_TEAM: False, ENTERPRISE_TEAM: False}
    people = {p["id"]: p for p in state["people"]}
    assert people[TEACHER]["team"] == COLLEGE_TEAM and people[MENTOR]["team"] == ENTERPRISE_TEAM
    # nothing installed: no coopbot for anyone yet, and the page says where to add it
    assert api.post("command", {"channel": DEMO_CHANNEL, "text": "/coop help"})["error"] == "not_installed"
    assert "Add to Slack" in api.state()["ephemerals"][-1]["text"]
    assert not oauth_sandbox.fake.calls_to("oauth.v2.access")

    allowed = add_to_slack(oauth_sandbox, COLLEGE_TEAM)
    assert allowed.workspaces == {COLLEGE_TEAM: "Demo College (fictional)",
                                  ENTERPRISE_TEAM: "Demo Works Ltd (fictional)"}
    assert allowed.chosen == COLLEGE_TEAM  # Slack's picker opens on the workspace asked for
    assert (allowed.status, allowed.location) == (302, oauth_sandbox.url), allowed.body  # back to the page
    assert len(oauth_sandbox.fake.calls_to("oauth.v2.access")) == 1  # the app exchanged the code itself
    assert _installed(api.state()) == {COLLEGE_TEAM: True, ENTERPRISE_TEAM: False}
    assert _links(db) == (COLLEGE_TEAM, None)

    allowed = add_to_slack(oauth_sandbox, ENTERPRISE_TEAM)
    assert (allowed.status, allowed.location) == (302, oauth_sandbox.url), allowed.body
    assert _installed(api.state()) == {COLLEGE_TEAM: True, ENTERPRISE_TEAM: True}
    assert _links(db) == (COLLEGE_TEAM, ENTERPRISE_TEAM)  # the partnership goes through both installations
    assert _only_token(oauth_sandbox, COLLEGE_TEAM) != _only_token(oauth_sandbox, ENTERPRISE_TEAM)


def _both_installed(sandbox: Sandbox) -> tuple[str, str]:
    """Both workspaces install coopbot; their tokens (the college's, the company's)."""
    for team in (COLLEGE_TEAM, ENTERPRISE_TEAM):
        assert add_to_slack(sandbox, team).status == 302
    return _only_token(sandbox, COLLEGE_TEAM), _only_token(sandbox, ENTERPRISE_TEAM)


def _opened_for(sandbox: Sandbox, user: str) -> Call:
    """The views.open of the modal `user`'s last request opened (the page's trigger ids end with the person)."""
    trigger = user.lower()
    return sandbox.fake.wait_for("views.open", where=lambda c: str(c.args.get("trigger_id", "")).endswith(trigger))[-1]


def _report(api: PageApi) -> dict[str, Any]:
    """The current person logs a problem with /intern-issue in the shared channel; the modal it opened."""
    api.post("command", {"channel": DEMO_CHANNEL, "text": "/intern-issue"})
    modal = dict(api.until(lambda s: s["modal"])["modal"])
    options = api.post("options", {"view_id": modal["id"], "block_id": "intern_id",
                                   "action_id": "problem_intern_select", "value": "Zhang"})["options"]
    answers = {"intern_id": options[0], "category": "safety", "severity": "p2",
               "description": "Cut a hand on the line", "occurred_on": date.today().isoformat()}
    assert api.post("submit", {"view_id": modal["id"], "values": answers}) == {"result": "closed"}
    return modal


def test_each_side_runs_its_commands_through_its_own_installation(oauth_sandbox: Sandbox, api: PageApi) -> None:
    college, company = _both_installed(oauth_sandbox)
    fake = oauth_sandbox.fake

    # the company's mentor, in the shared channel: their slash command is authorized by the company's installation,
    # and the modal it opens is the company's coopbot's
    api.post("as", {"user": MENTOR})
    modal = _report(api)
    assert _opened_for(oauth_sandbox, MENTOR).token == company
    assert (modal["team_id"], modal["bot_id"]) == (ENTERPRISE_TEAM, "B" + BOT_USERS[ENTERPRISE_TEAM][1:])
    # the report is posted once in the shared channel, through the installation hosting it (the college's)
    posted = api.until(lambda s: s["messages"][DEMO_CHANNEL] and s["modal"] is None)["messages"][DEMO_CHANNEL]
    reports = [m for m in posted if m["blocks"] and m["blocks"][0]["type"] == "header"]
    assert len(reports) == 1 and reports[0]["user"] == BOT_USERS[COLLEGE_TEAM]
    to_channel = fake.calls_to("chat.postMessage")
    assert {c.token for c in to_channel if c.args.get("channel") == DEMO_CHANNEL} == {college}

    # the college's teacher: the same command through the college's installation
    api.post("as", {"user": TEACHER})
    api.post("command", {"channel": DEMO_CHANNEL, "text": "/intern-issue"})
    assert _opened_for(oauth_sandbox, TEACHER).token == college
    api.post("close", {"view_id": api.until(lambda s: s["modal"])["modal"]["id"]})
    assert api.post("home") == {"ok": True}
    assert api.until(lambda s: s["home"])["home"]["team_id"] == COLLEGE_TEAM
    assert fake.wait_for("views.publish", where=lambda c: c.args.get("user_id") == TEACHER)[-1].token == college


def test_a_company_persons_app_home_and_dms_come_from_the_companys_coopbot(oauth_sandbox: Sandbox,
                                                                          api: PageApi) -> None:
    college, company = _both_installed(oauth_sandbox)
    fake = oauth_sandbox.fake
    api.post("as", {"user": MENTOR})
    assert api.post("home") == {"ok": True}
    published = fake.wait_for("views.publish", where=lambda c: c.args.get("user_id") == MENTOR)[-1]
    assert api.until(lambda s: s["home"])["home"]["team_id"] == ENTERPRISE_TEAM
    assert published.token == company
    # the teacher reports a problem about the mentor's intern: the mentor is told in a DM from the company's
    # coopbot, the college's coordinator from the college's
    api.post("as", {"user": TEACHER})
    _report(api)
    for person, token, bot in ((MENTOR, company, BOT_USERS[ENTERPRISE_TEAM]),
                               (COORD_SCHOOL, college, BOT_USERS[COLLEGE_TEAM])):
        to_them = (person, "D" + person)
        dm = fake.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") in to_them)[-1]  # noqa: B023
        assert dm.token == token
        assert {m["user"] for m in fake.messages("D" + person)} == {bot}


def test_cancel_on_the_allow_page_installs_nothing(oauth_sandbox: Sandbox, api: PageApi, db: Database) -> None:
    status, headers, _ = get(oauth_sandbox.url.rstrip("/") + f"{INSTALL_START}?team={ENTERPRISE_TEAM}")
    status, headers, _ = get(headers["location"])
    cookie = headers["set-cookie"].split(";", 1)[0]
    status, _, page = get(headers["location"])
    assert status == 200 and "Allow" in page and "Cancel" in page
    state = re.search(r'name="state" value="([^"]+)"', page)
    assert state is not None
    authorize = headers["location"].split("?", 1)[0]
    status, headers, _ = get(f"{authorize}?client_id={CLIENT_ID}&state={state[1]}&allow=cancel")
    assert status == 302 and "error=access_denied" in headers["location"]
    status, _, body = get(headers["location"], {"Cookie": cookie})
    assert status == 200 and "access_denied" in body  # the app's own page says so; the installer stays there
    assert _installed(api.state()) == {COLLEGE_TEAM: False, ENTERPRISE_TEAM: False}
    assert not oauth_sandbox.fake.calls_to("oauth.v2.access")
    assert _links(db) == (None, None)


def test_installations_are_kept_between_runs(db: Database) -> None:
    """The sandbox's database keeps the installations; the next run's fake Slack honours their tokens again."""
    with Sandbox(port=0, database_url=db.url, oauth=True) as first:
        _both_installed(first)
        kept = _only_token(first, ENTERPRISE_TEAM)
    with Sandbox(port=0, database_url=db.url, oauth=True) as again:
        api = PageApi(again)
        assert _installed(api.state()) == {COLLEGE_TEAM: True, ENTERPRISE_TEAM: True}
        api.post("as", {"user": MENTOR})
        assert api.post("command", {"channel": DEMO_CHANNEL, "text": "/intern-issue"}) == {"ok": True}
        assert _opened_for(again, MENTOR).token == kept
        assert api.until(lambda s: s["modal"])["modal"]["team_id"] == ENTERPRISE_TEAM  # Slack took the old token
        assert not again.fake.calls_to("oauth.v2.access")
    assert _links(db) == (COLLEGE_TEAM, ENTERPRISE_TEAM)


def test_coopbot_sandbox_oauth_from_the_command_line(tmp_path: Path) -> None:
    """`coopbot sandbox --oauth` as a person starts it, with an operator's .env beside it that names a bot token:
    the sandbox makes up its own client id and secret, and coopbot is installed nowhere yet."""
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-production\nSLACK_SIGNING_SECRET=production\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COOPBOT_", "DATABASE_URL"))}
    port = free_port()
    process = subprocess.Popen([COOPBOT, "sandbox", "--oauth", "--no-browser", "--port", str(port)], env=env,
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/sandbox/api/state", timeout=2) as response:
                    state = json.loads(response.read())
                break
            except OSError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "coopbot sandbox --oauth did not come up"
                time.sleep(0.2)
        assert _installed(state) == {COLLEGE_TEAM: False, ENTERPRISE_TEAM: False}
        status, headers, _ = get(f"http://127.0.0.1:{port}{INSTALL_START}?team={COLLEGE_TEAM}")
        assert status == 302
        status, headers, _ = get(headers["location"])  # the app's /slack/install: to Slack's Allow page
        assert status == 302 and f"client_id={CLIENT_ID}" in headers["location"]
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "OAuth mode: two workspaces" in stderr and "Traceback" not in stderr, stderr
    assert (tmp_path / "coopbot-sandbox.db").exists()


def test_the_one_workspace_sandbox_ignores_an_operators_oauth_settings(db: Database,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --oauth the sandbox is the one-token app whatever SLACK_CLIENT_ID and SLACK_CLIENT_SECRET say."""
    monkeypatch.setenv("SLACK_CLIENT_ID", "9999.production")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "production-secret")
    with Sandbox(port=0, database_url=db.url) as running:
        api = PageApi(running)
        assert api.state()["workspaces"] is None
        api.post("command", {"channel": DEMO_CHANNEL, "text": "/intern-issue"})
        assert api.until(lambda s: s["modal"])["modal"]["callback_id"] == "problem_report"
