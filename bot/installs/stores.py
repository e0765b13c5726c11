"""slack_sdk's SQLAlchemy stores on coopbot's database: their writes take the database's writer turn (on SQLite
a deferred transaction that reads then writes would otherwise fail with "database is locked" beside another
writer), and, when COOPBOT_TOKEN_KEY is set, tokens encrypted at rest.

Tokens are sealed with Fernet on the way in and opened on the way out.

Fernet (the `cryptography` package: AES-128-CBC with an HMAC-SHA256, authenticated) keeps a stolen database
or backup from giving away the tokens; the key lives only in the environment. Several keys, comma-separated,
rotate the key: the first seals, any of them opens. A token stored before a key was configured (plain
`xox…`) is still read, and sealed the next time it is saved (a refresh, a reinstall).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

Writing = Callable[[], AbstractContextManager[None]]  # bot.storage.db.Database.writing

SEALED_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then the time); Slack's start "xox"
_BOT_FIELDS = ("bot_token", "bot_refresh_token")
_INSTALLATION_FIELDS = (*_BOT_FIELDS, "user_token", "user_refresh_token")


def parse_keys(keys: str) -> MultiFernet:
    """COOPBOT_TOKEN_KEY's value: one or more Fernet keys (`Fernet.generate_key()`), comma-separated.
    Raises ValueError naming what is wrong with a key."""
    found = [key.strip() for key in keys.split(",") if key.strip()]
    if not found:
        raise ValueError("no key given")
    try:
        return MultiFernet([Fernet(key.encode("ascii")) for key in found])
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("each key must be 32 url-safe base64-encoded bytes, as Fernet.generate_key() makes "
                         "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
                         ) from exc


class InstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, its writes in the database's writer turn."""

    def __init__(self, *, writing: Writing, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.writing = writing

    def save(self, installation: Installation) -> None:
        with self.writing():
            super().save(installation)

    def save_bot(self, bot: Bot) -> None:
        with self.writing():
            super().save_bot(bot)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        with self.writing():
            super().delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        with self.writing():
            super().delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)


class StateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's OAuth state store, its writes in the database's writer turn."""

    def __init__(self, *, writing: Writing, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.writing = writing

    def issue(self, *args: Any, **kwargs: Any) -> str:
        with self.writing():
            return super().issue(*args, **kwargs)

    def consume(self, state: str) -> bool:
        with self.writing():
            return super().consume(state)


class SealedInstallationStore(InstallationStore):
    """The installation store whose token columns hold Fernet tokens."""

    def __init__(self, keys: MultiFernet, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.keys = keys

    def seal(self, value: str | None) -> str | None:
        if not value or value.startswith(SEALED_PREFIX):
            return value
        return self.keys.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, value: str | None) -> str | None:
        if not value or not value.startswith(SEALED_PREFIX):
            return value  # stored before a key was configured
        try:
            return self.keys.decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("a stored Slack token does not open with COOPBOT_TOKEN_KEY: was the key that sealed "
                             "it removed from the list?") from exc

    def save(self, installation: Installation) -> None:
        sealed = Installation(**installation.to_dict_for_copying())
        for name in _INSTALLATION_FIELDS:
            setattr(sealed, name, self.seal(getattr(sealed, name)))
        super().save(sealed)  # which saves its bot through save_bot: already sealed, left as it is

    def save_bot(self, bot: Bot) -> None:
        sealed = Bot(**bot.to_dict_for_copying())
        for name in _BOT_FIELDS:
            setattr(sealed, name, self.seal(getattr(sealed, name)))
        super().save_bot(sealed)

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        found = super().find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                 is_enterprise_install=is_enterprise_install)
        if found is not None:
            for name in _BOT_FIELDS:
                setattr(found, name, self.open(getattr(found, name)))
        return found

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        found = super().find_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                          is_enterprise_install=is_enterprise_install)
        if found is not None:
            for name in _INSTALLATION_FIELDS:
                setattr(found, name, self.open(getattr(found, name)))
        return found


__all__ = ["SEALED_PREFIX", "InstallationStore", "SealedInstallationStore", "StateStore", "parse_keys"]
