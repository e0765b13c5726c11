"""Slack as the tests see it: the credentials the app and the fake Slack share, and Block Kit built for a test
or read back out of what the app sent."""

from __future__ import annotations

from typing import Any

BOT_TOKEN = "xoxb-test-token"  # the token FakeSlack accepts unless told otherwise
SIGNING_SECRET = "test-signing-secret"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(title: str = "报告问题", blocks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"type": "modal", "callback_id": "report", "private_metadata": "p1",
            "title": {"type": "plain_text", "text": title}, "submit": {"type": "plain_text", "text": "提交"},
            "blocks": blocks if blocks is not None else [section("第一步")]}


def buttons(message: dict[str, Any]) -> list[str]:
    """The action ids of a message's buttons (its actions blocks' elements), in order."""
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def text_of(message: dict[str, Any]) -> str:
    """Everything a person reads in a message (its blocks' texts)."""
    parts = [str(message.get("text") or "")]
    for block in message.get("blocks") or []:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        parts += [f.get("text", "") for f in block.get("fields") or []]
        parts += [e.get("text", "") if isinstance(e.get("text"), str) else (e.get("text") or {}).get("text", "")
                  for e in block.get("elements") or []]
    return "\n".join(parts)
