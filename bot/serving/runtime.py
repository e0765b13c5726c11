"""Running the bot: the pieces `serve` and `socket` start and stop together."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from sqlalchemy import func, select

from bot.container import Services, build_services
from bot.delivery.worker import DeliveryWorker
from bot.home.refresh import home_renderer
from bot.installs.routing import HELD, HOLD_RETRY, InstallationRouter, outbox_route
from bot.installs.scope import scoped
from bot.installs.tenancy import Tenant
from bot.observability import Metrics
from bot.serving.app import create_app
from bot.serving.executor import TrackedExecutor
from bot.serving.request_guard import RequestGuard, request_guard
from bot.settings import Settings
from bot.storage.probe import write_problem
from models.base import utcnow
from models.delivery import OutboxKind, OutboxMessage, OutboxStatus

if TYPE_CHECKING:
    from bot.delivery.process import DeliveryStatus
    from scheduler.engine import CalendarScheduler

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    services: Services
    app: App
    worker: DeliveryWorker | None  # None: deliveries run in their own process (`delivery`)
    listeners: TrackedExecutor
    metrics: Metrics
    guard: RequestGuard
    scheduler: CalendarScheduler | None = None  # the cooperation calendar, unless --no-scheduler
    delivery: DeliveryStatus | None = None  # the delivery process's heartbeat, when it has one

    def start(self) -> None:
        if self.worker is not None:
            self.worker.start()
        if self.scheduler is not None:
            self.scheduler.start()

    def stop(self) -> None:
        """Let listeners and a running job finish what they started, deliver what is in flight, release
        the database."""
        if self.scheduler is not None:
            self.scheduler.stop()
        self.listeners.wait_idle(timeout=10)
        if self.worker is not None:
            self.worker.stop()
        self.services.db.dispose()

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Database reachable and writable, how far behind the outbox is, and whether the jobs run here."""
        try:
            stats = outbox_stats(self.services)
            scheduler = self.scheduler.status() if self.scheduler is not None else {"state": "off"}
        except Exception as exc:
            return False, {"status": "error", "database": f"unreachable: {type(exc).__name__}"}
        if self.worker is not None:
            delivering, refused = self.worker.running, self.worker.token_refused
        elif self.delivery is not None:
            delivering, refused = self.delivery.running(), self.delivery.refused()
        else:
            delivering, refused = False, None
        details: dict[str, Any] = {**stats, "delivering": delivering}
        unwritable = write_problem(self.services.db)
        # Still 200: the process is sound and a restart would not help; the operator must fix the token, the
        # disk or the lock. "degraded" and the reason reach them through monitoring.
        return True, {"status": "degraded" if refused or unwritable else "ok", "database": unwritable or "ok",
                      "slack": f"bot token refused ({refused}): check SLACK_BOT_TOKEN" if refused else "ok",
                      "outbox": details, "scheduler": scheduler}


def outbox_stats(services: Services) -> dict[str, float]:
    """Undelivered messages by state, and the age of the oldest pending one (one query)."""
    with services.db.session() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status != OutboxStatus.SENT).group_by(OutboxMessage.status)).all()
    by_status = {status: (count, oldest) for status, count, oldest in rows}
    pending, oldest = by_status.get(OutboxStatus.PENDING, (0, None))
    return {"pending": int(pending), "parked": int(by_status.get(OutboxStatus.PARKED, (0, None))[0]),
            "failed": int(by_status.get(OutboxStatus.FAILED, (0, None))[0]),
            "oldest_pending_seconds": round((utcnow() - oldest).total_seconds(), 1) if oldest else 0.0}


def delivery_worker(settings: Settings, services: Services, metrics: Metrics | None = None,
                    lanes: int = 1) -> DeliveryWorker:
    """The outbox worker; `lanes` conversations delivered at once (the delivery process: COOPBOT_DELIVERY_LANES)."""
    return DeliveryWorker(services.db, services.client, max_attempts=settings.coopbot_outbox_max_attempts,
                          route=outbox_route(services.db, services.installations),
                          held=(HELD, HOLD_RETRY.total_seconds()),
                          poll_seconds=settings.coopbot_outbox_poll_seconds, metrics=metrics,
                          lease=timedelta(seconds=settings.coopbot_outbox_lease_seconds),
                          home_refresh_interval=timedelta(seconds=settings.coopbot_home_refresh_seconds),
                          render_home=worker_home_renderer(settings, services),
                          lanes=lanes)


def worker_home_renderer(settings: Settings, services: Services) -> Callable[[str], dict[str, Any]]:
    """How the delivery worker renders an App Home it was asked to refresh. OAuth mode: as the tenant whose
    installation the home is published through (the router's choice for that row), so a person on two tenants'
    rosters never finds one tenant's partnerships in the other's App Home (docs/decisions/0012, Scope)."""
    render = home_renderer(services.db, services.locales, settings.coopbot_timezone,
                           linking=services.installations is not None)
    if services.installations is None:
        return render
    router = InstallationRouter(services.db, services.installations)

    def render_as_its_tenant(slack_user_id: str) -> dict[str, Any]:
        row = OutboxMessage(kind=OutboxKind.HOME, channel=f"home:{slack_user_id}", user=slack_user_id,
                            payload={"view": None})
        with scoped(Tenant(router.team_for(row) or "")):  # no installation: the row is held, nothing shown
            return render(slack_user_id)

    return render_as_its_tenant


def build_runtime(settings: Settings, services: Services | None = None, *, with_scheduler: bool = False,
                  delivery: DeliveryStatus | None = None) -> Runtime:
    """The pieces of one serving process; with `delivery`, the outbox is delivered by the delivery process
    (bot.delivery.process) instead of a worker thread here."""
    services = services or build_services(settings)
    metrics = Metrics(lambda: outbox_stats(services))
    worker = None if delivery is not None else delivery_worker(settings, services, metrics)
    listeners = TrackedExecutor()
    calendar = None
    if with_scheduler:
        from scheduler.engine import CalendarScheduler

        calendar = CalendarScheduler(services, metrics)
    return Runtime(services=services, app=create_app(services, listeners, metrics), worker=worker,
                   listeners=listeners, metrics=metrics, scheduler=calendar, delivery=delivery,
                   guard=request_guard(settings.slack_signing_secret.get_secret_value()
                                       if settings.slack_signing_secret else ""))


__all__ = ["Runtime", "build_runtime", "delivery_worker"]
