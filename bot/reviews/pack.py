"""The quarterly review pack as a PDF: a cover of key numbers, then one section per subject, each with its
charts and tables.

The sections are a list of builders, `(PackContext) -> flowables`, so a new subject is one more function added
to `SECTIONS` (or passed to `render`), its numbers in `PackData` (or `PackData.extra`); placed against planned
and recruitment are two of them.
The fonts are the letters' (bot.exchanges.letter_fonts), embedded as subsets; the charts use the same files.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bot.cooperation.labels import ENTRY_KIND_LABELS, OWNERSHIP_LABELS, STATUS_LABELS
from bot.exchanges.labels import DIRECTION_LABELS
from bot.exchanges.letter_fonts import LetterFonts
from bot.exchanges.practice import REQUIRED_MONTHS, WINDOW_YEARS
from bot.i18n.catalog import N_, Translator
from bot.meetings.labels import STATUS_LABELS as MEETING_STATUS_LABELS
from bot.plans.numbers import PlacementRow
from bot.problems.labels import CATEGORY_LABELS, SEVERITY_LABELS
from bot.reviews import charts
from bot.reviews.data import PackData
from bot.slack.text import truncate
from models.exchange import Direction
from models.problem import Category, Severity

TEXT_WIDTH = 170 * mm
MAX_ROWS = 40  # rows of a table before "and N more"
MAX_TEACHERS = 30  # teachers in the practice chart: those furthest from the rule
_building = threading.Lock()


@dataclass(frozen=True)
class PackContext:
    """What a section builder gets: the numbers, the reader's language, the fonts and the shared styles."""

    data: PackData
    t: Translator
    fonts: LetterFonts
    families: list[str]  # the same fonts, as matplotlib names them
    styles: dict[str, ParagraphStyle]

    def para(self, words: str, style: str = "body") -> Paragraph:
        return Paragraph(self.fonts.markup(words), self.styles[style])

    def chart(self, png: bytes) -> Image:
        image = Image(io.BytesIO(png))
        scale = TEXT_WIDTH / image.imageWidth
        image.drawWidth, image.drawHeight = TEXT_WIDTH, image.imageHeight * scale
        return image

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]) -> Table:
        _ = self.t.gettext
        shown = [list(r) for r in rows[:MAX_ROWS]]
        if len(rows) > MAX_ROWS:
            shown.append([_("… and {count} more").format(count=len(rows) - MAX_ROWS)] + [""] * (len(header) - 1))
        cells = [[self.para(h, "cell_head") for h in header]] + [[self.para(c, "cell") for c in r] for r in shown]
        table = Table(cells, colWidths=list(widths), repeatRows=1)
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.main), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black), ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))]))
        return table

    def quarter(self, index: int) -> str:
        q = self.data.quarters[index]
        return self.t.quarter(q.year, q.number)

    def days(self, value: float | None) -> str:
        return self.t.gettext("no data") if value is None else self.t.number(value)


Section = Callable[[PackContext], list[Flowable]]


def summary_section(c: PackContext) -> list[Flowable]:
    """The cover: the scope, the quarter, and the key numbers (what a reader quotes at the meeting)."""
    _, d = c.t.gettext, c.data
    q = d.quarter
    ack, resolve = d.ack_days[q], d.resolve_days[q]
    months = d.exchange_months[q]
    rows = [
        (_("Problems reported this quarter"), c.t.number(d.problems_in(q))),
        (_("Problems reported in the last four quarters"), c.t.number(sum(d.problems_in(x) for x in d.quarters))),
        (_("Median time to acknowledge (days)"), c.days(ack)),
        (_("Median time to resolve (days)"), c.days(resolve)),
        (_("Exchange months this quarter"), c.t.number(round(sum(months.values()), 1))),
        (_("Teachers meeting the enterprise-practice rule"),
         _("{met} of {count}").format(met=c.t.number(d.practice_met), count=c.t.number(len(d.practice)))),
        (_("Meetings held or scheduled in the last four quarters"), c.t.number(len(d.meetings))),
        (_("Open action items"), c.t.number(len(d.open_items))),
        (_("New ledger entries this quarter"), c.t.number(len(d.new_entries))),
        (_("Interns placed against planned this quarter"), _("{placed} of {planned}").format(
            placed=c.t.number(d.placed_planned[0]), planned=c.t.number(d.placed_planned[1]))),
        (_("Hires in the last four quarters"), c.t.number(d.hiring_total.hires)),
        (_("Employment rate"), rate(c, d.hiring_total.cohort_hired, d.hiring_total.cohort)),
    ]
    story: list[Flowable] = [
        c.para(d.title, "title"),
        c.para(_("Quarterly review pack · {quarter} · as of {date}").format(
            quarter=c.t.quarter(q.year, q.number), date=c.t.date(d.today, weekday=False)), "subtitle"),
    ]
    for p in d.partnerships[:MAX_ROWS]:
        line = _("{name}: {school} and {enterprise}").format(name=p.name, school=p.school, enterprise=p.enterprise)
        if p.agreement_ends is not None:
            line += " · " + _("agreement until {date}").format(date=c.t.date(p.agreement_ends, weekday=False))
        story.append(c.para(line, "small"))
    if len(d.partnerships) > MAX_ROWS:
        story.append(c.para(_("… and {count} more").format(count=len(d.partnerships) - MAX_ROWS), "small"))
    story += [Spacer(1, 4 * mm), c.para(_("Key numbers"), "heading"),
              c.table((_("Measure"), _("Value")), rows, (120 * mm, 50 * mm))]
    return story


