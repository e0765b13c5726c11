"""Which language a person reads: their own choice, else their Slack locale, else their side's language (a
partnership may set one for the college's people and one for the enterprise's, whose Slack may be another
organization's and give no locale), else their partnership's — never English by default alone.

The Slack locale costs a `users.info` call, so it is cached per process with a TTL. A failed lookup is
cached for a shorter while and simply falls through to the partnership's language: a person always gets
an answer, never an error. Code inside a transaction reads only the cache (`SlackLocales.peek`) so a
slow Slack can never hold a database lock.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot import audit
from bot.errors import InvalidInput, NotOnRoster
from bot.i18n.catalog import DEFAULT_LANGUAGE, available_languages, match_language
from bot.storage.db import Database
from models.roster import Membership, Partnership, Person, Side

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT_SECONDS = 1  # users.info may run before an ack (Slack allows 3 s in all); slower = fallback language


@dataclass(frozen=True)
class Lookup:
    """The token to ask `users.info` about someone with, and (OAuth mode) the installation it is of: (team,
    enterprise), the team None for an org-wide install; None in single-token mode (the one installation)."""

    token: str
    installed: tuple[str | None, str | None] | None = None


# OAuth mode: the person acting in the request being handled, and the installation it came through (set by the
# serving layer, bot.serving.app). That installation can see them: they are using it.
requesting: ContextVar[tuple[str, Lookup] | None] = ContextVar("requesting", default=None)


class SlackLocales:
    """People's Slack locales as languages we have (None: unknown or unsupported), cached with a TTL.

    Single-token mode asks with `client`'s token. OAuth mode (`token_for`) asks with a token that can see the
    person: their own organization's installation, else the one their request came through, else one that
    shares a channel with them (bot.installs.routing); with none, their language is not asked for."""

    def __init__(self, client: WebClient | None, *, ttl: float = 3600.0, failure_ttl: float = 300.0,
                 clock: Callable[[], float] = time.monotonic,
                 on_user: Callable[[str, dict[str, Any], Lookup], object] | None = None,
                 token_for: Callable[[str], Lookup | None] | None = None) -> None:
        self._client = client
        # told every user users.info returns, with the lookup used (the container stores their organization,
        # external relative to that installation: bot.roster.organizations)
        self.on_user = on_user
        self.token_for = token_for
        self._base_url = client.base_url if client is not None else WebClient().base_url
        self._ttl, self._failure_ttl, self._clock = ttl, failure_ttl, clock
        self._cache: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def peek(self, slack_user_id: str) -> str | None:
        """The cached language, without asking Slack (safe inside a transaction)."""
        with self._lock:
            hit = self._cache.get(slack_user_id)
        return hit[1] if hit and hit[0] > self._clock() else None

    def get(self, slack_user_id: str) -> str | None:
        """The person's Slack language, asking Slack at most once per TTL."""
        if not slack_user_id or (self._client is None and self.token_for is None):
            return None
        with self._lock:
            hit = self._cache.get(slack_user_id)
        if hit and hit[0] > self._clock():
            return hit[1]
        language, ok = self._fetch(slack_user_id)
        expires = self._clock() + (self._ttl if ok else self._failure_ttl)
        with self._lock:
            self._cache[slack_user_id] = (expires, language)
        return language

    def _lookup(self, slack_user_id: str) -> Lookup | None:
        if self.token_for is not None:
            return self.token_for(slack_user_id)
        return Lookup(self._client.token) if self._client is not None and self._client.token else None

    def _fetch(self, slack_user_id: str) -> tuple[str | None, bool]:
        try:
            lookup = self._lookup(slack_user_id)
        except Exception as exc:  # the database or a token refresh failed: "we don't know" for now
            log.info("no token to look %s up with (%s)", slack_user_id, type(exc).__name__)
            return None, False
        if lookup is None:  # OAuth mode: no installation can see them (yet)
            return None, False
        client = WebClient(token=lookup.token, base_url=self._base_url, timeout=LOOKUP_TIMEOUT_SECONDS,
                           retry_handlers=[])
        try:
            reply = client.users_info(user=slack_user_id, include_locale=True)
        except Exception as exc:  # any Slack trouble means "we don't know", never a failed request
            log.info("users.info for %s failed (%s); using the default language", slack_user_id,
                     type(exc).__name__)
            return None, False
        user = reply.get("user") or {}
        if isinstance(user, dict) and self.on_user is not None:
            self.on_user(slack_user_id, user, lookup)
        return match_language(user.get("locale") if isinstance(user, dict) else None), True


