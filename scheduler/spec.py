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


@dataclass(frozen=True)
class ReportLine:
    """What a job run by hand did for one partnership (`partnership` is its name), or for none in
    particular, in the words an operator reads (like the rest of the command line's output, in English)."""

    partnership: str | None
    what: str


@dataclass(frozen=True)
class JobReport:
    """A job run by hand (`coopbot jobs run`, the sandbox's "Run job"): how many things it did, and a line
    per partnership saying what (posted, already posted on a date, nothing to ask…)."""

    job: str
    done: int
    lines: tuple[ReportLine, ...] = ()


# `(services, now) -> JobReport`: the job run by hand, "do it now": as if it were due now, whatever the
# date (once per partnership and period still holds), saying per partnership what it did.
ByHandFunction = Callable[["Services", datetime], JobReport]


class JobName(enum.StrEnum):
    """The scheduled jobs, in the order `coopbot jobs list` shows them."""

    QUARTERLY_PROMPT = "quarterly-prompt"
    DIGEST = "digest"
    QUARTER_END_DIGEST = "quarter-end-digest"
    REMINDERS = "reminders"
    PLAN_SHORTFALL = "plan-shortfall"
    HOUSEKEEPING = "housekeeping"


@dataclass(frozen=True)
class JobSpec:
    name: JobName
    cron_setting: str  # the Settings attribute holding its crontab expression
    run: JobFunction  # what the scheduler runs when the job is due
    description: str
    # What running it by hand does, when that differs from `run` or can say more per partnership; without
    # it, `run` runs and its count is the report.
    by_hand: ByHandFunction | None = None

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
