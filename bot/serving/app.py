"""The Bolt app: built around our own WebClient and wired to the handlers. Nothing else lives here."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.logger import get_bolt_logger
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.middleware import Middleware
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient

import handlers
from bot.container import Services
from bot.i18n.language import Lookup, requesting
from bot.installs.notices import workspace_changed
from bot.installs.routing import resume_held
from bot.installs.scope import hand_to_listener
from bot.installs.tenancy import tenant_of
from bot.installs.tokens import InstallationAuthorize, Installations
from bot.observability import Metrics
from bot.roster.organizations import Installed, Organizations, from_payload
from bot.serving import idempotency
from bot.serving.ack_signal import SignalAcks
from bot.serving.executor import TrackedExecutor
from bot.slack.manifest import INSTALL_PATH, REDIRECT_PATH
from bot.slack.surface import BOT_SCOPES

log = logging.getLogger(__name__)
AUTH_TEST_TIMEOUT_SECONDS = 1
AUTH_TEST_RETRY_SECONDS = 60.0


class _NoEnvTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment even when given a client, then warns at every start
    that it will not use it. The token reaches Bolt through `authorize`, so the warning would only send an
    operator looking for a misconfiguration that is not there."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_BOLT_APP_LOGGER = get_bolt_logger(App)
if not any(isinstance(f, _NoEnvTokenWarning) for f in _BOLT_APP_LOGGER.filters):
    _BOLT_APP_LOGGER.addFilter(_NoEnvTokenWarning())


def create_app(services: Services, executor: TrackedExecutor | None = None, metrics: Metrics | None = None) -> App:
    secret = services.settings.slack_signing_secret
    installations = services.installations
    # Single-token mode: that token, its bot user id learnt once; OAuth mode: each request's installation.
    authorize: Any = (_cached_authorize(services.client, services.organizations) if installations is None
                      else InstallationAuthorize(installations))
    app = App(
        listener_executor=executor or TrackedExecutor(),
        # Bolt gives each request a client with the token from `authorize` and this client's base URL;
        # the app's own client carries no token, so Bolt has no second token to warn about.
        client=WebClient(base_url=services.client.base_url, timeout=services.client.timeout, retry_handlers=[]),
        signing_secret=secret.get_secret_value() if secret else "",
        authorize=authorize,
        oauth_settings=None if installations is None else _oauth_settings(services, installations),
        installation_store=None if installations is None else installations.store,
        raise_error_for_unhandled_request=False,
        url_verification_enabled=True,
    )
    app.use(SignalAcks())  # first: every listener's ack must signal (bot.serving.ack_signal)
    if metrics is not None:
        app.use(_CountRequests(metrics))
    app.use(_LearnOrganizations(services.organizations, oauth=installations is not None))
    if installations is not None:  # OAuth mode: each request sees only its installation's partnerships
        app.use(ScopeToTenant())
    idempotency.register(app, services.db)
    handlers.register_all(app, services)
    return app


def _oauth_settings(services: Services, installations: Installations) -> OAuthSettings:
    """Bolt's OAuth flow on coopbot's stores: `/slack/install` sends the admin to Slack (state kept in the
    database and a cookie, checked on the way back), `/slack/oauth_redirect` exchanges the code with
    `oauth.v2.access` and saves the installation. Scopes are the manifest's (bot.slack.surface)."""
    settings = services.settings
    if not settings.slack_client_id or not settings.slack_client_secret:
        raise ValueError("OAuth mode needs SLACK_CLIENT_ID and SLACK_CLIENT_SECRET")

    def installed(args: SuccessArgs) -> Any:
        resume_held(services.db)  # what waited for this workspace goes now
        done = args.installation
        workspace = (done.enterprise_id if done.is_enterprise_install else done.team_id) or ""
        try:  # the other side of its partnerships hears that it resumed (after an uninstall only)
            workspace_changed(services.db, services.locales, workspace, installed=True)
        except Exception:  # the install itself succeeded: telling is not worth failing the admin's page
            log.exception("could not record the installation of %s", workspace)
        return args.default.success(args)

    return OAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(BOT_SCOPES), install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False, authorization_url=settings.slack_authorize_url,
        installation_store=installations.store, state_store=installations.states,
        token_rotation_expiration_minutes=settings.coopbot_token_refresh_minutes,
        callback_options=CallbackOptions(success=installed, failure=lambda args: args.default.failure(args)))


