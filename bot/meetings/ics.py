"""Calendar files (.ics, RFC 5545/5546) for a meeting, made with the `icalendar` library.

One UID per meeting for its whole life, and SEQUENCE bumped on every change, so a calendar that
imported the first file replaces the entry on an update and removes it on a cancellation instead
of adding a second one. Times are written in UTC: every calendar shows them in its owner's zone.
"""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar, Event, vCalAddress, vText

from bot.meetings.snapshot import MeetingSnapshot
from models.meeting import MeetingStatus

PRODID = "-//coopbot//cooperation meetings//EN"


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def scheduling(meeting: MeetingSnapshot, recipient_email: str | None) -> bool:
    """Whether the file sent to a recipient is an iTIP scheduling message (REQUEST, or CANCEL once called
    off): RFC 5546 requires it to name the ORGANIZER and its recipient as an ATTENDEE, which takes an e-mail
    address for both. Otherwise it is a PUBLISH: the event to add to a calendar, nobody to reply to."""
    return bool(meeting.organiser_email and recipient_email)


def meeting_ics(meeting: MeetingSnapshot, *, now: datetime, recipient_email: str | None) -> bytes:
    """The meeting as a calendar file for one recipient (their e-mail address, if they have one).

    A REQUEST while it stands and a CANCEL once it is called off, with ORGANIZER and the invitees who have
    an address as ATTENDEEs, when the organiser and the recipient both have one; else a PUBLISH (RFC 5546
    §3.2.1: no ATTENDEE; ORGANIZER when the organiser has an address) whose STATUS says CONFIRMED or
    CANCELLED. Either way the same UID and SEQUENCE, so a calendar replaces or cancels the entry it has.
    Texts are the people's own characters: a calendar file is not Slack markup (the title and comment the
    file is posted with in Slack are escaped by the notifier instead)."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    itip = scheduling(meeting, recipient_email)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", ("CANCEL" if cancelled else "REQUEST") if itip else "PUBLISH")
    event = Event()
    event.add("uid", meeting.ics_uid)
    event.add("sequence", meeting.ics_sequence)
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", meeting.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    if meeting.organiser_email:
        event.add("organizer", _address(meeting.organiser_email, meeting.organiser_name))
    if itip:
        for invitee in meeting.invitees:
            if invitee.email:
                event.add("attendee", _address(invitee.email, invitee.name, ROLE="REQ-PARTICIPANT"))
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(meeting: MeetingSnapshot) -> str:
    return f"meeting-{meeting.id}.ics"
