"""OAuth mode: installed by Slack's OAuth flow in several workspaces, each request authorized by its own
installation, a workspace that is not (or no longer) installed refused."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.storage.db import Database
from models.installation import slack_bots, slack_installations, slack_oauth_states
from tests.support.harness import TEACHER
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    STRANGER,
    install,
    running_oauth_app,
    seed_linked_roster,
    slack_from,
    token_of,
)


def _bots(db: Database) -> dict[str, str]:
    with db.engine.connect() as conn:
        return {row.team_id: row.bot_token for row in conn.execute(select(slack_bots))}


def test_two_workspaces_install_through_the_oauth_flow_and_each_is_stored(db: Database) -> None:
    with running_oauth_app(db) as h:
        for workspace in (COLLEGE, COMPANY):
            status, page = install(h, workspace)
            assert status == 200, page
        # the code went to Slack once per workspace, with the app's credentials, for that workspace's token
        exchanges = h.fake.calls_to("oauth.v2.access")
        assert [c.args.get("code") for c in exchanges] == ["code-1", "code-3"]
        bots = _bots(db)
        assert set(bots) == {COLLEGE, COMPANY}
        assert bots[COLLEGE] in h.fake.oauth.tokens_of(COLLEGE)
        assert bots[COMPANY] in h.fake.oauth.tokens_of(COMPANY)
        with db.engine.connect() as conn:
            installers = {row.team_id: (row.user_id, row.team_name)
                          for row in conn.execute(select(slack_installations))}
            assert installers == {COLLEGE: ("UINSTALLER", "深圳职业技术大学"),
                                  COMPANY: ("UINSTALLER", "华为技术有限公司")}
            assert conn.execute(select(slack_oauth_states)).all() == []  # each state used up by its redirect


def test_a_redirect_without_the_state_cookie_installs_nothing(db: Database) -> None:
    from tests.support.installs import get

    with running_oauth_app(db) as h:
        status, headers, _ = get(h.server.url + "/slack/install")
        h.fake.oauth.next_workspace = COLLEGE
        _, headers, _ = get(headers["location"])
        status, _, _ = get(headers["location"])  # another browser: no cookie
        assert status == 400
        assert _bots(db) == {}
        assert h.fake.calls_to("oauth.v2.access") == []


def test_each_workspace_s_requests_use_its_own_token_and_a_stranger_is_refused(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        install(h, COMPANY)
        tokens = _bots(db)
        for team in (COLLEGE, COMPANY):
            before = len(h.fake.calls_to("views.open"))
            reply = slack_from(h, team).command("/intern-issue", user_id=TEACHER)
            assert reply.status == 200, reply.text
            opened = h.fake.wait_for("views.open", count=before + 1)[-1]
            assert token_of(opened) == tokens[team]  # the installation the request came through
        h.settle()
        opened = len(h.fake.calls_to("views.open"))
        reply = slack_from(h, STRANGER).command("/intern-issue", user_id=TEACHER)
        h.settle()
        assert reply.status == 200
        assert len(h.fake.calls_to("views.open")) == opened  # nothing done for a workspace never installed
        assert "reinstall" in " ".join(h.ephemerals()).lower() or "reinstall" in reply.text.lower()


def test_healthz_and_single_token_paths_stay(db: Database) -> None:
    from tests.support.installs import get

    with running_oauth_app(db) as h:
        status, _, body = get(h.server.url + "/healthz")
        assert status == 200, body
        status, _, _ = get(h.server.url + "/slack/nowhere")
        assert status == 404


def test_an_org_wide_install_authorizes_requests_from_any_workspace_of_the_organization(db: Database,
                                                                                      tmp_path: Path) -> None:
    """Enterprise Grid: installed once for the whole organization (team null, `is_enterprise_install`); a
    command from one of its workspaces is authorized by that installation."""
    from urllib.parse import urlencode

    from bot.devtools.slack_requests import new_trigger_id

    seed_linked_roster(db, tmp_path, host="E0GRID")  # the organization's installation hosts it
    with running_oauth_app(db) as h:
        h.fake.oauth.add_workspace(None, "Grid Workspace", enterprise_id="E0GRID", enterprise_name="华为集团",
                                   is_enterprise_install=True, bot_user_id="U0BOTGRID")
        status, page = install(h, "E0GRID")
        assert status == 200, page
        with db.engine.connect() as conn:
            row = conn.execute(select(slack_bots)).one()
        assert (row.enterprise_id, row.team_id, row.is_enterprise_install) == ("E0GRID", None, True)
        slack = slack_from(h, "T0GRIDWS")
        form = {"team_id": "T0GRIDWS", "enterprise_id": "E0GRID", "is_enterprise_install": "true",
                "channel_id": "C0PARTNER", "channel_name": "c0partner", "user_id": TEACHER, "user_name": "w",
                "command": "/intern-issue", "text": "", "api_app_id": "A0APP",
                "response_url": h.fake.response_url("grid"), "trigger_id": new_trigger_id()}
        reply = slack.send(urlencode(form).encode(), "application/x-www-form-urlencoded")
        assert reply.status == 200, reply.text
        opened = h.fake.wait_for("views.open")
        assert [token_of(c) for c in opened] == [row.bot_token]


def test_housekeeping_deletes_the_states_of_installs_never_finished(db: Database) -> None:
    from datetime import timedelta

    from bot.storage.housekeeping import prune
    from models.base import utcnow
    from tests.support.installs import get

    with running_oauth_app(db) as h:
        for _ in range(2):  # two admins start installing and close the tab at Slack's page
            assert get(h.server.url + "/slack/install")[0] == 302
    assert prune(db, utcnow(), timedelta(days=90)).oauth_states == 0  # ten minutes to come back
    pruned = prune(db, utcnow() + timedelta(minutes=11), timedelta(days=90))
    assert pruned.oauth_states == 2
    with db.engine.connect() as conn:
        assert conn.execute(select(slack_oauth_states)).all() == []
