"""Intern problems in Slack: /intern-issue, the report modal, and the buttons on a report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, InvalidTransition, NotAllowed
from bot.i18n.catalog import Translator
from bot.permissions import Action
from bot.problems import forms
from bot.problems.ids import ProblemActionId, ProblemCallback
from bot.problems.labels import STATUS_LABELS
from bot.slack.forms import named_option
from bot.slack.surface import INTERN_ISSUE
from handlers.common import answer_submission, on_button, open_view, problem_words, refusal, tell_privately, user_id
from models.problem import ProblemStatus
from models.roster import Side


def register(app: App, services: Services) -> None:
    problems = services.problems

    @app.command(INTERN_ISSUE.command)
    def open_report_modal(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        open_report(services, client, body, respond=respond)

    @app.options(ProblemActionId.INTERN_SELECT)
    def intern_options(ack: Ack, body: dict[str, Any]) -> None:
        try:
            choices = problems.search_interns(user_id(body), str(body.get("value") or "")[:100])
        except CoopError:
            choices = []
        t = services.cached_translator_for(user_id(body))  # an options list is all answered before its ack
        ack(options=[named_option(c.name, c.student_id, str(c.id), t) for c in choices])

    @app.view(ProblemCallback.REPORT)
    def submit_report(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        answer_submission(
            ack, forms.parse_report(view.get("state", {}).get("values", {}), t),
            lambda data: problems.report(user, data, source_key=f"view:{view['id']}"),
            invalid=problem_words(lambda field, code: forms.report_error(field, code, t)),
            refused=lambda exc: {"intern_id": problem_refusal(exc, t)},
            check=lambda accepted: problems.check_report(user, accepted))

    @app.action(ProblemActionId.ACKNOWLEDGE)
    def acknowledge(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _act(services, client, body, lambda pid, user: problems.acknowledge(pid, user))

    @app.action(ProblemActionId.REOPEN)
    def reopen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _act(services, client, body, lambda pid, user: problems.reopen(pid, user, None, None))

    @app.action(ProblemActionId.ADD_UPDATE)
    def open_update_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open_note(services, client, body, ProblemCallback.UPDATE, Action.UPDATE_PROBLEM)

    @app.action(ProblemActionId.RESOLVE)
    def open_resolve_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        _open_note(services, client, body, ProblemCallback.RESOLVE, Action.RESOLVE_PROBLEM)

    @app.view(ProblemCallback.UPDATE)
    def submit_update(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        _submit_note(services, ack, body, view, problems.add_update)

    @app.view(ProblemCallback.RESOLVE)
    def submit_resolution(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        _submit_note(services, ack, body, view, problems.resolve)


def open_report(services: Services, client: WebClient, body: dict[str, Any], *,
                respond: Respond | None = None) -> None:
    """Open "Log intern problem" for the caller (from the slash command or an App Home button)."""
    user = user_id(body)
    form = services.problems.report_form(user)
    t = services.translator_with(user, form.chosen_language, form.partnership_language)
    if form.refusal is not None:
        message = problem_refusal(form.refusal, t)
        if respond is not None:
            respond(text=message, response_type="ephemeral")
        else:
            tell_privately(client, body, message)
        return
    open_view(client, body, forms.report_modal(t, form.today, school_side=form.side == Side.SCHOOL))


def problem_refusal(error: CoopError, t: Translator) -> str:
    """A clear private answer for a domain error about a problem."""
    _ = t.gettext
    if isinstance(error, NotAllowed):
        return _("Sorry, your role does not allow that here. The intern's teacher and mentor and the "
                 "partnership's coordinators can act on a problem; ask one of them.")
    if isinstance(error, InvalidTransition):
        state = error.current_state
        label = STATUS_LABELS.get(ProblemStatus(state)) if state in ProblemStatus._value2member_map_ else state
        return _("Nothing changed: this is already {state}.").format(state=_(label or state).lower())
    return refusal(error, t)


def _act(services: Services, client: WebClient, body: dict[str, Any], change: Callable[[int, str], Any]) -> None:
    on_button(services, client, body, lambda problem_id, user, _t: change(problem_id, user), problem_refusal)


def _open_note(services: Services, client: WebClient, body: dict[str, Any], callback: ProblemCallback,
               action: Action) -> None:
    def open_note(problem_id: int, user: str, t: Translator) -> None:
        problem = services.problems.view(problem_id, user, action)
        if callback == ProblemCallback.RESOLVE and problem.status == ProblemStatus.RESOLVED:
            raise InvalidTransition(problem.status.value)
        view = forms.note_modal(callback, problem_id, t, intern=t.aside(problem.intern_name, problem.student_id))
        open_view(client, body, view)

    on_button(services, client, body, open_note, problem_refusal)


def _submit_note(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any], change: Any) -> None:
    user = user_id(body)
    t = services.lazy_translator_for(user)
    problem_id = forms.problem_id_from(str(view.get("private_metadata") or ""))
    if problem_id is None:
        ack(response_action="errors", errors={"text": t.gettext("This form is not one of mine; nothing changed.")})
        return
    answer_submission(ack, forms.parse_note(view.get("state", {}).get("values", {}), t),
                      lambda note: change(problem_id, user, note.text, f"view:{view['id']}"),
                      refused=lambda exc: {"text": problem_refusal(exc, t)})
