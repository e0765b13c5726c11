"""The floor: a Bolt app doing the least possible (ack, then one Web API call).

    python bench/minimal_bolt.py PORT           # Bolt's built-in server, as the samples do
    gunicorn -w 2 -k gthread --threads 8 'bench.minimal_bolt:wsgi()'   # through Bolt's WSGI adapter
"""

from __future__ import annotations

import os
import sys
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

VIEW = {"type": "modal", "callback_id": "problem_report", "title": {"type": "plain_text", "text": "Log"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]}


def build() -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
    app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], client=client)

    @app.command("/intern-issue")
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=VIEW)

    @app.view("problem_report")
    def submission(ack: Ack, client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel="C0PARTNER", text="reported")

    return app


def wsgi() -> SlackRequestHandler:
    return SlackRequestHandler(build())


if __name__ == "__main__":
    build().start(port=int(sys.argv[1]))
