"""Slack identifiers of the meeting workflow: callback ids and action ids in one place."""

from __future__ import annotations

import enum


class MeetingCallback(enum.StrEnum):
    SCHEDULE = "meeting_schedule"
    RESCHEDULE = "meeting_reschedule"
    CANCEL = "meeting_cancel"
    MINUTES = "meeting_minutes"


class MeetingActionId(enum.StrEnum):
    OPEN_SCHEDULE = "meeting_open_schedule"  # any button that opens "Schedule a meeting" (e.g. the quarterly prompt)
    # The quarterly prompts posted before the prompt moved to meetings carry this id; their buttons still work.
    OPEN_SCHEDULE_FROM_OLD_PROMPT = "meeting_open_from_prompt"
    RSVP_GOING = "meeting_rsvp_going"
    RSVP_MAYBE = "meeting_rsvp_maybe"
    RSVP_DECLINED = "meeting_rsvp_declined"
    RESCHEDULE = "meeting_reschedule"
    CANCEL = "meeting_cancel"
    RECORD_MINUTES = "meeting_record_minutes"
    ACTION_ITEM_DONE = "meeting_action_item_done"
