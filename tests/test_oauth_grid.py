"""OAuth mode on Enterprise Grid, with payloads shaped as Slack sends them: a modal submitted by someone of
another Grid organization (bolt-python #767: `view.app_installed_team_id` is the installer's team, while the
enterprise id Bolt reads is the submitter's), and an org-wide install (`is_enterprise_install`, `W…` user ids,
`team` null in interactivity payloads)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select, update

from bot.devtools.slack_requests import APP_ID, VERIFICATION_TOKEN, fill, new_trigger_id
from bot.installs.routing import link_partnership
from bot.panel.ids import PanelActionId
from bot.storage.db import Database
from models.installation import slack_bots
from models.problem import Problem
from models.roster import Person
from tests.support.harness import CHANNEL, MENTOR, Harness, seed_roster
from tests.support.installs import COLLEGE, install, running_oauth_app, slack_from, token_of


def _send(h: Harness, payload: dict[str, Any], team: str) -> int:
    body = urlencode({"payload": json.dumps(payload, ensure_ascii=False)}).encode()
    return slack_from(h, team).send(body, "application/x-www-form-urlencoded").status


def test_a_modal_submitted_by_someone_of_another_grid_organization_is_authorized_by_the_installer(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with running_oauth_app(db) as h:
        install(h, COLLEGE)
        link_partnership(db, "深职院–华为", COLLEGE)
        view = h.open_modal("/intern-issue", MENTOR)  # opened in the college's workspace (its shared channel)
        answers = {"intern_id": str(h.intern_id("S2024001")), "category": "safety", "severity": "p2",
                   "description": "手指被夹伤", "occurred_on": date.today().isoformat()}
        # Slack's view_submission from a user of another Grid organization: `team` and `enterprise` are the
        # submitter's, the view says where the app is installed.
        payload = {
            "type": "view_submission", "api_app_id": APP_ID, "token": VERIFICATION_TOKEN,
            "team": {"id": "T0HUAWEI", "domain": "huawei", "enterprise_id": "E0HUAWEI", "enterprise_name": "华为"},
            "enterprise": {"id": "E0HUAWEI", "name": "华为"}, "is_enterprise_install": False,
            "user": {"id": MENTOR, "username": "mentor", "name": "mentor", "team_id": "T0HUAWEI"},
            "view": {**view, "state": {"values": fill(view, answers)}, "team_id": "T0HUAWEI",
                     "app_installed_team_id": COLLEGE},
            "response_urls": [], "trigger_id": new_trigger_id(),
        }
        assert _send(h, payload, COLLEGE) == 200
        h.deliver()
        with db.session() as session:
            assert session.scalars(select(Problem.description)).all() == ["手指被夹伤"]
        with db.engine.connect() as conn:
            college = conn.scalar(select(slack_bots.c.bot_token).where(slack_bots.c.team_id == COLLEGE))
        posts = [c for c in h.fake.calls_to("chat.postMessage") if c.args.get("channel") == CHANNEL]
        assert [token_of(c) for c in posts] == [college]


def test_a_button_clicked_in_an_org_wide_install_is_authorized_by_the_organization_s_installation(
        db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with db.transaction() as session:  # on Grid, people have W… ids
        session.execute(update(Person).where(Person.slack_user_id == MENTOR).values(slack_user_id="W0MENTOR"))
    with running_oauth_app(db) as h:
        h.fake.oauth.add_workspace(None, "华为集团", enterprise_id="E0GRID", enterprise_name="华为集团",
                                   is_enterprise_install=True, bot_user_id="U0BOTGRID")
        assert install(h, "E0GRID")[0] == 200
        link_partnership(db, "深职院–华为", "E0GRID")
        with db.engine.connect() as conn:
            grid = conn.scalar(select(slack_bots.c.bot_token).where(slack_bots.c.enterprise_id == "E0GRID"))
        payload: dict[str, Any] = {
            "type": "block_actions", "api_app_id": APP_ID, "token": VERIFICATION_TOKEN,
            "team": None, "enterprise": {"id": "E0GRID", "name": "华为集团"}, "is_enterprise_install": True,
            "user": {"id": "W0MENTOR", "username": "mentor", "name": "mentor", "team_id": "T0GRIDWS"},
            "channel": {"id": CHANNEL, "name": "partner"}, "trigger_id": new_trigger_id(),
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": CHANNEL,
                          "is_ephemeral": False},
            "message": {"type": "message", "ts": "1700000000.000100", "text": "", "blocks": [], "user": "U0BOTGRID"},
            "response_url": h.fake.response_url("grid-click"), "state": {"values": {}},
            "actions": [{"type": "button", "action_id": PanelActionId.LOG_PROBLEM, "block_id": "coopbot_panel",
                         "action_ts": "1700000001.000200", "text": {"type": "plain_text", "text": "Log"}}],
        }
        assert _send(h, payload, "T0GRIDWS") == 200  # `team: null` is how Slack sends it: not malformed
        opened = h.fake.wait_for("views.open")
        assert [token_of(c) for c in opened] == [grid]
