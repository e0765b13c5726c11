"""Outbound delivery: services add outbox rows in their own transaction; the worker sends them to Slack.

`outbox` (what services call), `worker` (the delivery loop), `calls` (one attempt's Web API calls and what the
answer means), `notices` (telling people how to fix a conversation the bot cannot post in), `pacing` (rate limits).
"""
