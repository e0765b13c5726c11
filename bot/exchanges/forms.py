"""The exchange modals (request or edit, review, assess): each builds its view and validates its submission."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from bot.errors import InvalidInput
from bot.exchanges.ids import ExchangeCallback
from bot.exchanges.labels import DECISION_LABELS, DIRECTION_LABELS, PURPOSE_LABELS, RATING_LABELS, STATUS_LABELS
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.exchanges.state import Overlaps
from bot.i18n.catalog import Translator
from bot.problems.forms import MAX_TEXT, OptionalText, RequiredText
from bot.slack.blocks import divider
from bot.slack.forms import FormErrors, State, input_block, modal, option, read, read_many, validated
from models.exchange import DecisionKind, Direction, Purpose, Rating

ACKNOWLEDGED = "acknowledged"
MAX_MONTHS = 12
REQUEST_BLOCKS = ("person", "direction", "partnership_id", "host_unit", "purpose", "start_date", "end_date",
                  "expected_outcomes", "confidentiality")


class ExchangeRequestInput(BaseModel):
    """A submitted "Request an exchange" form (new or edited)."""

    model_config = ConfigDict(frozen=True)

    person: Annotated[str, Field(min_length=2, max_length=32, pattern=r"^[UW][A-Z0-9]+$")]
    direction: Direction
    partnership_id: Annotated[int, Field(gt=0)] | None = None
    host_unit: Annotated[RequiredText, Field(max_length=200)]
    purpose: Purpose
    start_date: date
    end_date: date
    expected_outcomes: OptionalText = None
    confidentiality_acknowledged: bool


class DecisionInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: DecisionKind
    comment: OptionalText = None


class AssessmentInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    rating: Rating
    comments: OptionalText = None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def period_error(start: date, end: date) -> tuple[str, str] | None:
    """The rule a period breaks, as (field, code), or None. Shared by the form and the service."""
    if end < start:
        return "end_date", "before_start"
    if end > add_months(start, MAX_MONTHS) - timedelta(days=1):
        return "end_date", "too_long"
    return None


def request_modal(t: Translator, *, caller: str, partnerships: list[tuple[int, str]], today: date,
                  current: ExchangeSnapshot | None = None) -> dict[str, Any]:
    """The request form; with `current` it is the edit form, prefilled, for that exchange."""
    _ = t.gettext
    directions = [option(_(label), d.value) for d, label in DIRECTION_LABELS.items()]
    purposes = [option(_(label), p.value) for p, label in PURPOSE_LABELS.items()]
    ack = option(_("I have read and will keep the host's confidentiality rules."), ACKNOWLEDGED)
    person: dict[str, Any] = {"type": "users_select", "action_id": "value", "initial_user": caller}
    direction: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": directions}
    purpose: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": purposes}
    host: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "max_length": 200}
    start: dict[str, Any] = {"type": "datepicker", "action_id": "value", "initial_date": today.isoformat()}
    end: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    outcomes: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                "max_length": MAX_TEXT}
    metadata: dict[str, int] = {}
    if current is not None:
        person["initial_user"] = current.person
        direction["initial_option"] = next(o for o in directions if o["value"] == current.direction.value)
        purpose["initial_option"] = next(o for o in purposes if o["value"] == current.purpose.value)
        host["initial_value"] = current.host_unit
        start["initial_date"], end["initial_date"] = current.start_date.isoformat(), current.end_date.isoformat()
        if current.expected_outcomes:
            outcomes["initial_value"] = current.expected_outcomes
        metadata["exchange_id"] = current.id
    elif len(partnerships) == 1:
        metadata["partnership_id"] = partnerships[0][0]
    blocks = [input_block("person", _("Who"), person)]
    blocks.append(input_block("direction", _("Direction"), direction))
    if current is None and len(partnerships) > 1:
        blocks.append(input_block("partnership_id", _("Partnership"), {
            "type": "static_select", "action_id": "value",
            "options": [option(name, str(pid)) for pid, name in partnerships]}))
    blocks += [
        input_block("host_unit", _("Host unit"), host, hint=_("The department or unit that receives the person.")),
        input_block("purpose", _("Purpose"), purpose),
        input_block("start_date", _("Start date"), start),
        input_block("end_date", _("End date"), end),
        input_block("expected_outcomes", _("Expected outcomes"), outcomes, optional=True),
        input_block("confidentiality", _("Confidentiality"), {
            "type": "checkboxes", "action_id": "value", "options": [ack]}),
    ]
    title = _("Edit the exchange") if current is not None else _("Request an exchange")
    return modal(ExchangeCallback.REQUEST, title, blocks, submit=_("Submit"), close=_("Cancel"),
                 private_metadata=json.dumps(metadata))


def parse_request(values: State, t: Translator) -> ExchangeRequestInput | FormErrors:
    """The validated input, or block id → message for `response_action: errors` (with what it accepted). The
    period's rules are checked whenever both dates are valid, whatever else is wrong."""
    raw: dict[str, Any] = {field: read(values, field) for field in REQUEST_BLOCKS}
    raw.pop("confidentiality")
    raw["confidentiality_acknowledged"] = ACKNOWLEDGED in read_many(values, "confidentiality")
    found = validated(ExchangeRequestInput, raw, lambda field, kind: request_error(field, kind, t))
    errors = found if isinstance(found, FormErrors) else FormErrors(accepted=dict(found))
    if not raw["confidentiality_acknowledged"]:
        errors["confidentiality"] = request_error("confidentiality", "required", t)
    start, end = errors.accepted.get("start_date"), errors.accepted.get("end_date")
    broken = period_error(start, end) if start is not None and end is not None else None
    if broken:
        errors[broken[0]] = request_error(*broken, t)
    return errors if errors or isinstance(found, FormErrors) else found


