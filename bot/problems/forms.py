"""The problem modals: each form builds its view and validates its submission, in one place."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.i18n.catalog import Translator
from bot.problems.ids import ProblemActionId, ProblemCallback
from bot.problems.labels import CATEGORY_LABELS, SEVERITY_HINTS, SEVERITY_LABELS
from bot.slack.blocks import context, plain
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
from models.problem import Category, Severity

MAX_TEXT = 3000


RequiredText = Annotated[str, BeforeValidator(stripped), Field(min_length=1, max_length=MAX_TEXT)]
OptionalText = Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(blank_to_none)]


class ProblemReportInput(BaseModel):
    """A submitted "Log intern problem" form. Whitespace alone counts as empty."""

    model_config = ConfigDict(frozen=True)

    intern_id: Annotated[int, Field(gt=0)]
    category: Category
    severity: Severity
    description: RequiredText
    occurred_on: date
    actions_taken: OptionalText = None
    # ticked "School-side only"; the service decides what it means by the reporter's side (bot.problems.service)
    school_only: bool = False


class NoteInput(BaseModel):
    """A submitted update or resolution: one required text."""

    text: RequiredText


# block ids are the field names, so an error on a field is shown on its block
REPORT_BLOCKS = ("intern_id", "category", "severity", "description", "occurred_on", "actions_taken")
SCHOOL_ONLY_BLOCK, SCHOOL_ONLY_VALUE = "school_only", "yes"


# Drawn once per language and side: every /intern-issue opens this form, and drawing it (options, hints cut to
# Slack's length) cost more than the rest of the command. Only the date differs between two openings.
_REPORT_MODALS: dict[tuple[str, bool], dict[str, Any]] = {}
_DATE_BLOCK = REPORT_BLOCKS.index("occurred_on")


def report_modal(t: Translator, today: date, *, school_side: bool = False) -> dict[str, Any]:
    """"Log intern problem"; a college person (`school_side`) is offered "School-side only". Drawing it grants
    nothing: the service decides by the reporter's side on submit.

    The view's parts are shared between calls (drawn once per language): a caller sends it, never changes it."""
    if type(t) is not Translator:  # e.g. a lazy translator: its language is not known without resolving it
        return _draw_report_modal(t, today, school_side=school_side)
    key = (t.language, school_side)
    drawn = _REPORT_MODALS.get(key)
    if drawn is None:
        drawn = _REPORT_MODALS[key] = _draw_report_modal(t, today, school_side=school_side)
    blocks = list(drawn["blocks"])
    dated = blocks[_DATE_BLOCK]
    blocks[_DATE_BLOCK] = {**dated, "element": {**dated["element"], "initial_date": today.isoformat()}}
    return {**drawn, "blocks": blocks}


def _draw_report_modal(t: Translator, today: date, *, school_side: bool) -> dict[str, Any]:
    _ = t.gettext
    categories = [option(_(label), c.value) for c, label in CATEGORY_LABELS.items()]
    severities = [
        {**option(_(label), s.value), "description": plain(truncate(_(SEVERITY_HINTS[s]), 75))}
        for s, label in SEVERITY_LABELS.items()
    ]
    blocks = [
        input_block("intern_id", _("Intern"), {
            "type": "external_select", "action_id": ProblemActionId.INTERN_SELECT, "min_query_length": 0,
            "placeholder": plain(_("Type a name or student id"))}),
        input_block("category", _("Category"), {
            "type": "static_select", "action_id": "value", "options": categories,
            "placeholder": plain(_("Choose a category"))}),
        input_block("severity", _("Severity"), {
            "type": "static_select", "action_id": "value", "options": severities,
            "placeholder": plain(_("How serious is it?"))}),
        input_block("description", _("What happened"), {
            "type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": MAX_TEXT}),
        input_block("occurred_on", _("When did it happen"), {
            "type": "datepicker", "action_id": "value", "initial_date": today.isoformat()}),
        input_block("actions_taken", _("What has been done so far"), {
            "type": "plain_text_input", "action_id": "value", "multiline": True, "max_length": MAX_TEXT},
            optional=True),
    ]
    if school_side:
        blocks.append(input_block(SCHOOL_ONLY_BLOCK, _("Who may see it"), {
            "type": "checkboxes", "action_id": "value", "options": [{
                **option(_("School-side only"), SCHOOL_ONLY_VALUE),
                "description": plain(truncate(_("Kept from the enterprise: posted in the school-side channel (or "
                                                "sent to the teacher and the college's coordinators). Health "
                                                "reports always are."), 75))}]}, optional=True))
    return modal(ProblemCallback.REPORT, _("Log intern problem"), blocks, submit=_("Submit"), close=_("Cancel"))


def parse_report(values: State, t: Translator) -> ProblemReportInput | FormErrors:
    """The validated input, or block id → message for `response_action: errors` (with what it accepted)."""
    raw: dict[str, Any] = {field: read(values, field) for field in REPORT_BLOCKS}
    raw[SCHOOL_ONLY_BLOCK] = SCHOOL_ONLY_VALUE in read_many(values, SCHOOL_ONLY_BLOCK)
    return validated(ProblemReportInput, raw, lambda field, kind: report_error(field, kind, t))


def report_error(field: str, kind: str, t: Translator) -> str:
    """Words for a failed rule on a report field (from the form or from the service)."""
    _ = t.gettext
    if field == "description":
        return _("Describe what happened (at most 3,000 characters).")
    if field == "actions_taken":
        return _("Keep this to at most 3,000 characters.")
    if field == "occurred_on":
        return {"future": _("The date cannot be in the future."),
                "before_internship": _("This is before the internship began: pick a date during the internship."),
                }.get(kind, _("Pick the date it happened."))
    if field == "intern_id":
        return (_("You can only report on interns of your own partnerships.") if kind == "not_yours"
                else _("Choose an intern from the list."))
    if field == "severity":
        return _("Choose a severity.")
    return _("Choose a category.")


def note_modal(callback: ProblemCallback, problem_id: int, t: Translator, *, intern: str) -> dict[str, Any]:
    """The "Add update" or "Resolve" modal for one problem; the problem id rides in private_metadata
    (it only says which problem — permission is checked again on submit)."""
    _ = t.gettext
    if callback == ProblemCallback.RESOLVE:
        title, label, submit = _("Resolve problem"), _("What was done to resolve it?"), _("Resolve")
    else:
        title, label, submit = _("Add update"), _("Update"), _("Add")
    blocks = [
        context(plain(truncate(intern, 150))),
        input_block("text", label, {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                    "max_length": MAX_TEXT}),
    ]
    return modal(callback, title, blocks, submit=submit, close=_("Cancel"),
                 private_metadata=json.dumps({"problem_id": problem_id}))


def parse_note(values: State, t: Translator) -> NoteInput | dict[str, str]:
    try:
        return NoteInput.model_validate({"text": read(values, "text")})
    except ValidationError:
        return {"text": t.gettext("Write something (at most 3,000 characters).")}


def problem_id_from(private_metadata: str) -> int | None:
    """The problem a note modal is about, or None if the metadata is not ours."""
    try:
        value = json.loads(private_metadata or "{}").get("problem_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and 0 < value < 2**31 else None
