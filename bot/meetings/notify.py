"""Who hears about a meeting, and where: turns service events into outbox rows (same transaction).

The announcement lives in the partnership channel under `meeting:{id}` and is updated in place; changes,
reminders, minutes and action items are replies in its thread; each invitee gets the calendar file in
their DM. Channel posts are in the partnership's language, a DM in its reader's.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from bot.meetings import messages
from bot.meetings.ics import ics_filename, meeting_ics
from bot.meetings.quarterly import QuarterPrompt, prompt_message
from bot.meetings.snapshot import ActionItemSnapshot, MeetingSnapshot
from bot.slack.text import defanged, truncate
from models.base import utcnow


class SlackMeetingNotifier:
    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def scheduled(self, session: Session, meeting: MeetingSnapshot) -> None:
        text, blocks = messages.announcement(meeting, translator(meeting.language))
        outbox.post(session, channel=meeting.channel_id, text=text, blocks=blocks, key=meeting.message_key,
                    notify_user=meeting.organiser)
        self._send_calendar(session, meeting, change="new")
        self._refresh_homes(session, meeting)

    def answered(self, session: Session, meeting: MeetingSnapshot) -> None:
        self._update_announcement(session, meeting)

    def joined(self, session: Session, meeting: MeetingSnapshot, slack_user_id: str) -> None:
        """Counted in the announcement, and sent the calendar file the invitees got when it was scheduled."""
        self._update_announcement(session, meeting)
        self._send_calendar(session, meeting, change="joined", only=slack_user_id)

    def rescheduled(self, session: Session, meeting: MeetingSnapshot, actor: str) -> None:
        self._changed(session, meeting, actor, None, change="rescheduled")

    def cancelled(self, session: Session, meeting: MeetingSnapshot, actor: str, reason: str | None) -> None:
        self._changed(session, meeting, actor, reason, change="cancelled")

    def minutes_recorded(self, session: Session, meeting: MeetingSnapshot, actor: str) -> None:
        t = translator(meeting.language)
        self._update_announcement(session, meeting)
        text, blocks = messages.minutes_note(meeting, t, actor)
        outbox.post(session, channel=meeting.channel_id, text=text, blocks=blocks, thread_key=meeting.message_key)
        for item in meeting.action_items:
            text, blocks = messages.action_item(item, t)
            outbox.post(session, channel=meeting.channel_id, text=text, blocks=blocks, key=item.message_key,
                        thread_key=meeting.message_key)
            text, blocks = messages.action_item(item, self.reader(session, item.owner, meeting.language))
            outbox.post(session, channel=item.owner, text=text, blocks=blocks, key=item.dm_key)
        self._refresh_homes(session, meeting)

    def item_done(self, session: Session, meeting: MeetingSnapshot, item: ActionItemSnapshot, actor: str) -> None:
        text, blocks = messages.action_item(item, translator(meeting.language))
        outbox.update(session, key=item.message_key, channel=meeting.channel_id, text=text, blocks=blocks)
        text, blocks = messages.action_item(item, self.reader(session, item.owner, meeting.language))
        outbox.update(session, key=item.dm_key, channel=item.owner, text=text, blocks=blocks)
        outbox.refresh_homes(session, [item.owner])

    # --- for the scheduled jobs (bot.meetings.jobs) --------------------------------------------------
    def quarter_begun(self, session: Session, prompt: QuarterPrompt) -> None:
        text, blocks = prompt_message(prompt, translator(prompt.language))
        outbox.post(session, channel=prompt.channel_id, text=text, blocks=blocks)

    def reminder(self, session: Session, meeting: MeetingSnapshot, hours: int) -> None:
        text, blocks = messages.reminder(meeting, translator(meeting.language), hours=hours)
        outbox.post(session, channel=meeting.channel_id, text=text, blocks=blocks, thread_key=meeting.message_key)

    def minutes_requested(self, session: Session, meeting: MeetingSnapshot) -> None:
        text, blocks = messages.minutes_request(meeting, self.reader(session, meeting.organiser, meeting.language))
        outbox.post(session, channel=meeting.organiser, text=text, blocks=blocks)

    def item_due(self, session: Session, item: ActionItemSnapshot) -> None:
        text, blocks = messages.action_item(item, self.reader(session, item.owner, item.language), reminder=True)
        outbox.post(session, channel=item.owner, text=text, blocks=blocks)

    # --- helpers -------------------------------------------------------------------------------------
    def reader(self, session: Session, slack_user_id: str, default: str) -> Translator:
        """The reader's own choice, else their Slack language if already known, else the partnership's."""
        return translator(language_in(session, self.locales, slack_user_id, default))

    def _update_announcement(self, session: Session, meeting: MeetingSnapshot) -> None:
        text, blocks = messages.announcement(meeting, translator(meeting.language))
        outbox.update(session, key=meeting.message_key, channel=meeting.channel_id, text=text, blocks=blocks)

    def _changed(self, session: Session, meeting: MeetingSnapshot, actor: str, reason: str | None, *,
                 change: str) -> None:
        self._update_announcement(session, meeting)
        text, blocks = messages.change_note(meeting, translator(meeting.language), actor, reason)
        outbox.post(session, channel=meeting.channel_id, text=text, blocks=blocks, thread_key=meeting.message_key)
        self._send_calendar(session, meeting, change=change)
        self._refresh_homes(session, meeting)

    def _refresh_homes(self, session: Session, meeting: MeetingSnapshot) -> None:
        """Whose App Home shows the meeting as their next one, or its action items (bot.home)."""
        people = [i.slack_user_id for i in meeting.invitees] + [a.owner for a in meeting.action_items]
        outbox.refresh_homes(session, [meeting.organiser, *people])

    def _send_calendar(self, session: Session, meeting: MeetingSnapshot, *, change: str,
                       only: str | None = None) -> None:
        """Each of the meeting's people (or `only` one) gets the calendar file in their DM: a scheduling
        message naming them when they have an e-mail address, else the event to add (bot.meetings.ics)."""
        now = utcnow()
        for invitee in meeting.invitees:
            if only is not None and invitee.slack_user_id != only:
                continue
            content = meeting_ics(meeting, now=now, recipient_email=invitee.email)
            t = self.reader(session, invitee.slack_user_id, meeting.language)
            outbox.upload(session, channel=invitee.slack_user_id, filename=ics_filename(meeting), content=content,
                          title=defanged(truncate(meeting.title, 200)),
                          initial_comment=messages.invitation_comment(meeting, t, change=change))
