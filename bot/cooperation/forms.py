"""The "Log in the cooperation ledger" modal: built, read and worded here.

Every kind shares a title, the people, the dates and details; some need more: a project application its deadline
and status, a course or textbook who owns its results, staff training the people trained and the hours. A field
its kind needs and lacks is an error on that field, with every other field's in the same answer.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, field_validator

from bot.cooperation.labels import ENTRY_KIND_LABELS, OWNERSHIP_LABELS, STATUS_LABELS
from bot.i18n.catalog import N_, Translator
from bot.slack.forms import FormErrors, State, blank_to_none, input_block, modal, option, read, validated
from bot.slack.text import truncate
from models.cooperation import ApplicationStatus, EntryKind, Ownership


class LedgerCallback(enum.StrEnum):
    ENTRY = "ledger_entry"
    AGREEMENT = "ledger_agreement"


class LedgerActionId(enum.StrEnum):
    OPEN = "ledger_open"  # App Home's "Log in the ledger" button
    AGREEMENT = "ledger_agreement_open"  # App Home's "Agreement" button


FIELDS = ("partnership", "kind", "title", "people", "started_on", "ended_on", "deadline", "status", "ownership",
          "trainees", "hours", "details")


class LedgerEntryInput(BaseModel):
    partnership: int
    kind: EntryKind
    title: str = Field(min_length=1, max_length=200)
    people: str | None = Field(default=None, max_length=500)
    started_on: date
    ended_on: date | None = None
    deadline: date | None = None
    status: ApplicationStatus | None = None
    ownership: Ownership | None = None
    trainees: int | None = Field(default=None, ge=1, le=100_000)
    hours: int | None = Field(default=None, ge=1, le=100_000)
    details: str | None = Field(default=None, max_length=3000)

    @field_validator("trainees", "hours", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().isdigit():
            raise ValueError("not a whole number")
        return value


# What each kind needs besides the common fields.
NEEDS: dict[EntryKind, tuple[str, ...]] = {
    EntryKind.JOINT_PROJECT: ("deadline", "status"),
    EntryKind.COURSE: ("ownership",),
    EntryKind.STAFF_TRAINING: ("trainees", "hours"),
}


def _select(action_id: str, options: list[dict[str, Any]], placeholder: str,
            initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "static_select", "action_id": action_id, "options": options,
                               "placeholder": {"type": "plain_text", "text": truncate(placeholder, 150)}}
    chosen = [o for o in options if o["value"] == initial]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def ledger_modal(partnerships: list[tuple[int, str]], t: Translator, today: date) -> dict[str, Any]:
    """The modal; a coordinator of several partnerships chooses which (the channel's first, if typed in one)."""
    _ = t.gettext
    text = {"type": "plain_text_input", "action_id": "value"}
    blocks: list[dict[str, Any]] = []
    if len(partnerships) > 1:
        blocks.append(input_block("partnership", _("Partnership"), _select(
            "value", [option(name, str(pid)) for pid, name in partnerships[:100]], _("Choose a partnership"),
            str(partnerships[0][0]))))
    blocks += [
        input_block("kind", _("Kind"), _select("value", [option(_(label), kind.value) for kind, label
                                                          in ENTRY_KIND_LABELS.items()], _("Choose a kind"))),
        input_block("title", _("Title"), {**text, "max_length": 200}),
        input_block("people", _("Who"), {**text, "max_length": 500}, optional=True,
                    hint=_("The experts, professors or trainers, and their units.")),
        input_block("started_on", _("Start date"), {"type": "datepicker", "action_id": "value",
                                                    "initial_date": today.isoformat()}),
        input_block("ended_on", _("End date"), {"type": "datepicker", "action_id": "value"}, optional=True),
        input_block("deadline", _("Application deadline"), {"type": "datepicker", "action_id": "value"},
                    optional=True, hint=_("Joint projects and government applications: the coordinators are "
                                          "reminded 14 and 3 days before it.")),
        input_block("status", _("Application status"), _select(
            "value", [option(_(label), s.value) for s, label in STATUS_LABELS.items()], _("Choose a status")),
            optional=True),
        input_block("ownership", _("Results owned by"), _select(
            "value", [option(_(label), o.value) for o, label in OWNERSHIP_LABELS.items()], _("Choose who")),
            optional=True, hint=_("Courses and textbooks developed together.")),
        input_block("trainees", _("People trained"), {**text, "max_length": 6}, optional=True,
                    hint=_("Staff training: how many of the enterprise's staff, and for how many hours.")),
        input_block("hours", _("Training hours"), {**text, "max_length": 6}, optional=True),
        input_block("details", _("Details"), {**text, "multiline": True, "max_length": 3000}, optional=True),
    ]
    metadata = json.dumps({"partnership": partnerships[0][0]}) if len(partnerships) == 1 else ""
    return modal(LedgerCallback.ENTRY, _("Cooperation ledger"), blocks, submit=_("Save"), close=_("Cancel"),
                 private_metadata=metadata)


ERROR_WORDS = {
    "required": N_("Please fill this in for this kind of entry."),
    "missing": N_("Please fill this in."),
    "too_long": N_("This is too long."),
    "number": N_("Please give a whole number from 1."),
    "order": N_("The end date must not be before the start date."),
    "invalid": N_("Please choose one of the options."),
}


def error_words(code: str, t: Translator) -> str:
    return t.gettext(ERROR_WORDS.get(code, ERROR_WORDS["invalid"]))


def _code(field: str, kind: str) -> str:
    if kind == "missing" or kind == "string_too_short":
        return "missing"
    if kind == "string_too_long":
        return "too_long"
    if field in ("trainees", "hours"):
        return "number"
    return "invalid"


def parse_entry(values: State, metadata: str, t: Translator) -> LedgerEntryInput | FormErrors:
    """The submission validated, or every field's error (block id → words)."""
    raw: dict[str, Any] = {name: blank_to_none(read(values, name)) for name in FIELDS if name != "partnership"}
    try:
        raw["partnership"] = json.loads(metadata)["partnership"] if metadata else read(values, "partnership")
    except (ValueError, KeyError, TypeError):
        raw["partnership"] = None
    raw = {k: v for k, v in raw.items() if v is not None}
    parsed = validated(LedgerEntryInput, raw, lambda field, kind: error_words(_code(field, kind), t))
    errors = dict(parsed) if isinstance(parsed, FormErrors) else {}
    kind = str(raw.get("kind"))
    for needed in NEEDS.get(EntryKind(kind), ()) if kind in EntryKind._value2member_map_ else ():
        if raw.get(needed) is None:
            errors.setdefault(needed, error_words("required", t))
    started, ended = raw.get("started_on"), raw.get("ended_on")
    if isinstance(started, str) and isinstance(ended, str) and ended < started:
        errors.setdefault("ended_on", error_words("order", t))
    if errors:
        errors.pop("__root__", None)
        return FormErrors(errors or {"title": error_words("invalid", t)})
    assert isinstance(parsed, LedgerEntryInput)
    return parsed


def agreement_modal(partnerships: list[tuple[int, str]], t: Translator,
                    current: dict[int, tuple[date, date, list[str]]]) -> dict[str, Any]:
    """The agreement of a partnership (the channel's first, prefilled with what is recorded)."""
    _ = t.gettext
    blocks: list[dict[str, Any]] = []
    if len(partnerships) > 1:
        blocks.append(input_block("partnership", _("Partnership"), _select(
            "value", [option(name, str(pid)) for pid, name in partnerships[:100]], _("Choose a partnership"),
            str(partnerships[0][0]))))
    signed, ends, links = current.get(partnerships[0][0], (None, None, []))
    signed_picker: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    ends_picker: dict[str, Any] = {"type": "datepicker", "action_id": "value"}
    if signed is not None and ends is not None:
        signed_picker["initial_date"], ends_picker["initial_date"] = signed.isoformat(), ends.isoformat()
    links_input: dict[str, Any] = {"type": "plain_text_input", "action_id": "value", "multiline": True,
                                   "max_length": 3000}
    if links:
        links_input["initial_value"] = "\n".join(links)
    blocks += [
        input_block("signed_on", _("Signed on"), signed_picker),
        input_block("ends_on", _("Ends on"), ends_picker,
                    hint=_("The channel and the coordinators are reminded 90 and 30 days before it ends. A later "
                           "end date records a renewal.")),
        input_block("links", _("Attachments (links)"), links_input, optional=True,
                    hint=_("One web link a line: the signed agreement and its annexes.")),
    ]
    metadata = json.dumps({"partnership": partnerships[0][0]}) if len(partnerships) == 1 else ""
    return modal(LedgerCallback.AGREEMENT, _("Cooperation agreement"), blocks, submit=_("Save"),
                 close=_("Cancel"), private_metadata=metadata)


@dataclass(frozen=True)
class AgreementForm:
    partnership: int
    signed_on: date
    ends_on: date
    links: list[str]


def parse_agreement(values: State, metadata: str, t: Translator) -> AgreementForm | FormErrors:
    errors: dict[str, str] = {}
    try:
        partnership = int(json.loads(metadata)["partnership"] if metadata else read(values, "partnership"))
    except (ValueError, KeyError, TypeError):
        return FormErrors({"signed_on": error_words("invalid", t)})
    days: dict[str, date] = {}
    for name in ("signed_on", "ends_on"):
        try:
            days[name] = date.fromisoformat(str(read(values, name)))
        except ValueError:
            errors[name] = error_words("missing", t)
    links = [line.strip() for line in str(blank_to_none(read(values, "links")) or "").splitlines() if line.strip()]
    if any(not link.startswith(("https://", "http://")) or len(link) > 1000 or " " in link for link in links):
        errors["links"] = t.gettext("Please give web links (https://…), one a line.")
    if len(days) == 2 and days["ends_on"] <= days["signed_on"]:
        errors["ends_on"] = t.gettext("The agreement must end after it is signed.")
    if errors:
        return FormErrors(errors)
    return AgreementForm(partnership, days["signed_on"], days["ends_on"], links)
