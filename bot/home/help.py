"""`/coop help` and `/coop status`: what a person can do (read off the permission matrix) and their items."""

from __future__ import annotations

from bot.exchanges.messages import status_blocks as practice_blocks
from bot.home.data import HomeData, Section
from bot.home.views import action_items_text, meeting_text, page_blocks, roles_text
from bot.i18n.catalog import Translator
from bot.permissions import ACTION_LABELS, MATRIX, NEVER, RELATION_LABELS, Action, Relation
from bot.slack.blocks import Blocks, section
from bot.slack.text import truncate_mrkdwn
from models.roster import Role, Side

MAX_MESSAGE_BLOCKS = 50


def possible_relations(data: HomeData) -> set[Relation]:
    """Every relation the person holds or can come to hold to something in their partnerships: their roles,
    the interns they supervise, and what acting makes them (a reporter, an organiser, a requester…)."""
    held = {Relation(role.value) for role in data.roles}
    held |= {Relation.INVITEE, Relation.ITEM_OWNER, Relation.EXCHANGE_PERSON}  # anyone on a roster
    if data.teaches:
        held.add(Relation.INTERN_TEACHER)
    if data.mentors:
        held.add(Relation.INTERN_MENTOR)
    if Action.REPORT_PROBLEM in data.quick_actions:
        held.add(Relation.REPORTER)
    if Action.SCHEDULE_MEETING in data.quick_actions:
        held.add(Relation.ORGANISER)
    if Action.REQUEST_EXCHANGE in data.quick_actions:
        held.add(Relation.EXCHANGE_REQUESTER)
    if Role.COORDINATOR in data.roles:
        held |= {Relation.SENDING_COORDINATOR, Relation.HOST_APPROVER}
        held.add(Relation.ENTERPRISE_COORDINATOR if data.side == Side.ENTERPRISE else Relation.COLLEGE_COORDINATOR)
    if Role.MENTOR in data.roles and data.side == Side.ENTERPRISE:
        held.add(Relation.HOST_APPROVER)
    if data.college is not None:
        held.add(Relation.DEAN)
    return held


HELP_LIMIT = 3000  # characters of a section's text, where the help may be shown


def _link_lines(t: Translator) -> tuple[str, str]:
    """OAuth mode: how each side's coordinator links a partnership to their organization's installation."""
    _ = t.gettext
    return (_("• `/coop link` — link this partnership to your college's coopbot and invite the enterprise "
              "(college coordinators)"),
            _("• `/coop accept` — accept the college's invitation, so your company's coopbot serves this "
              "partnership (enterprise coordinators)"))


def help_text(t: Translator, data: HomeData | None, *, how_to_join: str, linking: bool = False) -> str:
    """`/coop help`: what the person may do, from the permission matrix; `linking` (OAuth mode: each organization
    installs coopbot) adds how a coordinator links the partnership to their side's installation."""
    _ = t.gettext
    lines = [_("*coopbot* helps the college and the enterprise look after interns together.")]
    if data is None:  # on no roster this installation sees: perhaps a partnership not linked to it yet
        return "\n".join([*lines, how_to_join, *(_link_lines(t) if linking else ())])
    lines.append("")  # the roles, once the rest is known (below)
    lines.append("*" + _("What you can do") + "*")
    held = possible_relations(data)
    for action in Action:
        granted = [r for r in Relation if r in MATRIX[action] and r in held]
        if not granted:
            continue
        line = _("• {action} — as {relations}").format(
            action=_(ACTION_LABELS[action]), relations=_(", ").join(_(RELATION_LABELS[r]) for r in granted))
        never = [r for r in Relation if r in NEVER.get(action, frozenset()) and r in held]
        if never:
            barred = _(", ").join(_(RELATION_LABELS[r]) for r in never)
            line = _("{permission} (never as {relations})").format(permission=line, relations=barred)
        lines.append(line)
    if linking and Role.COORDINATOR in data.roles:
        college, enterprise = _link_lines(t)
        lines.append(college if data.side == Side.SCHOOL else enterprise)
    lines += [_("• `/coop status` — your problems, exchanges, action items and next meeting."),
              _("• `/coop panel` — post this channel's coopbot panel again: buttons for everything."),
              _("• `/coop help` — this help."),
              _("Your App Home (the bot's *Home* tab) shows the same, with buttons to act.")]
    # A section holds 3,000 characters: the roles (a list of partnerships, however long) take what the rest leaves.
    lines[1] = truncate_mrkdwn(roles_text(data, t), max(HELP_LIMIT - len("\n".join(lines)), 100))
    return "\n".join(lines)


def status_blocks(data: HomeData, t: Translator) -> Blocks:
    """The caller's own items, first page of each list: what waits for them, then what is theirs."""
    blocks: Blocks = []
    for key in (Section.AWAITING, Section.PROBLEMS):
        if key in data.sections:
            blocks += _without_pager(page_blocks(data.sections[key], t))
    if data.sections[Section.APPROVALS].total:
        title = t.gettext("Pending approvals") if data.coordinates else None
        blocks += _without_pager(page_blocks(data.sections[Section.APPROVALS], t, title=title))
    if data.action_items:
        blocks.append(section(action_items_text(data, t), cut=True))
    blocks.append(section(meeting_text(data, t), cut=True))
    blocks += practice_blocks([], data.practice, t)
    return blocks[:MAX_MESSAGE_BLOCKS]


def _without_pager(blocks: Blocks) -> Blocks:
    """Status is a snapshot in a message: the full lists are paged in App Home."""
    return [b for b in blocks if b.get("type") != "actions"]
