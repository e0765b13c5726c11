"""What a workflow declares to the scheduler: its jobs (`JobSpec`) and its parts of `reminders` (`Reminder`).

Each workflow's `bot/<workflow>/jobs.py` exports `JOBS` and `REMINDERS`; scheduler/jobs.py collects them.
`JobName` is the one list of scheduled jobs' names: the CLI, the sandbox and the engine read it, and it
imports nothing, so `coopbot --help` does not load every workflow to name them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.container import Services
    from bot.settings import Settings

# `(services, now) -> how many things it posted or escalated`. Safe to run twice for the same period: the
# work is claimed in the JobRun ledger (bot.storage.ledger), so a replica or `coopbot jobs run` never doubles it.
JobFunction = Callable[["Services", datetime], int]


class JobName(enum.StrEnum):
    """The scheduled jobs, in the order `coopbot jobs list` shows them."""

    QUARTERLY_PROMPT = "quarterly-prompt"
    DIGEST = "digest"
    QUARTER_END_DIGEST = "quarter-end-digest"
    REMINDERS = "reminders"
    HOUSEKEEPING = "housekeeping"


@dataclass(frozen=True)
class JobSpec:
    name: JobName
    cron_setting: str  # the Settings attribute holding its crontab expression
    run: JobFunction
    description: str

    def cron(self, settings: Settings) -> str:
        return str(getattr(settings, self.cron_setting))

    @property
    def variable(self) -> str:
        return self.cron_setting.upper()


@dataclass(frozen=True)
class Reminder:
    """One workflow's part of the every-15-minutes `reminders` job."""

    name: str
    run: JobFunction