def problems_section(c: PackContext) -> list[Flowable]:
    _, d = c.t.gettext, c.data
    quarters = [c.quarter(i) for i in range(len(d.quarters))]
    severity = charts.stacked_bars(
        c.families, _("Problems by severity, last four quarters"), _("Quarter"), _("Problems (count)"), quarters,
        [(_(SEVERITY_LABELS[s]), [d.by_severity[q][s] for q in d.quarters]) for s in Severity])
    used = [k for k in Category if any(d.by_category[q][k] for q in d.quarters)] or [Category.OTHER]
    category = charts.stacked_bars(
        c.families, _("Problems by category, last four quarters"), _("Problems (count)"), _("Category"),
        [truncate(_(CATEGORY_LABELS[k]), 34) for k in used],
        [(quarters[i], [d.by_category[q][k] for k in used]) for i, q in enumerate(d.quarters)], horizontal=True,
        height=max(2.2, 0.9 + 0.3 * len(used)))
    times = charts.grouped_bars(
        c.families, _("Time to acknowledge and to resolve (median)"), _("Quarter reported"), _("Days (median)"),
        quarters, [(_("Acknowledge"), [d.ack_days[q] for q in d.quarters]),
                   (_("Resolve"), [d.resolve_days[q] for q in d.quarters])], no_data=_("none"))
    rows = [(quarters[i], c.t.number(d.problems_in(q)), c.days(d.ack_days[q]), c.days(d.resolve_days[q]))
            for i, q in enumerate(d.quarters)]
    return [c.para(_("Intern problems"), "heading"), c.chart(severity), c.chart(category), c.chart(times),
            c.table((_("Quarter"), _("Reported"), _("Acknowledged in (days, median)"), _("Resolved in (days, median)")),
                    rows, (45 * mm, 30 * mm, 50 * mm, 45 * mm))]


def exchanges_section(c: PackContext) -> list[Flowable]:
    _, d = c.t.gettext, c.data
    quarters = [c.quarter(i) for i in range(len(d.quarters))]
    months = charts.stacked_bars(
        c.families, _("Staff exchange months per quarter"), _("Quarter"), _("Person-months"), quarters,
        [(_(DIRECTION_LABELS[r]), [d.exchange_months[q][r] for q in d.quarters]) for r in Direction])
    story: list[Flowable] = [c.para(_("Staff exchanges and enterprise practice"), "heading"), c.chart(months)]
    rule = _("Each college teacher spends at least {months} months in enterprises in every {years} years.").format(
        months=REQUIRED_MONTHS, years=WINDOW_YEARS)
    story.append(c.para(rule + " " + _("{met} of {count} teachers meet it.").format(
        met=c.t.number(d.practice_met), count=c.t.number(len(d.practice))), "body"))
    if d.practice:
        shown = d.practice[:MAX_TEACHERS]
        story.append(c.chart(charts.threshold_bars(
            c.families, _("Enterprise practice in the last {years} years").format(years=WINDOW_YEARS),
            _("Months"), _("Teacher"), [truncate(r.name, 24) for r in shown], [r.months for r in shown],
            REQUIRED_MONTHS, _("Required: {months} months").format(months=REQUIRED_MONTHS),
            _("Meets the rule"), _("Short of the rule"))))
        if len(d.practice) > MAX_TEACHERS:
            story.append(c.para(_("The {count} teachers furthest from the rule are shown.").format(
                count=MAX_TEACHERS), "small"))
    return story


