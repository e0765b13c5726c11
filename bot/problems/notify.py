"""Who hears about a problem, and where: turns service events into outbox rows (same transaction)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.delivery import outbox
from bot.i18n.catalog import Translator, translator
from bot.i18n.language import SlackLocales, language_given, language_in
from bot.problems import messages
from bot.problems.snapshot import ProblemSnapshot, snapshot_data, snapshot_from_data
from bot.slack.blocks import Blocks
from models.problem import SAFETY_CATEGORIES, EventKind, Severity


def _is_person(conversation: str) -> bool:
    return conversation[:1] in ("U", "W")


# What a new report's rows are drawn by, in the delivery process (bot.delivery.outbox.post_drawn): the
# snapshot as of the report, the reader's language and, for the channel post, whom it mentions.
DRAW_CHANNEL, DRAW_SUPERVISOR_DM, DRAW_COORDINATOR_ALERT = (
    "problem.channel", "problem.supervisor_dm", "problem.coordinator_alert")


def _drawn(problem: dict[str, object], language: str | None, *, mention: tuple[str, ...] = ()) -> dict[str, object]:
    return {"problem": problem, "language": language, "mention": list(mention)}


def _args(data: dict[str, Any]) -> tuple[ProblemSnapshot, Translator]:
    return snapshot_from_data(data["problem"]), translator(data["language"])


@outbox.renderer(DRAW_CHANNEL)
def _draw_channel(data: dict[str, Any]) -> tuple[str, Blocks]:
    problem, t = _args(data)
    return messages.channel_message(problem, t, mention_people=tuple(data.get("mention") or ()))


@outbox.renderer(DRAW_SUPERVISOR_DM)
def _draw_supervisor_dm(data: dict[str, Any]) -> tuple[str, Blocks]:
    return messages.supervisor_dm(*_args(data))


@outbox.renderer(DRAW_COORDINATOR_ALERT)
def _draw_coordinator_alert(data: dict[str, Any]) -> tuple[str, Blocks]:
    return messages.coordinator_alert(*_args(data))


# What a change's rows are drawn by (bot.delivery.outbox): the channel post as updated, the thread note, the
# reporter's notice, from the snapshot after the change, the change (kind, actor, text) and the reader's language.
DRAW_CHANNEL_UPDATE, DRAW_THREAD_NOTE, DRAW_REPORTER_NOTICE = (
    "problem.channel_update", "problem.thread_note", "problem.reporter_notice")


@outbox.renderer(DRAW_CHANNEL_UPDATE)
def _draw_channel_update(data: dict[str, Any]) -> tuple[str, Blocks]:
    return messages.channel_message(*_args(data))


@outbox.renderer(DRAW_THREAD_NOTE)
def _draw_thread_note(data: dict[str, Any]) -> tuple[str, Blocks]:
    return messages.thread_note(EventKind(data["kind"]), data["actor"], data["text"], translator(data["language"]))


@outbox.renderer(DRAW_REPORTER_NOTICE)
def _draw_reporter_notice(data: dict[str, Any]) -> tuple[str, Blocks]:
    problem, t = _args(data)
    return messages.reporter_notice(problem, EventKind(data["kind"]), data["actor"], t)


class SlackProblemNotifier:
    """Channel post (updated in place), thread notes, and DMs to the people concerned.

    Channel posts are in the partnership's language; a DM is in its reader's (see bot.i18n.language).
    """

    def __init__(self, locales: SlackLocales | None = None) -> None:
        self.locales = locales

    def reported(self, session: Session, problem: ProblemSnapshot) -> None:
        """A new report's post and DMs, drawn by the delivery process (the renderers below) from the snapshot
        kept in their rows: the report's request stores them and pays for no Block Kit."""
        data = snapshot_data(problem)
        if problem.school_only:
            self._reported_school_side(session, problem, data)
            return
        supervisors = tuple(dict.fromkeys(u for u in (problem.mentor, problem.teacher) if u != problem.reporter))
        outbox.post_drawn(session, channel=problem.channel_id, draw=DRAW_CHANNEL,
                          data=_drawn(data, problem.language, mention=supervisors), key=problem.message_key,
                          notify_user=problem.reporter)
        for user in supervisors:
            outbox.post_drawn(session, channel=user, draw=DRAW_SUPERVISOR_DM,
                              data=_drawn(data, self._language(session, user, problem)))
        if problem.severity == Severity.P1 or problem.category in SAFETY_CATEGORIES:
            for user in problem.coordinators:
                if user not in supervisors and user != problem.reporter:
                    outbox.post_drawn(session, channel=user, draw=DRAW_COORDINATOR_ALERT,
                                      data=_drawn(data, self._language(session, user, problem)))
        self._refresh_homes(session, problem)

    def _reported_school_side(self, session: Session, problem: ProblemSnapshot, data: dict[str, object]) -> None:
        """A school-side report (docs/decisions/0009-who-sees-what.md): to the school-side channel, mentioning
        the teacher; without one, the report itself goes to the teacher's DM (where its changes then show) and
        to each of the college's coordinators. Never the shared channel, the mentor or enterprise people."""
        in_channel = not _is_person(problem.channel_id)
        mentioned = (problem.teacher,) if in_channel and problem.teacher != problem.reporter else ()
        if in_channel:
            outbox.post_drawn(session, channel=problem.channel_id, draw=DRAW_CHANNEL,
                              data=_drawn(data, problem.language, mention=mentioned), key=problem.message_key,
                              notify_user=problem.reporter)
            for user in mentioned:
                outbox.post_drawn(session, channel=user, draw=DRAW_SUPERVISOR_DM,
                                  data=_drawn(data, self._language(session, user, problem)))
        else:
            outbox.post_drawn(session, channel=problem.teacher, draw=DRAW_CHANNEL,
                              data=_drawn(data, self._language(session, problem.teacher, problem)),
                              key=problem.message_key)
        for user in problem.coordinators:
            if user in (problem.teacher, problem.reporter):
                continue
            outbox.post_drawn(session, channel=user, draw=DRAW_COORDINATOR_ALERT if in_channel else DRAW_CHANNEL,
                              data=_drawn(data, self._language(session, user, problem)))
        self._refresh_homes(session, problem)

    def changed(self, session: Session, problem: ProblemSnapshot, kind: EventKind, actor: str,
                text: str | None) -> None:
        """The post updated, a note in its thread and the reporter's notice, drawn by the delivery process from
        the snapshot after the change (as a report's are): the click or the form pays for no Block Kit."""
        data = snapshot_data(problem)
        outbox.update_drawn(session, key=problem.message_key, channel=problem.channel_id, draw=DRAW_CHANNEL_UPDATE,
                            data=_drawn(data, problem.language))
        outbox.post_drawn(session, channel=problem.channel_id, draw=DRAW_THREAD_NOTE, thread_key=problem.message_key,
                          data={"kind": kind.value, "actor": actor, "text": text, "language": problem.language})
        if actor != problem.reporter and kind != EventKind.UPDATE:
            outbox.post_drawn(session, channel=problem.reporter, draw=DRAW_REPORTER_NOTICE,
                              data={**_drawn(data, self._language(session, problem.reporter, problem)),
                                    "kind": kind.value, "actor": actor})
        self._refresh_homes(session, problem)

    def escalated(self, session: Session, problem: ProblemSnapshot, waited: timedelta) -> None:
        """Nobody acknowledged in time: a note in the report's thread and a DM to each coordinator."""
        text, blocks = messages.escalation_note(problem, waited, translator(problem.language))
        outbox.post(session, channel=problem.channel_id, text=text, blocks=blocks, thread_key=problem.message_key)
        for user in problem.coordinators:
            reader = translator(language_in(session, None, user, problem.language))
            text, blocks = messages.escalation_dm(problem, waited, reader)
            outbox.post(session, channel=user, text=text, blocks=blocks)

    def _refresh_homes(self, session: Session, problem: ProblemSnapshot) -> None:
        """Everyone whose App Home lists the problem or counts it (bot.home)."""
        mentor = None if problem.school_only else problem.mentor  # a school-side report is not on their App Home
        outbox.refresh_homes(session, (problem.teacher, mentor, problem.reporter, *problem.coordinators))

    def _language(self, session: Session, slack_user_id: str, problem: ProblemSnapshot) -> str:
        """The reader's own choice, else their Slack language if already known, else their side's, else the
        partnership's."""
        if slack_user_id in problem.chosen_languages and problem.language:
            return language_given(self.locales, slack_user_id, problem.chosen_languages[slack_user_id],
                                  problem.side_languages.get(slack_user_id) or problem.language)
        return language_in(session, self.locales, slack_user_id, problem.language)
