"""Every view and message, rendered in every language, fits Slack's limits — without being cut to fit.

Slack rejects a view whose title is 25 characters, and our builders cut some texts to stay inside the
limits; a cut translation is as wrong as a rejected one. So the checker (tests/support/i18n.py) walks the
rendered Block Kit and fails on a text over its limit or on one that is a cut-off catalog string.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import InvalidTransition, NotAllowed, NotFound, NotOnRoster
from bot.home.help import help_text, status_blocks
from bot.home.views import home_view
from bot.i18n.catalog import Translator
from bot.problems import forms, messages
from bot.problems.ids import ProblemCallback
from handlers.common import how_to_get_added, refusal
from models.problem import EventKind
from tests.support.i18n import CATALOG_TEXTS, LANGUAGES, check
from tests.support.samples import every_problem_state, full_home


def test_modals_fit(t: Translator) -> None:
    check(forms.report_modal(t, date(2027, 3, 5)), "report modal")
    for callback in (ProblemCallback.UPDATE, ProblemCallback.RESOLVE):
        check(forms.note_modal(callback, 1, t, intern="欧阳娜娜 (S2024002)" * 20), f"{callback} modal")


def test_channel_messages_thread_notes_and_dms_fit(t: Translator) -> None:
    for p in every_problem_state():
        text, blocks = messages.channel_message(p, t, mention_people=("U0MENTOR", "U0TEACHER"))
        check({"text": text, "blocks": blocks}, f"channel message {p.status} {p.severity} {p.category}")
        check(messages.supervisor_dm(p, t), "supervisor DM")
        check(messages.coordinator_alert(p, t), "coordinator alert")
        for kind in EventKind:
            check(messages.thread_note(kind, "U0MENTOR", "说明" * 2000, t), f"thread note {kind}")
            check(messages.reporter_notice(p, kind, "U0MENTOR", t), f"reporter notice {kind}")


def test_home_help_status_and_refusals_fit(t: Translator) -> None:
    join = how_to_get_added(t)
    for coordinator in (True, False):
        for page in (0, 3):
            for choice in (None, *LANGUAGES):
                home = home_view(full_home(coordinator=coordinator, page=page, language_choice=choice), t,
                                 how_to_join=join)
                check(home, f"home (coordinator={coordinator}, page={page})")
                assert len(home["blocks"]) <= 100 and home["blocks"][-1]["block_id"] == "language"
        data = full_home(coordinator=coordinator)
        check({"type": "section", "text": {"type": "mrkdwn", "text": help_text(t, data, how_to_join=join)}}, "help")
        status = status_blocks(data, t)
        check(status, "status")
        assert len(status) <= 50
    check(home_view(None, t, how_to_join=join), "home for someone on no roster")
    check({"type": "section", "text": {"type": "mrkdwn", "text": help_text(t, None, how_to_join=join)}}, "help")
    for error in (NotOnRoster("U1"), NotAllowed("x"), NotFound("x"), InvalidTransition("resolved")):
        check({"type": "section", "text": {"type": "mrkdwn", "text": refusal(error, t)}}, f"refusal {error!r}")


def test_the_checker_catches_what_it_should() -> None:
    too_long = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": []}
    with pytest.raises(AssertionError, match=r"view\.title has 25 > 24"):
        check(too_long, "demo")
    button = {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "x" * 76}}]}
    with pytest.raises(AssertionError, match=r"button\.text has 76 > 75"):
        check({"blocks": [button]}, "demo")
    long_label = next(text for text in CATALOG_TEXTS if len(text) > 30)
    cut = {"type": "modal", "title": {"type": "plain_text", "text": long_label[:24]}, "blocks": []}
    with pytest.raises(AssertionError, match="was cut to 24"):
        check(cut, "demo")
    option = {"type": "static_select", "options": [{"text": {"type": "plain_text", "text": "y" * 80}, "value": "v"}]}
    with pytest.raises(AssertionError, match=r"option\.text has 80 > 75"):
        check({"type": "section", "accessory": option}, "demo")
