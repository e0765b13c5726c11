"""The digests' scheduled jobs: the week's digest, and the quarter in review on a quarter's last working day."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from scheduler.spec import JobName, JobSpec

if TYPE_CHECKING:
    from bot.container import Services


def weekly(services: Services, now: datetime) -> int:
    return services.digests.post_weekly(now)


def quarter_end(services: Services, now: datetime) -> int:
    return services.digests.post_quarter_end(now)


JOBS = (
    JobSpec(JobName.DIGEST, "coopbot_digest_cron", weekly, "the week's digest in each partnership channel"),
    JobSpec(JobName.QUARTER_END_DIGEST, "coopbot_quarter_end_digest_cron", quarter_end,
            "on a quarter's last working day: the quarter in review"),
)
