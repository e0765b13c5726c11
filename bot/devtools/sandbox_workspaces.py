"""`coopbot sandbox --oauth`: two workspaces, each installing coopbot through the real OAuth flow.

The fake Slack holds the college's workspace and the company's (bot.devtools.fake_oauth), each with its own
people and its own coopbot bot user; the demo channel is the college's, shared with the company's (a Slack
Connect channel). The app runs in OAuth mode, as `coopbot serve` does with SLACK_CLIENT_ID and
SLACK_CLIENT_SECRET: every request the page sends is signed as Slack sends it from the acting person's
workspace and authorized by that workspace's installation. Until a workspace has installed coopbot its
people have no App Home of it; in the shared channel (and a DM the college's coopbot sent them) they act
through the college's installation, as people of another organization do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.devtools.fake_oauth import Workspace
from bot.devtools.fake_slack import FakeSlack
from bot.devtools.sandbox_seed import COLLEGE_TEAM, COORD_ENTERPRISE, COORD_SCHOOL, ENTERPRISE_TEAM, WORKSPACES
from bot.devtools.slack_requests import SlackRequests
from bot.installs.tokens import Installations

CLIENT_ID = "0000.sandbox"  # fixed: the installations kept in the sandbox's database are this app's
INSTALL_START = "/sandbox/install"  # the page's "Add to Slack": picks the workspace, then the app's /slack/install
BOT_USERS = {COLLEGE_TEAM: "U0COOPBOTC", ENTERPRISE_TEAM: "U0COOPBOTW"}  # each installation's own coopbot
INSTALLERS = {COLLEGE_TEAM: COORD_SCHOOL, ENTERPRISE_TEAM: COORD_ENTERPRISE}
HOST_TEAM = COLLEGE_TEAM  # whose workspace the demo channel is in


def add_workspaces(fake: FakeSlack, client_id: str, client_secret: str) -> None:
    """The app as Slack knows it (client id and secret, the Allow page) and the two workspaces that may install it."""
    fake.oauth.client_id, fake.oauth.client_secret = client_id, client_secret
    fake.oauth.ask = True
    for team, name in WORKSPACES.items():
        fake.oauth.add_workspace(team, name, bot_user_id=BOT_USERS[team], installer=INSTALLERS[team])


@dataclass
class SandboxWorkspaces:
    """Who is in which workspace, where coopbot is installed, and requests signed as each workspace sends them."""

    fake: FakeSlack
    installations: Installations
    bot_url: str  # the app's server (its /slack/install and /slack/events)
    signing_secret: str

    def team_of(self, user: str) -> str:
        return str(self.fake.users.get(user, {}).get("team_id") or HOST_TEAM)

    def workspace(self, team: str) -> Workspace:
        return self.fake.oauth.workspaces[team]

    def installed(self) -> set[str]:
        return set(self.installations.installed_teams())

    def remember_installations(self) -> set[str]:
        """The installations kept from an earlier run: this run's fake Slack honours their tokens again."""
        installed = self.installed()
        for team in installed & set(self.fake.oauth.workspaces):
            found = self.installations.find_team(team)
            if found is not None and found.bot_token:
                self.fake.oauth.remember(found.bot_token, team)
        return installed

    def requests(self, user: str, *, through: str | None = None, shared: bool = False) -> SlackRequests | None:
        """Requests from `user` as Slack sends them: through `through`'s installation (a view's), else their own
        workspace's, else — in a conversation shared with the host's workspace (`shared`) — the host's, as
        someone of another organization. None when coopbot is not installed where they act."""
        installed, own = self.installed(), self.team_of(user)
        team = through or (own if own in installed else HOST_TEAM if shared else None)
        if team is None or team not in installed:
            return None
        slack = SlackRequests(self.bot_url, self.signing_secret, fake=self.fake, team_id=team,
                              bot_user_id=self.workspace(team).bot_user_id)
        if own != team:
            slack.teams[user] = own
        return slack

    def summary(self, me: str) -> dict[str, object]:
        """What the page shows of the workspaces: the current person's, and each with whether it has coopbot."""
        installed = self.installed()
        listed = [{"id": team, "name": ws.name, "installed": team in installed,
                   "install_url": f"{INSTALL_START}?team={team}"} for team, ws in self.fake.oauth.workspaces.items()]
        return {"me": self.team_of(me), "workspaces": listed}


__all__ = ["BOT_USERS", "CLIENT_ID", "HOST_TEAM", "INSTALL_START", "SandboxWorkspaces", "add_workspaces"]
