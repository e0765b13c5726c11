"""The Chinese glossary as tests read it, and the house-style rules a Chinese text is checked against.

The glossary (docs/GLOSSARY.zh_CN.md, a copy of the shared ../shared/GLOSSARY.zh_CN.md) has tables of
English | Chinese | not. Each "not" cell is read as:
- a term written in Chinese (`回顾会`, `合作工作组`): rejected everywhere, except inside a term the glossary
  accepts (`教师 alone` is rejected, but 指导教师 contains it; `岁` is rejected, but 周岁 contains it);
- a term marked "mixed" (with the terms listed before it when it stands alone: `记录, 报告 mixed`), or one
  that "clashes" with another meaning (`确认 (it clashes with "confirm")`): rejected where the row's own thing
  is meant, i.e. in a line that also uses the row's accepted term (受理 … 确认) or in a translation of an
  English string naming it ("acknowledge" → 确认);
- "a count without 人": a count on that row's labels ("Going: {count}") must read "{count} 人".
A paragraph saying "never both" names an alternative to the row above it: the two never appear together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "docs" / "GLOSSARY.zh_CN.md"
SHARED = ROOT.parent / "shared" / "GLOSSARY.zh_CN.md"

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CJK_RUN = re.compile(f"[{CJK}]+")
# Full-width punctuation and forms, and the Chinese quotes, ellipsis and dash.
WIDE = "\u3000-\u303f\uff00-\uffef“”‘’…—"
CHINESE = re.compile(f"[{CJK}]")


@dataclass(frozen=True)
class Entry:
    english: str
    chinese: str
    rejected: tuple[str, ...] = ()
    contextual: tuple[str, ...] = ()
    count_unit: str | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        return tuple(CJK_RUN.findall(self.chinese))

    @property
    def keywords(self) -> tuple[re.Pattern[str], ...]:
        """The English names of the row, as patterns a msgid is searched with ("acknowledge" also finds
        "acknowledged")."""
        words = re.sub(r"\([^)]*\)", "", self.english)
        names = [n.strip() for n in words.split(" / ") if n.strip()]
        return tuple(re.compile(r"\s+".join(rf"\b{re.escape(w)}\w*" for w in n.split()), re.IGNORECASE)
                     for n in names)

    @property
    def labels(self) -> tuple[str, ...]:
        """For a count rule: the English labels counted ("Going / Maybe / Can't go counts")."""
        return tuple(n.strip().removesuffix(" counts") for n in self.english.split(" / "))


@dataclass
class Glossary:
    entries: list[Entry] = field(default_factory=list)
    alternatives: list[tuple[str, str]] = field(default_factory=list)  # (the row's term, the alternative)

    @property
    def accepted(self) -> set[str]:
        found = {term for e in self.entries for term in e.accepted}
        return found | {alternative for _, alternative in self.alternatives}

    @property
    def rejected(self) -> list[tuple[Entry, str]]:
        return [(e, term) for e in self.entries for term in e.rejected]


def read_glossary(path: Path = COPY) -> Glossary:
    glossary = Glossary()
    for paragraph in path.read_text(encoding="utf-8").split("\n\n"):
        if "never both" in paragraph and glossary.entries:
            glossary.alternatives += [(glossary.entries[-1].accepted[0], term) for term in CJK_RUN.findall(paragraph)]
            continue
        for line in paragraph.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
            if len(cells) == 3 and cells[0] != "English" and not set(cells[0]) <= set("-: "):
                glossary.entries.append(_entry(*cells))
    return glossary


def _entry(english: str, chinese: str, rejected: str) -> Entry:
    accepted = set(CJK_RUN.findall(chinese))
    everywhere: list[str] = []
    contextual: list[str] = []
    unit = None
    for piece in rejected.split(","):
        note = " ".join(re.findall(r"\(([^)]*)\)", piece))
        words = re.sub(r"\([^)]*\)", "", piece)
        counted = re.search(f"without ([{CJK}]+)", words)
        if counted:
            unit = counted.group(1)
            continue
        terms = [term for term in CJK_RUN.findall(words) if term not in accepted]
        if "mixed" in words and len(terms) < 2:  # "记录, 报告 mixed": it takes two to mix, so the list before too
            contextual += everywhere
            everywhere = []
        (contextual if "mixed" in words or "clash" in note else everywhere).extend(terms)
    return Entry(english, chinese, tuple(everywhere), tuple(contextual), unit)


def occurrences(term: str, text: str, accepted: set[str]) -> list[int]:
    """Where `term` is used in `text`, leaving out where it is part of an accepted term (指导教师 for 教师)."""
    found = []
    for match in re.finditer(re.escape(term), text):
        start = match.start()
        inside = any(text[start - offset:start - offset + len(whole)] == whole
                     for whole in accepted if whole != term and term in whole
                     for offset in _offsets(whole, term) if start - offset >= 0)
        if not inside:
            found.append(start)
    return found


def _offsets(whole: str, part: str) -> list[int]:
    return [m.start() for m in re.finditer(f"(?={re.escape(part)})", whole)]


def rejected_terms_in(text: str, glossary: Glossary, *, msgid: str | None = None) -> list[str]:
    """The glossary's rejected terms that `text` uses, each with the row it breaks (one line of a message at a
    time for the terms rejected where the row's thing is meant; with the msgid, for a catalog entry)."""
    accepted = glossary.accepted
    found = []
    for entry, term in glossary.rejected:
        if occurrences(term, text, accepted):
            found.append(f"{term} (glossary: {entry.english} → {entry.chinese})")
    for entry in glossary.entries:
        for term in entry.contextual:
            named = msgid is not None and any(k.search(msgid) for k in entry.keywords)
            for line in text.splitlines() or [text]:
                meant = named or any(a in line for a in entry.accepted)
                if meant and occurrences(term, line, accepted):
                    found.append(f"{term} where {entry.english} is meant (glossary: {entry.chinese})")
                    break
    return found


