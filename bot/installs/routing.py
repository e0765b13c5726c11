"""OAuth mode: which installation's token a message from the outbox goes through, and holding messages
for a workspace that has uninstalled coopbot.

The rule (issue #21):
- A post to a channel (and its updates, files shared in it, ephemerals shown in it) goes through the
  installation hosting the channel's partnership (`partnership.install_team_id`): once, whatever the number
  of organizations in the (Slack Connect) channel.
- A message to a person (a DM, its updates, a file in their DM, their App Home) goes through their own
  organization's installation when there is one: the workspace Slack says they are in (`Person.slack_team_id`),
  or the org-wide install of their Grid organization (`Person.slack_enterprise_id`). Slack user ids are
  global (a Slack Connect person keeps their `U…`/`W…` id in every workspace), so the id on the row is the one
  that installation's bot sees. A DM is opened by `chat.postMessage` to the user id (or `conversations.open`)
  with that installation's token, so it is that bot's DM. Until their organization is known, their side's
  workspace in their partnerships (`partner_team_id` for the enterprise's people, `install_team_id` for the
  college's); failing those, the host installation of a partnership they are in (it shares the partnership's
  channel with them).
- An App Home drawn in a request for the installation it was opened in (`app_home_opened`, a click in it) shows
  that tenant's partnerships, so it goes through that installation only (its row says which).
- When nothing says (no partnership linked), and coopbot is installed in exactly one workspace, that one.
  Otherwise, and when none of a row's candidates is installed, the message is held.

Routing a row costs one query of the roster, then the token of the first candidate that is installed.

A message whose installation is gone (uninstalled, tokens revoked) or not known yet is *held*, not failed:
it waits in the outbox (its attempts do not count towards giving up) and is tried again every few
minutes, and at once when a workspace installs coopbot (`resume_held`, from the OAuth success callback).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from sqlalchemy import or_, select, update

from bot import audit
from bot.delivery import outbox
from bot.errors import CoopError
from bot.i18n.language import Lookup, requesting
from bot.installs.scope import every_tenant
from bot.installs.tokens import Installations
from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus
from models.roster import Membership, Partnership, Person, Side

HELD = "held: no installation for this workspace"  # `last_error` of a held row
HOLD_RETRY = timedelta(minutes=5)


class InstallationRouter:
    """The outbox's `client_for(row)` in OAuth mode: a client with the token of the row's installation,
    or None to hold the row."""

    def __init__(self, db: Database, installations: Installations) -> None:
        self.db = db
        self.installations = installations

    def teams_for(self, row: OutboxMessage) -> list[str] | None:
        """The workspaces (team ids, or the enterprise ids of org-wide installs) the row may go through, best
        first, by the rule above; None when nothing says (no partnership linked, nor the person's organization
        known)."""
        drawn_for = (row.payload or {}).get("workspace") if row.kind == OutboxKind.HOME else None
        if drawn_for:  # an App Home drawn for the installation it was opened in shows that tenant's: only there
            return [str(drawn_for)]
        person_id = _person_of(row)
        if person_id is not None:
            own, others = self.person_teams(person_id)
            return _unique([*own, *others]) or None
        with self.db.session() as session:
            teams = session.scalars(select(Partnership.install_team_id).where(
                or_(Partnership.channel_id == row.channel, Partnership.school_channel_id == row.channel),
                Partnership.install_team_id.is_not(None)).order_by(Partnership.id)).all()
        if not teams and row.kind == OutboxKind.EPHEMERAL and row.user:
            # shown in a conversation of no partnership (a DM with the bot, another channel): the person's own
            own, others = self.person_teams(row.user)
            return _unique([*own, *others]) or None
        return _unique(teams) or None

    def person_teams(self, slack_user_id: str) -> tuple[list[str], list[str]]:
        """(their own organization's workspaces, then the others that can reach them, best first): one query.
        Read past a request's tenant scope (bot.installs.scope): which installation can reach a person is not
        the tenant's to narrow (a request through the enterprise's installation, before it is linked, must still
        find the host that can look them up); only workspace ids come out, never shown to anyone."""
        with every_tenant(), self.db.session() as session:
            rows = session.execute(
                select(Person.slack_team_id, Person.slack_enterprise_id, Person.side, Partnership.install_team_id,
                       Partnership.partner_team_id)
                .outerjoin(Membership, Membership.person_id == Person.id)
                .outerjoin(Partnership, Partnership.id == Membership.partnership_id)
                .where(Person.slack_user_id == slack_user_id).order_by(Partnership.id)).all()
        if not rows:
            return [], []
        own_team, own_enterprise, side = rows[0][0], rows[0][1], rows[0][2]
        own_side = [partner if side == Side.ENTERPRISE else host for *_, host, partner in rows]
        hosts = [host for *_, host, _partner in rows]
        own = _unique([own_team, own_enterprise])
        return own, [team for team in _unique([*own_side, *hosts]) if team not in own]

    def lookup_for(self, slack_user_id: str) -> Lookup | None:
        """A token that can see the person, for `users.info` (bot.i18n.language): their own organization's
        installation, else the one their request being handled came through, else one that can reach them."""
        own, others = self.person_teams(slack_user_id)
        found = self._first_installed(own)
        if found is None:
            acting = requesting.get()
            if acting is not None and acting[0] == slack_user_id:
                return acting[1]
            found = self._first_installed(others)
        if found is None or not found[1].bot_token:
            return None
        bot = found[1]
        return Lookup(bot.bot_token, (None if bot.is_enterprise_install else bot.team_id, bot.enterprise_id))

    def _first_installed(self, teams: Sequence[str]) -> tuple[str, Bot] | None:
        for team in teams:
            found = self.installations.find_team(team)
            if found is not None and found.bot_token:
                return team, found
        return None

    def team_for(self, row: OutboxMessage) -> str | None:
        """The workspace the row goes through: its first candidate that is installed (None: held)."""
        found = self._installation(row)
        return None if found is None else found[0]

    def _installation(self, row: OutboxMessage) -> tuple[str, Bot] | None:
        teams = self.teams_for(row)
        if teams is None:
            installed = self.installations.installed_teams()
            teams = installed if len(installed) == 1 else []
        return self._first_installed(teams)

    def client_for(self, row: OutboxMessage) -> WebClient | None:
        found = self._installation(row)
        if found is None:
            return None
        return WebClient(token=found[1].bot_token, base_url=self.installations.api_url, timeout=10,
                         retry_handlers=[])


def _person_of(row: OutboxMessage) -> str | None:
    """The person a row is addressed to (their DM, a file in it, their App Home), or None for a channel's row
    (an ephemeral is shown in a channel: it goes through the channel's installation)."""
    if row.kind == OutboxKind.HOME:
        return row.user
    if row.kind != OutboxKind.EPHEMERAL and row.channel[:1] in ("U", "W"):
        return row.channel
    return None


def _unique(teams: Sequence[str | None]) -> list[str]:
    """The ids in order, each once, without the unknown ones."""
    return list(dict.fromkeys(team for team in teams if team))


class UnknownPartnership(CoopError):
    """`coopbot partnership link` named no partnership."""


def link_partnership(db: Database, name: str, team_id: str, actor: str = "cli") -> str | None:
    """Record the workspace whose installation hosts the partnership's channel (a `T…` team id, or the `E…`
    enterprise id of an org-wide install); returns the one it had. Audited. Its held messages go now."""
    with db.transaction() as session:
        partnership = session.scalar(select(Partnership).where(Partnership.name == name))
        if partnership is None:
            raise UnknownPartnership(f"no partnership named {name!r}")
        before = partnership.install_team_id
        partnership.install_team_id = team_id
        audit.record(session, actor=actor, action="partnership.link_installation", entity_type="partnership",
                     entity_id=partnership.id, before={"install_team_id": before}, after={"install_team_id": team_id})
    return before


Route = Callable[[OutboxMessage], WebClient | None]


def outbox_route(db: Database, installations: Installations | None) -> Route | None:
    """The delivery worker's `route` (None in single-token mode: every row goes with the one token)."""
    return None if installations is None else InstallationRouter(db, installations).client_for


def resume_held(db: Database) -> int:
    """A workspace installed coopbot (again): the held messages are due now, and the worker is woken. (Due
    since they were written: whatever the clock of the worker, which set their next try by its own.)"""
    with db.transaction() as session:
        result = session.execute(update(OutboxMessage)
                                 .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.last_error == HELD)
                                 .values(next_attempt_at=OutboxMessage.created_at))
        count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        outbox.wakeup_event().set()
    return count


__all__ = ["HELD", "HOLD_RETRY", "InstallationRouter", "UnknownPartnership", "link_partnership", "outbox_route",
           "resume_held"]
