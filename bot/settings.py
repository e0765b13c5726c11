"""Configuration from the environment (and a `.env` file), validated once at start-up."""

from __future__ import annotations

import os
from datetime import date
from functools import cached_property
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set. Secrets are `SecretStr` so they never print or log."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    # OAuth mode (installing in several organizations, README "Installing in both organizations"): on when both
    # are set. Each workspace's token then comes from the installation store, and SLACK_BOT_TOKEN is not used.
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    # Where `/slack/install` sends the installer's browser (Slack's; the sandbox and tests use the fake's).
    slack_authorize_url: str = "https://slack.com/oauth/v2/authorize"
    # A rotating bot token is refreshed when it has less than this left (Bolt's default: 2 hours).
    coopbot_token_refresh_minutes: int = Field(default=120, ge=1, le=11 * 60)
    # OAuth mode: Fernet key(s) sealing the stored tokens, comma-separated (the first seals; any opens).
    coopbot_token_key: SecretStr | None = None
    database_url: str = "sqlite:///coopbot.db"
    coopbot_timezone: str = "UTC"
    # Delivery tuning: how often the outbox worker looks for due messages when nobody woke it.
    coopbot_outbox_poll_seconds: float = Field(default=2.0, gt=0)
    coopbot_outbox_max_attempts: int = Field(default=50, ge=1)
    # The delivery process (serve --workers) delivers this many conversations at once, each in order.
    coopbot_delivery_lanes: int = Field(default=4, ge=1, le=32)
    # A person's App Home is re-rendered at most this often: the first change shows at once, a burst of
    # changes in one render (a render reads all their interns and problems; see the README's benchmarks).
    coopbot_home_refresh_seconds: float = Field(default=5.0, ge=0)
    # Where people reach this server (https://coop.example.edu): the base of signed download links for files
    # Slack could not put in a DM (bot.delivery.file_links). Without it, no link is offered.
    coopbot_public_url: str | None = None
    # The key those links are signed with; SLACK_SIGNING_SECRET when unset.
    coopbot_file_link_secret: SecretStr | None = None
    # Several replicas: how long a claimed outbox row, and the scheduler lease, stay with a replica that
    # stopped answering before another takes them over (longer than the slowest Slack call).
    coopbot_outbox_lease_seconds: float = Field(default=60.0, ge=1)
    coopbot_scheduler_lease_seconds: float = Field(default=30.0, ge=1)
    # The cooperation calendar (scheduler/): crontab expressions in COOPBOT_TIMEZONE. The jobs decide per
    # partnership, in its own timezone, whether today is a quarter's first or last working day.
    coopbot_digest_cron: str = "0 9 * * mon"
    coopbot_quarter_end_digest_cron: str = "0 9 * * *"
    coopbot_reminders_cron: str = "*/15 * * * *"
    coopbot_quarterly_prompt_cron: str = "0 9 * * *"
    coopbot_housekeeping_cron: str = "30 3 * * *"
    coopbot_plan_check_cron: str = "0 9 * * *"  # a plan period that starts short of its plan
    # Delivered messages and handled-request records are deleted after this many days (bot.storage.housekeeping).
    coopbot_retention_days: int = Field(default=90, ge=7)
    # A run missed while no scheduler was up still runs (once) if it is at most this late.
    coopbot_misfire_grace_seconds: int = Field(default=3600, ge=1)
    # Days that are not working days, besides weekends: "2027-01-01,2027-10-01".
    coopbot_holidays: Annotated[tuple[date, ...], NoDecode] = ()
    # The TrueType fonts staff exchange certificates embed, tried in this order for each character
    # (colon-separated paths). The default is Debian's fonts-liberation2 and fonts-hanazono (see the README,
    # "Staff exchange certificates").
    coopbot_letter_fonts: Annotated[tuple[str, ...], NoDecode] = (
        "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
        "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")

    @field_validator("coopbot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("coopbot_digest_cron", "coopbot_quarter_end_digest_cron", "coopbot_reminders_cron",
                     "coopbot_quarterly_prompt_cron", "coopbot_housekeeping_cron", "coopbot_plan_check_cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        from scheduler.cron import parse_cron

        parse_cron(value, "UTC")  # raises ValueError saying what is wrong
        return value

    @field_validator("coopbot_holidays", mode="before")
    @classmethod
    def _holiday_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("coopbot_letter_fonts", mode="before")
    @classmethod
    def _font_paths(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(os.pathsep) if part.strip())
        return value

    @field_validator("coopbot_token_key")
    @classmethod
    def _fernet_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            from bot.installs.stores import parse_keys

            parse_keys(value.get_secret_value())  # raises ValueError saying what is wrong, never the key
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @cached_property
    def default_zone(self) -> ZoneInfo:
        return ZoneInfo(self.coopbot_timezone)

    @property
    def oauth_mode(self) -> bool:
        """Installed through Slack's OAuth flow (one installation per workspace), not with one bot token."""
        return bool(self.slack_client_id and self.slack_client_secret and self.slack_client_secret.get_secret_value())

    def missing_for(self, mode: str) -> list[str]:
        """Names of the variables a mode ("serve", "socket", "jobs") needs but does not have. In OAuth mode
        the tokens come from the installation store, so SLACK_BOT_TOKEN is not needed."""
        needed = {"serve": ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"],
                  "socket": ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"],
                  "jobs": ["SLACK_BOT_TOKEN"]}[mode]
        if self.oauth_mode and mode != "socket":
            needed = [name for name in needed if name != "SLACK_BOT_TOKEN"]
        values = {"SLACK_BOT_TOKEN": self.slack_bot_token, "SLACK_SIGNING_SECRET": self.slack_signing_secret,
                  "SLACK_APP_TOKEN": self.slack_app_token}
        return [name for name in needed if not ((value := values[name]) and value.get_secret_value())]
