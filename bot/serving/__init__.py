"""Serving Slack's requests: the Bolt app, the HTTP server, processes and threads, and the guards in front.

`app` (the Bolt app and its authorisation), `server` (HTTP), `runtime` (what `serve` starts and stops),
`processes` (`--workers N`), `executor` and `ack_signal` (answer at the ack), `slack_body` (request bodies
parsed by key, for the guard and for Bolt), `request_guard` (payload shapes checked before Bolt), `idempotency`
(Slack's retries never act twice).
"""
