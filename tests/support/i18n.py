"""The message catalogs as tests read them, and the checker that every rendered view and message fits
Slack's limits — without being cut to fit.

Slack rejects a view whose title is 25 characters, and our builders cut some texts to stay inside the
limits; a cut translation is as wrong as a rejected one. So `check` walks the rendered Block Kit and
fails on a text over its limit or on one that is a cut-off catalog string.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from bot.i18n.catalog import LOCALE_DIR, available_languages

LANGUAGES = available_languages()


def read_catalog(language: str) -> Catalog:
    with (LOCALE_DIR / language / "LC_MESSAGES" / "coopbot.po").open("rb") as handle:
        return read_po(handle, locale=language)


def message_ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def message_strings(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string or [])


# (parent key, key) → limit; "*" matches any parent. From Slack's Block Kit reference.
LIMITS: dict[tuple[str, str], int] = {
    ("view", "title"): 24, ("view", "submit"): 24, ("view", "close"): 24,
    ("button", "text"): 75, ("option", "text"): 75, ("option", "description"): 75,
    ("header", "text"): 150, ("*", "placeholder"): 150,
    ("confirm", "title"): 100, ("confirm", "text"): 300, ("confirm", "confirm"): 30, ("confirm", "deny"): 30,
    ("input", "label"): 2000, ("input", "hint"): 2000, ("section", "text"): 3000, ("field", "text"): 2000,
    ("context", "text"): 2000, ("message", "text"): 4000,
}


def _is_text(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str)


def _kind(node: dict[str, Any], key: str) -> str:
    """What a dict is, for LIMITS: a view, a confirm dialog, an option, or a block/element by its type."""
    if node.get("type") in ("modal", "home"):
        return "view"
    if key == "confirm":
        return "confirm"
    if key in ("options", "initial_option"):
        return "option"
    return str(node.get("type") or key)


def texts_with_limits(node: Any, kind: str = "message") -> Iterator[tuple[str, str, int]]:
    """(where, text, limit) for every limited text in a rendered view, message or (text, blocks) pair."""
    if isinstance(node, tuple | list):
        for item in node:
            if isinstance(item, str):
                yield "message.text", item, LIMITS["message", "text"]
            elif isinstance(item, dict):
                yield from texts_with_limits(item, _kind(item, kind))
            else:
                yield from texts_with_limits(item, kind)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        limit = LIMITS.get((kind, key)) or LIMITS.get(("*", key))
        if _is_text(value) or isinstance(value, str):
            text = value["text"] if isinstance(value, dict) else value
            if limit and key != "type":
                yield f"{kind}.{key}", text, limit
        elif isinstance(value, dict):
            yield from texts_with_limits(value, _kind(value, key))
        elif isinstance(value, list):
            for item in value:
                if _is_text(item):  # context elements and section fields are bare text objects
                    owner = "field" if key == "fields" else kind
                    yield f"{owner}.text", item["text"], LIMITS.get((owner, "text"), 3000)
                elif isinstance(item, dict):
                    yield from texts_with_limits(item, _kind(item, key))


def _catalog_texts() -> set[str]:
    found: set[str] = set()
    for language in available_languages():
        if language != "en":
            for message in read_catalog(language):
                found.update(message_strings(message))
                found.update(message_ids(message))
    return {t for t in found if t}


CATALOG_TEXTS = _catalog_texts()


def check(rendered: Any, what: str) -> None:
    """Fail on a text over its Slack limit, or one that is a catalog string cut to fit."""
    top = _kind(rendered, "message") if isinstance(rendered, dict) else "message"
    for where, text, limit in texts_with_limits(rendered, top):
        assert len(text) <= limit, f"{what}: {where} has {len(text)} > {limit} characters: {text!r}"
        cut = [full for full in CATALOG_TEXTS
               if len(text) >= limit and len(full) > len(text) and full.startswith(text)]
        assert not cut, f"{what}: {where} was cut to {limit} characters: {cut[0]!r}"
