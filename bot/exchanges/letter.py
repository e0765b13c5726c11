"""The staff exchange certificate (人员交流证明): its number and its PDF, made from the exchange's own data.

It certifies, once both sides have assessed it, that the person took part in the exchange: a certificate of
participation, not a letter appointing them to a post (a 聘书), so both languages call it a certificate.

It reads as an official document a records office files: title and number, the statement, both assessments,
the issuing institutions and date at its foot, a place for each party's signature and seal (盖章), and the
certificate's number and page on every page. Its fonts are embedded and chosen per character
(bot.exchanges.letter_fonts), so every name prints as it is written, on any reader, and extracts intact.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from datetime import date

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.exchanges.labels import DIRECTION_LABELS, PURPOSE_LABELS, RATING_LABELS
from bot.exchanges.letter_fonts import LetterFonts
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.i18n.catalog import N_, Translator
from models.exchange import Exchange
from models.roster import Side

PREFIX = "COOP"
ASSESSED_BY: dict[Side, str] = {  # one sentence per side: "the college" is not a lower-cased label
    Side.SCHOOL: N_("Assessment by the college ({assessor}): {rating}"),
    Side.ENTERPRISE: N_("Assessment by the enterprise ({assessor}): {rating}"),
}
SIGNED_FOR: dict[Side, str] = {  # the heading of each party's signature and seal place
    Side.SCHOOL: N_("For the college"),
    Side.ENTERPRISE: N_("For the enterprise"),
}
SEAL_SIZE = 34 * mm
# The placeholders that are not names: a character no font has may be shown there as its code point.
_FREE_TEXT = frozenset({"text", "comments", "direction", "purpose", "rating", "start", "end", "date", "number",
                        "page", "pages"})
_building = threading.Lock()  # reportlab's font state is per process: one certificate is laid out at a time


_NUMBERING_LOCK = 0x434F4F50  # "COOP": PostgreSQL advisory lock key, with the year as the second key


def next_number(session: Session, year: int) -> str:
    """The next free certificate number of `year`, e.g. COOP-2027-0001.

    Confirmations take numbers one at a time: on PostgreSQL a transaction-scoped advisory lock per year,
    held until this confirmation commits, so the next one reads the number it took (SQLite's writer lock
    already serialises them). Without it, every confirmation at the same moment read the same highest
    number and all but one failed."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key, :year)"), {"key": _NUMBERING_LOCK, "year": year})
    prefix = f"{PREFIX}-{year}-"
    taken = session.scalars(select(Exchange.letter_number).where(Exchange.letter_number.like(f"{prefix}%")))
    numbers = [int(n.removeprefix(prefix)) for n in taken if n and n.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def filename(number: str) -> str:
    return f"staff-exchange-certificate-{number}.pdf"


def render(x: ExchangeSnapshot, number: str, issued_on: date, confirmed_by: str, t: Translator,
           fonts: LetterFonts) -> bytes:
    """The certificate as PDF bytes. Laid out twice: the first pass counts the pages every footer names. A
    formal document writes its dates without the weekday a message gives them."""
    with _building:
        pages = _build(x, number, issued_on, confirmed_by, t, fonts, None)[1]
        return _build(x, number, issued_on, confirmed_by, t, fonts, pages)[0]


def _build(x: ExchangeSnapshot, number: str, issued_on: date, confirmed_by: str, t: Translator, fonts: LetterFonts,
           pages: int | None) -> tuple[bytes, int]:
    _ = t.gettext
    body = ParagraphStyle("body", fontName=fonts.main, fontSize=11, leading=18, wordWrap="CJK", spaceAfter=1 * mm)
    title = ParagraphStyle("title", parent=body, fontSize=22, leading=30, alignment=TA_CENTER, spaceAfter=4 * mm)
    right = ParagraphStyle("right", parent=body, alignment=TA_RIGHT)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=14)
    footer = ParagraphStyle("footer", parent=small, fontSize=8, leading=10, alignment=TA_CENTER,
                            textColor=colors.dimgrey)
    issued = t.date(issued_on, weekday=False)

    def para(words: str, style: ParagraphStyle = body, **values: str) -> Paragraph:
        """`words` (ours, translated) with `values` filled in, escaped and set in the fonts that have them, as
        one text (so a line never starts with a closing mark). A name no font can show refuses the certificate."""
        for key, value in values.items():
            if key not in _FREE_TEXT:
                fonts.require(value)
        return Paragraph(fonts.markup(words.format(**values) if values else words), style)

    story: list[Flowable] = [
        para(_("Staff Exchange Certificate"), title),
        para(_("Certificate number: {number}"), right, number=number),
        Spacer(1, 6 * mm),
        para(_("This is to certify that {person} of {sending} took part in a staff exchange with {host} ({unit}) "
               "from {start} to {end}, under the cooperation agreement {partnership}."), person=x.person_name,
             sending=x.sending_unit, host=x.host_organisation, unit=x.host_unit,
             start=t.date(x.start_date, weekday=False), end=t.date(x.end_date, weekday=False),
             partnership=x.partnership_name),
        para(_("Direction: {direction}"), direction=_(DIRECTION_LABELS[x.direction])),
        para(_("Purpose: {purpose}"), purpose=_(PURPOSE_LABELS[x.purpose])),
    ]
    if x.expected_outcomes:
        story.append(para(_("Expected outcomes: {text}"), text=x.expected_outcomes))
    story.append(Spacer(1, 3 * mm))
    for side in (x.sending_side, x.host_side):
        assessment = x.assessments.get(side)
        if assessment is None:
            continue
        story.append(para(_(ASSESSED_BY[side]), assessor=assessment.assessor_name,
                          rating=_(RATING_LABELS[assessment.rating])))
        if assessment.comments:
            story.append(para("{comments}", small, comments=assessment.comments))
    story += [Spacer(1, 3 * mm),
              para(_("Confirmed by {name} for {school} and {enterprise}."), name=confirmed_by, school=x.school,
                   enterprise=x.enterprise)]
    # The foot: who issues it and when, then each party's signature and seal.
    story.append(KeepTogether([
        Spacer(1, 8 * mm),
        para(_("Issued by {school} and {enterprise}"), right, school=x.school, enterprise=x.enterprise),
        para(_("Date of issue: {date}"), right, date=issued),
        Spacer(1, 8 * mm),
        _signatures(x, t, para, small),
    ]))

    def page_footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        words = _("Certificate number {number} · page {page} of {pages}")
        line = para(words, footer, number=number, page=str(canvas.getPageNumber()),
                    pages=str(pages or canvas.getPageNumber()))
        line.wrap(document.width, document.bottomMargin)
        line.drawOn(canvas, document.leftMargin, 12 * mm)

    out = io.BytesIO()
    document = SimpleDocTemplate(
        out, pagesize=A4, title=_("Staff exchange certificate {number}").format(number=number), author="coopbot",
        leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm, bottomMargin=25 * mm,
        initialFontName=fonts.main)  # every font in the certificate is embedded, the canvas's first one too
    document.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue(), document.page


