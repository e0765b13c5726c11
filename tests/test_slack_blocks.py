"""The Block Kit kit (bot.slack.blocks): the shapes every builder shares, and where it cuts."""

from __future__ import annotations

from bot.slack.blocks import (
    actions,
    button,
    confirmation,
    context,
    divider,
    field,
    fields,
    header,
    mrkdwn,
    plain,
    section,
)


def test_a_section_is_mrkdwn_or_a_text_object_with_what_is_given_and_nothing_else() -> None:
    assert section("*hi*") == {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}
    menu = {"type": "static_select", "action_id": "m", "options": []}
    assert section("x", menu, block_id="b") == {"type": "section", "block_id": "b", "text": mrkdwn("x"),
                                                "accessory": menu}
    assert section(plain("a < b")) == {"type": "section", "text": {"type": "plain_text", "text": "a < b",
                                                                   "emoji": True}}


def test_a_section_cuts_only_when_asked_and_never_inside_an_entity() -> None:
    long = "a" * 2998 + "&amp;" + "b" * 10
    assert section(long)["text"]["text"] == long
    cut = section(long, cut=True)["text"]["text"]
    assert len(cut) <= 3000 and cut == "a" * 2998 + "…"


def test_fields_label_each_value_and_take_a_text_above_them() -> None:
    assert field("When", 3) == "*When*\n3"
    assert fields(("When", "today"), ("Status", 2)) == {"type": "section", "fields": [
        mrkdwn("*When*\ntoday"), mrkdwn("*Status*\n2")]}
    assert fields(("A", 1), text="*Counts*") == {"type": "section", "text": mrkdwn("*Counts*"),
                                                 "fields": [mrkdwn("*A*\n1")]}


def test_a_header_keeps_to_150_characters() -> None:
    assert header("Hello") == {"type": "header", "text": plain("Hello")}
    assert header("x" * 200)["text"]["text"] == "x" * 149 + "…"


def test_context_divider_and_actions() -> None:
    assert context("a", plain("b")) == {"type": "context", "elements": [mrkdwn("a"), plain("b")]}
    assert divider() == {"type": "divider"}
    go = button("go", "Go")
    assert actions([go]) == {"type": "actions", "elements": [go]}
    assert actions((go,), block_id="row") == {"type": "actions", "block_id": "row", "elements": [go]}


def test_a_button_sends_a_value_and_a_style_only_when_it_has_them() -> None:
    assert button("go", "Go") == {"type": "button", "action_id": "go", "text": plain("Go")}
    assert button("go", "Go", "") == button("go", "Go")
    assert button("go", "Go", 7, "primary") == {"type": "button", "action_id": "go", "text": plain("Go"),
                                                 "value": "7", "style": "primary"}
    sure = confirmation("Sure?", "It cannot be undone.", "Yes", "No")
    assert sure == {"title": plain("Sure?"), "text": plain("It cannot be undone."), "confirm": plain("Yes"),
                    "deny": plain("No")}
    assert button("go", "Go", "p:1", confirm=sure)["confirm"] == sure