# --- house style -------------------------------------------------------------------------------------
HALF_WIDTH = ',.:;!?()"'
_NOT_READ = re.compile(
    r"<[^<>]*>"  # Slack's tokens: mentions, channels, links (their label is people's text or an id)
    r"|&lt;.*?&gt;"  # people's own markup, escaped (`<!here>` typed in a title)
    r"|`[^`]*`"  # a command to copy as it is
    r"|:[a-z0-9_+\-]+:"  # an emoji code
    r"|https?://[!-~]+"  # a web address
    r"|&(?:amp|lt|gt);")  # people's text, escaped
_MARKUP = set(" \t*_~")


def half_width_punctuation(text: str) -> list[str]:
    """Half-width punctuation in a Chinese text: beside a Chinese character or full-width punctuation (mrkdwn's
    `*` and spaces between do not count), or a half-width bracket anywhere on a line with Chinese in it (a
    timezone or a student id is bracketed with （）in a Chinese sentence). Slack tokens, commands, emoji codes,
    addresses and escapes are not read as punctuation."""
    found = []
    for line in text.splitlines():
        plain = _NOT_READ.sub(" ", line)
        chinese_line = bool(CHINESE.search(plain))
        for i, char in enumerate(plain):
            if char not in HALF_WIDTH:
                continue
            bracket = chinese_line and char in "()"
            if bracket or _wide(_neighbour(plain, i, -1)) or _wide(_neighbour(plain, i, 1)):
                found.append(_excerpt(plain, i))
    return found


def _neighbour(text: str, i: int, step: int) -> str:
    i += step
    while 0 <= i < len(text) and text[i] in _MARKUP:
        i += step
    return text[i] if 0 <= i < len(text) else ""


def _wide(char: str) -> bool:
    return bool(char) and bool(re.match(f"[{CJK}{WIDE}]", char))


def _excerpt(text: str, i: int) -> str:
    return repr(text[max(0, i - 12):i + 12])


INFORMAL_YOU = "你"  # house style: one form of address, 您, for teachers, mentors and managers
THOUSANDS = re.compile(r"\d,\d{3}(?!\d)")  # house style: 3000 字, not 3,000 字
ELLIPSIS = re.compile(r"\.\.\.|(?<!…)…(?!…)")  # house style: one ellipsis, ……
# house style: a space between Chinese and Latin letters or digits (18 周岁, App 主页), none inside a date
LATIN_TOUCHING = re.compile(f"[{CJK}][A-Za-z0-9]|[A-Za-z0-9][{CJK}]")
# A date or a quarter is one word, written without spaces (2027年1月4日, 2027年第一季度): it starts with a digit
# (a space before it) and ends in Chinese (none after it, 2027年1月4日结束).
_DATES = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日|\d{4}年第[一二三四]季度")


_MARKS = "\u3000-\u303f\uff00-\uffef“”‘’"  # full-width punctuation, not the dash and ellipsis lists use as separators
_SPACED_WIDE = re.compile(f"[{_MARKS}] +[{CJK}{_MARKS}]|[{CJK}] +[{_MARKS}]")


def spaced_full_width(text: str) -> list[str]:
    """A space beside full-width punctuation in a Chinese sentence (“张伟（S2024001） 的实习”): the punctuation
    carries its own space."""
    found = []
    for line in text.splitlines():
        plain = _NOT_READ.sub("\x00", line)  # a token is not Chinese: the spaces around it stay
        found += [_excerpt(plain, m.start()) for m in _SPACED_WIDE.finditer(plain)]
    return found


def unspaced_latin(text: str) -> list[str]:
    """Chinese touching a Latin letter or a digit without a space, outside dates, tokens and escapes."""
    found = []
    for line in text.splitlines():
        plain = _DATES.sub("0 日", _NOT_READ.sub(" ", line))
        found += [_excerpt(plain, m.start()) for m in LATIN_TOUCHING.finditer(plain)]
    return found
