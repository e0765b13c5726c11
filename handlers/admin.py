"""Administration in Slack: `/coop setup`, `/coop admin` (and App Home → Administer), and their modals.

Parse → AdminService → answer. Who may change what is decided in the service on every submission;
button values and private_metadata only say which partnership.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.admin import forms
from bot.admin.forms import AdminActionId, AdminCallback
from bot.admin.service import FormRejected
from bot.container import Services
from bot.errors import CoopError, NotAllowed, NotOnRoster
from bot.i18n.catalog import Translator
from bot.permissions import Action
from bot.slack.forms import State, named_option, read
from handlers.common import action_value_int, how_to_get_added, refusal, tell_privately, user_id


def only_coordinators(error: CoopError, t: Translator) -> str:
    if isinstance(error, NotOnRoster):
        return how_to_get_added(t)
    if isinstance(error, NotAllowed):
        return t.gettext("Sorry, only the partnership's coordinators can do that.")
    return refusal(error, t)


def coop_setup(services: Services, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """`/coop setup`, typed in the channel to link: pick which of your partnerships it belongs to."""
    user, channel = user_id(body), str(body.get("channel_id") or "")
    t = services.lazy_translator_for(user)
    try:
        choices = services.admin.partnerships_for(user, Action.LINK_CHANNEL)
    except CoopError as exc:
        ack(text=only_coordinators(exc, t), response_type="ephemeral")
        return
    if not channel.startswith(("C", "G")):
        ack(text=forms.field_error("partnership", "bad_channel", t), response_type="ephemeral")
        return
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=forms.setup_modal(t, channel, choices))


def coop_admin(services: Services, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """`/coop admin`: the menu for the channel's partnership, or for every partnership you coordinate."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    try:
        choices = services.admin.partnerships_for(user, Action.ADMINISTER_ROSTER, body.get("channel_id"))
    except CoopError as exc:
        ack(text=only_coordinators(exc, t), response_type="ephemeral")
        return
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=forms.menu_modal(t, choices))


def register(app: App, services: Services) -> None:
    admin = services.admin

    @app.action(AdminActionId.OPEN_MENU)
    def open_menu_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = user_id(body)
        try:
            choices = admin.partnerships_for(user, Action.ADMINISTER_ROSTER)
        except CoopError as exc:
            tell_privately(client, body, only_coordinators(exc, services.translator_for(user)))
            return
        client.views_open(trigger_id=body["trigger_id"], view=forms.menu_modal(services.translator_for(user), choices))

    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user, partnership_id = user_id(body), action_value_int(body)
        t = services.lazy_translator_for(user)
        action = AdminActionId(str((body.get("actions") or [{}])[0].get("action_id")))
        try:
            partnership = admin.ensure_admin(user, partnership_id or 0)
        except CoopError as exc:
            tell_privately(client, body, only_coordinators(exc, t))
            return
        view = forms.form_modal(action, t, partnership)
        if body.get("view"):
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    for action_id in forms.FORM_CALLBACKS:
        app.action(action_id)(open_form)

    @app.options(AdminActionId.INTERN_SELECT)
    def intern_options(ack: Ack, body: dict[str, Any]) -> None:
        metadata = str((body.get("view") or {}).get("private_metadata") or "")
        partnership_id = forms.metadata_int(metadata, "partnership_id")
        found = admin.search_interns(user_id(body), partnership_id, str(body.get("value") or "")[:100]) \
            if partnership_id else []
        t = services.cached_translator_for(user_id(body))  # an options list is all answered before its ack
        ack(options=[named_option(c.name, c.student_id, str(c.id), t) for c in found])

    @app.view(AdminCallback.SETUP)
    def submit_setup(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        channel = forms.metadata_channel(str(view.get("private_metadata") or ""))

        def change(user: str, values: State, key: str) -> bool:
            picked = forms.as_id(read(values, "partnership"))
            if picked is None:
                raise FormRejected({"partnership": "missing"})
            school_side = read(values, "use") == forms.SETUP_SCHOOL_SIDE  # the service checks the side
            college = read(values, "college")
            return admin.link_channel(user, picked, channel, key, school_side=school_side,
                                      college=college if isinstance(college, str) else None,
                                      side_languages=forms.read_side_languages(values))

        _submit(services, ack, body, view, change, error_block="partnership")

    forms_by_callback: dict[str, Callable[[str, int, State, str], bool]] = {
        AdminCallback.PERSON: lambda u, p, v, k: admin.save_person(u, p, forms.read_person(v), k),
        AdminCallback.INTERN: lambda u, p, v, k: admin.add_intern(u, p, forms.read_intern(v), k),
        AdminCallback.SUPERVISORS: lambda u, p, v, k: admin.change_supervisors(u, p, forms.read_supervisors(v), k),
        AdminCallback.END: lambda u, p, v, k: admin.end_early(u, p, forms.read_end(v), k),
    }
    first_block = {AdminCallback.PERSON: "slack_user_id", AdminCallback.INTERN: "student_id",
                   AdminCallback.SUPERVISORS: "intern", AdminCallback.END: "intern"}

    def submit_form(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        callback = AdminCallback(str(view.get("callback_id")))
        partnership_id = forms.metadata_int(str(view.get("private_metadata") or ""), "partnership_id")

        def change(user: str, values: State, key: str) -> bool:
            return forms_by_callback[callback](user, partnership_id or 0, values, key)

        _submit(services, ack, body, view, change, error_block=first_block[callback])

    for callback in forms_by_callback:
        app.view(callback)(submit_form)


def _submit(services: Services, ack: Ack, body: dict[str, Any], view: dict[str, Any],
            change: Callable[[str, State, str], bool], *, error_block: str) -> None:
    """Validate and store before the ack, so that errors come back inline on their blocks."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    values: State = (view.get("state") or {}).get("values") or {}
    try:
        change(user, values, f"view:{view['id']}")
    except FormRejected as exc:
        ack(response_action="errors", errors=forms.errors(exc.problems, t))
        return
    except CoopError as exc:
        ack(response_action="errors", errors={error_block: only_coordinators(exc, t)})
        return
    ack()
