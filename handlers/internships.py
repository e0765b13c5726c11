"""The end of an internship in Slack: the Evaluate button in the mentor's DM, and the evaluation modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, InvalidTransition, NotAllowed
from bot.i18n.catalog import Translator
from bot.internships import forms
from bot.internships.ids import InternshipActionId, InternshipCallback
from bot.internships.service import ONGOING, AlreadyEvaluated
from bot.slack.text import mention
from handlers.common import on_button, open_view, refusal, user_id


def register(app: App, services: Services) -> None:
    service = services.internships

    @app.action(InternshipActionId.EVALUATE)
    def open_evaluation_modal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        def open_form(intern_id: int, user: str, t: Translator) -> None:
            intern = service.evaluation_form(intern_id, user)
            open_view(client, body, forms.evaluation_modal(intern, t))

        on_button(services, client, body, open_form, evaluation_refusal)

    @app.view(InternshipCallback.EVALUATE)
    def submit_evaluation(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        parsed = forms.parse_evaluation(view.get("state", {}).get("values", {}), t)
        if isinstance(parsed, dict):
            ack(response_action="errors", errors=parsed)
            return
        intern_id = forms.intern_id_from(str(view.get("private_metadata") or ""))
        if intern_id is None:
            ack(response_action="errors",
                errors={"attendance": t.gettext("This form is not one of mine; nothing changed.")})
            return
        try:
            service.evaluate(intern_id, user, parsed, source_key=f"view:{view['id']}")
        except CoopError as exc:
            ack(response_action="errors", errors={"attendance": evaluation_refusal(exc, t)})
            return
        ack()


def evaluation_refusal(error: CoopError, t: Translator) -> str:
    """A clear private answer for a domain error about an evaluation."""
    _ = t.gettext
    if isinstance(error, AlreadyEvaluated):
        return _("Nothing changed: {person} has already evaluated this internship.").format(person=mention(error.by))
    if isinstance(error, NotAllowed):
        return _("Sorry, only the intern's mentor or an enterprise coordinator of the partnership can evaluate "
                 "this internship.")
    if isinstance(error, InvalidTransition) and error.current_state == ONGOING:
        return _("This internship has not reached its end date yet; evaluate it then.")
    return refusal(error, t)