def _settings(session: Session, slack_user_id: str) -> tuple[str | None, str | None, str | None]:
    """(the person's own choice, the language their first partnership set for their side, that partnership's
    language); None where there is none."""
    first = (select(Membership.partnership_id).where(Membership.person_id == Person.id)
             .order_by(Membership.id).limit(1).scalar_subquery())
    side_language = (select(case((Person.side == Side.SCHOOL, Partnership.school_language),
                                 else_=Partnership.enterprise_language))
                     .where(Partnership.id == first).scalar_subquery())
    partnership_language = select(Partnership.language).where(Partnership.id == first).scalar_subquery()
    row = session.execute(select(Person.locale, side_language, partnership_language)
                          .where(Person.slack_user_id == slack_user_id)).first()
    if row is None:
        return None, None, None
    return match_language(row[0]), match_language(row[1]), match_language(row[2])


def language_settings(session: Session, slack_user_id: str) -> tuple[str | None, str | None]:
    """(the person's own choice, their side's language in their first partnership — the language that
    partnership set for their side, else its language); None where there is none."""
    chosen, side, partnership = _settings(session, slack_user_id)
    return chosen, side or partnership


def resolve_language(db: Database, locales: SlackLocales, slack_user_id: str) -> str:
    """Choice → Slack locale → partnership language → English (for a request being answered now)."""
    with db.session() as session:
        chosen, default = language_settings(session, slack_user_id)
    return pick_language(locales, slack_user_id, chosen, default)


def pick_language(locales: SlackLocales, slack_user_id: str, chosen: str | None, default: str | None) -> str:
    """The same order, given the person's settings already read (e.g. with the rest of a request's data)."""
    return chosen or locales.get(slack_user_id) or default or DEFAULT_LANGUAGE


def language_in(session: Session, locales: SlackLocales | None, slack_user_id: str,
                default: str | None = None) -> str:
    """The same order inside a transaction, reading Slack locales from the cache only; after their Slack
    language comes the language their partnership set for their side, then `default` (e.g. the language of
    the partnership a message is about), then their first partnership's language."""
    chosen, side, partnership = _settings(session, slack_user_id)
    return language_given(locales, slack_user_id, chosen, side or default or partnership or DEFAULT_LANGUAGE)


def language_given(locales: SlackLocales | None, slack_user_id: str, chosen: str | None, fallback: str) -> str:
    """`language_in`'s order for a person whose own choice is already known (read with something else):
    their choice, else their Slack language if already known, else `fallback`."""
    cached = locales.peek(slack_user_id) if locales else None
    return chosen or cached or fallback


def set_language(db: Database, slack_user_id: str, language: str | None) -> str | None:
    """Save a person's language (None: follow their Slack language), audited. Returns what was saved."""
    if language is not None and language not in available_languages():
        raise InvalidInput("language", "unknown")
    with db.transaction() as session:
        person = session.scalar(select(Person).where(Person.slack_user_id == slack_user_id))
        if person is None:
            raise NotOnRoster(slack_user_id)
        before = person.locale
        if before != language:
            person.locale = language
            audit.record(session, actor=slack_user_id, action="person.language", entity_type="person",
                         entity_id=person.id, before={"locale": before}, after={"locale": language})
    return language
