"""The digest as Block Kit: a pure function of DigestData and a translator.

Readable at a glance: one header, a line of totals, then one short section per topic, each listing
at most a few items with links and saying how many more there are. The block count is bounded by
construction (well under Slack's 50) and every text is kept within Slack's 3,000 characters, cut
only at a line's end so no link or escape is ever split.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.compliance.forms import missing_words
from bot.digests.data import TOP, Counts, DigestData, Link
from bot.i18n.catalog import Translator
from bot.plans.college import CollegePicture
from bot.plans.messages import line_label
from bot.plans.numbers import Hiring
from bot.problems.labels import CATEGORY_LABELS, SEVERITY_EMOJI, SEVERITY_LABELS
from bot.quarters import Quarter
from bot.slack.blocks import Block, Blocks, context, divider, header, section
from bot.slack.text import escape, escape_within, fitting, mention, slack_length, truncate, truncate_mrkdwn

TEXT_LIMIT = 3000
SLACK_ARCHIVES = "https://slack.com/archives"


def link(target: Link, label: str, t: Translator) -> str:
    """A link to the item's message when we know where it landed, else to its channel (named in brackets).

    `label` must already be escaped. Slack offers no permalink without an API call per item, but an
    archives URL with the message ts opens the message in the reader's own workspace.
    """
    if target.ts:
        return f"<{SLACK_ARCHIVES}/{target.channel}/p{target.ts.replace('.', '')}|{label}>"
    return t.aside(label, f"<#{target.channel}>")


def period_title(d: DigestData, t: Translator, quarter: Quarter | None) -> str:
    """"Q1 2027 in review" at quarter end, else the dates covered, in the partnership's timezone."""
    if quarter is not None:
        return t.gettext("{quarter} in review").format(quarter=t.quarter(quarter.year, quarter.number))
    last = _day(d.window.until - timedelta(microseconds=1), d)
    return t.gettext("{start} – {end}").format(start=t.date(_day(d.window.since, d)), end=t.date(last))


def digest_message(d: DigestData, t: Translator, quarter: Quarter | None = None) -> tuple[str, Blocks]:
    """The whole digest for one partnership channel: (notification text, blocks)."""
    _ = t.gettext
    title = _("Cooperation digest · {period}").format(period=period_title(d, t, quarter))
    totals = d.totals
    summary = _("Problems: {opened} opened, {resolved} resolved, {open} still open").format(
        opened=totals.opened, resolved=totals.resolved, open=totals.open)
    blocks: Blocks = [
        header(title),
        context(escape_within(d.name, TEXT_LIMIT)),
        _lines_section(f"*{_('Problems')}*\n{summary}"),
    ]
    if d.school_side.opened or d.school_side.resolved or d.school_side.open:
        blocks.append(_lines_section(_school_side(d, t)))
    if d.by_severity:
        blocks.append(_lines_section(_by_severity(d, t)))
        blocks.append(_lines_section(_by_category(d, t)))
    if d.oldest_open:
        lines = [f"{SEVERITY_EMOJI[p.severity]} {link(p.link, '#' + str(p.id), t)} · "
                 f"{escape(t.aside(p.intern, p.student_id))} · "
                 f"{_(CATEGORY_LABELS[p.category])} · {_('since {date}').format(date=t.date(_day(p.created_at, d)))}"
                 for p in d.oldest_open]
        blocks.append(_lines_section(f"*{_('Oldest open problems')}*\n" + "\n".join(lines)))
    blocks.append(divider())
    blocks.extend(_lines_section(text) for text in _exchanges(d, t))
    blocks.append(_lines_section(_meetings(d, t)))
    blocks.append(_lines_section(_internships(d, t)))
    if d.compliance:
        blocks.append(_lines_section(_compliance(d, t)))
    placement_and_hiring = _placement_and_hiring(d, t)
    if placement_and_hiring:
        blocks.append(_lines_section(placement_and_hiring))
    return truncate(title, 300), blocks


def _school_side(d: DigestData, t: Translator) -> str:
    """School-side reports as counts alone, apart from the rest (the enterprise reads the digest)."""
    c = d.school_side
    return "🔒 " + t.ngettext(
        "{count} school-side report still open ({opened} opened, {resolved} resolved this period); kept on the "
        "school side", "{count} school-side reports still open ({opened} opened, {resolved} resolved this period); "
        "kept on the school side", c.open).format(count=c.open, opened=c.opened, resolved=c.resolved)
