"""The "Record minutes" modal: the minutes and up to MAX_ITEMS action items (owner, text, due date).

A row of the modal is an action item only if something is filled in; then all three parts are needed.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.i18n.catalog import Translator
from bot.meetings.forms import SlackUserId
from bot.meetings.ids import MeetingCallback
from bot.meetings.snapshot import MeetingSnapshot
from bot.problems.forms import RequiredText
from bot.slack.blocks import context, header, plain
from bot.slack.forms import FormErrors, State, accepted_fields, first_errors, input_block, modal, read
from bot.slack.text import truncate

MAX_ITEMS = 5


class ActionItemInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    owner: SlackUserId
    text: Annotated[RequiredText, Field(max_length=1000)]
    due_date: date


class MinutesInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    minutes: RequiredText
    items: tuple[ActionItemInput, ...] = ()


def item_block(row: int, part: str) -> str:
    """Block id of one part ("owner", "text", "due") of action item row `row` (1-based)."""
    return f"item{row}_{part}"


def minutes_modal(t: Translator, meeting: MeetingSnapshot) -> dict[str, Any]:
    _ = t.gettext
    blocks: list[dict[str, Any]] = [
        context(plain(truncate(meeting.title, 150))),
        input_block("minutes", _("Minutes"), {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                              "max_length": 3000}),
    ]
    for row in range(1, MAX_ITEMS + 1):
        blocks += [
            header(_("Action item {number}").format(number=row)),
            input_block(item_block(row, "owner"), _("Owner"), {"type": "users_select", "action_id": "value"},
                        optional=True),
            input_block(item_block(row, "text"), _("What is to be done"), {
                "type": "plain_text_input", "action_id": "value", "max_length": 1000}, optional=True),
            input_block(item_block(row, "due"), _("Due date"), {"type": "datepicker", "action_id": "value"},
                        optional=True),
        ]
    return modal(MeetingCallback.MINUTES, _("Record minutes"), blocks, submit=_("Save"), close=_("Cancel"),
                 private_metadata=json.dumps({"meeting_id": meeting.id}))


def parse_minutes(values: State, t: Translator) -> MinutesInput | FormErrors:
    """The validated minutes and items, or block id → message for `response_action: errors`; what it accepted
    is the owners of the items (`owners`: owner block id → Slack user id), whom the service checks too."""
    _ = t.gettext
    errors = FormErrors(accepted={"owners": {}})
    items: list[ActionItemInput] = []
    for row in range(1, MAX_ITEMS + 1):
        raw = {"owner": read(values, item_block(row, "owner")), "text": read(values, item_block(row, "text")),
               "due_date": read(values, item_block(row, "due"))}
        if not any(isinstance(v, str) and v.strip() for v in raw.values()):
            continue
        try:
            items.append(ActionItemInput.model_validate(raw))
        except ValidationError as exc:
            failed = first_errors(exc)
            for field in failed:
                part = {"due_date": "due"}.get(field, field)
                errors[item_block(row, part)] = {
                    "owner": _("Choose who will do it."),
                    "text": _("Say what is to be done (at most 1,000 characters)."),
                }.get(field, _("Pick the date it is due."))
            if "owner" in accepted_fields(ActionItemInput, raw, failed):
                errors.accepted["owners"][item_block(row, "owner")] = raw["owner"]
        else:
            errors.accepted["owners"][item_block(row, "owner")] = items[-1].owner
    try:
        parsed = MinutesInput.model_validate({"minutes": read(values, "minutes"), "items": tuple(items)})
    except ValidationError:
        errors["minutes"] = _("Write the minutes (at most 3,000 characters).")
        return errors
    return errors or parsed


def owner_error(t: Translator) -> str:
    """The service found an owner who is not on the partnership's roster."""
    return t.gettext("Only people on this partnership's roster can own an action item.")
