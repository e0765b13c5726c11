"""Block Kit for the placement plan: pure functions of plain values and a translator."""

from __future__ import annotations

from bot.i18n.catalog import Translator
from bot.plans.numbers import PlacementRow
from bot.slack.blocks import Blocks, section
from bot.slack.text import escape


def line_label(row: PlacementRow, t: Translator) -> str:
    """"软件技术 · 软件测试 (order class 华为鸿蒙订单班)", escaped."""
    _ = t.gettext
    what = _("{major} · {post}").format(major=escape(row.major), post=escape(row.post))
    if row.order_class:
        what = _("{line} (order class {name})").format(line=what, name=escape(row.order_class))
    return what


def shortfall_notice(partnership: str, period: str, rows: list[PlacementRow], t: Translator) -> tuple[str, Blocks]:
    """The coordinators' DM when a period starts short of its plan: each short line, placed of planned."""
    _ = t.gettext
    placed, planned = sum(r.placed for r in rows), sum(r.planned for r in rows)
    text = _("{period} of {partnership} has started with {placed} of {planned} planned interns placed.").format(
        period=escape(period), partnership=escape(partnership), placed=placed, planned=planned)
    lines = [_("• {line}: placed {placed} of {planned}, {short} short").format(
        line=line_label(r, t), placed=r.placed, planned=r.planned, short=r.short) for r in rows if r.short]
    body = text + "\n" + "\n".join(lines[:40])
    hint = _("Link interns to their plan line with the interns file's `plan_line` column.")
    return text, [section(body, cut=True), section(hint)]
