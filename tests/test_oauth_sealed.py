"""COOPBOT_TOKEN_KEY: the tokens of every installation are stored sealed (Fernet), and used as Slack gave them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError
from sqlalchemy import select, update

from bot.devtools.fake_oauth import IssuedToken
from bot.settings import Settings
from bot.storage.db import Database
from models.installation import slack_bots, slack_installations
from tests.support.harness import TEACHER
from tests.support.installs import (
    COLLEGE,
    COMPANY,
    Clock,
    install,
    running_oauth_app,
    seed_linked_roster,
    slack_from,
    token_of,
)

KEY, OLD_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(db: Database) -> dict[str, tuple[str, str | None]]:
    with db.engine.connect() as conn:
        return {r.team_id: (r.bot_token, r.bot_refresh_token) for r in conn.execute(select(slack_bots))}


def _views_open_token(h: object, team: str) -> str:
    fake = h.fake  # type: ignore[attr-defined]
    before = len(fake.calls_to("views.open"))
    assert slack_from(h, team).command("/intern-issue", user_id=TEACHER).status == 200  # type: ignore[arg-type]
    return token_of(fake.wait_for("views.open", count=before + 1)[-1])


def test_tokens_are_sealed_at_rest_and_opened_for_slack(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    clock = Clock()
    with running_oauth_app(db, clock=clock, token_rotation=True, coopbot_token_key=SecretStr(KEY)) as h:
        install(h, COLLEGE)
        issued = h.fake.oauth.tokens_of(COLLEGE)[-1]
        token, refresh = _stored(db)[COLLEGE]
        assert issued not in token and not token.startswith("xox") and Fernet(KEY).decrypt(token).decode() == issued
        assert refresh and not refresh.startswith("xox")
        with db.engine.connect() as conn:
            row = conn.execute(select(slack_installations)).one()
        assert Fernet(KEY).decrypt(row.bot_token).decode() == issued
        assert _views_open_token(h, COLLEGE) == issued  # Slack gets the token itself
        clock.now += timedelta(hours=11)  # refreshed: the new token is sealed too
        fresh = _views_open_token(h, COLLEGE)
        assert fresh != issued and fresh == h.fake.oauth.tokens_of(COLLEGE)[-1]
        assert Fernet(KEY).decrypt(_stored(db)[COLLEGE][0]).decode() == fresh


def test_tokens_stored_before_the_key_or_under_an_older_key_still_work(db: Database, tmp_path: Path) -> None:
    seed_linked_roster(db, tmp_path)
    with running_oauth_app(db) as h:  # no key yet: stored as Slack gave them
        install(h, COLLEGE)
        install(h, COMPANY)
    plain = _stored(db)
    assert plain[COLLEGE][0].startswith("xoxb-")
    with db.engine.begin() as conn:  # the company's sealed under a key since replaced
        conn.execute(update(slack_bots).where(slack_bots.c.team_id == COMPANY)
                     .values(bot_token=Fernet(OLD_KEY).encrypt(plain[COMPANY][0].encode()).decode()))
    with running_oauth_app(db, coopbot_token_key=SecretStr(f"{KEY},{OLD_KEY}")) as h:
        for team, (token, _) in plain.items():  # a new fake Slack: it knows the tokens it issued before
            h.fake.oauth.tokens[token] = IssuedToken(h.fake.oauth.workspaces[team], None)
        assert _views_open_token(h, COLLEGE) == plain[COLLEGE][0]
        assert _views_open_token(h, COMPANY) == plain[COMPANY][0]


def test_a_malformed_key_is_refused_without_being_shown() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(coopbot_token_key=SecretStr("not-a-fernet-key"))
    assert "coopbot_token_key" in str(refused.value) and "not-a-fernet-key" not in str(refused.value)
