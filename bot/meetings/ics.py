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


def meeting_ics(meeting: MeetingSnapshot, *, now: datetime) -> bytes:
    """The meeting as a calendar file: a REQUEST while it stands, a CANCEL once it is called off."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
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
    for invitee in meeting.invitees:
        if invitee.email:
            event.add("attendee", _address(invitee.email, invitee.name, ROLE="REQ-PARTICIPANT"))
    calendar.add_component(event)
    return calendar.to_ical()


def ics_filename(meeting: MeetingSnapshot) -> str:
    return f"meeting-{meeting.id}.ics"
