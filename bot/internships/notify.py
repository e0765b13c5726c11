"""Who hears about the end of an internship: outbox rows written in the change's own transaction."""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_in
from bot.internships import messages
from bot.internships.messages import RequestItem
from bot.internships.snapshot import EvaluationSnapshot, InternSnapshot, evaluation_snapshot, intern_snapshot
from models.base import utcnow
from models.internship import EvaluationRequestItem, InternshipEvaluation
from models.roster import Intern


def request_key(intern_id: int, user: str, number: int) -> str:
    """The key of a request DM (0) or reminder (1, 2, …), named after the first intern it lists (each
    intern is asked once per round, so no two DMs share it), so it can be redrawn as evaluations come in."""
    return f"intern:{intern_id}:evaluate:{user}:{number}"


class SlackInternshipNotifier:
    """DMs in their reader's language (see bot.i18n.language)."""

    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def requested(self, session: Session, user: str, asked: list[tuple[InternSnapshot, int]]) -> None:
        """Ask `user` about these interns (each with its round: 0 the request, n the n-th reminder), of one
        partnership: one DM for up to MOST_PER_DM of them."""
        for start in range(0, len(asked), messages.MOST_PER_DM):
            chunk = [RequestItem(intern, number) for intern, number in asked[start:start + messages.MOST_PER_DM]]
            first = chunk[0]
            key = request_key(first.intern.id, user, first.reminder)
            text, blocks = messages.evaluation_requests(chunk, self._t(session, user, first.intern))
            outbox.post(session, channel=user, text=text, blocks=blocks, key=key)
            now = utcnow()
            session.add_all(EvaluationRequestItem(message_key=key, recipient=user, intern_id=item.intern.id,
                                                  reminder=item.reminder, created_at=now) for item in chunk)

    def evaluated(self, session: Session, intern: InternSnapshot, evaluation: EvaluationSnapshot) -> None:
        """Redraw every request DM that listed the intern (the query sees the new evaluation: the session
        flushes before it runs); tell the teacher."""
        keys = select(EvaluationRequestItem.message_key).where(EvaluationRequestItem.intern_id == intern.id)
        rows = session.execute(
            select(EvaluationRequestItem, Intern, InternshipEvaluation)
            .join(Intern, Intern.id == EvaluationRequestItem.intern_id)
            .outerjoin(InternshipEvaluation, InternshipEvaluation.intern_id == Intern.id)
            .where(EvaluationRequestItem.message_key.in_(keys))
            .order_by(EvaluationRequestItem.message_key, EvaluationRequestItem.id)).all()
        for key, listed in groupby(rows, key=lambda row: row[0].message_key):
            listed_rows = list(listed)
            user = listed_rows[0][0].recipient
            items = [RequestItem(intern_snapshot(i), item.reminder, evaluation_snapshot(e) if e is not None else None)
                     for item, i, e in listed_rows]
            text, blocks = messages.evaluation_requests(items, self._t(session, user, intern))
            outbox.update(session, key=key, channel=user, text=text, blocks=blocks)
        if intern.teacher != evaluation.evaluator:
            text, blocks = messages.teacher_notice(intern, evaluation, self._t(session, intern.teacher, intern))
            outbox.post(session, channel=intern.teacher, text=text, blocks=blocks)

    def _t(self, session: Session, user: str, intern: InternSnapshot) -> Translator:
        return translator(language_in(session, self.locales, user, intern.language))
