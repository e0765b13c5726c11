"""The compliance checklist modal (and the chooser that leads to it), built, read and worded here."""

from __future__ import annotations

import enum
import json
from typing import Any

from bot.compliance.service import Checklist
from bot.i18n.catalog import N_, Translator
from bot.slack.blocks import actions, button, context, plain, section
from bot.slack.forms import State, input_block, modal, option, read
from bot.slack.text import escape_within, truncate
from models.compliance import ComplianceItem


class ComplianceCallback(enum.StrEnum):
    CHOOSE = "compliance_choose"
    CHECKLIST = "compliance_checklist"


class ComplianceActionId(enum.StrEnum):
    OPEN = "compliance_open"  # a button whose value is an intern id (chooser, or an App Home intern list)
    FIND = "compliance_find"  # the chooser's search, when a teacher has more interns than it lists


CHOOSER_ROWS = 90  # interns listed in the chooser: a modal holds 100 blocks


ITEM_LABELS = {
    ComplianceItem.AGREEMENT: N_("Tripartite agreement signed"),
    ComplianceItem.INSURANCE: N_("Internship liability insurance in force for the whole period"),
    ComplianceItem.GUARDIAN_CONSENT: N_("Guardian consent (interns under 18)"),
    ComplianceItem.PAY: N_("Pay agreed: at least 80% of the same post's probation wage"),
    ComplianceItem.HOURS: N_("No overtime or night shifts (unless the post needs them and it is filed)"),
}
# Short forms for lists (digest, App Home): "missing: agreement, insurance".
ITEM_SHORT = {
    ComplianceItem.AGREEMENT: N_("agreement"),
    ComplianceItem.INSURANCE: N_("insurance"),
    ComplianceItem.GUARDIAN_CONSENT: N_("guardian consent"),
    ComplianceItem.PAY: N_("pay"),
    ComplianceItem.HOURS: N_("hours"),
}


def missing_words(items: tuple[ComplianceItem, ...], t: Translator) -> str:
    """"agreement, insurance" in the reader's language."""
    return t.gettext(", ").join(t.gettext(ITEM_SHORT[i]) for i in items)


def open_button(intern_id: int, t: Translator) -> dict[str, Any]:
    """The "Checklist" button for one intern (the App Home intern list may show it too)."""
    return button(ComplianceActionId.OPEN, t.gettext("Checklist"), intern_id)


def _line(c: Checklist, t: Translator) -> str:
    state = (t.gettext("Missing: {items}").format(items=missing_words(c.missing, t)) if c.missing
             else t.gettext("Complete"))
    return (f"{t.aside('*' + escape_within(c.name, 200) + '*', escape_within(c.student_id, 64))} · "
            f"{t.date(c.start_date)} – {t.date(c.end_date)}\n{state}")


def chooser_modal(checklists: list[Checklist], t: Translator) -> dict[str, Any]:
    """`/coop checklist` for a teacher of several interns: one line and button per intern, those with gaps
    first. A teacher with more interns than a modal holds also gets a search that finds any of them."""
    ordered = sorted(checklists, key=lambda c: not c.missing)  # stable: gaps first, each part as given
    shown = ordered[:CHOOSER_ROWS]
    blocks: list[dict[str, Any]] = []
    if len(ordered) > len(shown):
        blocks += [
            actions([{"type": "external_select", "action_id": ComplianceActionId.FIND, "min_query_length": 1,
                      "placeholder": plain(t.gettext("Find an intern by name or student id"))}], block_id="find"),
            context(t.gettext(
                "{shown} of your {count} interns are listed, those with gaps first; find any of them above.").format(
                shown=len(shown), count=len(ordered)))]
    blocks += [section(_line(c, t), open_button(c.intern_id, t), cut=True) for c in shown]
    return modal(ComplianceCallback.CHOOSE, t.gettext("Compliance"), blocks, submit=None, close=t.gettext("Close"))


def checklist_modal(c: Checklist, t: Translator) -> dict[str, Any]:
    """The checkboxes, ticked as stored; guardian consent says whether this intern needs it."""
    _ = t.gettext
    options = []
    for item, label in ITEM_LABELS.items():
        entry = option(_(label), item.value)
        if item == ComplianceItem.GUARDIAN_CONSENT:
            hint = (_("Required: under 18 on the start date.") if c.minor
                    else _("Not required: 18 or over on the start date.") if c.birth_date_known
                    else _("Birth date unknown: required only if under 18."))
            entry["description"] = plain(truncate(hint, 75))
        options.append(entry)
    boxes: dict[str, Any] = {"type": "checkboxes", "action_id": "value", "options": options}
    ticked = [o for o in options if ComplianceItem(o["value"]) in c.ticked]
    if ticked:
        boxes["initial_options"] = ticked
    blocks = [
        section(_line(c, t), cut=True),
        input_block("items", _("In place for this internship"), boxes, optional=True,
                    hint=_("Tick what is done. Anything required and not ticked is flagged to the coordinators.")),
    ]
    return modal(ComplianceCallback.CHECKLIST, _("Compliance checklist"), blocks, submit=_("Save"),
                 close=_("Cancel"), private_metadata=json.dumps({"intern_id": c.intern_id}))


def read_ticked(values: State) -> set[ComplianceItem] | None:
    """The ticked items, or None if the submission holds something that is not one of ours."""
    chosen = read(values, "items") or []
    if not isinstance(chosen, list) or not all(v in ComplianceItem._value2member_map_ for v in chosen):
        return None
    return {ComplianceItem(v) for v in chosen}


def summary_text(c: Checklist, t: Translator) -> str:
    """The read-only view a coordinator gets from `/coop checklist <student id>`."""
    lines = [_line(c, t)]
    for item, label in ITEM_LABELS.items():
        if item in c.required:
            lines.append(("✅ " if item in c.ticked else "⬜ ") + t.gettext(label))
    return "\n".join(lines)
