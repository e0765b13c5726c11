"""Reading Slack view state and building the common modal pieces, for every form. The blocks in between
come from `bot.slack.blocks` (whose `plain` this module uses, and still offers to code importing it from here)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from bot.i18n.catalog import Translator
from bot.slack.blocks import plain
from bot.slack.text import slack_length, truncate

State = dict[str, dict[str, dict[str, Any]]]
Model = TypeVar("Model", bound=BaseModel)

# Explicit direction overrides, embeddings and isolates (U+202A–E, U+2066–9): invisible, and one left open
# in a title reverses the text we post after it (the date and time beside a meeting's title). Names refuse
# them (models.schemas); typed text loses them.
_DIRECTION_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def read(values: State, block_id: str) -> Any:
    """The plain value a person entered in a block, whatever the element type (None if untouched)."""
    block = values.get(block_id) or {}
    if not isinstance(block, dict) or not block:
        return None
    element = next(iter(block.values()))
    if not isinstance(element, dict):
        return None
    for key in ("value", "selected_date", "selected_time", "selected_date_time", "selected_user",
                "selected_conversation", "selected_channel"):
        if key in element:
            return element[key]
    if "selected_option" in element:
        option = element["selected_option"]
        return option.get("value") if isinstance(option, dict) else None
    if "selected_options" in element:
        return [o.get("value") for o in element["selected_options"] or [] if isinstance(o, dict)]
    if "selected_users" in element:
        return element["selected_users"]
    return None


def read_many(values: State, block_id: str) -> list[str]:
    """The values chosen in a block that takes several (checkboxes, people): a list of strings, empty
    when nothing is chosen or the block holds anything else (a forged payload gets "required", not an error)."""
    chosen = read(values, block_id)
    return [v for v in chosen if isinstance(v, str)] if isinstance(chosen, list) else []


def stripped(value: Any) -> Any:
    """Typed text without the blank around it, and empty when nothing in it is visible: whitespace (U+3000
    and no-break spaces too) and invisible format characters (a zero-width space, a joiner, a BOM) alone
    would post as a blank line, so they count as empty. Direction overrides are dropped. Anything but a
    string passes through."""
    if not isinstance(value, str):
        return value
    text = value.translate(_DIRECTION_CONTROLS).strip()
    return text if any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in text) else ""


def blank_to_none(value: Any) -> Any:
    """`stripped`, with empty text as "not given"."""
    text = stripped(value)
    return (text or None) if isinstance(text, str) else text


OPTION_TEXT_LIMIT = 75  # Slack's limit on an option's text


def option(label: str, value: str) -> dict[str, Any]:
    return {"text": plain(truncate(label, OPTION_TEXT_LIMIT)), "value": value}


def named_option(name: str, detail: str, value: str, t: Translator) -> dict[str, Any]:
    """An option reading "name (detail)" in the reader's brackets ("王芳（S2024001）" in Chinese), e.g. an intern
    and their student id: a long name is shortened, never the detail, which is what tells two people of the
    same name apart."""
    room = OPTION_TEXT_LIMIT - slack_length(t.aside("", detail))
    return option(t.aside(truncate(name, max(room, 1)), detail), value)


def input_block(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
                hint: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": plain(label), "element": element,
                             "optional": optional}
    if hint:
        block["hint"] = plain(hint)
    return block


def modal(callback_id: str, title: str, blocks: list[dict[str, Any]], *, submit: str | None, close: str,
          private_metadata: str = "") -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "callback_id": callback_id, "title": plain(truncate(title, 24)),
                            "close": plain(truncate(close, 24)), "blocks": blocks, "private_metadata": private_metadata}
    if submit:
        view["submit"] = plain(truncate(submit, 24))
    return view


def first_errors(exc: ValidationError) -> dict[str, str]:
    """Field name → pydantic error type, first error per field."""
    found: dict[str, str] = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "__root__"
        found.setdefault(field, str(error["type"]))
    return found


class FormErrors(dict[str, str]):
    """A submission the form refuses: block id → words, for `response_action: errors`. It also carries what
    the form did accept (`accepted`: the fields valid on their own, by name, validated), so that the service
    checks those too and every field's error comes back in the same answer (handlers.common.answer_submission)."""

    def __init__(self, errors: Mapping[str, str] | None = None, accepted: Mapping[str, Any] | None = None) -> None:
        super().__init__(errors or {})
        self.accepted: dict[str, Any] = dict(accepted or {})


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    field_type: Any = Annotated[info.annotation, info]  # the field's type with its own rules (pydantic reads both)
    return TypeAdapter(field_type)


def accepted_fields(model: type[BaseModel], raw: Mapping[str, Any], failed: Iterable[str] = ()) -> dict[str, Any]:
    """The fields of `raw` that `model` accepts each on its own (validated by that field's rules), but those
    in `failed`."""
    skip = set(failed)
    accepted: dict[str, Any] = {}
    for name in model.model_fields:
        if name in skip or name not in raw:
            continue
        try:
            accepted[name] = _field_adapter(model, name).validate_python(raw[name])
        except ValidationError:
            continue
    return accepted


def validated(model: type[Model], raw: Mapping[str, Any], words: Callable[[str, str], str]) -> Model | FormErrors:
    """`raw` validated as `model`, or the errors (field → `words(field, pydantic error type)`, the first per
    field) with the fields it accepted."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        kinds = first_errors(exc)
        return FormErrors({field: words(field, kind) for field, kind in kinds.items()},
                          accepted_fields(model, raw, kinds))