def meetings_section(c: PackContext) -> list[Flowable]:
    _, d = c.t.gettext, c.data
    story: list[Flowable] = [c.para(_("Meetings and action items"), "heading")]
    if d.meetings:
        shown = d.meetings[-12:]
        labels = [c.t.date(m.day, weekday=False) for m in shown]
        story.append(c.chart(charts.grouped_bars(
            c.families, _("Meeting attendance"), _("Meeting date"), _("People (count)"), labels,
            [(_("Invited"), [float(m.invited) for m in shown]), (_("Going"), [float(m.going) for m in shown])],
            no_data=_("none"))))
        story.append(c.table(
            (_("Date"), _("Meeting"), _("Status"), _("Invited"), _("Going"), _("Answered")),
            [(c.t.date(m.day, weekday=False), m.title, _(MEETING_STATUS_LABELS[m.status]), str(m.invited),
              str(m.going), str(m.answered)) for m in d.meetings], (28 * mm, 62 * mm, 25 * mm, 18 * mm, 18 * mm,
                                                                    19 * mm)))
    else:
        story.append(c.para(_("No meetings in the last four quarters."), "body"))
    story.append(Spacer(1, 3 * mm))
    story.append(c.para(_("Open action items: {count}").format(count=c.t.number(len(d.open_items))), "subheading"))
    if d.open_items:
        story.append(c.table((_("Due"), _("Action item"), _("Owner"), _("Partnership")),
                             [(_("{date} (overdue)").format(date=c.t.date(i.due, weekday=False)) if i.overdue
                               else c.t.date(i.due, weekday=False),
                               truncate(i.text, 200), i.owner, i.partnership) for i in d.open_items],
                             (32 * mm, 75 * mm, 28 * mm, 35 * mm)))
    return story


def ledger_section(c: PackContext) -> list[Flowable]:
    _, d = c.t.gettext, c.data
    story: list[Flowable] = [c.para(_("New in the cooperation ledger: {count}").format(
        count=c.t.number(len(d.new_entries))), "heading")]
    if not d.new_entries:
        return [*story, c.para(_("Nothing new was logged this quarter."), "body")]
    rows = []
    for e in d.new_entries:
        detail = []
        if e.deadline is not None:
            detail.append(_("deadline {date}").format(date=c.t.date(e.deadline, weekday=False)))
        if e.status is not None:
            detail.append(_(STATUS_LABELS[e.status]))
        if e.ownership is not None:
            detail.append(_(OWNERSHIP_LABELS[e.ownership]))
        if e.trainees is not None:
            detail.append(_("{people} people, {hours} hours").format(people=e.trainees, hours=e.hours or 0))
        rows.append((c.t.date(e.started_on, weekday=False), _(ENTRY_KIND_LABELS[e.kind]), truncate(e.title, 120),
                     c.t.gettext("; ").join(detail), e.partnership))
    story.append(c.table((_("Date"), _("Kind"), _("Title"), _("Details"), _("Partnership")), rows,
                         (26 * mm, 30 * mm, 50 * mm, 34 * mm, 30 * mm)))
    return story


MAX_LINES = 24  # plan lines in the placed-vs-planned chart: those furthest short of their plan
# The employment rate, as bot.plans.numbers defines it, said where the number is read.
RATE_DEFINITION = N_("Employment rate: of the interns whose internship ended in the last four quarters, the share "
                     "the enterprise hired.")


def rate(c: PackContext, hired: int, cohort: int) -> str:
    """"50% (1 of 2)", or "no data" when no internship ended."""
    if not cohort:
        return c.t.gettext("no data")
    return c.t.gettext("{rate}% ({hired} of {cohort})").format(
        rate=c.t.number(round(100 * hired / cohort, 1)), hired=c.t.number(hired), cohort=c.t.number(cohort))


def line_label(c: PackContext, row: PlacementRow, several: bool) -> str:
    """"机电 · 装配", with its order class (订单班) when it is one, and its partnership in a college's pack."""
    _ = c.t.gettext
    what = _("{major} · {post}").format(major=row.major, post=row.post)
    if row.order_class:
        what = _("{line} (order class {name})").format(line=what, name=row.order_class)
    return _("{partnership}: {line}").format(partnership=row.partnership, line=what) if several else what


