"""OAuth mode: linking a partnership to both organizations' installations — `/coop link` (the college's
coordinator), `/coop accept` (the enterprise's) and their App Home buttons. The rules are the service's
(bot.installs.linking); here, the request's installation (its tenant) and the person's own workspace as the
payload says, and the answers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.errors import CoopError, NotAllowed, NotFound
from bot.i18n.catalog import Translator
from bot.installs.ids import LinkActionId
from bot.installs.linking import (
    AlreadyLinked,
    HostInstallation,
    LinkedElsewhere,
    NoInvitation,
    NotYourWorkspace,
    SeveralInvitations,
)
from bot.installs.scope import current_tenant
from bot.roster.organizations import from_payload
from bot.slack.text import escape_within
from handlers.common import on_button, refusal, tell_privately, user_id


def own_workspace(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The acting person's own team and Grid organization, as the payload says."""
    _, seen, _ = from_payload(body)
    return seen.team_id, seen.enterprise_id


def single_token(t: Translator) -> str:
    return t.gettext("Linking applies only when coopbot is installed in both organizations' Slack workspaces "
                     "(each installs it through Slack); here coopbot has one installation, so there is "
                     "nothing to link.")


def link_refusal(error: CoopError, t: Translator) -> str:
    _ = t.gettext
    if isinstance(error, NotYourWorkspace):
        return _("Link it from coopbot in your own organization's Slack workspace.")
    if isinstance(error, LinkedElsewhere):
        return _("This partnership is already linked to coopbot in another Slack workspace, so it cannot be "
                 "linked here. Ask the operator if that is wrong.")
    if isinstance(error, AlreadyLinked):
        return _("This partnership is already linked to coopbot in both organizations' workspaces.")
    if isinstance(error, NotFound):
        return _("This is not a partnership's channel: run `/coop link` in one.")
    if isinstance(error, NotAllowed):
        return _("Sorry, only the college's coordinators of this partnership can link it.")
    return refusal(error, t)


def accept_refusal(error: CoopError, t: Translator) -> str:
    _ = t.gettext
    if isinstance(error, HostInstallation):
        return _("Accept from coopbot in your own organization's Slack workspace, not from the college's: "
                 "install coopbot there first if it is not yet.")
    if isinstance(error, NoInvitation):
        return _("There is no invitation for you to accept here.")
    if isinstance(error, SeveralInvitations):
        return _("Several invitations wait for you: accept each from coopbot's App Home, or run `/coop accept` "
                 "in the partnership's channel.")
    if isinstance(error, NotAllowed):
        return _("Sorry, only the enterprise's coordinators of a partnership can accept its link.")
    return refusal(error, t)


def linked_text(partnership: str, enterprise: str, again: bool, t: Translator) -> str:
    text = (t.gettext("I invited {enterprise}'s coordinators again to link *{partnership}* from their own "
                      "workspace.") if again else
            t.gettext("*{partnership}* is linked to coopbot in this workspace. I told {enterprise}'s coordinators "
                      "that they can accept from coopbot in their own workspace."))
    return text.format(partnership=escape_within(partnership, 200), enterprise=escape_within(enterprise, 200))


def accepted_here_text(partnership: str, college: str, t: Translator) -> str:
    return t.gettext("*{partnership}* is now linked to coopbot in your workspace too; I told {college}'s "
                     "coordinators.").format(partnership=escape_within(partnership, 200),
                                            college=escape_within(college, 200))


def coop_link(services: Services, ack: Ack, body: dict[str, Any]) -> None:
    """`/coop link` in a partnership's channel."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    tenant = current_tenant()  # the request's installation (ScopeToTenant); None: one bot token
    if tenant is None:
        ack(text=single_token(t), response_type="ephemeral")
        return
    try:
        done = services.linking.link(user, tenant, own=own_workspace(body), channel_id=body.get("channel_id"))
    except CoopError as exc:
        ack(text=link_refusal(exc, t), response_type="ephemeral")
        return
    ack(text=linked_text(done.partnership, done.enterprise, done.again, t), response_type="ephemeral")


def coop_accept(services: Services, ack: Ack, body: dict[str, Any]) -> None:
    """`/coop accept`: the invitation of the channel's partnership, else the person's only one."""
    user = user_id(body)
    t = services.lazy_translator_for(user)
    tenant = current_tenant()  # the request's installation (ScopeToTenant); None: one bot token
    if tenant is None:
        ack(text=single_token(t), response_type="ephemeral")
        return
    channel = str(body.get("channel_id") or "")
    try:
        try:
            done = services.linking.accept(user, tenant, own=own_workspace(body), channel_id=channel)
        except NotAllowed as exc:  # not this channel's partnership's: their only invitation, wherever they are
            if isinstance(exc, HostInstallation):
                raise
            done = services.linking.accept(user, tenant, own=own_workspace(body))
    except CoopError as exc:
        ack(text=accept_refusal(exc, t), response_type="ephemeral")
        return
    ack(text=accepted_here_text(done.partnership, done.college, t), response_type="ephemeral")


def register(app: App, services: Services) -> None:
    @app.action(LinkActionId.LINK)
    def link_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        tenant = current_tenant()  # the request's installation (ScopeToTenant); None: one bot token
        if tenant is None:
            tell_privately(client, body, single_token(services.translator_for(user_id(body))))
            return

        def link(partnership_id: int, user: str, t: Translator) -> None:
            done = services.linking.link(user, tenant, own=own_workspace(body), partnership_id=partnership_id)
            services.home.publish(user)  # drawn for, and sent through, this request's installation
            tell_privately(client, body, linked_text(done.partnership, done.enterprise, done.again, t))

        on_button(services, client, body, link, link_refusal)

    @app.action(LinkActionId.ACCEPT)
    def accept_from_home(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        tenant = current_tenant()  # the request's installation (ScopeToTenant); None: one bot token
        if tenant is None:
            tell_privately(client, body, single_token(services.translator_for(user_id(body))))
            return

        def accept(partnership_id: int, user: str, t: Translator) -> None:
            done = services.linking.accept(user, tenant, own=own_workspace(body), partnership_id=partnership_id)
            services.home.publish(user)  # drawn for, and sent through, this request's installation
            tell_privately(client, body, accepted_here_text(done.partnership, done.college, t))

        on_button(services, client, body, accept, accept_refusal)
