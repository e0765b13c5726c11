"""Slack's Block Kit limits, as the fake Slack enforces them: what real Slack answers with `invalid_blocks`
(messages) or `invalid_arguments` (views), so every test that posts or opens something proves it fits.

Only what Slack itself refuses is checked here (lengths, counts, duplicate ids, missing texts); what good
taste asks (escaping people's text) is for the tests to assert. Limits from api.slack.com/reference/block-kit,
counted in UTF-16 units (`utf16_units`).
"""

from __future__ import annotations

from typing import Any

TEXT_LIMITS = {"section": 3000, "header": 150, "context": 2000}
ELEMENT_TEXT = 75  # a button's or an option's text
SELECTS = {"static_select", "multi_static_select", "external_select", "multi_external_select", "users_select",
           "multi_users_select", "conversations_select", "channels_select", "overflow", "radio_buttons",
           "checkboxes"}


def block_problems(blocks: Any, *, most: int) -> list[str]:
    """Why Slack would refuse these blocks (empty when it would take them)."""
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    problems = [f"{len(blocks)} blocks > {most}"] if len(blocks) > most else []
    seen: set[str] = set()
    for n, block in enumerate(blocks):
        where = f"blocks[{n}]"
        if not isinstance(block, dict):
            problems.append(f"{where} is not an object")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            problems += _string(f"{where}.block_id", block_id, 255)
            if block_id in seen:
                problems.append(f"{where}.block_id {block_id!r} repeats")
            seen.add(block_id)
        problems += _block(where, block)
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    problems = block_problems(view.get("blocks") or [], most=100)
    if view.get("type") == "modal":
        problems += _text("title", view.get("title"), 24)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                problems += _text(key, view[key], 24)
    problems += _string("private_metadata", view.get("private_metadata") or "", 3000)
    problems += _string("callback_id", view.get("callback_id") or "", 255)
    return problems


def _block(where: str, block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    problems: list[str] = []
    if kind == "section":
        if block.get("text") is None and not block.get("fields"):
            problems.append(f"{where}: a section needs text or fields")
        if block.get("text") is not None:
            problems += _text(f"{where}.text", block["text"], TEXT_LIMITS["section"])
        fields = block.get("fields") or []
        if len(fields) > 10:
            problems.append(f"{where}: {len(fields)} fields > 10")
        for i, field in enumerate(fields):
            problems += _text(f"{where}.fields[{i}]", field, 2000)
        if block.get("accessory") is not None:
            problems += _element(f"{where}.accessory", block["accessory"])
    elif kind == "header":
        problems += _text(f"{where}.text", block.get("text"), TEXT_LIMITS["header"], plain=True)
    elif kind == "context":
        elements = block.get("elements") or []
        if not elements or len(elements) > 10:
            problems.append(f"{where}: {len(elements)} context elements (1 to 10)")
        for i, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in ("mrkdwn", "plain_text"):
                problems += _text(f"{where}.elements[{i}]", element, TEXT_LIMITS["context"])
    elif kind == "actions":
        elements = block.get("elements") or []
        if not elements or len(elements) > 25:
            problems.append(f"{where}: {len(elements)} action elements (1 to 25)")
        ids = [e.get("action_id") for e in elements if isinstance(e, dict) and e.get("action_id")]
        if len(ids) != len(set(ids)):
            problems.append(f"{where}: an action_id repeats")
        for i, element in enumerate(elements):
            problems += _element(f"{where}.elements[{i}]", element)
    elif kind == "input":
        problems += _text(f"{where}.label", block.get("label"), 2000, plain=True)
        if block.get("hint") is not None:
            problems += _text(f"{where}.hint", block["hint"], 2000, plain=True)
        problems += _element(f"{where}.element", block.get("element"))
    return problems


def _element(where: str, element: Any) -> list[str]:
    if not isinstance(element, dict):
        return [f"{where} is not an object"]
    problems = _string(f"{where}.action_id", element.get("action_id") or "", 255)
    kind = element.get("type")
    if kind == "button":
        problems += _text(f"{where}.text", element.get("text"), ELEMENT_TEXT, plain=True)
        problems += _string(f"{where}.value", element.get("value") or "", 2000)
    if element.get("placeholder") is not None:
        problems += _text(f"{where}.placeholder", element["placeholder"], 150, plain=True)
    if kind in SELECTS:
        options = element.get("options") or []
        most = 5 if kind == "overflow" else 10 if kind in ("radio_buttons", "checkboxes") else 100
        if len(options) > most:
            problems.append(f"{where}: {len(options)} options > {most}")
        chosen = [element["initial_option"]] if "initial_option" in element else []
        for i, option in enumerate([*options, *chosen]):
            problems += _option(f"{where}.options[{i}]", option)
    if kind == "plain_text_input":
        longest = element.get("max_length")
        if longest is not None and not 1 <= int(longest) <= 3000:
            problems.append(f"{where}.max_length {longest} outside 1–3000")
        initial = element.get("initial_value")
        if isinstance(initial, str) and longest is not None and utf16_units(initial) > int(longest):
            problems.append(f"{where}.initial_value longer than max_length")
    return problems


def _option(where: str, option: Any) -> list[str]:
    if not isinstance(option, dict):
        return [f"{where} is not an object"]
    return _text(f"{where}.text", option.get("text"), ELEMENT_TEXT) + _string(
        f"{where}.value", option.get("value") or "", 150)


def utf16_units(text: str) -> int:
    """A length as Slack's strictest reading counts it (UTF-16 code units, as its clients do): an emoji or a
    CJK Extension B ideograph counts 2. Counted here independently of the app's own `slack_length`."""
    return len(text.encode("utf-16-le")) // 2


def _text(where: str, obj: Any, limit: int, *, plain: bool = False) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [f"{where}: missing text object"]
    if plain and obj.get("type") != "plain_text":
        return [f"{where}: must be plain_text"]
    text = obj["text"]
    if not text:
        return [f"{where}: empty text"]
    size = utf16_units(text)
    return [f"{where}: {size} characters > {limit}"] if size > limit else []


def _string(where: str, value: Any, limit: int) -> list[str]:
    size = utf16_units(str(value))
    return [f"{where}: {size} characters > {limit}"] if size > limit else []
