"""App Home as Block Kit: a pure function of what `bot.home.data` read for the viewer.

Every list shows one page (`PAGE_SIZE` items) with "Show more" / "Previous" buttons that carry
`<section>:<page>`; the page is read again for the viewer, so the value can only choose a page of
what they may see. At its longest a home stays well inside Slack's 100 blocks.
"""

from __future__ import annotations

from bot.admin.forms import AdminActionId
from bot.cooperation.forms import LedgerActionId
from bot.cooperation.labels import ENTRY_KIND_LABELS
from bot.exchanges.ids import ExchangeActionId
from bot.exchanges.labels import DIRECTION_LABELS
from bot.home.data import (
    EndingItem,
    ExchangeItem,
    HomeData,
    InternItem,
    Page,
    ProblemItem,
    Section,
)
from bot.home.followups import followup_blocks
from bot.home.ids import FOLLOW_SLACK, HOME_LANGUAGE, HOME_LOG_PROBLEM, HomeActionId
from bot.i18n.catalog import LANGUAGE_NAMES, N_, Translator
from bot.installs.linking import Links
from bot.installs.views import link_blocks
from bot.meetings.ids import MeetingActionId
from bot.permissions import Action
from bot.problems.ids import ProblemActionId
from bot.problems.labels import CATEGORY_LABELS, SEVERITY_EMOJI, SEVERITY_LABELS, STATUS_LABELS
from bot.recruitment.ids import RecruitmentActionId
from bot.slack.blocks import Block, Blocks, actions, button, context, divider, fields, header, section
from bot.slack.forms import option
from bot.slack.text import escape, escape_within
from models.roster import Role

MAX_BLOCKS = 100

SECTION_TITLES: dict[Section, str] = {
    Section.AWAITING: N_("Waiting for your acknowledgement"),
    Section.PROBLEMS: N_("Your open problems"),
    Section.INTERNS: N_("Your interns"),
    Section.OVERDUE: N_("Overdue: not acknowledged in time"),
    Section.APPROVALS: N_("Exchanges waiting for your decision"),
    Section.ENDING: N_("Internships ending within 30 days"),
}
EMPTY: dict[Section, str] = {
    Section.AWAITING: N_("Nothing waiting for you. 🎉"),
    Section.PROBLEMS: N_("Nothing open. 🎉"),
    Section.INTERNS: N_("No interns yet."),
    Section.OVERDUE: N_("Nothing overdue."),
    Section.APPROVALS: N_("No exchanges waiting."),
    Section.ENDING: N_("None in the next 30 days."),
}
ROLE_LABELS: dict[Role, str] = {Role.COORDINATOR: N_("coordinator"), Role.TEACHER: N_("teacher"),
                                Role.MENTOR: N_("mentor"), Role.MEMBER: N_("member")}


def how_to_get_added(t: Translator) -> str:
    """What someone on no roster reads, in App Home and in every refusal: how to get added, nothing else."""
    return t.gettext(
        "You are not on a coopbot roster yet. Ask a coopbot coordinator of your partnership, at your college or "
        "your company, to add you (with `/coop admin`); then try again.")


def language_picker(chosen: str | None, t: Translator) -> Block:
    """The App Home setting: a language of one's own, or follow Slack. Language names are shown in
    themselves (someone who cannot read the current language can still find theirs)."""
    options = [option(name, code) for code, name in LANGUAGE_NAMES.items()]
    options.append(option(t.gettext("Use my Slack language"), FOLLOW_SLACK))
    current = next((o for o in options if o["value"] == (chosen or FOLLOW_SLACK)), options[-1])
    picker = {"type": "static_select", "action_id": HOME_LANGUAGE, "options": options, "initial_option": current}
    return section("*" + t.gettext("Language") + "*", picker, block_id="language")


# --- items ----------------------------------------------------------------------------------------------
def problem_text(p: ProblemItem, t: Translator) -> str:
    _ = t.gettext
    summary = _("{severity} · {category}: {intern}").format(
        severity=_(SEVERITY_LABELS[p.severity]), category=_(CATEGORY_LABELS[p.category]),
        intern=escape(t.aside(p.intern_name, p.student_id)))
    return (f"{SEVERITY_EMOJI[p.severity]} *#{p.id}* {summary}\n{_(STATUS_LABELS[p.status])} · <#{p.channel_id}> · "
            f"{escape_within(p.description, 150)}")


