"""Administration in Slack: /coop setup and /coop admin (coordinators)."""