def rate_words(figures: Hiring, t: Translator, *, this_year: bool = False) -> str:
    """"Hires: 1 · employment rate: 50% (1 of 2 interns whose internship ended in this period)" (the
    definition: bot.plans.numbers)."""
    _ = t.gettext
    if figures.employment_rate is None:
        rate = (_("employment rate: no internship ended this year") if this_year
                else _("employment rate: no internship ended in this period"))
    else:
        sentence = (_("employment rate: {rate}% ({hired} of {cohort} interns whose internship ended this year)")
                    if this_year else
                    _("employment rate: {rate}% ({hired} of {cohort} interns whose internship ended in this period)"))
        rate = sentence.format(rate=round(figures.employment_rate * 100), hired=figures.cohort_hired,
                               cohort=figures.cohort)
    return _("Hires: {hires} · {rate}").format(hires=figures.hires, rate=rate)


def _placement_and_hiring(d: DigestData, t: Translator) -> str | None:
    """Placed against planned (the periods running now) and recruitment in the digest's period; nothing when
    the partnership has neither a plan nor any recruitment or ended internship to count."""
    _ = t.gettext
    h = d.hiring
    busy = h is not None and (h.openings or h.recommendations or h.offers or h.hires or h.cohort)
    if not d.placement and not busy:
        return None
    parts = [f"*{_('Placement and recruitment')}*"]
    for row in d.placement[:TOP]:
        parts.append("• " + _("{period}: {line} — placed {placed} of {planned}").format(
            period=escape(row.period), line=line_label(row, t), placed=row.placed, planned=row.planned))
    parts += _more(min(len(d.placement), TOP), len(d.placement), t)
    if h is not None:
        parts.append(_("Openings: {openings} · recommendations: {recommendations} · offers: {offers}").format(
            openings=h.openings, recommendations=h.recommendations, offers=h.offers))
        parts.append(rate_words(h, t))
    return "\n".join(parts)


def _lines_section(text: str) -> Block:
    """A section of whole lines: cut after the last line that fits (`_whole_lines`)."""
    return section(_whole_lines(text, TEXT_LIMIT))


