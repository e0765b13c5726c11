"""The coopbot panel's buttons: each opens the form its slash command opens, so people who cannot run the
app's commands (another Slack organization, guests) start everything here; "My tasks" lists what waits on the
person. "Schedule a meeting" is the meetings' own opener (handlers/meetings.py), its service checks the role."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.container import Services
from bot.home.tasks import tasks_modal
from bot.panel.ids import PanelActionId
from handlers.common import how_to_get_added, open_view, user_id
from handlers.exchanges import open_request
from handlers.problems import open_report


def register(app: App, services: Services) -> None:
    @app.action(PanelActionId.LOG_PROBLEM)
    def log_problem_from_panel(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_report(services, client, body)

    @app.action(PanelActionId.REQUEST_EXCHANGE)
    def request_exchange_from_panel(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_request(services, client, body)

    @app.action(PanelActionId.MY_TASKS)
    def my_tasks(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Read for the person clicking, whatever the button says: the value only names the channel's
        partnership, which does not narrow what waits on them."""
        ack()
        user = user_id(body)
        t = services.translator_for(user)
        open_view(client, body, tasks_modal(services.home.tasks(user), t, how_to_join=how_to_get_added(t)))
