"""Making user text safe to re-post in Slack mrkdwn, and our own mentions explicit."""

from __future__ import annotations

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


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut to `limit` characters (Slack counts characters, not bytes), marking the cut."""
    return text if len(text) <= limit else text[: limit - len(ellipsis)] + ellipsis


def truncate_mrkdwn(text: str, limit: int, ellipsis: str = "…") -> str:
    """`truncate` for mrkdwn already built (people's text escaped, our own `<@U…>`, `<#C…>`, links): the
    cut never lands inside an entity like `&amp;` or a `<…>`, which would show as raw characters."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ellipsis)]
    entity = cut.rfind("&")
    if entity != -1 and ";" not in cut[entity:]:
        cut = cut[:entity]
    token = cut.rfind("<")
    if token != -1 and ">" not in cut[token:]:
        cut = cut[:token]
    return cut + ellipsis


SECTION_LIMIT = 3000  # characters of a section's text


_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape_within(text: str | None, limit: int, ellipsis: str = "…") -> str:
    """Escape `text` and keep the result within `limit` characters: the longest start of the raw text
    whose escaped form fits, then `ellipsis` (a cut never splits an entity like `&amp;` in half)."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return next(escaped_pieces(text or "", limit - len(ellipsis))) + ellipsis  # the first piece only is built


def escaped_pieces(text: str, limit: int) -> Iterator[str]:
    """All of `text`, escaped, in pieces of at most `limit` characters each (a section apiece): for a text
    a person must be able to read whole. No piece ends inside an entity like `&amp;`. Made as they are
    taken, so a caller wanting the first stops there."""
    current: list[str] = []
    used = 0
    for char in text:
        escaped = _ESCAPES.get(char, char)
        if used + len(escaped) > limit:
            yield "".join(current)
            current, used = [], 0
        current.append(escaped)
        used += len(escaped)
    if current:
        yield "".join(current)


def headed_pieces(head: str, text: str | None, limit: int = SECTION_LIMIT) -> list[str]:
    """`head` (mrkdwn of ours), then all of `text` escaped: the texts of as many sections as that takes, so a
    long description or comment reaches its reader whole rather than cut to one section."""
    if not text:
        return [head]
    first, *rest = escaped_pieces(text, limit - len(head))
    return [head + first, *rest]
