"""Which Slack organization each person belongs to, as Slack tells us, and whether they are external or guests.

A partnership is two organizations. The enterprise's people may be in another Slack organization (a Slack
Connect channel: their payloads carry their own `user.team_id`, and `users.info` answers with their team
and no locale) or be guests of the college's workspace (`users.info`: `is_restricted` /
`is_ultra_restricted`). Neither can run the app's slash commands, so coopbot must know it: to show it to
coordinators and admins, to pick a language Slack will not give, and to offer the panel's buttons instead.

What is learned is stored only when it changes (a per-process memory of what was last written), so a
request costs no write once its person is known. People on no roster are not stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.storage.db import Database
from models.roster import Person

log = logging.getLogger(__name__)


Installed = tuple[str | None, str | None]  # an installation's (team, enterprise); the team None if org-wide


@dataclass(frozen=True)
class SlackOrganization:
    """What one payload or `users.info` says of a person (None: it does not say)."""

    team_id: str | None = None
    enterprise_id: str | None = None
    guest: bool | None = None


def from_user_info(user: Mapping[str, Any]) -> SlackOrganization:
    """A `users.info` user: their team, their Grid organization, and whether they are a guest."""
    enterprise = user.get("enterprise_user") if isinstance(user.get("enterprise_user"), dict) else {}
    guest = bool(user.get("is_restricted") or user.get("is_ultra_restricted"))
    return SlackOrganization(_id(user.get("team_id")), _id((enterprise or {}).get("enterprise_id")), guest)


def from_payload(body: Mapping[str, Any]) -> tuple[str, SlackOrganization, str | None]:
    """(the acting user, their organization, the team the app is installed in) from a request's body: an
    interaction's `user.team_id` (their own team, also for someone of another organization), a slash
    command's `team_id`; the installing team from `view.app_installed_team_id` or `authorizations`."""
    user = body.get("user") if isinstance(body.get("user"), dict) else None
    if user is not None:
        uid, team = str(user.get("id") or ""), _id(user.get("team_id"))
    else:
        uid, team = str(body.get("user_id") or ""), _id(body.get("team_id"))
    enterprise = body.get("enterprise") if isinstance(body.get("enterprise"), dict) else {}
    payload_team = body.get("team") if isinstance(body.get("team"), dict) else {}
    # `enterprise` describes the payload's team: the person's Grid organization only when that team is theirs
    enterprise_id = _id((enterprise or {}).get("id")) if _id((payload_team or {}).get("id")) in (None, team) else None
    view = body.get("view") if isinstance(body.get("view"), dict) else {}
    installed = _id((view or {}).get("app_installed_team_id"))
    for authorization in body.get("authorizations") or []:
        if installed is None and isinstance(authorization, dict):
            installed = _id(authorization.get("team_id"))
    if user is None:  # a slash command: its team_id and enterprise_id are the caller's
        enterprise_id = _id(body.get("enterprise_id"))
    return uid, SlackOrganization(team, enterprise_id), installed


def _id(value: Any) -> str | None:
    text = str(value or "").strip()
    return text[:32] if text and text.isascii() and text.isalnum() else None


ABSENT_RECHECK_SECONDS = 300.0  # someone added to a roster meanwhile is learned at most this much later


class Organizations:
    """Stores people's organizations (the roster's service for it); knows the installing team."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._installed: tuple[str | None, str | None] = (None, None)  # (team, enterprise) coopbot is in
        self._written: dict[str, tuple[str | None, str | None, bool, bool]] = {}
        # People on no roster, and until when not to look again: every request of theirs would otherwise
        # cost a write transaction (on SQLite, a turn of the one writer lock) to find nobody.
        self._absent: dict[str, float] = {}
        self._lock = threading.Lock()

    def installed_in(self, team_id: str | None, enterprise_id: str | None = None) -> None:
        """The team (and Grid organization) the app is installed in: from auth.test or a payload."""
        if team_id:
            with self._lock:
                self._installed = (team_id, enterprise_id or self._installed[1])

    @property
    def installed(self) -> tuple[str | None, str | None]:
        return self._installed

    def is_external(self, team_id: str | None, enterprise_id: str | None,
                    installed: Installed | None = None) -> bool | None:
        """Another organization than the installing one (None: we cannot tell yet). On Grid, another
        workspace of the same enterprise is not external. `installed`: the installation to be external to (in
        OAuth mode, the one the request or the lookup came through: (team, enterprise), the team None for an
        org-wide install); by default the one coopbot is installed in (single-token mode)."""
        home_team, home_enterprise = installed or self._installed
        if home_team is None and home_enterprise is None:
            return None
        if team_id is not None and team_id == home_team:
            return False
        if home_enterprise is not None and enterprise_id == home_enterprise:
            return False
        return None if team_id is None or (home_team is None and enterprise_id is None) else True

    def learn(self, slack_user_id: str, seen: SlackOrganization, installed: Installed | None = None) -> bool:
        """Store what Slack said of this person, if they are on a roster and it changed. True if written.
        `installed`: what they are external to (see `is_external`)."""
        if not slack_user_id or (seen.team_id is None and seen.guest is None):
            return False
        with self._lock:
            before = self._written.get(slack_user_id)
            if self._absent.get(slack_user_id, 0.0) > time.monotonic():
                return False
        if before is not None and _merged(before, seen, self.is_external(seen.team_id, seen.enterprise_id,
                                                                         installed)) == before:
            return False
        try:
            with self.db.transaction() as session:
                person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
                if person is None:
                    with self._lock:
                        if len(self._absent) > 10_000:
                            self._absent.clear()
                        self._absent[slack_user_id] = time.monotonic() + ABSENT_RECHECK_SECONDS
                    return False
                stored = (person.slack_team_id, person.slack_enterprise_id, bool(person.is_external),
                          bool(person.is_guest))
                external = self.is_external(seen.team_id or person.slack_team_id,
                                            seen.enterprise_id or person.slack_enterprise_id, installed)
                now = _merged(stored, seen, external)
                if now != stored:
                    (person.slack_team_id, person.slack_enterprise_id, person.is_external, person.is_guest) = now
        except Exception as exc:  # learning is a side effect of a request: it must never fail the request
            log.warning("could not store the organization of %s (%s)", slack_user_id, type(exc).__name__)
            return False
        with self._lock:
            self._written[slack_user_id] = now
        return now != stored


def _merged(stored: tuple[str | None, str | None, bool, bool], seen: SlackOrganization,
            external: bool | None) -> tuple[str | None, str | None, bool, bool]:
    team, enterprise, was_external, was_guest = stored
    return (seen.team_id or team, seen.enterprise_id or enterprise,
            was_external if external is None else external, was_guest if seen.guest is None else seen.guest)


__all__ = ["Installed", "Organizations", "SlackOrganization", "from_payload", "from_user_info"]
