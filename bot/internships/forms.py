"""The evaluation modal: built and validated in one place, errors keyed by the blocks it drew."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from bot.i18n.catalog import Translator
from bot.internships.ids import InternshipCallback
from bot.internships.labels import CRITERIA, GRADE_LABELS
from bot.internships.snapshot import InternSnapshot
from bot.slack.blocks import context, plain
from bot.slack.forms import State, blank_to_none, first_errors, input_block, modal, option, read, read_many
from bot.slack.text import truncate
from models.internship import Grade

MAX_TEXT = 3000
ISSUED = "issued"  # the certificate checkbox's value


class EvaluationInput(BaseModel):
    """A submitted evaluation. The certificate confirmation is required: evaluate once it is issued."""

    model_config = ConfigDict(frozen=True)

    attendance: Grade
    professional_skills: Grade
    attitude: Grade
    safety_awareness: Grade
    teamwork: Grade
    comments: Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(blank_to_none)] = None
    certificate_issued: bool


def evaluation_modal(intern: InternSnapshot, t: Translator) -> dict[str, Any]:
    _ = t.gettext
    grades = [option(_(label), grade.value) for grade, label in GRADE_LABELS.items()]
    about = _("{intern} ({student_id}), {position}: {start} – {end}").format(
        intern=intern.name, student_id=intern.student_id, position=intern.position,
        start=t.date(intern.start_date), end=t.date(intern.end_date))
    blocks: list[dict[str, Any]] = [
        context(plain(truncate(about, 150)))]
    blocks += [input_block(field, _(label), {"type": "radio_buttons", "action_id": "value", "options": grades})
               for field, label in CRITERIA.items()]
    blocks += [
        input_block("comments", _("Comments"), {"type": "plain_text_input", "action_id": "value",
                                                 "multiline": True, "max_length": MAX_TEXT}, optional=True),
        input_block("certificate", _("Internship certificate"), {
            "type": "checkboxes", "action_id": "value",
            "options": [option(_("The internship certificate has been issued."), ISSUED)]}),
    ]
    return modal(InternshipCallback.EVALUATE, _("Evaluate internship"), blocks, submit=_("Submit"),
                 close=_("Cancel"), private_metadata=json.dumps({"intern_id": intern.id}))


def parse_evaluation(values: State, t: Translator) -> EvaluationInput | dict[str, str]:
    """The validated input, or block id → message for `response_action: errors`."""
    raw: dict[str, Any] = {field: read(values, field) for field in CRITERIA}
    raw["comments"] = read(values, "comments")
    raw["certificate_issued"] = ISSUED in read_many(values, "certificate")
    errors: dict[str, str] = {}
    try:
        parsed = EvaluationInput.model_validate(raw)
    except ValidationError as exc:
        for field in first_errors(exc):
            errors[field] = (t.gettext("Keep this to at most 3,000 characters.") if field == "comments"
                             else t.gettext("Choose a grade."))
        parsed = None
    if not raw["certificate_issued"]:
        errors["certificate"] = t.gettext("Confirm that the internship certificate has been issued.")
    return errors if errors or parsed is None else parsed


def intern_id_from(private_metadata: str) -> int | None:
    """The intern an evaluation modal is about (which one, never whether allowed), or None."""
    try:
        value = json.loads(private_metadata or "{}").get("intern_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and 0 < value < 2**31 else None


__all__ = ["EvaluationInput", "evaluation_modal", "intern_id_from", "parse_evaluation"]
