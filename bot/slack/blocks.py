"""The Block Kit kit: small pure builders that every message, modal and App Home is made of.

Text given as `str` is mrkdwn that the caller has already made safe (people's text escaped, our own
`<@U…>`); a text object (`plain(…)`) passes as it is. Nothing here escapes. Cutting is the caller's choice,
except where Slack's limit is the only sensible one: `header` keeps to its 150 characters, and `section(…,
cut=True)` keeps mrkdwn to a section's 3,000 without splitting an entity or a `<…>`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.slack.text import SECTION_LIMIT, truncate, truncate_mrkdwn

Block = dict[str, Any]
Blocks = list[Block]
Text = str | Block  # mrkdwn, or a text object

HEADER_LIMIT = 150  # characters of a header's text


def plain(text: str) -> Block:
    """A plain_text object (emoji shown as emoji)."""
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def _text(text: Text) -> Block:
    return mrkdwn(text) if isinstance(text, str) else text


def section(text: Text, accessory: Block | None = None, *, block_id: str | None = None, cut: bool = False) -> Block:
    """A section of text (mrkdwn, or a text object), with a button or menu beside it. `cut`: mrkdwn kept
    within a section's 3,000 characters (`truncate_mrkdwn`)."""
    block: Block = {"type": "section"}
    if block_id:
        block["block_id"] = block_id
    block["text"] = _text(truncate_mrkdwn(text, SECTION_LIMIT) if cut and isinstance(text, str) else text)
    if accessory:
        block["accessory"] = accessory
    return block


def field(label: str, value: object) -> str:
    """One labelled field: the label bold, the value (mrkdwn, already safe) on the line below."""
    return f"*{label}*\n{value}"


def fields(*pairs: tuple[str, object], text: str | None = None) -> Block:
    """A section of labelled fields, shown in two columns (`field` each), with `text` above them if given."""
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = mrkdwn(text)
    block["fields"] = [mrkdwn(field(label, value)) for label, value in pairs]
    return block


def header(text: str) -> Block:
    """A header: plain text, within Slack's 150 characters (marked where cut)."""
    return {"type": "header", "text": plain(truncate(text, HEADER_LIMIT))}


def context(*elements: Text) -> Block:
    """Small print: mrkdwn texts, or text objects (`plain(…)`)."""
    return {"type": "context", "elements": [_text(e) for e in elements]}


def divider() -> Block:
    return {"type": "divider"}


def button(action_id: str, label: str, value: str | int | None = None, style: str | None = None, *,
           confirm: Block | None = None) -> Block:
    """A button; `value` (an id, a page) says which thing, never whether one may. No value: none sent."""
    element: Block = {"type": "button", "action_id": action_id, "text": plain(label)}
    if value is not None and value != "":
        element["value"] = str(value)
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirmation(title: str, text: str, yes: str, no: str) -> Block:
    """The "are you sure?" dialog a button shows before it acts."""
    return {"title": plain(title), "text": plain(text), "confirm": plain(yes), "deny": plain(no)}


def actions(elements: Iterable[Block], *, block_id: str | None = None) -> Block:
    """A row of buttons (or menus)."""
    block: Block = {"type": "actions"}
    if block_id:
        block["block_id"] = block_id
    block["elements"] = list(elements)
    return block
