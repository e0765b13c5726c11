"""Refusals speak of the action the person tried: only a problem's refusal speaks of problems.

Each workflow's handler words its own refusals and falls back on `handlers.common.refusal`, whose words fit
any workflow (a refused action is named from the error, not assumed to be a problem's).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, select

from bot.errors import CoopError, InvalidTransition, NotAllowed
from bot.home.ids import HOME_LANGUAGE
from bot.i18n.catalog import Translator, translator
from bot.meetings.ids import MeetingActionId
from bot.permissions import Action
from handlers.admin import only_coordinators
from handlers.common import refusal
from handlers.compliance import only_teachers
from handlers.exchanges import exchange_refusal
from handlers.home import language_refusal
from handlers.internships import evaluation_refusal
from handlers.meetings import meeting_refusal
from handlers.problems import problem_refusal
from models.problem import ProblemStatus
from models.roster import Membership, Person
from tests.support.harness import MEMBER, Harness
from tests.support.meetings import schedule
from tests.support.slack import text_of

EN, ZH = translator("en"), translator("zh_CN")
PROBLEM_WORDS = {"en": "problem", "zh_CN": "问题"}
NOT_PROBLEMS = [a for a in Action if "problem" not in a.value]
Refuse = Callable[[CoopError, Translator], str]
WORKFLOWS: dict[str, Refuse] = {
    "fallback": refusal, "meetings": meeting_refusal, "exchanges": exchange_refusal,
    "evaluations": evaluation_refusal, "admin": only_coordinators, "compliance": only_teachers,
    "home": language_refusal,
}


@pytest.mark.parametrize("t", [EN, ZH], ids=["en", "zh_CN"])
@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_no_other_workflow_refuses_in_the_words_of_problems(workflow: str, t: Translator) -> None:
    refuse = WORKFLOWS[workflow]
    problem_words = {problem_refusal(NotAllowed(a.value), t) for a in Action}
    problem_words |= {problem_refusal(InvalidTransition(s.value), t) for s in ProblemStatus}
    for error in [*(NotAllowed(a.value) for a in NOT_PROBLEMS), NotAllowed("x"),
                  *(InvalidTransition(s.value) for s in ProblemStatus)]:
        words = refuse(error, t)
        assert PROBLEM_WORDS[t.language] not in words, (workflow, error, words)
        assert words not in problem_words, (workflow, error, words)


@pytest.mark.parametrize("t", [EN, ZH], ids=["en", "zh_CN"])
def test_the_fallback_names_the_action_that_was_refused(t: Translator) -> None:
    from bot.permissions import ACTION_LABELS

    for action in Action:
        assert t.gettext(ACTION_LABELS[action]) in refusal(NotAllowed(action.value), t)
    assert refusal(NotAllowed("x"), t) == t.gettext("Sorry, your role does not allow that here.")


def test_a_problem_is_still_refused_in_the_words_of_problems() -> None:
    assert problem_refusal(NotAllowed(Action.RESOLVE_PROBLEM.value), EN) == (
        "Sorry, your role does not allow that here. The intern's teacher and mentor and the partnership's "
        "coordinators can act on a problem; ask one of them.")
    assert problem_refusal(InvalidTransition("resolved"), EN) == "Nothing changed: this is already resolved."


def _refusal_over_home(h: Harness, count: int) -> str:
    h.settle()
    shown = [c.args["view"] for c in h.fake.calls_to("views.open")]
    assert len(shown) == count and shown[-1]["title"]["text"] == "coopbot"
    return text_of({"blocks": shown[-1]["blocks"]})


def test_refusals_of_other_workflows_name_what_was_tried_never_a_problem(harness: Harness) -> None:
    h = harness
    # A meeting: an invitee who is neither organiser nor coordinator presses Reschedule.
    schedule(h)
    h.deliver()
    [post] = h.channel_messages()
    h.click(MEMBER, MeetingActionId.RESCHEDULE, post)
    [rescheduling] = h.ephemerals()
    assert "reschedule or cancel this meeting" in rescheduling and "problem" not in rescheduling

    # An exchange: someone left on no partnership's roster of roles runs /exchange.
    with h.db.transaction() as session:
        person = session.scalar(select(Person.id).where(Person.slack_user_id == MEMBER))
        session.execute(delete(Membership).where(Membership.person_id == person))
    assert h.slack.command("/exchange", user_id=MEMBER).status == 200
    h.settle()
    requesting = h.fake.wait_for("response_url", count=2)[-1].args["text"]
    assert "request a staff exchange" in requesting and "problem" not in requesting
    assert "decide" not in requesting  # not the words for deciding on someone else's exchange

    # App Home: a language that is not one of ours (a forged choice) is refused in words about languages.
    forged: dict[str, Any] = {"text": {"type": "plain_text", "text": "x"}, "value": "xx_YY"}
    home = {"id": "VHOME", "type": "home", "blocks": []}
    assert h.slack.block_action(user_id=MEMBER, action_id=HOME_LANGUAGE, block_id="language", channel_id=None,
                                view=home, selected_option=forged).status == 200
    language = _refusal_over_home(h, 2)  # the schedule modal, then the refusal over App Home
    assert "language is not available" in language and "problem" not in language
