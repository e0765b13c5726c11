"""The database's scheduled job: housekeeping deletes what has served its purpose (bot.storage.housekeeping)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.storage.housekeeping import prune
from scheduler.spec import JobName, JobSpec

if TYPE_CHECKING:
    from bot.container import Services

log = logging.getLogger(__name__)


def housekeeping(services: Services, now: datetime) -> int:
    """Delete delivered messages and handled-request records past their retention."""
    pruned = prune(services.db, now, timedelta(days=services.settings.coopbot_retention_days))
    log.info("housekeeping: deleted %d delivered messages, %d handled-request records and %d expired OAuth states",
             pruned.delivered_messages, pruned.processed_requests, pruned.oauth_states)
    return pruned.total


JOBS = (JobSpec(JobName.HOUSEKEEPING, "coopbot_housekeeping_cron", housekeeping,
                "delete delivered messages and handled-request records older than COOPBOT_RETENTION_DAYS"),)
