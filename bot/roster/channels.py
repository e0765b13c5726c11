"""A partnership channel's life in Slack Connect: its id changes when it is shared, it is disconnected or frozen
for one side, an invitation to share it is declined.

A channel shared later changes its id (`G…` → `C…`, the `channel_id_changed` event): the partnership follows it,
and so do the messages waiting to be posted there and those already posted (their updates). When the channel
is disconnected from the enterprise's organization (`channel_unshared`), posts to it are held — kept
undelivered, never failed — and the college's coordinators are told; the hold ends when the channel is shared
again (`channel_shared`, `shared_channel_invite_accepted`), and what waited is posted then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.delivery import outbox
from bot.delivery.notices import HOLD_ERRORS, college_coordinators
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import language_in
from bot.slack.text import escape_within
from bot.storage.db import Database
from models.base import utcnow
from models.delivery import OutboxMessage, OutboxStatus, SlackMessage
from models.operations import ChannelAlert
from models.roster import Partnership

log = logging.getLogger(__name__)
UNSHARED = "channel_unshared"


class ChannelService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def id_changed(self, old: str, new: str) -> bool:
        """Follow a channel's new id (Slack shared it: `G…` became `C…`). True if it is a partnership's."""
        if not old or not new or old == new:
            return False
        with self.db.transaction() as session:
            partnership = session.scalar(select(Partnership).where(Partnership.channel_id == old).with_for_update())
            if partnership is not None:
                partnership.channel_id = new
                audit.record(session, actor="slack", action="partnership.channel_id_changed",
                             entity_type="partnership", entity_id=partnership.id, before={"channel_id": old},
                             after={"channel_id": new})
            for school_side in session.scalars(select(Partnership).where(Partnership.school_channel_id == old)):
                school_side.school_channel_id = new  # a school-side channel's id changes the same way
                audit.record(session, actor="slack", action="partnership.channel_id_changed",
                             entity_type="partnership", entity_id=school_side.id,
                             before={"school_channel_id": old}, after={"school_channel_id": new})
                partnership = partnership or school_side
            session.execute(update(OutboxMessage).where(OutboxMessage.channel == old,
                                                        OutboxMessage.status.in_(
                                                            (OutboxStatus.PENDING, OutboxStatus.PARKED)))
                            .values(channel=new))
            session.execute(update(SlackMessage).where(SlackMessage.channel == old).values(channel=new))
            alert = session.get(ChannelAlert, old)
            if alert is not None:
                session.delete(alert)
                session.flush()
                if session.get(ChannelAlert, new) is None:
                    session.add(ChannelAlert(channel=new, error=alert.error, detail=alert.detail))
            outbox._wake_after_commit(session, new)
        log.info("channel %s is now %s%s", old, new, " (a partnership's)" if partnership else "")
        return partnership is not None

    def unshared(self, channel: str, *, still_shared: bool) -> bool:
        """The channel was disconnected from an organization. When it is shared with none any more, its posts
        are held and the college's coordinators told. True if a hold started."""
        if still_shared or not channel:
            return False
        with self.db.transaction() as session:
            partnership = session.scalar(select(Partnership).where(Partnership.channel_id == channel))
            if partnership is None or session.get(ChannelAlert, channel) is not None:
                return False
            session.add(ChannelAlert(channel=channel, error=UNSHARED, detail="channel_unshared event"))
            self._tell(session, partnership, lambda t: t.gettext(
                "<#{channel}> is no longer shared with {enterprise}: its people cannot see it. I keep what I would "
                "post there until it is shared again (Slack Connect: invite their organization back); or give the "
                "partnership another channel with `/coop setup` there.").format(
                channel=channel, enterprise=_plain(partnership.enterprise)))
        return True

    def shared(self, channel: str) -> bool:
        """The channel is shared (again): a hold ends, and what waited is posted. True if one ended."""
        if not channel:
            return False
        with self.db.transaction() as session:
            ended = session.execute(delete(ChannelAlert).where(ChannelAlert.channel == channel,
                                                               ChannelAlert.error.in_(HOLD_ERRORS)))
            if not getattr(ended, "rowcount", 0):
                return False
            session.execute(update(OutboxMessage).where(OutboxMessage.channel == channel,
                                                        OutboxMessage.status == OutboxStatus.PARKED)
                            .values(status=OutboxStatus.PENDING, next_attempt_at=utcnow()))
            outbox._wake_after_commit(session, channel)
        return True

    def invite_declined(self, channel: str) -> bool:
        """The enterprise's organization declined to share the channel: the college's coordinators are told."""
        with self.db.transaction() as session:
            partnership = session.scalar(select(Partnership).where(Partnership.channel_id == channel))
            if partnership is None:
                return False
            self._tell(session, partnership, lambda t: t.gettext(
                "The invitation to share <#{channel}> with {enterprise} was declined: their people cannot see it "
                "or use its coopbot panel. Invite their organization again (Slack Connect), or add them as guests."
            ).format(channel=channel, enterprise=_plain(partnership.enterprise)))
        return True

    @staticmethod
    def _tell(session: Session, partnership: Partnership, words: Callable[[Translator], str]) -> None:
        for user in college_coordinators(session, partnership.id):
            t: Translator = translator(language_in(session, None, user, partnership.language))
            outbox.post(session, channel=user, text=words(t))


def _plain(text: str) -> str:
    return escape_within(text, 200)
