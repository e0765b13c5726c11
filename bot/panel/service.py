"""The panel's service: posting it when a partnership gets its channel or the bot joins it, keeping it up to
date (updated in place, posted again if deleted) and posting it again on `/coop panel`. Everything goes out
through the outbox, in the transaction that decided it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.errors import NotAllowed, NotFound, NotOnRoster
from bot.i18n.catalog import translator
from bot.panel.ids import panel_key
from bot.panel.messages import panel_message
from bot.storage.db import Database, queued_rows
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus, SlackMessage
from models.roster import Membership, Partnership, Person


def _render(partnership: Partnership) -> tuple[str, list[dict[str, Any]], str]:
    text, blocks = panel_message(partnership.id, partnership.name, translator(partnership.language))
    digest = hashlib.sha256(json.dumps([text, blocks], sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return text, blocks, digest


def post_panel(session: Session, partnership: Partnership) -> None:
    """Post (and pin) the partnership's panel in its channel, in the transaction that gave it the channel."""
    session.execute(delete(SlackMessage).where(SlackMessage.key == panel_key(partnership.id)))
    text, blocks, partnership.panel_digest = _render(partnership)
    outbox.post(session, channel=partnership.channel_id, text=text, blocks=blocks, key=panel_key(partnership.id),
                pin=True)


def refresh_panel(session: Session, partnership: Partnership) -> None:
    """Bring the posted panel up to date (its labels, its language), posting it again if it was deleted; post
    it if it never was."""
    key = panel_key(partnership.id)
    if session.get(SlackMessage, key) is None:
        if not _post_waiting(session, key):
            post_panel(session, partnership)
        return
    text, blocks, partnership.panel_digest = _render(partnership)
    outbox.update(session, key=key, channel=partnership.channel_id, text=text, blocks=blocks, repost=True)


def refresh_changed_panels(db: Database) -> int:
    """Update the posted panels whose words changed since they were posted (a new release's labels, the
    partnership's language); each is posted again if someone deleted it. Returns how many."""
    changed = 0
    with db.transaction() as session:
        posted = select(SlackMessage.key).where(SlackMessage.key.like("panel:%"))
        keys = set(session.scalars(posted))
        for partnership in session.scalars(select(Partnership).order_by(Partnership.id)):
            if panel_key(partnership.id) in keys and _render(partnership)[2] != partnership.panel_digest:
                refresh_panel(session, partnership)
                changed += 1
    return changed


def _post_waiting(session: Session, key: str) -> bool:
    waiting = session.scalar(select(OutboxMessage.id).where(
        OutboxMessage.message_key == key, OutboxMessage.kind == OutboxKind.POST,
        OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.PARKED))).limit(1))
    return waiting is not None or any(row["message_key"] == key and row["kind"] == OutboxKind.POST
                                      for row in queued_rows(session, OutboxMessage))


class PanelService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def bot_joined(self, channel_id: str) -> bool:
        """The bot was added to `channel_id`: if it is a partnership's channel, its panel is posted there (or
        brought up to date). True if it is one."""
        with self.db.transaction() as session:
            partnership = session.scalar(select(Partnership).where(Partnership.channel_id == channel_id))
            if partnership is None:
                return False
            refresh_panel(session, partnership)
        return True

    def repost(self, slack_user_id: str, channel_id: str | None) -> str:
        """`/coop panel`: post the channel's panel again (anyone on its partnership's roster). Returns the
        channel. NotFound: not a partnership channel; NotOnRoster / NotAllowed: not on the roster / not there."""
        with self.db.transaction() as session:
            person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
            if person is None:
                raise NotOnRoster(slack_user_id)
            partnership = session.scalar(select(Partnership).where(Partnership.channel_id == (channel_id or "")))
            if partnership is None:
                raise NotFound("channel")
            member = session.scalar(select(Membership.id).where(Membership.person_id == person.id,
                                                                Membership.partnership_id == partnership.id).limit(1))
            if member is None:
                raise NotAllowed("panel")
            post_panel(session, partnership)
            return partnership.channel_id