def overlap_error(first: ExchangeSnapshot, t: Translator) -> str:
    """The request's period overlaps `first`, another exchange of the same person: name it. (A modal's error is
    plain text: nothing in it is read as markup, so nothing is escaped.)"""
    return t.gettext("{person} already has an exchange from {start} to {end} ({host_unit}, {status}). "
                     "Choose dates outside that period.").format(
        person=first.person_name, start=t.date(first.start_date), end=t.date(first.end_date),
        host_unit=first.host_unit, status=t.gettext(STATUS_LABELS[first.status]).lower())


def input_error(error: InvalidInput, t: Translator) -> str:
    """Words for a rule the service found broken on a request field."""
    if isinstance(error, Overlaps):
        return overlap_error(error.first, t)
    return request_error(error.field, error.code, t)


def request_error(field: str, code: str, t: Translator) -> str:
    """Words for a broken rule on a request field (from the form or from the service)."""
    _ = t.gettext
    words = {
        ("end_date", "before_start"): _("The end date must not be before the start date."),
        ("end_date", "too_long"): _("An exchange can last at most 12 months."),
        ("start_date", "past"): _("The start date cannot be in the past."),
        ("person", "not_on_roster"): _("This person is not on the partnership's roster."),
        ("person", "not_allowed"): _("Only a coordinator can request an exchange for someone else."),
        ("person", "no_sending_approver"): _(
            "Nobody on this person's side could approve it: their side's coordinator decides, never for an "
            "exchange they are going on. Ask for another coordinator to be added (/coop admin)."),
        ("person", "no_host_approver"): _(
            "Nobody on the host side could approve it yet: it needs a coordinator there (at the enterprise, a "
            "mentor also may). Ask for one to be added (/coop admin)."),
        ("direction", "wrong_side"): _("This direction does not fit the person's side: college staff go to the "
                                       "enterprise, enterprise staff come to the college."),
        ("partnership_id", "not_yours"): _("You can only request exchanges in your own partnerships."),
    }
    if (field, code) in words:
        return words[(field, code)]
    return {
        "person": _("Choose the person who goes."),
        "direction": _("Choose a direction."),
        "partnership_id": _("Choose a partnership."),
        "host_unit": _("Name the host unit (at most 200 characters)."),
        "purpose": _("Choose a purpose."),
        "start_date": _("Pick the start date."),
        "end_date": _("Pick the end date."),
        "expected_outcomes": _("Keep this to at most 3,000 characters."),
        "confidentiality": _("Please acknowledge the confidentiality rules."),
    }.get(field, _("Please check this field."))


def review_modal(x: ExchangeSnapshot, details: list[dict[str, Any]], t: Translator) -> dict[str, Any]:
    _ = t.gettext
    choices = [option(_(label), d.value) for d, label in DECISION_LABELS.items()]
    blocks = [*details, divider(),
              input_block("decision", _("Decision"), {"type": "radio_buttons", "action_id": "value",
                                                       "options": choices}),
              input_block("comment", _("Comment"), {"type": "plain_text_input", "action_id": "value",
                                                     "multiline": True, "max_length": MAX_TEXT},
                          optional=True, hint=_("Required to reject or to ask for changes."))]
    return modal(ExchangeCallback.REVIEW, _("Review the exchange"), blocks, submit=_("Submit"), close=_("Cancel"),
                 private_metadata=json.dumps({"exchange_id": x.id, "round": x.review_round}))


def parse_decision(values: State, t: Translator) -> DecisionInput | FormErrors:
    found = validated(DecisionInput, {"decision": read(values, "decision"), "comment": read(values, "comment")},
                      lambda field, _kind: t.gettext("Choose a decision.") if field == "decision"
                      else t.gettext("Keep this to at most 3,000 characters."))
    if isinstance(found, FormErrors):
        return found
    if found.decision != DecisionKind.APPROVE and not found.comment:
        return FormErrors({"comment": comment_required(t)}, dict(found))
    return found


def comment_required(t: Translator) -> str:
    return t.gettext("Say why, so the requester knows what to change.")


def assess_modal(x: ExchangeSnapshot, details: list[dict[str, Any]], t: Translator) -> dict[str, Any]:
    _ = t.gettext
    ratings = [option(_(label), r.value) for r, label in RATING_LABELS.items()]
    blocks = [*details, divider(),
              input_block("rating", _("Rating"), {"type": "radio_buttons", "action_id": "value", "options": ratings}),
              input_block("comments", _("Comments"), {"type": "plain_text_input", "action_id": "value",
                                                       "multiline": True, "max_length": MAX_TEXT}, optional=True)]
    return modal(ExchangeCallback.ASSESS, _("Assess the exchange"), blocks, submit=_("Submit"), close=_("Cancel"),
                 private_metadata=json.dumps({"exchange_id": x.id}))


def parse_assessment(values: State, t: Translator) -> AssessmentInput | FormErrors:
    return validated(AssessmentInput, {"rating": read(values, "rating"), "comments": read(values, "comments")},
                     lambda field, _kind: t.gettext("Choose a rating.") if field == "rating"
                     else t.gettext("Keep this to at most 3,000 characters."))


def metadata_int(private_metadata: str, name: str) -> int | None:
    """An id the modal carries in private_metadata (which thing, never whether allowed), or None."""
    try:
        value = json.loads(private_metadata or "{}").get(name)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and 0 < value < 2**31 else None

