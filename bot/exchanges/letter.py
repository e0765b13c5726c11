"""The staff exchange certificate (人员交流证明): its number and its PDF, made from the exchange's own data.

It certifies, once both sides have assessed it, that the person took part in the exchange: a certificate of
participation, not a letter appointing them to a post (a 聘书), so both languages call it a certificate.

Chinese names must render, offline. reportlab's built-in CID font STSong-Light (Adobe's standard
Simplified Chinese font) needs no file and no download: the PDF names the font and every PDF reader
supplies it (Acrobat, Preview, pdf.js, poppler), and the text stays extractable and searchable.
Embedding a TrueType CJK font instead would mean shipping a 10+ MB font file in the package.
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.exchanges.labels import DIRECTION_LABELS, PURPOSE_LABELS, RATING_LABELS
from bot.exchanges.snapshot import ExchangeSnapshot
from bot.i18n.catalog import N_, Translator
from models.exchange import Exchange
from models.roster import Side

FONT = "STSong-Light"
PREFIX = "COOP"
ASSESSED_BY: dict[Side, str] = {  # one sentence per side: "the college" is not a lower-cased label
    Side.SCHOOL: N_("Assessment by the college ({assessor}): {rating}"),
    Side.ENTERPRISE: N_("Assessment by the enterprise ({assessor}): {rating}"),
}


@lru_cache(maxsize=1)
def _font() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


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


def render(x: ExchangeSnapshot, number: str, issued_on: date, confirmed_by: str, t: Translator) -> bytes:
    """The certificate as PDF bytes: names, units, period, purpose, both assessments, number and date. A
    formal document writes its dates without the weekday a message gives them."""
    _ = t.gettext
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=1, spaceAfter=6 * mm)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(xml_escape(text), style)

    story = [
        para(_("Staff Exchange Certificate"), title),
        para(_("Certificate number: {number}").format(number=number)),
        para(_("Date of issue: {date}").format(date=t.date(issued_on, weekday=False))),
        Spacer(1, 6 * mm),
        para(_("This is to certify that {person} of {sending} took part in a staff exchange with {host} ({unit}) "
               "from {start} to {end}, under the cooperation agreement {partnership}.").format(
            person=x.person_name, sending=x.sending_unit, host=x.host_organisation, unit=x.host_unit,
            start=t.date(x.start_date, weekday=False), end=t.date(x.end_date, weekday=False),
            partnership=x.partnership_name)),
        para(_("Direction: {direction}").format(direction=_(DIRECTION_LABELS[x.direction]))),
        para(_("Purpose: {purpose}").format(purpose=_(PURPOSE_LABELS[x.purpose]))),
    ]
    if x.expected_outcomes:
        story.append(para(_("Expected outcomes: {text}").format(text=x.expected_outcomes)))
    story.append(Spacer(1, 4 * mm))
    for side in (x.sending_side, x.host_side):
        assessment = x.assessments.get(side)
        if assessment is None:
            continue
        story.append(para(_(ASSESSED_BY[side]).format(
            assessor=assessment.assessor_name, rating=_(RATING_LABELS[assessment.rating]))))
        if assessment.comments:
            story.append(para(assessment.comments, small))
    story += [Spacer(1, 8 * mm),
              para(_("Confirmed by {name} for {school} and {enterprise}.").format(
                  name=confirmed_by, school=x.school, enterprise=x.enterprise))]
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, title=_("Staff exchange certificate {number}").format(number=number),
                                 author="coopbot", leftMargin=25 * mm, rightMargin=25 * mm,
                                 topMargin=25 * mm, bottomMargin=25 * mm)
    document.build(story)
    return out.getvalue()
