"""The quarterly review pack: its numbers, charts and PDF, built for a scope of partnerships."""