class _CountRequests(Middleware):
    """Count verified Slack requests by kind (slash command, block actions, view submission, event…).

    A plain Middleware, as bot.serving.ack_signal's: Bolt calls it without building keyword arguments."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body = req.body
        kind = "slash_command" if "command" in body else str(body.get("type") or "unknown")
        if kind == "event_callback":
            kind = "event:" + str((body.get("event") or {}).get("type") or "unknown")
        self.metrics.requests.labels(kind[:64]).inc()
        return next()


class ScopeToTenant(Middleware):
    """OAuth mode: the request's tenant — the installation Bolt authorized it by — for everything its listener
    reads or changes (bot.installs.scope; docs/decisions/0012, Scope).

    Bolt runs its middleware one after another, not around the listener, and then hands the listener to our
    executor from this request thread. So the tenant is left here for that hand-off, which takes it (once) and
    runs the listener in it (bot.serving.executor, as bot.serving.ack_signal's event): the listener thread, not
    this one, is where services read it. A request with no authorization (Bolt lets `app_uninstalled` and
    `tokens_revoked` through without one) is its payload's workspace's."""

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        context = req.context
        found = context.authorize_result
        enterprise, team = (found.enterprise_id, found.team_id) if found is not None else (None, None)
        tenant = tenant_of(enterprise or context.enterprise_id, team or context.team_id,
                           context.is_enterprise_install, oauth=True)
        hand_to_listener(tenant)
        return next()


class _LearnOrganizations(Middleware):
    """Note each acting person's Slack organization (their `user.team_id`, which is their own team when they
    are of another organization) and the installing team. Stored after the listener has run (its ack is
    then sent), and only when it changed (bot.roster.organizations).

    OAuth mode: there is no one installing team. A person is external relative to the installation their
    request came through (Bolt's authorize result), and while the request is handled, looking them up
    (`users.info`, bot.i18n.language) may use that installation's token: it can see them."""

    def __init__(self, organizations: Organizations, *, oauth: bool = False) -> None:
        self.organizations = organizations
        self.oauth = oauth

    def process(self, *, req: BoltRequest, resp: BoltResponse,
                next: Callable[[], BoltResponse]) -> BoltResponse | None:
        user, seen, installed = from_payload(req.body)
        if not self.oauth:
            response = next()
            if installed:
                self.organizations.installed_in(installed)
            if user:
                self.organizations.learn(user, seen)
            return response
        authorized = req.context.authorize_result
        through: Installed | None = None
        token = None
        if authorized is not None and authorized.bot_token:
            through = (None if req.context.is_enterprise_install else authorized.team_id, authorized.enterprise_id)
            token = requesting.set((user, Lookup(authorized.bot_token, through)) if user else None)
        try:
            response = next()
        finally:
            if token is not None:
                requesting.reset(token)
        if user and through is not None:
            self.organizations.learn(user, seen, through)
        return response


def _cached_authorize(client: WebClient, organizations: Organizations | None = None) -> Any:
    """Authorise with the one bot token, learning the bot's user id from auth.test once.

    Bolt's default would call auth.test for the first request and fail every request while Slack is
    unreachable. This runs before every ack, so: one request at a time asks (the others go on without
    waiting), with a 1 s timeout, and after a failure nobody asks again for a minute — meanwhile requests
    are authorised with the token alone and only the bot's user id is unknown.
    """
    asking = threading.Lock()
    known: dict[str, AuthorizeResult] = {}
    retry_at = [0.0]
    probe = WebClient(token=client.token, base_url=client.base_url, timeout=AUTH_TEST_TIMEOUT_SECONDS,
                      retry_handlers=[])

    def authorize(enterprise_id: str | None, team_id: str | None, **_: Any) -> AuthorizeResult:
        if "bot" in known:
            return known["bot"]
        token_only = AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=client.token)
        if time.monotonic() < retry_at[0] or not asking.acquire(blocking=False):
            return token_only
        try:
            response = probe.auth_test()
        except Exception as exc:
            retry_at[0] = time.monotonic() + AUTH_TEST_RETRY_SECONDS
            log.warning("auth.test failed (%s); continuing without the bot user id", type(exc).__name__)
            return token_only
        finally:
            asking.release()
        # The installing team, from auth.test, whatever team the first request came from: a click by someone
        # of another organization (Slack Connect) carries their team, not the one the token belongs to.
        installed_team = response.get("team_id") or team_id
        installed_enterprise = response.get("enterprise_id") or enterprise_id
        if organizations is not None:
            organizations.installed_in(installed_team, installed_enterprise)
        known["bot"] = AuthorizeResult(
            enterprise_id=installed_enterprise, team_id=installed_team, bot_token=client.token,
            bot_id=response.get("bot_id"), bot_user_id=response.get("user_id"))
        return known["bot"]

    return authorize
