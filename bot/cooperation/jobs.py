"""The cooperation ledger's part of the every-15-minutes `reminders` job: the agreement's renewal reminders and
the project applications' deadline reminders."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.cooperation.agreement import send_renewal_reminders
from scheduler.spec import JobSpec, Reminder

if TYPE_CHECKING:
    from bot.container import Services


def deadline_reminders(services: Services, now: datetime) -> int:
    return services.cooperation.remind_deadlines(now)


def renewal_reminders(services: Services, now: datetime) -> int:
    return send_renewal_reminders(services.db, now, services.settings.coopbot_timezone, services.locales)


JOBS: tuple[JobSpec, ...] = ()
REMINDERS = (Reminder("agreement-renewals", renewal_reminders),
             Reminder("application-deadlines", deadline_reminders))
