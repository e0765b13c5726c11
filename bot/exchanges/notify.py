"""Who hears about an exchange, and where: service events become outbox rows (same transaction).

One summary per exchange in the partnership channel, updated in place; each request for action
(review, assess, confirm) is a DM keyed per person, updated in place once it has been dealt with.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.exchanges import letter, messages
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from models.delivery import OutboxKind, OutboxMessage
from models.roster import Person, Side


class SlackExchangeNotifier:
    """Channel summaries are in the partnership's language; a DM is in its reader's (see bot.i18n.language)."""

    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def submitted(self, session: Session, x: ExchangeSnapshot, *, resubmitted: bool) -> None:
        text, blocks = messages.channel_summary(x, translator(x.language))
        if resubmitted:
            outbox.update(session, key=x.message_key, channel=x.channel_id, text=text, blocks=blocks)
        else:
            outbox.post(session, channel=x.channel_id, text=text, blocks=blocks, key=x.message_key,
                        notify_user=x.requester)
        for side, users in x.approvers.items():
            for user in users:
                dm_text, dm_blocks = messages.review_dm(x, side, self._t(session, user, x))
                outbox.post(session, channel=user, text=dm_text, blocks=dm_blocks, key=x.review_key(user))
        self._refresh_homes(session, x)

    def decided(self, session: Session, x: ExchangeSnapshot, actor: str) -> None:
        self.changed(session, x)
        for user, key in _sent(session, f"exchange:{x.id}:review:{x.review_round}:"):
            dm_text, dm_blocks = messages.review_dm(x, _side(session, user), self._t(session, user, x))
            outbox.update(session, key=key, channel=user, text=dm_text, blocks=dm_blocks)
        notice_text, notice_blocks = messages.requester_notice(x, actor, self._t(session, x.requester, x))
        outbox.post(session, channel=x.requester, text=notice_text, blocks=notice_blocks)

    def changed(self, session: Session, x: ExchangeSnapshot) -> None:
        text, blocks = messages.channel_summary(x, translator(x.language))
        outbox.update(session, key=x.message_key, channel=x.channel_id, text=text, blocks=blocks)
        self._refresh_homes(session, x)

    def _refresh_homes(self, session: Session, x: ExchangeSnapshot) -> None:
        """Whose App Home lists the exchange while it waits for a decision: its approvers (bot.home)."""
        approvers = [user for users in x.approvers.values() for user in users]
        outbox.refresh_homes(session, approvers)

    def assessment_requested(self, session: Session, x: ExchangeSnapshot, assessors: list[str]) -> None:
        for user in assessors:
            text, blocks = messages.assessment_request(x, self._t(session, user, x))
            outbox.post(session, channel=user, text=text, blocks=blocks, key=f"exchange:{x.id}:assess:{user}")

    def assessed(self, session: Session, x: ExchangeSnapshot, actor: str, confirmers: list[str]) -> None:
        self.changed(session, x)
        for user, key in _sent(session, f"exchange:{x.id}:assess:"):
            if user == actor or confirmers:
                t = self._t(session, user, x)
                text = t.gettext("Assessed — thank you.") if user == actor else t.gettext("Both sides assessed.")
                outbox.update(session, key=key, channel=user, text=text,
                              blocks=[*messages.details(x, t), messages.section(messages.side_lines(x, t))])
        for user in confirmers:
            text, blocks = messages.confirm_request(x, self._t(session, user, x))
            outbox.post(session, channel=user, text=text, blocks=blocks, key=f"exchange:{x.id}:confirm:{user}")

    def completed(self, session: Session, x: ExchangeSnapshot, pdf: bytes) -> None:
        self.changed(session, x)
        for user, key in _sent(session, f"exchange:{x.id}:confirm:"):
            t = self._t(session, user, x)
            text = messages.status_words(x, t)
            outbox.update(session, key=key, channel=user, text=text, blocks=[messages.section(
                f"{messages.title(x, t)}\n{text}")])
        number = x.letter_number or ""
        for user in dict.fromkeys((x.person, x.requester)):  # the person who went, and who asked (once each)
            t = self._t(session, user, x)
            outbox.upload(session, channel=user, filename=letter.filename(number), content=pdf,
                          title=t.gettext("Staff exchange certificate {number}").format(number=number),
                          initial_comment=messages.letter_comment(x, user, t))

    def failed(self, session: Session, x: ExchangeSnapshot, actor: str, coordinators: list[str]) -> None:
        """A Fail ended the exchange: the assessment requests lose their button, and both sides' assessors and
        coordinators, the person who went and the requester are told there will be no certificate."""
        self.changed(session, x)
        asked = _sent(session, f"exchange:{x.id}:assess:")
        for user, key in asked:
            text, blocks = messages.failed_notice(x, self._t(session, user, x))
            outbox.update(session, key=key, channel=user, text=text, blocks=blocks)
        told = dict.fromkeys([*(user for user, _ in asked), x.person, x.requester, *coordinators])
        for user in told:
            if user != actor:
                text, blocks = messages.failed_notice(x, self._t(session, user, x))
                outbox.post(session, channel=user, text=text, blocks=blocks)

    def reminded(self, session: Session, x: ExchangeSnapshot, users: list[str], kind: str) -> None:
        for user in users:
            text, blocks = messages.reminder(x, kind, self._t(session, user, x))
            outbox.post(session, channel=user, text=text, blocks=blocks)

    def _t(self, session: Session, user: str, x: ExchangeSnapshot) -> Translator:
        return translator(language_in(session, self.locales, user, x.language))


def _sent(session: Session, key_prefix: str) -> list[tuple[str, str]]:
    """(user, key) of the DMs already written under `key_prefix`: exactly the messages to update."""
    rows = session.execute(select(OutboxMessage.channel, OutboxMessage.message_key).where(
        OutboxMessage.kind == OutboxKind.POST, OutboxMessage.message_key.startswith(key_prefix, autoescape=True))
        .order_by(OutboxMessage.id))
    return [(channel, key) for channel, key in rows if key]


def _side(session: Session, user: str) -> Side:
    side = session.scalar(select(Person.side).where(Person.slack_user_id == user))
    return Side(side) if side else Side.SCHOOL
