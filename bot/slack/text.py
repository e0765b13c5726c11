"""Making user text safe to re-post in Slack mrkdwn, and our own mentions explicit; and the one way a long
text is cut (`cut_at`), for every limit Slack sets."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator


def escape(text: str | None) -> str:
    """Escape Slack's control characters so `<!channel>`, `<@U1>` or `<url|label>` stay literal text.

    Slack parses only `&`, `<` and `>` as markup in mrkdwn; escaping them is Slack's own advice.
    """
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def defanged(text: str) -> str:
    """People's text for a field Slack shows as typed, unparsed (a file's title): `<` and `>` become their
    full-width forms, so nothing in it could ever read as `<!channel>` or a link, and nothing shows as `&lt;`."""
    return text.replace("<", "\uff1c").replace(">", "\uff1e")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


# --- measuring and cutting --------------------------------------------------------------------------------
def slack_length(text: str) -> int:
    """A text's length as Slack's limits count it, by the strictest reading: UTF-16 code units.

    Slack's reference gives its limits in "characters" without saying which; its clients and Bolt for
    JavaScript count UTF-16 units (`String.length`), where a character beyond the Basic Multilingual Plane — an
    emoji, a rare CJK ideograph of Extension B — counts twice; slack_sdk for Python counts code points (`len`).
    Keeping within the UTF-16 count keeps within both (decision 0001, "Slack's text limits")."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def fitting(text: str, limit: int) -> int:
    """How many characters (code points) from the start of `text` fit in `limit` by `slack_length`."""
    if len(text) * 2 <= limit:
        return len(text)
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return index
    return len(text)


# Never cut inside these: an entity (`&amp;`) or a token of ours (`<@U…>`, `<#C…>`, `<url|label>`, `<!date…>`)
# would show as raw characters, or stop working.
_UNBREAKABLE = re.compile(r"&#?[A-Za-z0-9]{1,10};|<[^<>]*>")
# Cut inside these only when nothing better is near: an emphasis run cut in half shows its opening mark.
# Marks as Slack reads them: an opening one after no letter or digit and before a non-space, a closing one the
# other way round (so the `_` of snake_case or of a URL opens nothing).
_RUNS = re.compile("|".join(rf"(?<!\w){m}(?=\S)[^{m}\n]{{0,500}}(?<=\S){m}(?!\w)" for m in (r"\*", "_", "~"))
                   + r"|`[^`\n]{1,500}`")  # a longer one is not taken for a run
_NO_LINE_START = frozenset("，。、；：？！）」』】》〉〕］｝’”…‥・·%,.;:?!)]}")  # punctuation that ends what it follows
_NO_LINE_END = frozenset("（「『【《〈〔［｛‘“([{")  # and that opens what comes next


def _wide(char: str) -> bool:
    """CJK (Chinese, Japanese, Korean) characters and punctuation: written without spaces, so a line may break
    between any two of them."""
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFE30 <= code <= 0xFE4F or 0xFF00 <= code <= 0xFFEF or 0x20000 <= code <= 0x3FFFF)


def _joined(before: str, after: str) -> bool:
    """`after` belongs to the character before it: a combining accent, a variation selector (an emoji's or a
    CJK ideograph's), a skin tone, or either side of a zero-width joiner (👩‍💻)."""
    code = ord(after)
    return (unicodedata.combining(after) != 0 or after == "\u200d" or before == "\u200d"
            or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x1F3FB <= code <= 0x1F3FF)


def _between_words(before: str, after: str) -> bool:
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    return before.isspace() or _wide(before) or _wide(after)


def _blocked(pattern: re.Pattern[str], text: str, limit: int) -> list[int]:
    """For each position 0…limit, the start of the span of `pattern` it lies strictly inside, else -1."""
    inside = [-1] * (limit + 1)
    for match in pattern.finditer(text, 0, limit + 1000):  # spans are short: nothing further can reach back
        start, end = match.span()
        if start >= limit:
            break
        for position in range(start + 1, min(end, limit + 1)):
            if inside[position] == -1:
                inside[position] = start
    return inside