def problem_block(p: ProblemItem, t: Translator) -> Block:
    accessory = None
    if p.next_step == Action.ACKNOWLEDGE_PROBLEM:
        accessory = button(ProblemActionId.ACKNOWLEDGE, t.gettext("Acknowledge"), str(p.id), "primary")
    elif p.next_step == Action.RESOLVE_PROBLEM:
        accessory = button(ProblemActionId.RESOLVE, t.gettext("Resolve"), str(p.id))
    return section(problem_text(p, t), accessory, cut=True)


def exchange_block(x: ExchangeItem, t: Translator) -> Block:
    _ = t.gettext
    text = _("*#{number}* {person} ({direction}) at {host} · {start} – {end} · <#{channel}>").format(
        number=x.id, person=escape_within(x.person_name, 200), direction=_(DIRECTION_LABELS[x.direction]),
        host=escape_within(x.host_unit, 200), start=t.date(x.start_date), end=t.date(x.end_date),
        channel=x.channel_id)
    review = button(ExchangeActionId.REVIEW, _("Review"), str(x.id), "primary") if x.can_review else None
    return section(text, review, cut=True)


def intern_line(i: InternItem, t: Translator) -> str:
    problems = t.ngettext("{count} open problem", "{count} open problems", i.open_problems).format(
        count=i.open_problems)
    line = (t.gettext("• {intern} — {position}, ended {end} · {problems}") if i.ended
            else t.gettext("• {intern} — {position}, until {end} · {problems}"))
    return line.format(intern=escape_within(t.aside(i.name, i.student_id), 300),
                       position=escape_within(i.position, 200), end=t.date(i.end_date), problems=problems)


def intern_lines(items: tuple[InternItem, ...], t: Translator) -> list[str]:
    """A page of interns: current ones under their enterprise's name when they are at several, then the ended
    ones under "Ended". A page that starts inside a group names it again."""
    lines: list[str] = []
    group: str | None = None
    for i in items:
        heading = (t.gettext("Ended") if i.ended else escape_within(i.enterprise, 300) if i.several_enterprises
                   else None)
        if heading is not None and heading != group:
            lines.append(f"*{heading}*")
        group = heading
        lines.append(intern_line(i, t))
    return lines


def ending_line(i: EndingItem, t: Translator) -> str:
    return t.gettext("• {intern} — ends {end}").format(intern=escape_within(t.aside(i.name, i.student_id), 300),
                                                      end=t.date(i.end_date))


# --- lists ----------------------------------------------------------------------------------------------
def page_blocks(page: Page, t: Translator, *, title: str | None = None) -> Blocks:
    """A list's title, its items (one block each, or lines in one block) and, if long, its pager."""
    _ = t.gettext
    head = "*" + (title or _(SECTION_TITLES[page.section])) + "*"
    if page.total > len(page.items) or page.page:
        last = page.first + len(page.items) - 1
        head += " " + _("({first}–{last} of {total})").format(first=page.first, last=last, total=page.total)
    if not page.items:
        return [section(head + "\n" + _(EMPTY[page.section]), cut=True)]
    blocks: Blocks
    if page.section == Section.INTERNS:
        blocks = [section(head + "\n" + "\n".join(intern_lines(page.items, t)), cut=True)]
    elif page.section == Section.ENDING:
        blocks = [section(head + "\n" + "\n".join(ending_line(i, t) for i in page.items), cut=True)]
    else:
        render = exchange_block if page.section == Section.APPROVALS else problem_block
        blocks = [section(head, cut=True), *(render(item, t) for item in page.items)]
    pager = []
    if page.page:
        pager.append(button(HomeActionId.PREVIOUS_PAGE, _("Previous"), f"{page.section}:{page.page - 1}"))
    if page.has_more:
        pager.append(button(HomeActionId.NEXT_PAGE, _("Show more"), f"{page.section}:{page.page + 1}"))
    if pager:
        blocks.append(actions(pager))
    return blocks


def overview_blocks(data: HomeData, t: Translator) -> Blocks:
    assert data.overview is not None
    _ = t.gettext
    o = data.overview
    counts = [(_(SEVERITY_LABELS[s]), n) for s, n in o.open_by_severity.items()]
    counts += [(_("Overdue"), o.overdue), (_("Pending approvals"), o.pending_approvals),
               (_("Ending within 30 days"), o.ending_soon)]
    return [header(_("Partnership overview")), fields(*counts, text="*" + _("Open problems by severity") + "*")]


def meeting_text(data: HomeData, t: Translator) -> str:
    _ = t.gettext
    head = "*" + _("Next meeting") + "*\n"
    if not data.meetings:
        return head + _("No meeting scheduled.")
    return head + "\n".join(
        f"📅 {escape_within(m.title, 200)} · {t.aside(t.datetime(m.starts_at, m.timezone), m.timezone)} · "
        f"<#{m.channel_id}>"
        for m in data.meetings[:5])


