"""The words for meeting states and answers (English source; translated where they are shown)."""

from __future__ import annotations

from bot.i18n.catalog import N_
from models.meeting import MeetingStatus, Rsvp

RSVP_LABELS: dict[Rsvp, str] = {
    Rsvp.GOING: N_("Going"),
    Rsvp.MAYBE: N_("Maybe"),
    Rsvp.DECLINED: N_("Can't go"),
}

STATUS_LABELS: dict[MeetingStatus, str] = {
    MeetingStatus.SCHEDULED: N_("Scheduled"),
    MeetingStatus.HELD: N_("Held"),
    MeetingStatus.CANCELLED: N_("Cancelled"),
}

DEFAULT_TITLE = N_("{quarter} cooperation review")  # {quarter} reads "Q1 2027" (Translator.quarter)
