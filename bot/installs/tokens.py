"""Each workspace's bot token, from slack_sdk's installation store, refreshed before it expires.

Slack's OAuth flow (Bolt's `OAuthFlow`) saves one installation per workspace (or per Enterprise Grid
organization, for an org-wide install) in `SQLAlchemyInstallationStore`, on coopbot's own database
(tables from migration 0019). Everything that needs a token asks here: Bolt for each request
(`InstallationAuthorize`), and the delivery worker for what requests and scheduled jobs leave in the
outbox (bot.installs.routing, through `find_team`).

Token rotation (`token_rotation_enabled` in the manifest): a bot token lives 12 hours and is exchanged for
a new one with its refresh token through `oauth.v2.access`, by slack_sdk's `TokenRotator`. A refresh token
works once, so two replicas refreshing the same installation at once would leave one of them holding a
dead token (Bolt's own rotation has no lock: bolt-python #663). Here a refresh happens only under a
database lease named after the installation (scheduler/lease.py): the replica that takes it reads the
installation again (another may just have refreshed it), refreshes, saves and lets go; the others wait
briefly for the new token, and meanwhile the old one is still valid.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.installs.stores import InstallationStore, SealedInstallationStore, StateStore, parse_keys
from bot.storage.db import Database
from models.base import utcnow
from models.installation import BOTS_TABLE, INSTALLATIONS_TABLE, STATES_TABLE
from scheduler.lease import DatabaseLease

log = logging.getLogger(__name__)

STATE_EXPIRATION_SECONDS = 600  # an installer has ten minutes between /slack/install and Slack's redirect
ROTATION_LEASE = timedelta(seconds=30)  # longer than one oauth.v2.access call with its timeout
ROTATION_WAIT_SECONDS = 5.0  # how long a replica waits for another's refresh before using the old token


class Installations:
    """The installation store and state store on coopbot's database, and each workspace's current token."""

    def __init__(self, db: Database, *, client_id: str, client_secret: str, api_url: str,
                 refresh_before: timedelta = timedelta(minutes=120), token_key: str | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.api_url = api_url
        self.refresh_before = refresh_before
        self.clock = clock
        tables: dict[str, Any] = {"client_id": client_id, "engine": db.engine, "bots_table_name": BOTS_TABLE,
                                  "installations_table_name": INSTALLATIONS_TABLE, "writing": db.writing}
        # COOPBOT_TOKEN_KEY: the same store, its tokens sealed with Fernet (bot.installs.stores)
        self.store: InstallationStore = (SealedInstallationStore(parse_keys(token_key), **tables) if token_key
                                         else InstallationStore(**tables))
        self.states = StateStore(expiration_seconds=STATE_EXPIRATION_SECONDS, engine=db.engine,
                                 table_name=STATES_TABLE, writing=db.writing)
        self.rotator = TokenRotator(client_id=client_id, client_secret=client_secret,
                                    client=WebClient(base_url=api_url, timeout=10, retry_handlers=[]))

    # --- tokens --------------------------------------------------------------------------------
    def bot(self, enterprise_id: str | None, team_id: str | None, *,
            is_enterprise_install: bool | None = False) -> Bot | None:
        """The workspace's bot installation with a token good for a while yet (refreshed here if it was
        about to expire); None when coopbot is not installed there (never, or uninstalled)."""
        found = self.store.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                    is_enterprise_install=is_enterprise_install)
        if found is None or not self._expiring(found):
            return found
        return self._refresh(found, is_enterprise_install=is_enterprise_install)

    def find_team(self, team_or_enterprise_id: str) -> Bot | None:
        """The installation for a workspace id as a partnership records it: a team id (`T…`), or the
        enterprise id (`E…`) of an org-wide install."""
        if team_or_enterprise_id.startswith("E"):
            return self.bot(team_or_enterprise_id, None, is_enterprise_install=True)
        found = self.store.find_bot(enterprise_id=None, team_id=team_or_enterprise_id)
        if found is None:  # a workspace of an Enterprise Grid organization, installed in that workspace
            found = self._find_in_any_enterprise(team_or_enterprise_id)
        if found is None or not self._expiring(found):
            return found
        return self._refresh(found, is_enterprise_install=False)

    def installed_teams(self) -> list[str]:
        """The ids of every workspace (or org-wide enterprise) with a bot token, as `find_team` takes them."""
        bots = self.store.bots
        with self.db.engine.connect() as conn:
            rows = conn.execute(bots.select().with_only_columns(
                bots.c.enterprise_id, bots.c.team_id, bots.c.is_enterprise_install)
                .where(bots.c.client_id == self.store.client_id, bots.c.bot_token.is_not(None))).all()
        return sorted({(e if org or not t else t) or "" for e, t, org in rows} - {""})

    def _find_in_any_enterprise(self, team_id: str) -> Bot | None:
        bots = self.store.bots
        with self.db.engine.connect() as conn:
            enterprise = conn.execute(bots.select().with_only_columns(bots.c.enterprise_id)
                                      .where(bots.c.client_id == self.store.client_id, bots.c.team_id == team_id,
                                             bots.c.bot_token.is_not(None)).limit(1)).scalar()
        return self.store.find_bot(enterprise_id=enterprise, team_id=team_id) if enterprise else None

    def _expiring(self, found: Bot) -> bool:
        expires_at = found.bot_token_expires_at
        if expires_at is None or not found.bot_refresh_token:
            return False
        return expires_at <= (self.clock() + self.refresh_before).timestamp()

    def _refresh(self, stale: Bot, *, is_enterprise_install: bool | None) -> Bot | None:
        """Refresh under the installation's lease; whoever does not get it waits for the one who did."""
        key = f"token:{stale.enterprise_id or ''}:{'' if is_enterprise_install else stale.team_id or ''}"
        lease = DatabaseLease(self.db, key[:64], ROTATION_LEASE, clock=self.clock)
        deadline = time.monotonic() + ROTATION_WAIT_SECONDS
        while True:
            if lease.acquire():
                try:  # read again under the lease: a refresh token works once, and another may just have used it
                    current = self._current(stale, is_enterprise_install)
                    return current if current is None or not self._expiring(current) else self._rotate(current)
                finally:
                    lease.release()
            current = self._current(stale, is_enterprise_install)
            if current is None or not self._expiring(current):
                return current  # uninstalled meanwhile, or the replica holding the lease refreshed it
            if time.monotonic() >= deadline:
                log.warning("token refresh for %s is taking another replica long; using the current token", key)
                return current
            time.sleep(0.05)

    def _current(self, stale: Bot, is_enterprise_install: bool | None) -> Bot | None:
        return self.store.find_bot(enterprise_id=stale.enterprise_id, team_id=stale.team_id,
                                   is_enterprise_install=is_enterprise_install)

    def _rotate(self, current: Bot) -> Bot:
        # TokenRotator decides "expiring" by the wall clock; ours (testable) already decided, so ask it to
        # refresh whatever is left of the token's life.
        left = int(current.bot_token_expires_at or 0) - time.time()
        rotated = self.rotator.perform_bot_token_rotation(
            bot=current, minutes_before_expiration=max(0, int(left // 60) + 1))
        if rotated is None:
            return current
        if rotated.bot_token_expires_at is not None:  # its lifetime counted from our clock's now, not the wall's
            lifetime = rotated.bot_token_expires_at - int(time.time())
            rotated.bot_token_expires_at = int(self.clock().timestamp()) + lifetime
        self.store.save_bot(rotated)
        log.info("refreshed the bot token of %s", current.team_id or current.enterprise_id)
        return rotated

    # --- uninstalling --------------------------------------------------------------------------
    def uninstalled(self, enterprise_id: str | None, team_id: str | None, *,
                    is_enterprise_install: bool | None = False) -> None:
        """`app_uninstalled` and `tokens_revoked`: forget the workspace's tokens, as Bolt's documentation
        does (`delete_all`). Nothing is sent through it any more; the outbox holds its messages until it
        is installed again (bot.installs.routing)."""
        self.store.delete_all(enterprise_id=enterprise_id, team_id=None if is_enterprise_install else team_id)


class InstallationAuthorize(Authorize):
    """Bolt's authorization for each request in OAuth mode: the token of the installation the request came
    through, refreshed under the lock when it is about to expire (in place of Bolt's lock-free rotation)."""

    def __init__(self, installations: Installations) -> None:
        self.installations = installations

    def __call__(self, *, context: BoltContext, enterprise_id: str | None, team_id: str | None,
                 user_id: str | None, actor_enterprise_id: str | None = None, actor_team_id: str | None = None,
                 actor_user_id: str | None = None) -> AuthorizeResult | None:
        found = self.installations.bot(enterprise_id, team_id,
                                       is_enterprise_install=context.is_enterprise_install)
        if (found is None or not found.bot_token) and enterprise_id and team_id \
                and not context.is_enterprise_install:
            # bolt-python #767: a modal submitted by someone of another Grid organization (a Slack Connect
            # channel) names the installing team in `view.app_installed_team_id`, which Bolt takes as the team,
            # but the enterprise Bolt reads is the submitter's (`team.enterprise_id`): no installation is
            # (enterprise, team). Team ids are unique across Slack, so the installed team alone finds it.
            found = self.installations.find_team(team_id)
        if found is None or not found.bot_token:
            return None
        return AuthorizeResult(enterprise_id=found.enterprise_id, team_id=found.team_id, bot_id=found.bot_id,
                               bot_user_id=found.bot_user_id, bot_token=found.bot_token, bot_scopes=found.bot_scopes,
                               user_id=user_id)


__all__ = ["InstallationAuthorize", "Installations"]
