"""The single declaration of what coopbot uses from Slack.

Handlers register listeners from these constants and `coopbot manifest` prints them, so the app's
manifest can never ask for a command, event or scope the code does not use (or miss one it does).
Adding a slash command is one `_slash(...)` line; adding an event or scope is one line in its tuple.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SlashCommand:
    """A slash command as both Bolt (`app.command(c.command)`) and the manifest need it."""

    command: str
    description: str
    usage_hint: str


_declared: list[SlashCommand] = []


def _slash(command: str, description: str, usage_hint: str = "") -> SlashCommand:
    """Declare a command and record it, so declaring is the only step needed to reach the manifest."""
    declared = SlashCommand(command, description, usage_hint)
    if any(existing.command == command for existing in _declared):
        raise ValueError(f"slash command {command} declared twice")
    _declared.append(declared)
    return declared


INTERN_ISSUE = _slash("/intern-issue", "Log a problem with an intern")
COOP = _slash("/coop", "coopbot help, your status, a digest, the panel, the review pack or an export",
              "help | status | digest | panel | review | export | ledger | agreement | setup | admin | checklist")
EXCHANGE = _slash("/exchange", "Request a staff exchange")
COOP_MEETING = _slash("/coop-meeting", "Schedule a cooperation group meeting")

SLASH_COMMANDS: tuple[SlashCommand, ...] = tuple(_declared)

BOT_EVENTS: tuple[str, ...] = (
    "app_home_opened",  # App Home dashboard
    "member_joined_channel",  # the bot was invited: deliver what waited for that channel, post its panel
    # Slack Connect: a channel shared later changes its id; disconnected, its posts are held until shared again
    "channel_id_changed",
    "channel_shared",
    "channel_unshared",
    "shared_channel_invite_accepted",
    "shared_channel_invite_declined",
)

# OAuth mode (`coopbot manifest --distribution`): an installation's end, so nothing more goes through it
# (bot.installs.tokens.Installations.uninstalled). Slack sends these to any app that subscribes; no scope.
INSTALLATION_EVENTS: tuple[str, ...] = ("app_uninstalled", "tokens_revoked")

BOT_SCOPES: tuple[str, ...] = (
    "chat:write",  # chat.postMessage / chat.update / chat.postEphemeral, DMs by user id
    "commands",  # the slash commands above
    "users:read",  # users.info
    "files:write",  # files_upload_v2: calendar files (.ics) and letters of appointment (PDF) in DMs
    "im:write",  # conversations.open: the DM a file is shared into
    "pins:write",  # pins.add: the coopbot panel stays pinned in each partnership channel
    # member_joined_channel reaches an app only for the channels these let it see (public, private):
    # the bot's own arrival in a channel is what sends the posts that waited for it
    "channels:read",
    "groups:read",
    # conversations.history/replies, only after a crash: was a post already made? (bot/delivery/calls.py)
    "channels:history",
    "groups:history",
    "im:history",
)
