"""OAuth mode: a workspace uninstalled coopbot or revoked its tokens. (Installing is Bolt's OAuth flow.)"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from bot.container import Services


def register(app: App, services: Services) -> None:
    installations = services.installations
    if installations is None:  # single-token mode: there is one installation, managed by hand
        return

    @app.event("app_uninstalled")
    def uninstalled(context: BoltContext) -> None:
        installations.uninstalled(context.enterprise_id, context.team_id,
                                  is_enterprise_install=context.is_enterprise_install)

    @app.event("tokens_revoked")
    def tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        if (event.get("tokens") or {}).get("bot"):  # user tokens: coopbot asks for none
            installations.uninstalled(context.enterprise_id, context.team_id,
                                      is_enterprise_install=context.is_enterprise_install)