def placement_section(c: PackContext) -> list[Flowable]:
    """Placed against planned, per plan line of the plans running this quarter: a chart and a table."""
    _, d = c.t.gettext, c.data
    placed, planned = d.placed_planned
    story: list[Flowable] = [c.para(_("Placed against planned: {placed} of {planned} interns").format(
        placed=c.t.number(placed), planned=c.t.number(planned)), "heading")]
    if not d.placement:
        return [*story, c.para(_("No placement plan runs this quarter."), "body")]
    several = len(d.partnerships) > 1  # a college's pack names each line's partnership
    shown = list(d.placement)
    if len(shown) > MAX_LINES:
        shown = sorted(shown, key=lambda r: -r.short)[:MAX_LINES]
    names = [truncate(line_label(c, r, several), 40) for r in shown]
    story.append(c.chart(charts.grouped_hbars(
        c.families, _("Interns placed against the plan, per plan line"), _("Interns (count)"), _("Plan line"), names,
        [(_("Interns planned"), [float(r.planned) for r in shown]),
         (_("Interns placed"), [float(r.placed) for r in shown])])))
    if len(d.placement) > MAX_LINES:
        story.append(c.para(_("The {count} plan lines furthest short of their plan are shown.").format(
            count=MAX_LINES), "small"))
    story.append(c.table(
        (_("Plan period"), _("Plan line"), _("Interns planned"), _("Interns placed"), _("Short of plan")),
        [(r.period, line_label(c, r, several), c.t.number(r.planned), c.t.number(r.placed), c.t.number(r.short))
         for r in d.placement], (30 * mm, 86 * mm, 18 * mm, 18 * mm, 18 * mm)))
    return story


def hiring_section(c: PackContext) -> list[Flowable]:
    """Recruitment over the four quarters, from openings to hires, and the employment rate (with what it means);
    per partnership too in a pack of several."""
    _, d = c.t.gettext, c.data
    total = d.hiring_total
    rows = [
        (_("Openings posted"), c.t.number(total.openings)),
        (_("Posts in those openings"), c.t.number(total.positions)),
        (_("Interns recommended"), c.t.number(total.recommendations)),
        (_("Offers made"), c.t.number(total.offers)),
        (_("Hires"), c.t.number(total.hires)),
        (_("Interns whose internship ended"), c.t.number(total.cohort)),
        (_("Employment rate"), rate(c, total.cohort_hired, total.cohort)),
    ]
    story: list[Flowable] = [
        c.para(_("Recruitment and employment, last four quarters"), "heading"),
        c.table((_("Measure"), _("Value")), rows, (120 * mm, 50 * mm)),
        c.para(_(RATE_DEFINITION), "small")]
    if len(d.partnerships) > 1:
        names = {p.id: p.name for p in d.partnerships}
        story += [Spacer(1, 3 * mm), c.table(
            (_("Partnership"), _("Openings"), _("Interns recommended"), _("Offers"), _("Hires"), _("Employment rate")),
            [(names[pid], c.t.number(h.openings), c.t.number(h.recommendations), c.t.number(h.offers),
              c.t.number(h.hires), rate(c, h.cohort_hired, h.cohort)) for pid, h in d.hiring.items()],
            (50 * mm, 22 * mm, 24 * mm, 20 * mm, 18 * mm, 36 * mm))]
    return story


SECTIONS: list[Section] = [summary_section, problems_section, placement_section, hiring_section,
                           exchanges_section, meetings_section, ledger_section]
PAGE_FOOT = N_("{title} · page {page}")


def render(data: PackData, t: Translator, fonts: LetterFonts, families: list[str],
           sections: Sequence[Section] = SECTIONS) -> bytes:
    """The pack as PDF bytes, each section starting on the page where the last one ends."""
    body = ParagraphStyle("body", fontName=fonts.main, fontSize=10, leading=14, wordWrap="CJK", spaceAfter=2 * mm)
    styles = {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontSize=20, leading=26, spaceAfter=2 * mm),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=12, leading=16, textColor=colors.dimgrey),
        "heading": ParagraphStyle("heading", parent=body, fontSize=14, leading=18, spaceBefore=5 * mm),
        "subheading": ParagraphStyle("subheading", parent=body, fontSize=11, leading=15),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=11, spaceAfter=0),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "cell_head": ParagraphStyle("cell_head", parent=body, fontSize=8, leading=10, spaceAfter=0),
        "foot": ParagraphStyle("foot", parent=body, fontSize=7, leading=9, textColor=colors.dimgrey),
    }
    context = PackContext(data, t, fonts, families, styles)
    story: list[Flowable] = []
    for section in sections:
        parts = section(context)
        if parts:
            story.append(KeepTogether(parts[:2]))  # a heading never ends a page alone
            story.extend(parts[2:])

    def foot(canvas: Canvas, document: SimpleDocTemplate) -> None:
        line = context.para(t.gettext(PAGE_FOOT).format(title=data.title, page=canvas.getPageNumber()), "foot")
        line.wrap(document.width, document.bottomMargin)
        line.drawOn(canvas, document.leftMargin, 10 * mm)

    out = io.BytesIO()
    with _building:
        document = SimpleDocTemplate(out, pagesize=A4, title=data.title, author="coopbot", leftMargin=20 * mm,
                                     rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
                                     initialFontName=fonts.main)
        document.build(story, onFirstPage=foot, onLaterPages=foot)
    return out.getvalue()
