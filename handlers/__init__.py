"""Slack listeners, one module per workflow. Each parses the request, calls a service, renders."""

from __future__ import annotations

from slack_bolt import App

from bot.container import Services
from handlers import (
    admin,
    channels,
    compliance,
    coop,
    cooperation,
    errors,
    exchanges,
    held,
    home,
    installs,
    internships,
    links,
    meetings,
    panel,
    problems,
    recruitment,
)


def register_all(app: App, services: Services) -> None:
    errors.register(app, services)
    problems.register(app, services)
    held.register(app, services)
    meetings.register(app, services)
    exchanges.register(app, services)
    internships.register(app, services)
    home.register(app, services)
    panel.register(app, services)
    admin.register(app, services)
    compliance.register(app, services)
    cooperation.register(app, services)
    coop.register(app, services)
    recruitment.register(app, services)
    channels.register(app, services)
    installs.register(app, services)
    links.register(app, services)
