"""Slack installations (OAuth mode): the tables of slack_sdk's SQLAlchemy stores, in coopbot's database.

The tables are slack_sdk's own (`SQLAlchemyInstallationStore.build_*_table`,
`SQLAlchemyOAuthStateStore.build_oauth_states_table`), registered on coopbot's metadata so that the
migration (0019) that creates them is checked against exactly what the stores read and write
(tests/test_migrations.py). The stores are used unchanged; nothing calls their `create_tables()`.

One difference: the token columns are TEXT rather than VARCHAR(200), because a token encrypted at rest
(COOPBOT_TOKEN_KEY, bot.installs.tokens) is longer than the token. The stores bind and read them as the
same strings either way.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Text

from models.base import Base

BOTS_TABLE = SQLAlchemyInstallationStore.default_bots_table_name  # "slack_bots"
INSTALLATIONS_TABLE = SQLAlchemyInstallationStore.default_installations_table_name  # "slack_installations"
STATES_TABLE = SQLAlchemyOAuthStateStore.default_table_name  # "slack_oauth_states"

slack_bots = SQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
slack_installations = SQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS_TABLE)
slack_oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES_TABLE)

TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
for _table in (slack_bots, slack_installations):
    for _name in TOKEN_COLUMNS:
        if _name in _table.c:
            _table.c[_name].type = Text()

__all__ = ["BOTS_TABLE", "INSTALLATIONS_TABLE", "STATES_TABLE", "TOKEN_COLUMNS", "slack_bots", "slack_installations",
           "slack_oauth_states"]