def action_items_text(data: HomeData, t: Translator) -> str:
    _ = t.gettext
    lines = [_("• {text} — due {due} ({meeting})").format(text=escape_within(i.text, 300), due=t.date(i.due_date),
                                                           meeting=escape_within(i.meeting_title, 100))
             for i in data.action_items]
    more = data.action_item_total - len(data.action_items)
    if more > 0:
        lines.append(t.ngettext("…and {count} more", "…and {count} more", more).format(count=more))
    return "*" + _("Your action items") + "*\n" + "\n".join(lines)


def ledger_text(data: HomeData, t: Translator) -> str:
    """A coordinator's newest cooperation ledger entries (`coopbot export ledger` has them all)."""
    _ = t.gettext
    lines = []
    for e in data.ledger:
        line = f"• {_(ENTRY_KIND_LABELS[e.kind])} · {escape_within(e.title, 150)} · {t.date(e.started_on)}"
        if e.deadline is not None:
            line += " · " + _("deadline {date}").format(date=t.date(e.deadline))
        lines.append(line + " · " + escape_within(e.partnership, 100))
    return "*" + _("Cooperation ledger") + "*\n" + "\n".join(lines)
def outsider_mark(external: bool, guest: bool, t: Translator) -> str:
    """Slack's own badges, in words: "external" (another Slack organization), "guest"."""
    marks = ([t.gettext("external")] if external else []) + ([t.gettext("guest")] if guest else [])
    return t.gettext(", ").join(marks)


def outsiders_text(data: HomeData, t: Translator) -> str:
    """Coordinators: who in their partnerships is of another organization or a guest (they use the panel)."""
    lines = [t.gettext("• {person} ({name}) — {mark}").format(
        person=f"<@{o.slack_user_id}>", name=escape_within(o.name, 100), mark=outsider_mark(o.external, o.guest, t))
        for o in data.outsiders]
    more = data.outsider_total - len(data.outsiders)
    if more > 0:
        lines.append(t.ngettext("…and {count} more", "…and {count} more", more).format(count=more))
    head = "*" + t.gettext("People of another Slack organization, and guests") + "*\n"
    note = t.gettext("They cannot use coopbot's slash commands: they start everything from the coopbot panel "
                     "pinned in the partnership's channel.")
    return head + "\n".join(lines) + "\n" + note


def quick_actions(data: HomeData, t: Translator) -> Block | None:
    _ = t.gettext
    buttons = []
    if Action.REPORT_PROBLEM in data.quick_actions:
        buttons.append(button(HOME_LOG_PROBLEM, _("Log a problem"), style="primary"))
    if Action.REQUEST_EXCHANGE in data.quick_actions:
        buttons.append(button(HomeActionId.REQUEST_EXCHANGE, _("Request an exchange")))
    if Action.SCHEDULE_MEETING in data.quick_actions:
        buttons.append(button(MeetingActionId.OPEN_SCHEDULE, _("Schedule a meeting")))
    if Action.POST_OPENING in data.quick_actions:
        buttons.append(button(RecruitmentActionId.OPEN_OPENING_FORM, _("Post an opening")))
    if data.coordinates:  # the matrix's administer_roster: coordinators (bot/admin, handlers/admin.py)
        buttons.append(button(AdminActionId.OPEN_MENU, _("Administer")))
        buttons.append(button(LedgerActionId.OPEN, _("Log in the ledger")))
        buttons.append(button(LedgerActionId.AGREEMENT, _("Agreement")))
    return actions(buttons) if buttons else None


def roles_text(data: HomeData, t: Translator) -> str:
    """The person's roles, and where: one list when they hold the same roles in every partnership, else the
    roles of each partnership (a teacher in one and a coordinator in another is not a teacher in both)."""
    def listed(roles: frozenset[Role]) -> str:
        return t.gettext(", ").join(t.gettext(ROLE_LABELS[r]) for r in Role if r in roles)

    if not data.roles_by_partnership:  # a dean and nothing else
        return escape_within(t.gettext("Dean of {colleges}").format(
            colleges=t.gettext(", ").join(c.name for c in data.colleges)), 1800)
    where: dict[frozenset[Role], list[str]] = {}
    for name, roles in data.roles_by_partnership:
        where.setdefault(roles, []).append(name)
    if len(where) <= 1:
        return t.gettext("Your roles: {roles} · {partnerships}").format(
            roles=listed(data.roles), partnerships=escape_within(t.gettext(", ").join(data.partnerships), 1500))
    each = [t.gettext("{roles} in {partnerships}").format(roles=listed(roles), partnerships=t.gettext(", ").join(names))
            for roles, names in where.items()]  # no markup in it: escaped whole, so a cut never splits `&amp;`
    return escape_within(t.gettext("Your roles: {roles_by_partnership}").format(
        roles_by_partnership=t.gettext("; ").join(each)), 1800)


