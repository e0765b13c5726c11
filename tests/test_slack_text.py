"""Escaping and cutting user text for Slack: what fits is kept, and nothing is cut in half."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.slack.text import escape, escape_within, escaped_pieces, headed_pieces, truncate, truncate_mrkdwn


def test_escape_makes_slack_control_sequences_literal() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert escape(None) == ""


def test_text_that_fits_once_escaped_is_kept_whole() -> None:
    assert escape_within("A&B", 7) == "A&amp;B"


def test_a_cut_keeps_as_much_as_fits_when_most_characters_are_escaped() -> None:
    # 2,800 characters that escape to 5,600: half of them fit in 2,980, not a tenth.
    text = "A&B " * 700
    cut = escape_within(text, 2980)
    assert 2980 - len("A&amp;B ") - 1 <= len(cut) <= 2980
    assert cut.endswith(" A&amp;B…")  # after a whole word
    assert escape_within("<" * 1000, 3000) == "&lt;" * 749 + "…"  # no word to keep whole: whole entities
    assert escape_within("&<>" * 1000, 3000) == escape(("&<>" * 1000)[:692]) + "…"  # 230 × 13 + 5 + 4 = 2,999


def test_a_cut_never_splits_an_entity() -> None:
    assert escape_within("ab&cd", 6) == "ab…"
    assert escape_within("ab&cd", 8) == "ab&amp;…"


_WORDS = st.text(alphabet=st.sampled_from("a&<>中@U"), min_size=1, max_size=3)


@given(st.lists(_WORDS, max_size=200), st.integers(min_value=17, max_value=400))
def test_a_cut_falls_between_words(words: list[str], limit: int) -> None:
    """A word escapes to at most 15 characters here, less than the 16 a cut may go back to find a space."""
    text = " ".join(words)
    cut = escape_within(text, limit)
    assert len(cut) <= limit
    if len(escape(text)) <= limit:
        assert cut == escape(text)
        return
    kept = cut.removesuffix("…")
    rest = escape(text)[len(kept):]
    assert escape(text).startswith(kept)
    assert rest[:1].isspace() or "中" in (kept[-1:], rest[:1]), (kept[-20:], rest[:20])  # after a space, or by 中
    assert len(escape(text)[: len(kept) + len(rest) - len(rest.lstrip())]) > limit - 18  # nothing much lost


@given(st.lists(st.sampled_from(["a", "&", "<", "中", " ", "\n", "*", "e\u0301", "👩\u200d💻", "。"]), max_size=300)
       .map("".join), st.integers(min_value=1, max_value=400))
def test_a_cut_never_splits_an_entity_a_token_or_a_character(text: str, limit: int) -> None:
    cut = escape_within(text, limit)
    assert len(cut) <= limit
    kept = cut.removesuffix("…")
    escaped = escape(text)
    if not escaped.startswith(kept):  # an emphasis run it could not avoid, closed before the ellipsis
        assert kept[-1] in "*_~" and escaped.startswith(kept[:-1])
        kept = kept[:-1]
    assert "&" not in kept.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")
    rest = escaped[len(kept):]
    if kept and rest:
        assert kept[-1] != "\u200d" and rest[0] not in "\u200d\u0301"
    built = f"<@U0TEACHER> {escape(text)} <#C0PARTNER> <https://example.org/a_b|{escape(text)}>"
    shown = truncate_mrkdwn(built, limit).removesuffix("…")
    for token in ("<@U0TEACHER>", "<#C0PARTNER>"):
        assert token in shown or token[:2] not in shown  # whole, or not at all
    assert shown.count("<") == shown.count(">")


@given(st.lists(st.one_of(_WORDS.map(escape), st.lists(_WORDS.map(escape), min_size=1, max_size=4)
                          .map(lambda ws: "*" + " ".join(ws) + "*")), max_size=100),
       st.integers(min_value=2, max_value=300))
def test_a_cut_leaves_no_bold_run_open(parts: list[str], limit: int) -> None:
    text = " ".join(parts)
    cut = truncate_mrkdwn(text, limit)
    assert len(cut) <= limit and cut.count("*") % 2 == 0, cut


def test_a_cut_keeps_mentions_and_bold_runs_whole_where_it_can() -> None:
    assert truncate_mrkdwn("Report *欧阳娜娜 (S2024002)* from the workshop", 24) == "Report…"
    closed = "Report on *the broken press*…"
    assert truncate_mrkdwn("Report on *the broken press guard* from the workshop", 30) == closed
    assert truncate_mrkdwn("*" + "长" * 100 + "*", 30) == "*" + "长" * 27 + "*…"
    # A person at a laptop, not a person and a laptop; each is 5 UTF-16 units (👩 2, the joiner 1, 💻 2).
    assert truncate("👩\u200d💻" * 10, 11) == "👩\u200d💻" * 2 + "…"
    assert truncate("👩\u200d💻" * 10, 10) == "👩\u200d💻" + "…"


def test_chinese_is_cut_between_any_two_characters_but_not_before_its_punctuation() -> None:
    assert truncate("右手被机器划伤，已送医。", 8) == "右手被机器划…"  # not "右手被机器划伤" + "，…"
    pieces = list(escaped_pieces("右手被机器划伤，已送医。" * 30, 50))
    assert "".join(pieces) == "右手被机器划伤，已送医。" * 30
    assert all(len(piece) <= 50 and piece[:1] not in "，。" for piece in pieces)  # no line starts with them


def test_a_long_text_in_sections_is_split_between_words_not_inside_a_typed_mention() -> None:
    """A 3,000-character description split as "…&lt;@U0DEMOMEN" | "TOR&gt;…"."""
    text = "Checked the guard " * 165 + "<@U0DEMOMENTOR> was told."
    first, second = headed_pieces("*What happened*\n", text)
    assert first.endswith("Checked the guard ") and second == "&lt;@U0DEMOMENTOR&gt; was told."


def test_truncate_counts_characters_not_bytes() -> None:
    assert truncate("欧阳娜娜同学", 4) == "欧阳娜…"
    assert truncate("短", 4) == "短"


def test_form_text_with_nothing_visible_is_empty_and_other_text_is_stripped() -> None:
    from bot.slack.forms import blank_to_none, stripped

    assert stripped("  右手被划伤  ") == "右手被划伤"
    assert stripped("\u200b") == "" and stripped("\u3000\u00a0\ufeff\u2060") == ""
    assert stripped("\u200bA") == "\u200bA"  # something visible: kept as typed, only the blank ends go
    assert blank_to_none(" \u200b ") is None and blank_to_none("x") == "x" and blank_to_none(3) == 3


def test_form_text_loses_direction_overrides_that_would_reverse_what_we_post_after_it() -> None:
    """A meeting titled "周会\u202e" would show the date and time we put after the title backwards; names
    refuse these characters, typed text loses them (marks such as U+200F, which override nothing, stay)."""
    from pydantic import TypeAdapter

    from bot.meetings.forms import Title
    from bot.problems.forms import OptionalText
    from bot.slack.forms import stripped

    assert stripped("周会\u202e") == "周会" and stripped("\u2067عربى\u2069 ok") == "عربى ok"
    assert stripped("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") == ""
    assert stripped("שלום\u200f") == "שלום\u200f"
    assert TypeAdapter(Title).validate_python("周会\u202e") == "周会"  # the forms' text types use it
    assert TypeAdapter(OptionalText).validate_python("\u202e") is None


@given(st.text(alphabet=st.sampled_from("a&<>中 \n"), max_size=400), st.integers(min_value=5, max_value=120))
def test_escaped_pieces_hold_all_of_the_text_and_none_splits_an_entity(text: str, limit: int) -> None:
    from bot.slack.text import escaped_pieces

    pieces = list(escaped_pieces(text, limit))
    assert "".join(pieces) == escape(text)
    for piece in pieces:
        assert 0 < len(piece) <= limit
        assert "&" not in piece.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")


def test_built_mrkdwn_is_never_cut_inside_an_entity_or_a_mention() -> None:
    from bot.slack.text import truncate_mrkdwn

    assert truncate_mrkdwn("复盘 &amp; 整理", 8) == "复盘…"
    assert truncate_mrkdwn("复盘 &lt;x&gt;", 10) == "复盘…"  # not the typed word "<x" cut in half
    assert truncate_mrkdwn("https://example.org/" + "a" * 40, 30) == "https://example.org/" + "a" * 9 + "…"
    assert truncate_mrkdwn("Invited: <@U0TEACHER> <@U0MENTOR>", 28) == "Invited: <@U0TEACHER>…"
    assert truncate_mrkdwn("short", 10) == "short"


@given(st.text(alphabet=st.sampled_from("a&<>中\n"), max_size=3000), st.sampled_from(["", "*What happened*\n"]))
def test_headed_pieces_carry_all_of_the_text_within_each_sections_limit(text: str, head: str) -> None:
    from bot.slack.text import escape, headed_pieces

    pieces = headed_pieces(head, text)
    assert all(len(piece) <= 3000 for piece in pieces)
    assert "".join(pieces) == head + escape(text)


# Slack's limits by its strictest count: UTF-16 units, where an emoji or a CJK Extension B ideograph counts two.
def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_ASTRAL = st.lists(st.sampled_from(["😀", "𠀀", "𪚥", "中", "a", " ", "&", "<", "👩\u200d💻", "🇨🇳", "。"]),
                   max_size=300).map("".join)


@given(_ASTRAL, st.integers(min_value=1, max_value=400))
def test_every_cut_fits_slacks_count_of_utf16_units(text: str, limit: int) -> None:
    from bot.slack.text import slack_length

    assert slack_length(text) == _units(text)
    for cut in (escape_within(text, limit), truncate(text, limit), truncate_mrkdwn(escape(text), limit)):
        assert _units(cut) <= limit, (limit, cut)


@given(_ASTRAL, st.integers(min_value=32, max_value=400))
def test_pieces_of_astral_text_each_fit_in_utf16_units_and_hold_it_whole(text: str, limit: int) -> None:
    pieces = list(escaped_pieces(text, limit))
    assert "".join(pieces) == escape(text)
    assert all(_units(piece) <= limit for piece in pieces)
    head, *rest = headed_pieces("*What happened*\n", text, limit)
    assert _units(head) <= limit and all(_units(piece) <= limit for piece in rest)


def test_a_text_of_emoji_within_the_limit_in_code_points_is_cut_to_it_in_utf16_units() -> None:
    """75 emoji are 75 code points (what `len` and slack_sdk count) but 150 UTF-16 units: an option's text of
    them is cut to 74 units and the ellipsis."""
    cut = truncate("😀" * 75, 75)
    assert cut == "😀" * 37 + "…" and _units(cut) == 75
    assert truncate("𠀀" * 37 + "a", 75) == "𠀀" * 37 + "a"  # exactly 75 units: kept whole
