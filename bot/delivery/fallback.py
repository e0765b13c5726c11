"""No DM lost: when Slack will not deliver a DM to a person, it is held for them and announced where they can see it.

Slack refuses a DM when the bot shares no channel with someone of another organization
(`invalid_user_combination`, `user_not_found`, `user_not_visible`), when they turned off DMs from apps
(`messages_tab_disabled`), when their account is deactivated (`user_disabled`) or is a bot (`cannot_dm_bot`).
Retrying cannot help and inviting the bot to a channel does not either. So, in the transaction that records
the refusal, the DM (its text and blocks, or its file) is kept as a `HeldMessage` and a reply is posted in the
partnership's channel — under the panel message when there is one (`panel:<partnership id>`), else at the top —
that mentions the person with a neutral line (from the DM's buttons, never its words) and a "Show details"
button: only that person sees the DM, privately, in a modal (handlers/held.py), with a signed download link for
a file. The original row ends `redirected`. One held message per refused row (a unique key), and the reply is
posted under its own key, so a retry, a second replica or a redelivery never posts it twice.

A person on several partnerships is announced in the first one they joined; a college person in a partnership
with a school-side channel, in that channel. A person on no partnership cannot be reached: the row fails.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import N_, Translator, translator
from bot.slack.blocks import actions, button, section
from models.delivery import HeldMessage, OutboxKind, OutboxMessage, SlackMessage
from models.roster import Membership, Partnership, Person, Side

DM_REFUSALS = frozenset({"invalid_user_combination", "user_not_found", "user_not_visible", "user_disabled",
                         "messages_tab_disabled", "cannot_dm_bot"})
SHOW_DETAILS = "held_show_details"  # the button's action id; its value is the held message's id

_PROBLEM = N_("{person}: a problem report is waiting for you.")
# What waits, said from the DM's buttons (their action ids' prefixes), never from its words.
_NEUTRAL: tuple[tuple[str, str], ...] = (
    ("exchange_review", N_("{person}: a review is waiting for you.")),
    ("exchange_assess", N_("{person}: an assessment is waiting for you.")),
    ("exchange_edit", N_("{person}: a request sent back to you is waiting for your changes.")),
    ("internship_evaluate", N_("{person}: an evaluation is waiting for you.")),
    ("problem_", _PROBLEM),
    ("meeting_", N_("{person}: a meeting is waiting for your answer.")),
)
_FILE = N_("{person}: a file is waiting for you.")
_MESSAGE = N_("{person}: a message is waiting for you.")


def is_dm_refusal(row: OutboxMessage, error: str | None) -> bool:
    return row.channel[:1] in ("U", "W") and row.kind in (OutboxKind.POST, OutboxKind.UPLOAD) \
        and (error or "") in DM_REFUSALS


def neutral_line(kind: OutboxKind, blocks: list[dict[str, Any]] | None, person: str, t: Translator) -> str:
    """The one line the channel reads: what kind of thing waits, not what it says."""
    if kind == OutboxKind.UPLOAD:
        return t.gettext(_FILE).format(person=f"<@{person}>")
    action_ids = [str(e.get("action_id") or "") for b in blocks or [] for e in b.get("elements") or []
                  if isinstance(e, dict)] + [str((b.get("accessory") or {}).get("action_id") or "")
                                             for b in blocks or [] if isinstance(b.get("accessory"), dict)]
    for prefix, words in _NEUTRAL:
        if any(a.startswith(prefix) for a in action_ids):
            return t.gettext(words).format(person=f"<@{person}>")
    return t.gettext(_MESSAGE).format(person=f"<@{person}>")


def announcement(held_id: int, line: str, t: Translator) -> tuple[str, list[dict[str, Any]]]:
    """The reply in the channel: the neutral line and "Show details" (for that person only)."""
    hint = t.gettext("Slack could not deliver it as a direct message. Only you can open it.")
    return line, [section(f"{line}\n{hint}"),
                  actions([button(SHOW_DETAILS, t.gettext("Show details"), held_id)], block_id=f"held:{held_id}")]


def redirect(session: Session, row: OutboxMessage, error: str) -> str | None:
    """Hold `row`'s DM for its reader and announce it in their partnership's channel (in the transaction that
    records the refusal). Returns the channel announced in; None when the person is on no partnership."""
    found = session.execute(
        select(Person, Partnership).join(Membership, Membership.person_id == Person.id)
        .join(Partnership, Partnership.id == Membership.partnership_id)
        .where(Person.slack_user_id == row.channel).order_by(Membership.id).limit(1)).first()
    if found is None:
        return None
    person, partnership = found
    channel = (partnership.school_channel_id if person.side == Side.SCHOOL and partnership.school_channel_id
               else partnership.channel_id)
    held = session.scalar(select(HeldMessage).where(HeldMessage.outbox_id == row.id))
    if held is not None:  # already redirected (a second record of the same refusal): nothing twice
        return channel
    payload = outbox.content(row.payload)
    if row.kind == OutboxKind.UPLOAD:
        held = HeldMessage(outbox_id=row.id, user=row.channel, partnership_id=partnership.id, reason=error[:64],
                           text=str(payload.get("initial_comment") or payload.get("title") or ""), blocks=None,
                           filename=str(payload.get("filename") or "file"),
                           content=base64.b64decode(payload.get("content_b64") or ""))
    else:
        held = HeldMessage(outbox_id=row.id, user=row.channel, partnership_id=partnership.id, reason=error[:64],
                           text=str(payload.get("text") or ""), blocks=payload.get("blocks"))
    session.add(held)
    session.flush()
    t = translator(partnership.language)
    line = neutral_line(row.kind, held.blocks, row.channel, t)
    if person.side == Side.SCHOOL and channel == partnership.channel_id \
            and line == t.gettext(_PROBLEM).format(person=f"<@{row.channel}>"):
        # In the channel the enterprise reads, a college person's waiting report could be a school-side one
        # (decision 0009): not even its kind is said there.
        line = t.gettext(_MESSAGE).format(person=f"<@{row.channel}>")
    text, blocks = announcement(held.id, line, t)
    panel_key = f"panel:{partnership.id}"
    panel = session.get(SlackMessage, panel_key)
    outbox.post(session, channel=channel, text=text, blocks=blocks, key=f"held:{held.id}",
                thread_key=panel_key if panel is not None and panel.channel == channel else None)
    return channel


__all__ = ["DM_REFUSALS", "SHOW_DETAILS", "announcement", "is_dm_refusal", "neutral_line", "redirect"]
