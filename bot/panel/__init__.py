"""The coopbot panel: the pinned message in each partnership channel whose buttons start everything a slash
command starts, for the people who cannot run the app's commands (another Slack organization, guests)."""
