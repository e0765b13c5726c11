"""OAuth mode: which installation's token a message from the outbox goes through, and holding messages
for a workspace that has uninstalled coopbot.

The rule (until people's own organizations are known, issue #20): a message goes through the installation
that hosts its partnership — the workspace recorded on the partnership (`partnership.install_team_id`).
A post to a channel belongs to the partnership of that channel; a DM, ephemeral or App Home to a person
belongs to the first of their partnerships (by id) that names its installation. When nothing says, and
coopbot is installed in exactly one workspace, that one. Otherwise the message is held.

A message whose installation is gone (uninstalled, tokens revoked) or not known yet is *held*, not failed:
it waits in the outbox (its attempts do not count towards giving up) and is tried again every few
minutes, and at once when a workspace installs coopbot (`resume_held`, from the OAuth success callback).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import select, update

from bot import audit
from bot.delivery import outbox
from bot.errors import CoopError
from bot.installs.tokens import Installations
from bot.storage.db import Database
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus
from models.roster import Membership, Partnership, Person

HELD = "held: no installation for this workspace"  # `last_error` of a held row
HOLD_RETRY = timedelta(minutes=5)


class InstallationRouter:
    """The outbox's `client_for(row)` in OAuth mode: a client with the token of the row's installation,
    or None to hold the row."""

    def __init__(self, db: Database, installations: Installations) -> None:
        self.db = db
        self.installations = installations

    def team_for(self, row: OutboxMessage) -> str | None:
        """The workspace (team or org-wide enterprise id) the row goes through, by the rule above."""
        person_id = row.user if row.kind == OutboxKind.HOME else row.channel
        with self.db.session() as session:
            team = session.scalar(select(Partnership.install_team_id).where(Partnership.channel_id == row.channel))
            if team is None and person_id:
                team = session.scalar(
                    select(Partnership.install_team_id).join(Membership).join(Person)
                    .where(Person.slack_user_id == person_id, Partnership.install_team_id.is_not(None))
                    .order_by(Partnership.id).limit(1))
        if team is not None:
            return team
        installed = self.installations.installed_teams()
        return installed[0] if len(installed) == 1 else None

    def client_for(self, row: OutboxMessage) -> WebClient | None:
        team = self.team_for(row)
        if team is None:
            return None
        found = self.installations.find_team(team)
        if found is None or not found.bot_token:
            return None
        return WebClient(token=found.bot_token, base_url=self.installations.api_url, timeout=10, retry_handlers=[])


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


def resume_held(db: Database, now: datetime) -> int:
    """A workspace installed coopbot (again): the held messages are due now, and the worker is woken."""
    with db.transaction() as session:
        result = session.execute(update(OutboxMessage)
                                 .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.last_error == HELD)
                                 .values(next_attempt_at=now))
        count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        outbox.wakeup_event().set()
    return count


__all__ = ["HELD", "HOLD_RETRY", "InstallationRouter", "UnknownPartnership", "link_partnership", "outbox_route",
           "resume_held"]
