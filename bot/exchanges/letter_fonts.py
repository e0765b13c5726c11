"""The certificate's fonts: TrueType files embedded (as subsets) in every certificate, chosen character by
character.

People's names use characters beyond Unicode's first plane (CJK Extension B and later, e.g. 𠮷), so the
certificate cannot rely on a font the reader happens to have: reportlab's built-in CID font is not embedded
(Chinese was blank where no CJK font was installed) and its encoding has no code for such characters (the
rest of the line came out as random glyphs). So the certificate embeds TrueType fonts: by default Hanazono
Mincho
(Debian's fonts-hanazono, under the SIL Open Font License 1.1 or the Hanazono Font License), whose HanaMinA
covers Latin, CJK punctuation and the BMP's ideographs and HanaMinB the ideographs of Extension B and C.
COOPBOT_LETTER_FONTS names other files (TrueType outlines: reportlab cannot embed CFF/OpenType ones).

A run of text goes to the first font that has all its characters. A name that no font can show refuses the
certificate (`LetterUnavailable`) rather than print it wrong; in free text (comments, expected outcomes) such a
character is written as its code point, e.g. [U+1F44D].
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib import textsplit as rl_textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFError, TTFont
from reportlab.platypus import paragraph as rl_paragraph

from bot.errors import CoopError

log = logging.getLogger("coopbot.letter")

DEFAULT_FONTS = ("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
                 "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
                 "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")
# Characters that change how the one before them looks but are never drawn on their own: variation
# selectors (including the ideographic ones some names carry) and zero-width joiners. Left out, the base
# character shows in its usual form.
_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufe00-\ufe0f\ufeff\U000e0100-\U000e01ef]")
_WHITESPACE = frozenset(" \t\n\r\u00a0\u3000")
_BREAKS = frozenset("\t\n\r")


# reportlab's line breaking keeps a closing mark off the start of a line (the one rule of Chinese typesetting it
# applies), but its list lacks the full-width comma, colon, semicolon, marks and closing quotes Chinese uses, so
# a line of the certificate could start with "，". Its list, completed where its two line breakers read it.
_CLOSING_MARKS = "，：；！？”’》〉」』】〗"
for _module in (rl_paragraph, rl_textsplit):
    _module.ALL_CANNOT_START += "".join(c for c in _CLOSING_MARKS if c not in _module.ALL_CANNOT_START)


class LetterUnavailable(CoopError):
    """The certificate cannot be made right: its font files are missing (`missing`), or no font has some
    characters of a name (`characters`). Nothing is issued."""

    def __init__(self, *, missing: Sequence[str] = (), characters: str = "") -> None:
        self.missing = tuple(missing)
        self.characters = characters
        what = (f"no usable TrueType font at {', '.join(self.missing)}" if self.missing
                else "no font has " + ", ".join(f"{c!r} (U+{ord(c):04X})" for c in characters))
        super().__init__(f"the certificate cannot be made: {what}")


class _EmbeddedFont(TTFont):
    """reportlab's TrueType font, with a ToUnicode map that also covers characters beyond the first plane.

    reportlab writes each entry as `<%04X>`, five hex digits for U+20BB7, which readers take for U+20BB and
    a stray digit: text extracted or copied from the certificate changed 𠮷 into ₻. PDF wants UTF-16 there."""

    def addObjects(self, doc: object) -> None:
        subsets = [list(subset) for subset in self.state[doc].subsets]  # addObjects forgets them
        super().addObjects(doc)
        objects = doc.idToObject  # type: ignore[attr-defined]
        for n, subset in enumerate(subsets):
            if max(subset, default=0) <= 0xFFFF:
                continue
            name = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            objects["toUnicodeCMap:" + name].content = _to_unicode_cmap(name, subset)


def _utf16(code: int) -> str:
    return "".join(f"{unit:04X}" for unit in _units(code))


def _units(code: int) -> tuple[int, ...]:
    if code <= 0xFFFF:
        return (code,)
    code -= 0x10000
    return (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))


def _to_unicode_cmap(name: str, subset: Sequence[int]) -> str:
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
        f"/CMapName /{name} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *(f"<{i:02X}> <{_utf16(code)}>" for i, code in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])


@dataclass(frozen=True)
class LetterFonts:
    """Registered fonts in the order they are tried, and the characters each has."""

    names: tuple[str, ...]
    charsets: tuple[frozenset[int], ...]

    @property
    def main(self) -> str:
        return self.names[0]

    def font_of(self, char: str) -> str | None:
        code = ord(char)
        return next((name for name, chars in zip(self.names, self.charsets, strict=True) if code in chars), None)

    def missing(self, text: str) -> str:
        """The characters of `text` that no font has (each once, in order)."""
        return "".join(dict.fromkeys(c for c in _visible(text) if c not in _WHITESPACE and self.font_of(c) is None))

    def require(self, text: str) -> None:
        """Refuse the certificate if some character of `text` (a name) is in no font."""
        if lacking := self.missing(text):
            raise LetterUnavailable(characters=lacking)

    def markup(self, text: str, *, name: bool = False) -> str:
        """`text` as Paragraph markup: escaped, each run in the font that has it. A character that no font has
        refuses the certificate in a name (`name=True`) and is written as its code point elsewhere."""
        text = _visible(text)
        if name:
            self.require(text)
        out: list[str] = []
        run: list[str] = []
        current = self.main

        def flush() -> None:
            if run:
                words = xml_escape("".join(run)).replace("\n", "<br/>")
                out.append(words if current == self.main else f'<font name="{current}">{words}</font>')
                run.clear()

        for char in text:
            if char in _BREAKS:  # a line break, or a tab: any font's
                run.append(char)
                continue
            font = self.font_of(char)  # a space too: the first font's, not a wide CJK one
            shown = char if font or char in _WHITESPACE else f"[U+{ord(char):04X}]"
            font = font or self.main
            if font != current:
                flush()
                current = font
            run.append(shown)
        flush()
        return "".join(out)


def _visible(text: str) -> str:
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


_registered: dict[str, _EmbeddedFont] = {}  # path → the font registered for it
_loaded: dict[tuple[str, ...], LetterFonts] = {}
_lock = threading.Lock()


def load(paths: Sequence[str]) -> LetterFonts:
    """The fonts at `paths`, registered with reportlab once per process; raises `LetterUnavailable` naming
    every path that is not a readable TrueType font (and tries them again next time: one may be installed)."""
    key = tuple(paths)
    with _lock:
        if key in _loaded:
            return _loaded[key]
        missing = []
        for path in key:
            if path in _registered:
                continue
            tag = sha256(path.encode()).hexdigest()[:8]  # two files may share a name
            name = f"CoopLetter-{re.sub(r'[^A-Za-z0-9]', '', Path(path).stem)}-{tag}"
            try:
                font = _EmbeddedFont(name, path)
            except (OSError, TTFError) as exc:
                log.error("letter font %s cannot be used: %s", path, exc)
                missing.append(path)
                continue
            pdfmetrics.registerFont(font)
            _registered[path] = font
        if missing or not key:
            raise LetterUnavailable(missing=missing or ["(COOPBOT_LETTER_FONTS is empty)"])
        fonts = [_registered[path] for path in key]
        _loaded[key] = LetterFonts(tuple(f.fontName for f in fonts),
                                   tuple(frozenset(f.face.charToGlyph) for f in fonts))
        return _loaded[key]
