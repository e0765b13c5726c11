"""Block Kit for meetings: pure functions from snapshots (and a translator) to message content.

Everything a person typed goes through `escape`/`escape_within`; mentions we add are our own `<@ID>`.
"""

from __future__ import annotations

from bot.i18n.catalog import N_, Translator
from bot.meetings.ids import MeetingActionId
from bot.meetings.labels import RSVP_LABELS, STATUS_LABELS
from bot.meetings.snapshot import ActionItemSnapshot, MeetingSnapshot
from bot.slack.blocks import Blocks, actions, button, context, fields, header, section
from bot.slack.text import escape, escape_within, headed_pieces, mention, truncate, truncate_mrkdwn
from models.meeting import ActionItemStatus, MeetingStatus, Rsvp

RSVP_ACTIONS = {Rsvp.GOING: MeetingActionId.RSVP_GOING, Rsvp.MAYBE: MeetingActionId.RSVP_MAYBE,
                Rsvp.DECLINED: MeetingActionId.RSVP_DECLINED}
# One line per answer, whole, so a translation can order the count and the names its own way.
RSVP_COUNTS: dict[Rsvp, str] = {Rsvp.GOING: N_("Going: {count}"), Rsvp.MAYBE: N_("Maybe: {count}"),
                                Rsvp.DECLINED: N_("Can't go: {count}")}
RSVP_NAMED: dict[Rsvp, str] = {Rsvp.GOING: N_("Going: {count} — {people}"), Rsvp.MAYBE: N_("Maybe: {count} — {people}"),
                               Rsvp.DECLINED: N_("Can't go: {count} — {people}")}
# The notification text of an announcement, one sentence per state.
ANNOUNCED: dict[MeetingStatus, str] = {
    MeetingStatus.SCHEDULED: N_("Meeting scheduled: {title}, {when}"),
    MeetingStatus.HELD: N_("Meeting held: {title}, {when}"),
    MeetingStatus.CANCELLED: N_("Meeting cancelled: {title}, {when}"),
}


def when_text(m: MeetingSnapshot, t: Translator) -> str:
    """Start on the partnership's wall clock, with the zone named, and the length."""
    length = t.ngettext("{count} minute", "{count} minutes", m.duration_minutes).format(count=m.duration_minutes)
    return f"{t.aside(t.datetime(m.starts_at, m.timezone), m.timezone)} · {length}"


def rsvp_lines(m: MeetingSnapshot, t: Translator) -> str:
    """ "Going: 2 — <@A>, <@B>" per answer, then who has not answered."""
    lines = []
    for answer in RSVP_LABELS:
        people = m.answered(answer)
        template = t.gettext(RSVP_NAMED[answer] if people else RSVP_COUNTS[answer])
        lines.append(template.format(count=len(people), people=t.gettext(", ").join(mention(u) for u in people)))
    waiting = [i.slack_user_id for i in m.invitees if i.rsvp is None]
    if waiting:
        lines.append(t.gettext("No answer yet: {count}").format(count=len(waiting)))
    return "\n".join(lines)


def announcement(m: MeetingSnapshot, t: Translator) -> tuple[str, Blocks]:
    """The meeting as posted in (and later updated in) the partnership channel."""
    _ = t.gettext
    title = escape(truncate(m.title, 200))
    blocks: Blocks = [
        header(f"📅 {m.title}"),
        fields((_("When"), when_text(m, t)), (_("Status"), _(STATUS_LABELS[m.status])),
               (_("Location or link"), escape_within(m.location, 1500) or "—"), (_("Organiser"), mention(m.organiser))),
    ]
    if m.agenda:
        blocks += [section(piece) for piece in headed_pieces(f"*{_('Agenda')}*\n", m.agenda)]
    if m.status == MeetingStatus.SCHEDULED:
        blocks.append(section(rsvp_lines(m, t), cut=True))
        blocks.append(actions([button(RSVP_ACTIONS[a], _(label), m.id, "primary" if a == Rsvp.GOING else None)
                               for a, label in RSVP_LABELS.items()], block_id=f"meeting:{m.id}:rsvp"))
        blocks.append(actions([button(MeetingActionId.RESCHEDULE, _("Reschedule"), m.id),
                               button(MeetingActionId.CANCEL, _("Cancel meeting"), m.id, "danger")],
                              block_id=f"meeting:{m.id}:manage"))
    elif m.status == MeetingStatus.HELD:
        blocks.append(section(rsvp_lines(m, t), cut=True))
        if m.action_items:
            blocks.append(context(t.ngettext(
                "Minutes and {count} action item in the thread", "Minutes and {count} action items in the thread",
                len(m.action_items)).format(count=len(m.action_items))))
    invited = " ".join(mention(i.slack_user_id) for i in m.invitees)
    blocks.append(context(truncate_mrkdwn(_("Invited: {people}").format(people=invited), 3000)))
    text = _(ANNOUNCED[m.status]).format(title=title, when=when_text(m, t))
    return text, blocks


