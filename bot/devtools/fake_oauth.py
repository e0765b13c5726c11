"""The fake Slack's side of OAuth: workspaces that install the app, the authorize page, `oauth.v2.access`
(a code for a bot token, a refresh token for a new one) and a token per installation.

Kept apart from the rest of the fake (bot.devtools.fake_slack), which asks here whether a token is one of
these installations' (`workspace_of`) and hands over the OAuth methods, which carry the app's client id and
secret instead of a token. Real Slack's shapes: https://docs.slack.dev/authentication/installing-with-oauth
and https://docs.slack.dev/authentication/using-token-rotation.
"""

from __future__ import annotations

import base64
import html
import itertools
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

AUTHORIZE_PATH = "/oauth/v2/authorize"
TOKEN_LIFETIME_SECONDS = 12 * 60 * 60  # Slack's rotating tokens live 12 hours


class OAuthError(Exception):
    """An `{"ok": false, "error": args[0]}` answer from an OAuth method."""


@dataclass
class Workspace:
    """A workspace (or, `is_enterprise_install`, a whole Enterprise Grid organization) that can install the app."""

    team_id: str | None
    name: str
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    is_enterprise_install: bool = False
    installer: str = "UINSTALLER"
    bot_user_id: str = "UBOT"

    @property
    def key(self) -> str:
        """How tests name it: the team id, or the enterprise id of an org-wide install."""
        return (self.enterprise_id if self.is_enterprise_install else self.team_id) or ""


@dataclass
class IssuedToken:
    workspace: Workspace
    expires_at: float | None  # wall-clock seconds; None when token rotation is off
    revoked: bool = False


