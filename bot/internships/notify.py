"""Who hears about the end of an internship: outbox rows written in the change's own transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import outbox
from bot.i18n import Translator, translator
from bot.internships import messages
from bot.internships.snapshot import EvaluationSnapshot, InternSnapshot
from bot.language import SlackLocales, language_in
from models.delivery import OutboxKind, OutboxMessage


def request_key(intern_id: int, user: str, number: int) -> str:
    """The key of one request DM (0) or reminder (1, 2, …), so each can be updated once it is done."""
    return f"intern:{intern_id}:evaluate:{user}:{number}"


class SlackInternshipNotifier:
    """DMs in their reader's language (see bot.language)."""

    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def requested(self, session: Session, intern: InternSnapshot, users: list[str], number: int) -> None:
        for user in users:
            text, blocks = messages.evaluation_request(intern, self._t(session, user, intern), reminder=number > 0)
            outbox.post(session, channel=user, text=text, blocks=blocks, key=request_key(intern.id, user, number))

    def evaluated(self, session: Session, intern: InternSnapshot, evaluation: EvaluationSnapshot) -> None:
        rows = session.execute(select(OutboxMessage.channel, OutboxMessage.message_key).where(
            OutboxMessage.kind == OutboxKind.POST,
            OutboxMessage.message_key.startswith(f"intern:{intern.id}:evaluate:", autoescape=True))).all()
        for user, key in rows:
            if key:
                text, blocks = messages.request_done(intern, evaluation, self._t(session, user, intern))
                outbox.update(session, key=key, channel=user, text=text, blocks=blocks)
        if intern.teacher != evaluation.evaluator:
            text, blocks = messages.teacher_notice(intern, evaluation, self._t(session, intern.teacher, intern))
            outbox.post(session, channel=intern.teacher, text=text, blocks=blocks)

    def _t(self, session: Session, user: str, intern: InternSnapshot) -> Translator:
        return translator(language_in(session, self.locales, user, intern.language))