def invitation_comment(m: MeetingSnapshot, t: Translator, *, change: str) -> str:
    """The words with the calendar file in an invitee's DM; `change` is new, joined (answered without an
    invitation), rescheduled or cancelled."""
    _ = t.gettext
    template = {"rescheduled": _("📅 “{title}” has moved to {when}. The updated calendar entry is attached."),
                "cancelled": _("❌ “{title}” ({when}) is cancelled. Open the file to remove it from your calendar."),
                "joined": _("📅 You answered “{title}”, {when} (<#{channel}>). Add it to your calendar with the "
                            "attached file; any change to it will reach you here."),
                }.get(change, _("📅 You are invited to “{title}”, {when} (<#{channel}>). Add it to your calendar "
                                "with the attached file."))
    return template.format(title=escape(m.title), when=when_text(m, t), channel=m.channel_id)


def change_note(m: MeetingSnapshot, t: Translator, actor: str, reason: str | None = None) -> tuple[str, Blocks]:
    """A reschedule or cancellation, as a reply in the announcement's thread."""
    _ = t.gettext
    if m.status == MeetingStatus.CANCELLED:
        head = _("❌ {person} cancelled this meeting.").format(person=mention(actor))
    else:
        head = _("🔁 {person} moved this meeting to {when}.").format(person=mention(actor), when=when_text(m, t))
    return truncate_mrkdwn(head, 300), [section(p) for p in headed_pieces(f"{head}\n" if reason else head, reason)]


def reminder(m: MeetingSnapshot, t: Translator, *, hours: int) -> tuple[str, Blocks]:
    """A reply in the announcement's thread, a day or an hour before."""
    _ = t.gettext
    people = " ".join(mention(u) for u in (*m.answered(Rsvp.GOING), *m.answered(Rsvp.MAYBE)))
    head = (_("⏰ Coming up: {title}, {when}.") if hours > 1 else _("⏰ In one hour: {title}, {when}.")).format(
        title=escape(m.title), when=when_text(m, t))
    where = _("Where: {place}").format(place=escape_within(m.location, 1000)) if m.location else ""
    body = "\n".join(x for x in (head, where, people) if x)
    return truncate_mrkdwn(head, 300), [section(body, cut=True)]


def minutes_request(m: MeetingSnapshot, t: Translator) -> tuple[str, Blocks]:
    """To the organiser after the meeting: record the minutes and action items."""
    _ = t.gettext
    text = _("“{title}” has ended. Please record the minutes and action items.").format(title=escape(m.title))
    return text, [section(text), actions([button(MeetingActionId.RECORD_MINUTES, _("Record minutes"), m.id, "primary")],
                                         block_id=f"meeting:{m.id}:minutes")]


def minutes_note(m: MeetingSnapshot, t: Translator, actor: str) -> tuple[str, Blocks]:
    """The minutes, as a reply in the announcement's thread."""
    head = t.gettext("📝 Minutes recorded by {person}:").format(person=mention(actor))
    return truncate_mrkdwn(head, 300), [section(piece) for piece in headed_pieces(f"{head}\n", m.minutes)]


def action_item(item: ActionItemSnapshot, t: Translator, *, reminder: bool = False) -> tuple[str, Blocks]:
    """An action item (in the thread, in its owner's DM, or as a reminder), with "Mark done" while open."""
    _ = t.gettext
    if reminder:
        head = _("⏰ Due {date}: your action item from “{meeting}”").format(
            date=t.date(item.due_date), meeting=escape(item.meeting_title))
    else:
        head = _("☑️ Action item for {person}, due {date}").format(person=mention(item.owner),
                                                                   date=t.date(item.due_date))
    blocks: Blocks = [section(piece) for piece in headed_pieces(f"{head}\n", item.text)]
    if item.status == ActionItemStatus.DONE:
        blocks.append(context(_("✅ Done")))
    else:
        blocks.append(actions([button(MeetingActionId.ACTION_ITEM_DONE, _("Mark done"), item.id, "primary")],
                              block_id=f"action_item:{item.id}"))
    return truncate_mrkdwn(t.gettext("{label}: {value}").format(label=head, value=escape(item.text)), 300), blocks