def _whole_lines(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut after the last whole line that fits: a cut inside a line could
    split a link (`<url|label>`) or an escape (`&amp;`) and break the section's markup."""
    if slack_length(text) <= limit:
        return text
    kept = text[: fitting(text, limit - 2)]
    return (kept[: kept.rfind("\n")] if "\n" in kept else truncate_mrkdwn(text, limit - 2, ellipsis="")) + "\n…"


def _day(moment: datetime, d: DigestData) -> date:
    return moment.astimezone(ZoneInfo(d.timezone)).date()


def _counts(c: Counts, t: Translator) -> str:
    return t.gettext("{opened} opened · {resolved} resolved · {open} open").format(
        opened=c.opened, resolved=c.resolved, open=c.open)


def labelled(label: str, value: str, t: Translator) -> str:
    """"Label: value", with the colon the reader's language uses (Chinese: full-width, no space)."""
    return t.gettext("{label}: {value}").format(label=label, value=value)


def _by_severity(d: DigestData, t: Translator) -> str:
    lines = [f"{SEVERITY_EMOJI[s]} " + labelled(t.gettext(SEVERITY_LABELS[s]), _counts(d.by_severity[s], t), t)
             for s in sorted(d.by_severity)]
    return f"*{t.gettext('By severity')}*\n" + "\n".join(lines)


def _by_category(d: DigestData, t: Translator) -> str:
    ordered = sorted(d.by_category.items(), key=lambda kv: (-kv[1].open, -kv[1].opened, kv[0].value))
    lines = ["• " + labelled(t.gettext(CATEGORY_LABELS[c]), _counts(counts, t), t) for c, counts in ordered]
    return f"*{t.gettext('By category')}*\n" + "\n".join(lines)


def _more(shown: int, total: int, t: Translator) -> list[str]:
    rest = total - shown
    return [t.ngettext("…and {count} more", "…and {count} more", rest).format(count=rest)] if rest > 0 else []


def _exchanges(d: DigestData, t: Translator) -> list[str]:
    """The exchanges' heading, then one text per kind (each its own section: five items of the longest
    names and host units the forms allow fit in one, where all five kinds together would not). Approved
    exchanges that have not started are "Coming up", with their start date."""
    _ = t.gettext
    heads = {"pending": _("Awaiting a decision"), "changes": _("Changes requested"), "upcoming": _("Coming up"),
             "active": _("Under way"), "due": _("Due for assessment")}
    texts = [f"*{_('Staff exchanges')}*"]
    if not d.exchange_counts:
        texts[0] += "\n" + _("No exchanges pending, coming up or under way.")
    for bucket in ("pending", "changes", "upcoming", "active", "due"):
        items = d.exchanges.get(bucket, [])
        if not items:
            continue
        parts = [f"_{labelled(heads[bucket], str(d.exchange_counts[bucket]), t)}_"]
        parts += [f"• {link(e.link, escape_within(e.person, 100), t)} → {escape_within(e.host_unit, 200)} · "
                  + (_("starts {date}").format(date=t.date(e.start_date)) if bucket == "upcoming"
                     else _("until {date}").format(date=t.date(e.end_date))) for e in items]
        parts += _more(len(items), d.exchange_counts[bucket], t)
        texts.append("\n".join(parts))
    if len(texts) > 1:  # the heading goes with the first kind
        texts[:2] = [texts[0] + "\n" + texts[1]]
    return texts


def _meetings(d: DigestData, t: Translator) -> str:
    _ = t.gettext
    parts = [f"*{_('Cooperation meetings')}*"]
    if d.next_meeting:
        m = d.next_meeting
        parts.append(_("Next: {title}, {when}").format(title=link(m.link, escape_within(m.title, 200), t),
                                                       when=t.datetime(m.starts_at, d.timezone)))
    else:
        parts.append(_("No meeting scheduled."))
    if d.action_items:
        parts.append(f"_{_('Open action items: {count}').format(count=d.action_item_count)}_")
        parts += [f"• {link(a.link, escape_within(a.text, 200), t)} · {mention(a.owner)} · "
                  f"{_('due {date}').format(date=t.date(a.due_date))}" for a in d.action_items]
        parts += _more(len(d.action_items), d.action_item_count, t)
    return "\n".join(parts)


def _internships(d: DigestData, t: Translator) -> str:
    _ = t.gettext
    parts = [f"*{_('Internships ending in the next 30 days')}*"]
    if not d.ending:
        parts.append(_("None."))
    parts += [f"• {escape(t.aside(i.name, i.student_id))} · {t.date(i.end_date)}" for i in d.ending]
    parts += _more(len(d.ending), d.ending_count, t)
    return "\n".join(parts)


def _compliance(d: DigestData, t: Translator) -> str:
    """Interns whose compliance checklist lacks a required item, with who keeps it."""
    _ = t.gettext
    parts = [f"*{_('Compliance checklists incomplete')}*"]
    for m in d.compliance[:TOP]:
        when = (_("started {date}") if m.started else _("starts {date}")).format(date=t.date(m.start_date))
        parts.append(f"• {escape(t.aside(m.name, m.student_id))} · {when} · "
                     f"{_('missing: {items}').format(items=missing_words(m.missing, t))} · {mention(m.teacher)}")
    parts += _more(min(len(d.compliance), TOP), len(d.compliance), t)
    return "\n".join(parts)


def college_digest(picture: CollegePicture, t: Translator) -> tuple[str, Blocks]:
    """A dean's weekly DM: the college's partnerships at a glance (read-only: no buttons)."""
    _ = t.gettext
    title = _("College digest · {college}").format(college=picture.name)
    interns = sum(g.current_interns for g in picture.partnerships)
    placed = sum(g.placed for g in picture.partnerships)
    planned = sum(g.planned for g in picture.partnerships)
    summary = _("{count} partnerships · {interns} current interns · placed {placed} of {planned} planned").format(
        count=len(picture.partnerships), interns=interns, placed=placed, planned=planned)
    blocks: Blocks = [header(title), _lines_section(summary), _lines_section(
        f"*{_('This year')}*\n" + rate_words(picture.hiring, t, this_year=True))]
    lines = []
    for g in picture.partnerships:
        severities = _(", ").join(f"{SEVERITY_EMOJI[s]} {n}" for s, n in g.open_by_severity.items() if n)
        lines.append("• " + _("{name} (<#{channel}>): {interns} current interns · open problems: {problems} · "
                              "placed {placed} of {planned} · hires {hires}").format(
            name=escape_within(g.name, 200), channel=g.channel_id, interns=g.current_interns,
            problems=severities or _("none"), placed=g.placed, planned=g.planned, hires=g.hires))
    blocks.append(_lines_section(f"*{_('Partnerships')}*\n" + ("\n".join(lines) or _("None."))))
    return truncate(title, 300), blocks
