"""The compliance checklist in Slack: `/coop checklist [student id]`, the "Checklist" button, the modal."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.admin.forms import metadata_int
from bot.compliance import forms
from bot.compliance.forms import ComplianceActionId, ComplianceCallback
from bot.container import Services
from bot.errors import CoopError, NotAllowed, NotOnRoster
from bot.i18n.catalog import Translator
from bot.permissions import Action
from bot.slack.forms import named_option
from bot.slack.text import escape_within
from handlers.common import action_value_int, how_to_get_added, open_view, refusal, tell_privately, user_id


def only_teachers(error: CoopError, t: Translator) -> str:
    if isinstance(error, NotOnRoster):
        return how_to_get_added(t)
    if isinstance(error, NotAllowed):
        return t.gettext("Sorry, only the intern's teacher keeps the compliance checklist; the partnership's "
                         "coordinators can see it with `/coop checklist STUDENT_ID`.")
    return refusal(error, t)


def coop_checklist(services: Services, ack: Ack, body: dict[str, Any], client: WebClient, args: list[str]) -> None:
    """`/coop checklist`: a teacher's interns (one opens at once); with a student id, that intern's
    checklist — to edit for their teacher, to read for a coordinator."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    service = services.compliance
    try:
        if args:
            intern_id = service.find_student(user, args[0][:64])
            if intern_id is None:
                ack(text=t.gettext("No intern has the student id {id}.").format(id=escape_within(args[0], 64)),
                    response_type="ephemeral")
                return
            if not service.may_keep(user, intern_id):
                summary = forms.summary_text(service.checklist(user, intern_id, Action.VIEW_CHECKLIST), t)
                ack(text=summary, response_type="ephemeral")
                return
            view = forms.checklist_modal(service.checklist(user, intern_id), t)
        else:
            service.ensure_teacher(user)
            kept = service.interns_kept_by(user)
            if not kept:
                ack(text=t.gettext("None of your interns' internships is current."), response_type="ephemeral")
                return
            view = forms.checklist_modal(kept[0], t) if len(kept) == 1 else forms.chooser_modal(kept, t)
    except CoopError as exc:
        ack(text=only_teachers(exc, t), response_type="ephemeral")
        return
    ack()
    open_view(client, body, view)


def register(app: App, services: Services) -> None:
    service = services.compliance

    @app.action(ComplianceActionId.OPEN)
    @app.action(ComplianceActionId.FIND)
    def open_checklist(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The "Checklist" button, or an intern chosen in the chooser's search: the checklist, pushed over
        the chooser, or opened over App Home."""
        ack()
        user = user_id(body)
        t = services.lazy_translator_for(user)
        try:
            view = forms.checklist_modal(service.checklist(user, action_value_int(body) or 0), t)
        except CoopError as exc:
            tell_privately(client, body, only_teachers(exc, t))
            return
        if body.get("view"):
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            open_view(client, body, view)

    @app.options(ComplianceActionId.FIND)
    def find_options(ack: Ack, body: dict[str, Any]) -> None:
        """The chooser's search: the caller's own current interns matching what they typed."""
        try:
            found = service.search_kept(user_id(body), str(body.get("value") or "")[:100])
        except CoopError:
            found = []
        t = services.cached_translator_for(user_id(body))  # an options list is all answered before its ack
        ack(options=[named_option(name, student_id, str(intern_id), t) for intern_id, name, student_id in found])

    @app.view(ComplianceCallback.CHECKLIST)
    def save_checklist(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = user_id(body)
        t = services.lazy_translator_for(user)
        ticked = forms.read_ticked((view.get("state") or {}).get("values") or {})
        intern_id = metadata_int(str(view.get("private_metadata") or ""), "intern_id")
        if ticked is None or intern_id is None:
            ack(response_action="errors", errors={"items": t.gettext("This form is not one of mine; nothing changed.")})
            return
        try:
            service.save(user, intern_id, ticked, f"view:{view['id']}")
        except CoopError as exc:
            ack(response_action="errors", errors={"items": only_teachers(exc, t)})
            return
        ack()
