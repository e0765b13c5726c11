"""Telling people how to fix a conversation the bot cannot post in (docs/decisions/0002-outbox.md).

When Slack refuses a message for a reason only a person can fix — the bot is not in the channel, the
channel is archived or gone, the person's account is deactivated — the author of the message (if any)
is told once per message, and the coordinators of the partnership the conversation belongs to are told
once per conversation per episode. An episode starts with the first refusal (a `channel_alert` row)
and ends when a message to that conversation goes through again (the row is removed).
"""

from __future__ import annotations

import logging

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import language_in
from models.delivery import OutboxMessage
from models.operations import ChannelAlert
from models.roster import Membership, Partnership, Person, Role, Side

log = logging.getLogger(__name__)

# Refusals no retry can fix; a person can (invite the bot, unarchive, fix the roster, reconnect a shared
# channel: a Slack Connect channel disconnected from the organization coopbot is in is frozen for it, and
# Slack answers `restricted_action`, `is_archived` or `channel_not_found`).
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived", "user_disabled",
                            "restricted_action"})
# A channel_alert with one of these holds every post to its channel (bot.delivery.calls) until it is lifted
# (bot.roster.channels): the channel was disconnected from the enterprise's organization.
HOLD_ERRORS = frozenset({"channel_unshared"})


def _is_person(conversation: str) -> bool:
    return conversation[:1] in ("U", "W")


def _how_to_fix(t: Translator, error: str, conversation: str) -> str:
    if _is_person(conversation) and error in ("invalid_user_combination", "user_not_found", "user_not_visible"):
        return t.gettext(
            "Slack will not let me send direct messages to <@{user}>: they are in another Slack organization and "
            "share no channel with me. I post what waits for them in the partnership's channel instead, with a "
            "button only they can open. For DMs to reach them, share a channel with me with their organization "
            "(a Slack Connect channel they are in, such as the partnership's channel shared with them)."
        ).format(user=conversation)
    if _is_person(conversation) and error == "messages_tab_disabled":
        return t.gettext(
            "<@{user}> has turned off direct messages from apps, so my DMs cannot reach them. I post what waits "
            "for them in the partnership's channel instead, with a button only they can open. They can turn "
            "the Messages tab of coopbot back on in Slack (coopbot → About → Messages tab)."
        ).format(user=conversation)
    if _is_person(conversation) and error == "cannot_dm_bot":
        return t.gettext(
            "<@{user}> is a bot, so my DMs cannot reach them. Update the roster so that a person receives what "
            "they would have."
        ).format(user=conversation)
    if error == "user_disabled" and _is_person(conversation):
        return t.gettext(
            "I could not send a message to <@{user}>: their Slack account is deactivated. Update the roster "
            "so that someone active receives what they would have."
        ).format(user=conversation)
    if error == "is_archived":
        return t.gettext(
            "I could not post in <#{channel}>: the channel is archived. Unarchive it and invite me again "
            "(`/invite @coopbot`), or ask the operator to give the partnership a new channel."
        ).format(channel=conversation)
    if error == "restricted_action":
        return t.gettext(
            "I could not post in <#{channel}>: Slack does not let me post there. If it is a channel shared with "
            "another organization (Slack Connect) and it was disconnected, it is frozen: share it again, or give "
            "the partnership another channel with `/coop setup` there. Otherwise let apps post in it. What I "
            "would post there is kept and posted once I can."
        ).format(channel=conversation)
    if error == "channel_not_found":
        return t.gettext(
            "I could not post in {channel}: Slack says the channel does not exist or I cannot see it. If it "
            "is private, invite me with `/invite @coopbot`; otherwise ask the operator to fix the "
            "partnership's channel."
        ).format(channel=conversation)
    return t.gettext(
        "I could not post in <#{channel}> ({error}). Invite me there with `/invite @coopbot`: "
        "what you sent is saved and will be posted as soon as I am in the channel."
    ).format(channel=conversation, error=error)


def coordinators_for(session: Session, conversation: str) -> list[tuple[str, str]]:
    """(Slack user id, partnership language) of the coordinators responsible for a conversation: the
    partnership whose channel it is, or, for a person, every partnership they are on."""
    where: ColumnElement[bool]
    if _is_person(conversation):
        partnerships = select(Membership.partnership_id).join(Person).where(Person.slack_user_id == conversation)
        where = Partnership.id.in_(partnerships)
    else:
        where = Partnership.channel_id == conversation
    rows = session.execute(
        select(Person.slack_user_id, Partnership.language).select_from(Membership)
        .join(Person, Membership.person_id == Person.id)
        .join(Partnership, Membership.partnership_id == Partnership.id)
        .where(where, Membership.role == Role.COORDINATOR).order_by(Person.slack_user_id)).all()
    seen: dict[str, str] = {}
    for user, language in rows:
        if user != conversation:
            seen.setdefault(user, language)
    return list(seen.items())


def college_coordinators(session: Session, partnership_id: int) -> list[str]:
    """Slack user ids of the college-side coordinators of a partnership: those in the organization coopbot is
    installed in, who can fix a shared channel's connection."""
    return list(session.scalars(
        select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
        .where(Membership.partnership_id == partnership_id, Membership.role == Role.COORDINATOR,
               Person.side == Side.SCHOOL).order_by(Person.slack_user_id).distinct()))


def report_refusal(session: Session, row: OutboxMessage, error: str, *, first_for_row: bool) -> None:
    """In the transaction recording `row`'s refusal: DM its author (once per row) and, once per
    episode, the coordinators. Their DMs are outbox rows of their own, so they keep their own order."""
    told: set[str] = set()
    if first_for_row and row.notify_user and row.notify_user != row.channel:
        _dm(session, row.notify_user, error, row.channel, None)
        told.add(row.notify_user)
    if session.get(ChannelAlert, row.channel) is not None:
        return  # this episode's coordinators were already told
    session.add(ChannelAlert(channel=row.channel, error=error[:64], detail=f"outbox {row.id} ({row.kind.value})"))
    coordinators = [(u, lang) for u, lang in coordinators_for(session, row.channel) if u not in told]
    if not coordinators:
        log.warning("no coordinator to tell that %s refuses messages (%s)", row.channel, error)
    for user, language in coordinators:
        _dm(session, user, error, row.channel, language)


def end_episode(session: Session, conversation: str) -> None:
    """A message to `conversation` went through: the next refusal starts a new episode."""
    session.execute(delete(ChannelAlert).where(ChannelAlert.channel == conversation))


def _dm(session: Session, user: str, error: str, conversation: str, default_language: str | None) -> None:
    t = translator(language_in(session, None, user, default_language))
    outbox.post(session, channel=user, text=_how_to_fix(t, error, conversation))


__all__ = ["CHANNEL_ERRORS", "HOLD_ERRORS", "college_coordinators", "coordinators_for", "end_episode", "report_refusal"]
