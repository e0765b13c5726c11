"""The quarterly prompt's message: on a quarter's first working day, ask the cooperation group to schedule its
review, or say that it already is; later in the quarter (the job run by hand, a partnership added), ask a
partnership that has no meeting yet. Posted by `MeetingService` (the `quarterly-prompt` job)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.i18n.catalog import Translator
from bot.meetings.ids import MeetingActionId
from bot.meetings.snapshot import MeetingSnapshot
from bot.quarters import Quarter
from bot.slack.blocks import actions, button, section
from bot.slack.text import escape_within, truncate_mrkdwn


@dataclass(frozen=True)
class QuarterPrompt:
    """What the prompt says for one partnership: its quarter, and its review if one is already in it."""

    partnership_id: int
    channel_id: str
    language: str
    timezone: str
    quarter: Quarter
    scheduled: MeetingSnapshot | None
    late: bool = False  # after the quarter's first days: not "has begun", but "not scheduled yet"


class PromptOutcome(enum.StrEnum):
    POSTED = "posted"
    ALREADY_POSTED = "already_posted"  # this quarter's prompt went out before (once per partnership and quarter)
    MEETING_SCHEDULED = "meeting_scheduled"  # run late in the quarter: its meeting is scheduled, nothing to ask
    NOT_DUE = "not_due"  # the scheduler's run, on a day that is not the partnership's quarter start


@dataclass(frozen=True)
class PromptResult:
    """What the quarterly prompt did for one partnership."""

    partnership_id: int
    partnership: str
    quarter: Quarter
    outcome: PromptOutcome
    posted_on: date | None = None  # ALREADY_POSTED: the day it was posted, in the partnership's timezone
    meeting: MeetingSnapshot | None = None  # the quarter's meeting, if one is scheduled


def prompt_value(partnership_id: int, quarter: Quarter) -> str:
    """The button's value, "<partnership id>:<quarter key>" (e.g. "3:2027Q1"): which thing, never a permission."""
    return f"{partnership_id}:{quarter.key}"


def prompt_message(prompt: QuarterPrompt, t: Translator) -> tuple[str, list[dict[str, Any]]]:
    """The prompt (with a button opening the meeting modal), or the note that the review is scheduled."""
    _ = t.gettext
    name = t.quarter(prompt.quarter.year, prompt.quarter.number)
    scheduled = prompt.scheduled
    if scheduled is not None:
        text = _("{quarter} has begun. The cooperation review is already scheduled: {title}, {when}.").format(
            quarter=name, title=escape_within(scheduled.title, 200),
            when=t.datetime(scheduled.starts_at, prompt.timezone))
        return truncate_mrkdwn(text, 300), [section(text, cut=True)]
    if prompt.late:
        text = _("{quarter}: this quarter's cooperation review is not scheduled yet. Time to schedule it."
                 ).format(quarter=name)
    else:
        text = _("{quarter} has begun: time to schedule this quarter's cooperation review.").format(quarter=name)
    return text, [
        section(f"🗓️ {text}"),
        actions([button(MeetingActionId.OPEN_SCHEDULE, _("Schedule the review"),
                        prompt_value(prompt.partnership_id, prompt.quarter), "primary")],
                block_id=f"quarterly_prompt:{prompt.quarter.key}"),
    ]