# --- across partnerships ------------------------------------------------------------------------------
def placement_blocks(data: HomeData, t: Translator) -> Blocks:
    """Placed against planned, per plan line of the periods running now (coordinators)."""
    _ = t.gettext
    if not data.placement:
        return []
    several = len({row.partnership_id for row in data.placement}) > 1
    lines = []
    for row in data.placement[:20]:
        what = _("{major} · {post}").format(major=row.major, post=row.post)
        if row.order_class:
            what = _("{line} (order class {name})").format(line=what, name=row.order_class)
        if several:
            what = f"{row.partnership} · {what}"
        lines.append(_("• {period}: {line} — placed {placed} of {planned}").format(
            period=row.period, line=what, placed=row.placed, planned=row.planned))
    return [section("*" + _("Placement plan") + "*\n" + escape_within("\n".join(lines), 2800), cut=True)]


def college_blocks(data: HomeData, t: Translator) -> Blocks:
    """A dean's colleges: every partnership at a glance, read-only (no buttons: a dean acts in none)."""
    _ = t.gettext
    blocks: Blocks = []
    for college in data.colleges:
        rate = college.hiring.employment_rate
        summary = _("Hires this year: {hires} · employment rate of interns who ended this year: {rate}").format(
            hires=college.hiring.hires, rate=_("n/a") if rate is None else f"{rate:.0%}")
        blocks += [header(_("College: {name}").format(name=college.name)), context(summary)]
        lines = []
        for g in college.partnerships[:40]:
            severities = _(", ").join(f"{_(SEVERITY_LABELS[s])} {n}" for s, n in g.open_by_severity.items() if n)
            lines.append(_("• {name} (<#{channel}>) — {interns} current interns · open problems: {problems} · "
                           "placed {placed} of {planned} · hires {hires}").format(
                name=escape_within(g.name, 200), channel=g.channel_id, interns=g.current_interns,
                problems=severities or _("none"), placed=g.placed, planned=g.planned, hires=g.hires))
        blocks.append(section("\n".join(lines) or _("No partnerships yet."), cut=True))
    return blocks


# --- the home -------------------------------------------------------------------------------------------
def home_view(data: HomeData | None, t: Translator, *, how_to_join: str, links: Links | None = None) -> Block:
    """The person's dashboard; `data` is None for someone on no roster (who sees how to join, nothing else).
    `links` (OAuth mode): partnerships to link to both organizations' installations, invitations to accept."""
    _ = t.gettext
    if data is None:  # on no roster this installation sees; an invitation to accept is still shown (OAuth mode)
        invited = link_blocks(links, t) if links is not None and (links.invitations or links.to_link) else []
        return {"type": "home", "blocks": [header(_("Welcome to coopbot")), *(invited or [section(how_to_join,
                                                                                                  cut=True)])]}
    blocks: Blocks = [
        header(_("Hello, {name}").format(name=data.name)),
        context(roles_text(data, t)),
        section(meeting_text(data, t), cut=True),
    ]
    quick = quick_actions(data, t)
    if quick:
        blocks.append(quick)
    if links is not None:
        blocks += link_blocks(links, t)
    if data.colleges:
        blocks += [divider(), *college_blocks(data, t)]
    if data.overview is not None:
        blocks += [divider(), *overview_blocks(data, t), *placement_blocks(data, t)]
        for key in (Section.OVERDUE, Section.APPROVALS, Section.ENDING):
            blocks += page_blocks(data.sections[key], t, title=_("Pending approvals") if key == Section.APPROVALS
                                  else None)
    blocks.append(divider())
    for key in (Section.AWAITING, Section.PROBLEMS, Section.INTERNS):
        if key in data.sections:
            blocks += page_blocks(data.sections[key], t)
    if data.followups is not None:
        blocks += followup_blocks(data.followups, t)
    if data.overview is None and data.sections[Section.APPROVALS].total:
        blocks += page_blocks(data.sections[Section.APPROVALS], t)
    if data.action_items:
        blocks.append(section(action_items_text(data, t), cut=True))
    if data.ledger:
        blocks.append(section(ledger_text(data, t), cut=True))
    if data.outsiders:
        blocks.append(section(outsiders_text(data, t), cut=True))
    footer = [divider(), language_picker(data.language_choice, t)]
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS - len(footer)] + footer}  # the setting always stays