def _signatures(x: ExchangeSnapshot, t: Translator, para: Callable[..., Paragraph],
                small: ParagraphStyle) -> Table:
    """Two columns, the college's and the enterprise's: name, seal place, signature, date."""
    _ = t.gettext
    seal = ParagraphStyle("seal", parent=small, alignment=TA_CENTER, textColor=colors.grey)
    columns = []
    for side, name in ((Side.SCHOOL, x.school), (Side.ENTERPRISE, x.enterprise)):
        columns.append([
            para(_(SIGNED_FOR[side]), small),
            para("{unit}", unit=name),
            Spacer(1, 3 * mm),
            _SealPlace(para(_("Seal"), seal)),
            Spacer(1, 3 * mm),
            para(_("Signature of the person in charge:"), small),
            Spacer(1, 10 * mm),
            para(_("Date: ____________________"), small),
        ])
    table = Table([columns], colWidths=[80 * mm, 80 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), small.fontName),  # else the table names Helvetica, not embedded
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (0, 0), 0.5, colors.grey),
        ("BOX", (1, 0), (1, 0), 0.5, colors.grey), ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 3 * mm), ("BOTTOMPADDING", (0, 0), (-1, -1), 4 * mm)]))
    return table


class _SealPlace(Flowable):
    """A dashed circle where a party's seal goes, its label in the middle."""

    def __init__(self, label: Paragraph) -> None:
        super().__init__()
        self.label = label
        self.width = self.height = SEAL_SIZE

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.6)
        canvas.setDash(3, 2)
        canvas.circle(SEAL_SIZE / 2, SEAL_SIZE / 2, SEAL_SIZE / 2 - 1, stroke=1, fill=0)
        canvas.restoreState()
        _, height = self.label.wrap(SEAL_SIZE, SEAL_SIZE)
        self.label.drawOn(canvas, 0, (SEAL_SIZE - height) / 2)
