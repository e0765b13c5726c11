"""Finding the strings to translate: a Babel extractor that reads the syntax tree.

Babel's own Python extractor works on tokens, so it cannot see a call inside an f-string
(`f"*{_('Status')}*"`) on Python < 3.12 — a string that would then silently stay English. Reading the
`ast` finds every `gettext(...)`, `t.gettext(...)`, `ngettext(...)`, `N_(...)` and `_(...)` call
wherever it is. `make i18n` and tests/test_i18n.py both use it, so they always agree.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("bot", "handlers", "scheduler")
KEYWORDS: dict[str, Any] = {"gettext": None, "ngettext": (1, 2), "N_": None, "_": None}
METHOD_MAP = [("**.py", "bot.i18n.extract:extract_python_ast")]
PO_FIX = "run `make i18n`, then translate the new entries in bot/locale/zh_CN/LC_MESSAGES/coopbot.po"


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract_python_ast(fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
                       options: Mapping[str, Any]) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """Babel extraction method: (line, keyword, positional literal args or None, comments)."""
    tree = ast.parse(fileobj.read())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    for call in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
        name = _called_name(call.func)
        if name is not None and name in keywords and call.args:
            yield call.lineno, name, tuple(_literal(arg) for arg in call.args), []


def extract_catalog(root: Path = ROOT) -> Catalog:
    """Every translatable string in the source, as a catalog (what `make i18n` writes to the .pot)."""
    catalog = Catalog(project="coopbot", charset="utf-8")
    for directory in SOURCE_DIRS:
        if not (root / directory).is_dir():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
                root / directory, METHOD_MAP, keywords=KEYWORDS):
            catalog.add(message, None, [(f"{directory}/{filename}", lineno)], auto_comments=comments,
                        context=context)
    return catalog

