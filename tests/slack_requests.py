"""Signed HTTP requests shaped exactly like Slack's, so tests drive the real Bolt stack end to end.

The client and `fill` live in `bot.devtools.slack_requests`, shared with the local sandbox (which talks
to the app exactly as the tests do); this module keeps the tests' import path.
"""

from bot.devtools.slack_requests import APP_ID, VERIFICATION_TOKEN, Reply, SlackRequests, fill

__all__ = ["APP_ID", "VERIFICATION_TOKEN", "Reply", "SlackRequests", "fill"]
