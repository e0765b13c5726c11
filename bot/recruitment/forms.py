"""The recruitment modals: posting an opening, and recommending interns for one (a picker over the
partnership's interns, best evaluated first, each option showing the evaluation result)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from bot.i18n.catalog import Translator
from bot.recruitment.ids import RecruitmentCallback
from bot.recruitment.snapshot import Candidate, EvaluationResult, OpeningSnapshot
from bot.slack.blocks import context, plain
from bot.slack.forms import FormErrors, State, blank_to_none, input_block, modal, option, read, read_many, validated
from bot.slack.text import truncate
from models.internship import Grade

MAX_TEXT = 3000
MOST_OPTIONS = 100  # Slack's limit on a static select's options
GRADE_INITIALS = ((Grade.EXCELLENT, "excellent"), (Grade.GOOD, "good"), (Grade.PASS, "pass"), (Grade.FAIL, "fail"))

Text200 = Annotated[str, BeforeValidator(blank_to_none), StringConstraints(min_length=1, max_length=200)]


class OpeningInput(BaseModel):
    model_config = ConfigDict(frozen=True)

    partnership: int
    title: Text200
    post: Text200
    number: Annotated[int, Field(ge=1, le=1000)]
    deadline: date
    description: Annotated[Annotated[str, Field(max_length=MAX_TEXT)] | None, BeforeValidator(blank_to_none)] = None


def opening_modal(partnerships: list[tuple[int, str]], t: Translator) -> dict[str, Any]:
    _ = t.gettext
    blocks: list[dict[str, Any]] = []
    if len(partnerships) > 1:
        blocks.append(input_block("partnership", _("Partnership"), {
            "type": "static_select", "action_id": "value",
            "options": [option(name, str(pid)) for pid, name in partnerships[:MOST_OPTIONS]]}))
    blocks += [
        input_block("title", _("Title"), {"type": "plain_text_input", "action_id": "value", "max_length": 200}),
        input_block("post", _("Post"), {"type": "plain_text_input", "action_id": "value", "max_length": 200}),
        input_block("number", _("Number of posts"), {"type": "number_input", "action_id": "value",
                                                      "is_decimal_allowed": False, "min_value": "1",
                                                      "max_value": "1000"}),
        input_block("deadline", _("Application deadline"), {"type": "datepicker", "action_id": "value"}),
        input_block("description", _("Description"), {"type": "plain_text_input", "action_id": "value",
                                                      "multiline": True, "max_length": MAX_TEXT}, optional=True),
    ]
    only = partnerships[0][0] if len(partnerships) == 1 else None
    return modal(RecruitmentCallback.POST_OPENING, _("Post an opening"), blocks, submit=_("Post"),
                 close=_("Cancel"), private_metadata=json.dumps({"partnership": only}))


def parse_opening(values: State, private_metadata: str, t: Translator) -> OpeningInput | FormErrors:
    try:
        fixed = json.loads(private_metadata or "{}").get("partnership")
    except (ValueError, AttributeError):
        fixed = None
    raw = {"partnership": fixed if fixed is not None else read(values, "partnership"),
           "title": read(values, "title"), "post": read(values, "post"), "number": read(values, "number"),
           "deadline": read(values, "deadline"), "description": read(values, "description")}

    def words(field: str, kind: str) -> str:
        if field == "number":
            return t.gettext("Enter a whole number from 1 to 1000.")
        if field == "deadline":
            return t.gettext("Choose a date.")
        if field == "description":
            return t.gettext("Keep this to at most 3,000 characters.")
        if field == "partnership":
            return t.gettext("Choose a partnership.")
        return t.gettext("Enter up to 200 characters.")

    return validated(OpeningInput, raw, words)


def evaluation_words(result: EvaluationResult | None, t: Translator) -> str:
    """"excellent ×3, good ×2" (the grades of the five criteria), or "not evaluated yet"."""
    if result is None:
        return t.gettext("not evaluated yet")
    labels = {Grade.EXCELLENT: t.gettext("Excellent"), Grade.GOOD: t.gettext("Good"), Grade.PASS: t.gettext("Pass"),
              Grade.FAIL: t.gettext("Fail")}
    return t.gettext(", ").join(f"{labels[g]} ×{result.count(g)}" for g, _ in GRADE_INITIALS if result.count(g))


def recommend_modal(opening: OpeningSnapshot, candidates: list[Candidate], t: Translator) -> dict[str, Any]:
    """The picker lists the partnership's interns best evaluated first (the order the service gives), each
    option reading "name (student id) · evaluation"."""
    _ = t.gettext
    options = [option(truncate(f"{t.aside(c.name, c.student_id)} · {evaluation_words(c.evaluation, t)}", 75),
                      str(c.intern_id)) for c in candidates[:MOST_OPTIONS]]
    about = _("{title} · {post} · {number} posts · apply by {deadline}").format(
        title=opening.title, post=opening.post, number=opening.number, deadline=t.date(opening.deadline))
    blocks: list[dict[str, Any]] = [context(plain(truncate(about, 150)))]
    if options:
        blocks.append(input_block("interns", _("Interns to recommend"), {
            "type": "multi_static_select", "action_id": "value", "options": options},
            hint=_("Best evaluated first.")))
    else:
        blocks.append(context(plain(_("No intern of this partnership is left to recommend."))))
    return modal(RecruitmentCallback.RECOMMEND, _("Recommend interns"), blocks,
                 submit=_("Recommend") if options else None, close=_("Cancel"),
                 private_metadata=json.dumps({"opening_id": opening.id}))


def parse_recommendation(values: State) -> list[int]:
    return sorted({int(v) for v in read_many(values, "interns") if str(v).isdigit() and 0 < int(v) < 2**31})


def opening_id_from(private_metadata: str) -> int | None:
    try:
        value = json.loads(private_metadata or "{}").get("opening_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and 0 < value < 2**31 else None
