"""OAuth mode: a workspace uninstalled coopbot or revoked its tokens. (Installing is Bolt's OAuth flow.)"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.container import Services
from bot.installs.notices import workspace_changed


def register(app: App, services: Services) -> None:
    installations = services.installations
    if installations is None:  # single-token mode: there is one installation, managed by hand
        return

    def removed(context: BoltContext) -> None:
        installations.uninstalled(context.enterprise_id, context.team_id,
                                  is_enterprise_install=context.is_enterprise_install)
        # the other side of its partnerships learns that messages through it wait (bot.installs.notices)
        workspace = (context.enterprise_id if context.is_enterprise_install else context.team_id) or ""
        workspace_changed(services.db, services.locales, workspace, installed=False)

    @app.event("app_uninstalled")
    def uninstalled(context: BoltContext) -> None:
        removed(context)

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        if (event.get("tokens") or {}).get("bot"):  # user tokens: coopbot asks for none
            removed(context)