@dataclass
class FakeOAuth:
    """The app's OAuth settings as Slack holds them, and what it has issued."""

    client_id: str = "1111.2222"
    client_secret: str = "fake-client-secret"  # noqa: S105
    redirect_url: str | None = None  # the app's configured redirect URL (its manifest's redirect_urls)
    token_rotation: bool = False  # the manifest's settings.token_rotation_enabled
    app_id: str = "A0APP"
    next_workspace: str | None = None  # where the next installer approves (Slack's workspace picker)
    # Show the installer Slack's "Allow" page (the sandbox) instead of approving at once (tests, a browser's
    # single step each): its form comes back here with `allow=1` and the workspace picked.
    ask: bool = False
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    tokens: dict[str, IssuedToken] = field(default_factory=dict)
    _codes: dict[str, Workspace] = field(default_factory=dict)
    _refresh: dict[str, Workspace] = field(default_factory=dict)
    _serial: itertools.count = field(default_factory=lambda: itertools.count(1))

    def add_workspace(self, team_id: str | None, name: str, **details: Any) -> Workspace:
        workspace = Workspace(team_id, name, **details)
        self.workspaces[workspace.key] = workspace
        return workspace

    # --- the browser's side ---------------------------------------------------------------
    def authorize(self, args: dict[str, Any]) -> tuple[int, dict[str, str], str, str]:
        """GET /oauth/v2/authorize: the installer approves (into `team`, else the only workspace) and is sent
        back to the app with a code and the app's state; with `ask`, first an "Allow" page whose form comes
        back here. (status, headers, body, content type)"""
        if args.get("client_id") != self.client_id:
            return 400, {}, "invalid client_id", _TEXT
        target = str(args.get("redirect_uri") or self.redirect_url or "")
        if not target:
            return 400, {}, "the app has no redirect URL", _TEXT
        if self.ask and not args.get("allow"):
            return 200, {}, self._allow_page(args, target), "text/html; charset=utf-8"
        if args.get("allow") == "cancel":  # Slack sends the installer back with the app's state and an error
            denied = {"error": "access_denied", "state": args.get("state", "")}
            return 302, {"Location": _with_query(target, denied)}, "", _TEXT
        team = str(args.get("team") or self.next_workspace or "")
        workspace = self.workspaces.get(team) or (next(iter(self.workspaces.values()))
                                                  if len(self.workspaces) == 1 and not team else None)
        if workspace is None:
            return 400, {}, f"no such workspace {team!r}", _TEXT
        code = f"code-{next(self._serial)}"
        self._codes[code] = workspace
        return 302, {"Location": _with_query(target, {"code": code, "state": args.get("state", "")})}, "", _TEXT

    def _allow_page(self, args: dict[str, Any], target: str) -> str:
        """Slack's consent page, reduced: the workspace picker (the one asked for chosen), what the app may do,
        and "Allow" / "Cancel". Its form sends the app's query back with `allow`."""
        chosen = str(args.get("team") or self.next_workspace or "")
        kept = "".join(f'<input type="hidden" name="{html.escape(str(k))}" value="{html.escape(str(v))}">'
                       for k, v in args.items() if k not in ("team", "allow"))
        options = "".join(f'<option value="{html.escape(w.key)}"{" selected" if w.key == chosen else ""}>'
                          f"{html.escape(w.name)}</option>" for w in self.workspaces.values())
        scopes = "".join(f"<li><code>{html.escape(scope)}</code></li>"
                         for scope in str(args.get("scope") or "").split(",") if scope)
        return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Slack: allow coopbot</title>"
                "<style>body{font-family:sans-serif;max-width:34rem;margin:3rem auto;line-height:1.5}"
                "button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem}</style></head><body>"
                "<p><em>Sandbox: a stand-in for Slack's page.</em></p>"
                f'<form method="get" action="{AUTHORIZE_PATH}">{kept}'
                "<h1>coopbot is requesting permission to access a Slack workspace</h1>"
                f'<label>Workspace <select name="team" data-testid="workspace">{options}</select></label>'
                f"<p>It will be able to:</p><ul>{scopes}</ul>"
                '<button type="submit" name="allow" value="cancel">Cancel</button>'
                '<button type="submit" name="allow" value="1" data-testid="allow">Allow</button>'
                f"</form><p><small>Then back to {html.escape(target)}</small></p></body></html>")

    # --- the Web API's side ---------------------------------------------------------------
    def workspace_of(self, token: str) -> Workspace | None:
        """The installation a bot token belongs to, while it is valid; raises OAuthError when it was revoked
        or has expired (Slack's `token_revoked`, `token_expired`)."""
        issued = self.tokens.get(token)
        if issued is None:
            return None
        if issued.revoked:
            raise OAuthError("token_revoked")
        if issued.expires_at is not None and issued.expires_at <= time.time():
            raise OAuthError("token_expired")
        return issued.workspace

    def access(self, args: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        """oauth.v2.access: a code for the installation's bot token, or (grant_type=refresh_token) a refresh
        token, once, for a new token and refresh token."""
        client_id, secret = str(args.get("client_id") or ""), str(args.get("client_secret") or "")
        basic = headers.get("Authorization", headers.get("authorization", ""))
        if basic.startswith("Basic "):
            client_id, _, secret = base64.b64decode(basic[6:]).decode("utf-8").partition(":")
        if client_id != self.client_id:
            raise OAuthError("invalid_client_id")
        if secret != self.client_secret:
            raise OAuthError("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            workspace = self._refresh.pop(str(args.get("refresh_token") or ""), None)
            if workspace is None:
                raise OAuthError("invalid_refresh_token")
            return {"token_type": "bot", "app_id": self.app_id, **self._issue(workspace)}
        workspace = self._codes.pop(str(args.get("code") or ""), None)
        if workspace is None:
            raise OAuthError("invalid_code")
        enterprise = ({"id": workspace.enterprise_id, "name": workspace.enterprise_name}
                      if workspace.enterprise_id else None)
        return {"app_id": self.app_id, "token_type": "bot", "scope": "chat:write,commands",
                "bot_user_id": workspace.bot_user_id, "authed_user": {"id": workspace.installer},
                "team": None if workspace.is_enterprise_install else {"id": workspace.team_id, "name": workspace.name},
                "enterprise": enterprise, "is_enterprise_install": workspace.is_enterprise_install,
                **self._issue(workspace)}

    def auth_test(self, workspace: Workspace) -> dict[str, Any]:
        return {"url": f"https://{workspace.key.lower()}.slack.com/", "team": workspace.name, "user": "coopbot",
                "team_id": workspace.team_id, "user_id": workspace.bot_user_id,
                "bot_id": "B" + workspace.bot_user_id.removeprefix("U"), "enterprise_id": workspace.enterprise_id,
                "is_enterprise_install": workspace.is_enterprise_install}

    def _issue(self, workspace: Workspace) -> dict[str, Any]:
        token = f"xoxb-{workspace.key}-{next(self._serial)}"
        if not self.token_rotation:
            self.tokens[token] = IssuedToken(workspace, None)
            return {"access_token": token}
        refresh = f"xoxe-1-{workspace.key}-{next(self._serial)}"
        self._refresh[refresh] = workspace
        self.tokens[token] = IssuedToken(workspace, time.time() + TOKEN_LIFETIME_SECONDS)
        return {"access_token": token, "refresh_token": refresh,
                "expires_in": TOKEN_LIFETIME_SECONDS}

    def uninstall(self, key: str) -> None:
        """The workspace's admin removed the app: every token it was given stops working."""
        for issued in self.tokens.values():
            if issued.workspace.key == key:
                issued.revoked = True
        self._refresh = {k: w for k, w in self._refresh.items() if w.key != key}

    def remember(self, token: str, key: str) -> None:
        """A token this Slack issued before it was restarted (the sandbox keeps its installations between
        runs): valid again, for the workspace `key`."""
        self.tokens[token] = IssuedToken(self.workspaces[key], None)

    def tokens_of(self, key: str) -> list[str]:
        """The tokens issued to a workspace, oldest first."""
        return [t for t, issued in self.tokens.items() if issued.workspace.key == key]


_TEXT = "text/plain; charset=utf-8"


def _with_query(target: str, query: dict[str, Any]) -> str:
    return f"{target}{'&' if '?' in target else '?'}{urlencode(query)}"


def authorize_url(base: str) -> str:
    return base + AUTHORIZE_PATH


__all__ = ["AUTHORIZE_PATH", "FakeOAuth", "OAuthError", "Workspace", "authorize_url"]
