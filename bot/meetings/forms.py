"""The meeting modals "Schedule a meeting", "Reschedule meeting" and "Cancel meeting": each built and
validated here. Times are entered on the partnership's wall clock; the service turns them into UTC."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.i18n.catalog import Translator
from bot.meetings.ids import MeetingCallback
from bot.meetings.snapshot import MeetingSnapshot
from bot.problems.forms import OptionalText
from bot.slack.blocks import context, plain, section
from bot.slack.forms import (
    FormErrors,
    State,
    blank_to_none,
    input_block,
    modal,
    option,
    read,
    read_many,
    stripped,
    validated,
)
from bot.slack.text import truncate

MAX_MINUTES = 8 * 60
SlackUserId = Annotated[str, Field(pattern=r"^[UW][A-Z0-9]{2,30}$")]
Title = Annotated[str, BeforeValidator(stripped), Field(min_length=1, max_length=200)]
Location = Annotated[Annotated[str, Field(max_length=500)] | None, BeforeValidator(blank_to_none)]
Duration = Annotated[int, Field(gt=0, le=MAX_MINUTES)]


class WhenInput(BaseModel):
    """Date, start time (wall clock in the partnership's timezone), duration and place."""

    model_config = ConfigDict(frozen=True)

    date: date
    start_time: time
    duration_minutes: Duration
    location: Location = None


class MeetingInput(WhenInput):
    """A submitted "Schedule a meeting" form."""

    partnership_id: Annotated[int, Field(gt=0)]
    title: Title
    agenda: OptionalText = None
    invitees: tuple[SlackUserId, ...] = ()


class CancelInput(BaseModel):
    reason: OptionalText = None


@dataclass(frozen=True)
class ScheduleDefaults:
    """What "Schedule a meeting" starts with, for the caller's first partnership."""

    partnerships: tuple[tuple[int, str], ...]  # (id, name) of partnerships the caller may schedule for
    title: str
    invitees: tuple[str, ...]
    today: date
    timezone: str


WHEN_BLOCKS = ("date", "start_time", "duration_minutes", "location")
SCHEDULE_BLOCKS = ("partnership_id", "title", *WHEN_BLOCKS, "agenda", "invitees")


def _when_blocks(t: Translator, *, day: date, start: str | None, duration: int, location: str | None,
                 timezone: str) -> list[dict[str, Any]]:
    _ = t.gettext
    start_element: dict[str, Any] = {"type": "timepicker", "action_id": "value"}
    if start:
        start_element["initial_time"] = start
    location_element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 500}
    if location:
        location_element["initial_value"] = location
    return [
        input_block("date", _("Date"), {"type": "datepicker", "action_id": "value",
                                        "initial_date": day.isoformat()}),
        input_block("start_time", _("Start time"), start_element,
                    hint=_("In the partnership's timezone ({zone}).").format(zone=timezone)),
        input_block("duration_minutes", _("Duration (minutes)"), {
            "type": "number_input", "action_id": "value", "is_decimal_allowed": False,
            "initial_value": str(duration)}),
        input_block("location", _("Location or link"), location_element, optional=True),
    ]


def schedule_modal(t: Translator, defaults: ScheduleDefaults) -> dict[str, Any]:
    _ = t.gettext
    choices = [option(name, str(pid)) for pid, name in defaults.partnerships]
    blocks = [
        input_block("partnership_id", _("Partnership"), {
            "type": "static_select", "action_id": "value", "options": choices, "initial_option": choices[0]}),
        input_block("title", _("Title"), {"type": "plain_text_input", "action_id": "value", "max_length": 200,
                                          "initial_value": defaults.title}),
        *_when_blocks(t, day=defaults.today, start=None, duration=90, location=None, timezone=defaults.timezone),
        input_block("agenda", _("Agenda"), {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                            "max_length": 3000}, optional=True),
        input_block("invitees", _("Invitees"), {"type": "multi_users_select", "action_id": "value",
                                                "initial_users": list(defaults.invitees)},
                    optional=True, hint=_("The partnership's coordinators and members are invited by default.")),
    ]
    return modal(MeetingCallback.SCHEDULE, _("Schedule a meeting"), blocks, submit=_("Schedule"), close=_("Cancel"))


def parse_schedule(values: State, t: Translator) -> MeetingInput | FormErrors:
    """The validated input, or block id → message for `response_action: errors` (with what it accepted)."""
    raw = {field: read(values, field) for field in SCHEDULE_BLOCKS}
    raw["invitees"] = tuple(read_many(values, "invitees"))
    return validated(MeetingInput, raw, lambda field, kind: meeting_error(field, kind, t))


def meeting_error(field: str, kind: str, t: Translator) -> str:
    """Words for a failed rule on a meeting field (from the form or from the service)."""
    _ = t.gettext
    if field == "duration_minutes":
        return _("The duration must be between 1 and 480 minutes (8 hours).")
    if field in ("date", "start_time") and kind == "past":
        return _("That time has already passed in the partnership's timezone.")
    if field == "start_time" and kind == "nonexistent":
        return _("That time does not exist on that day (the clocks change). Pick another time.")
    if field == "date":
        return _("Pick a date.")
    if field == "start_time":
        return _("Pick a start time.")
    if field == "partnership_id":
        return _("You can only schedule meetings for partnerships you coordinate.")
    if field == "invitees":
        return (_("Only people on this partnership's roster can be invited.") if kind == "not_on_roster"
                else _("Choose people from the list."))
    if field == "title":
        return _("Give the meeting a title (at most 200 characters).")
    if field == "location":
        return _("Keep this to at most 500 characters.")
    return _("Keep this to at most 3,000 characters.")


def reschedule_modal(t: Translator, meeting: MeetingSnapshot) -> dict[str, Any]:
    _ = t.gettext
    local = meeting.local_start
    blocks = [
        context(plain(truncate(meeting.title, 150))),
        *_when_blocks(t, day=local.date(), start=local.strftime("%H:%M"), duration=meeting.duration_minutes,
                      location=meeting.location, timezone=meeting.timezone),
    ]
    return modal(MeetingCallback.RESCHEDULE, _("Reschedule meeting"), blocks, submit=_("Reschedule"),
                 close=_("Back"), private_metadata=json.dumps({"meeting_id": meeting.id}))


def parse_reschedule(values: State, t: Translator) -> WhenInput | FormErrors:
    return validated(WhenInput, {field: read(values, field) for field in WHEN_BLOCKS},
                     lambda field, kind: meeting_error(field, kind, t))


def cancel_modal(t: Translator, meeting: MeetingSnapshot) -> dict[str, Any]:
    _ = t.gettext
    blocks = [
        section(plain(_("Cancel “{title}”? Everyone invited is told and gets a cancelled calendar entry.").format(
            title=truncate(meeting.title, 200)))),
        input_block("reason", _("Reason"), {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                            "max_length": 3000}, optional=True),
    ]
    return modal(MeetingCallback.CANCEL, _("Cancel meeting"), blocks, submit=_("Cancel meeting"),
                 close=_("Back"), private_metadata=json.dumps({"meeting_id": meeting.id}))


def parse_cancel(values: State, t: Translator) -> CancelInput | dict[str, str]:
    try:
        return CancelInput.model_validate({"reason": read(values, "reason")})
    except ValidationError:
        return {"reason": t.gettext("Keep this to at most 3,000 characters.")}


def meeting_id_from(private_metadata: str) -> int | None:
    """The meeting a modal is about, or None if the metadata is not ours (it grants nothing)."""
    try:
        value = json.loads(private_metadata or "{}").get("meeting_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and 0 < value < 2**31 else None