def cut_at(text: str, limit: int) -> int:
    """Where to cut `text` (plain text, or mrkdwn already built) to keep at most `limit` characters as Slack
    counts them (`slack_length`: UTF-16 units, not bytes): the length, in code points, of the start to keep.

    The cut falls between words — after a space, or between two CJK characters, which are written without
    spaces — and never before closing or after opening punctuation. It is never inside an entity (`&amp;`), a
    token (`<@U…>`, `<url|label>`) or a character and what joins it (an accent, 👩‍💻), and not inside a
    `*bold*`, `_italic_`, `~struck~` or `` `code` `` run either when a break outside one is near. If no break
    between words lies within the last third of `limit` (or 16 characters; a long URL, an unspaced string), the
    cut is the latest that splits no entity, token or character."""
    if slack_length(text) <= limit:
        return len(text)
    if limit <= 0:
        return 0
    limit = fitting(text, limit)  # from here on, a count of code points
    hard = _blocked(_UNBREAKABLE, text, limit)
    soft = _blocked(_RUNS, text, limit)
    floor = max(limit - max(limit // 3, min(limit - 1, 16)), 1)  # a short limit: any break beats a cut word
    for avoid_runs in (True, False):
        for position in range(limit, floor - 1, -1):
            if hard[position] != -1 or (avoid_runs and soft[position] != -1):
                continue
            before, after = text[position - 1], text[position]
            if _between_words(before, after) and not _joined(before, after):
                return position
    position = limit
    while position > 0 and (hard[position] != -1 or _joined(text[position - 1], text[position])):
        position = hard[position] if hard[position] != -1 else position - 1
    return position


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Plain text (a header, an option, a modal's title) within `limit` characters: whole if it fits, else cut
    where `cut_at` says and marked with `ellipsis`."""
    if slack_length(text) <= limit:
        return text
    return text[: cut_at(text, limit - slack_length(ellipsis))].rstrip() + ellipsis


def truncate_mrkdwn(text: str, limit: int, ellipsis: str = "…") -> str:
    """`truncate` for mrkdwn already built (people's text escaped, our own `<@U…>`, `<#C…>`, links): the cut
    never lands inside an entity like `&amp;` or a `<…>`, and an emphasis run it cannot avoid cutting (a long
    `*bold*` text) is closed before the ellipsis, so its mark does not show."""
    if slack_length(text) <= limit:
        return text
    budget = limit - slack_length(ellipsis)
    size = cut_at(text, budget)
    if _run_around(text, size) is None:
        return text[:size].rstrip() + ellipsis
    size = cut_at(text, budget - 1)  # room for the closing mark
    run = _run_around(text, size)
    kept = text[:size].rstrip()
    if run is None:
        return kept + ellipsis
    start, mark = run
    if len(kept) <= start + 1:  # nothing of the run is left but its opening mark
        return text[:start].rstrip() + ellipsis
    return kept + mark + ellipsis


def _run_around(text: str, position: int) -> tuple[int, str] | None:
    """(start, mark) of the emphasis run `position` lies strictly inside, if any."""
    for match in _RUNS.finditer(text, 0, position + 503):  # a run is at most 502 characters long
        if match.start() >= position:
            return None
        if position < match.end():
            return match.start(), match.group()[0]  # the closing mark is the opening one
    return None


SECTION_LIMIT = 3000  # characters of a section's text


def escape_within(text: str | None, limit: int, ellipsis: str = "…") -> str:
    """Escape `text` and keep the result within `limit` characters (`truncate_mrkdwn`: cut between words,
    never inside an entity like `&amp;`)."""
    return truncate_mrkdwn(escape(text), limit, ellipsis)


def escaped_pieces(text: str, limit: int) -> Iterator[str]:
    """All of `text`, escaped, in pieces of at most `limit` characters each (a section apiece): for a text
    a person must be able to read whole. Each piece ends where `cut_at` says (between words, never inside an
    entity like `&amp;`), so the pieces joined are the escaped text. Made as they are taken."""
    escaped = escape(text)
    start = 0
    while start < len(escaped):
        rest = escaped[start:]
        size = cut_at(rest, limit) or _forced(rest, limit)
        yield rest[:size]
        start += size


def _forced(text: str, limit: int) -> int:
    """Where to cut when `cut_at` found nowhere (`limit` shorter than the entity or token that starts `text`):
    after that entity, or inside a token longer than the limit, for want of better."""
    match = _UNBREAKABLE.match(text)
    if match and match.group().startswith("&"):
        return match.end()
    return max(fitting(text, limit), 1)


def headed_pieces(head: str, text: str | None, limit: int = SECTION_LIMIT) -> list[str]:
    """`head` (mrkdwn of ours), then all of `text` escaped: the texts of as many sections as that takes, so a
    long description or comment reaches its reader whole rather than cut to one section."""
    if not text:
        return [head]
    first, *rest = escaped_pieces(text, limit - slack_length(head))
    return [head + first, *rest]
