"""`coopbot manifest`: the Slack app manifest for exactly what the app uses.

Built from `bot.slack.surface`, so the manifest and the handlers cannot drift apart. Slack rejects a
manifest that breaks its field limits only when someone pastes it in; we check them here instead, so a
too-long description fails in CI, not during an install.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.slack.surface import BOT_EVENTS, BOT_SCOPES, INSTALLATION_EVENTS, SLASH_COMMANDS

DEFAULT_URL = "https://coopbot.example.com"
EVENTS_PATH = "/slack/events"  # Bolt's default path; the server routes commands, actions and events there
# OAuth mode (`--distribution`): where an admin starts installing, and where Slack sends them back (Bolt's defaults)
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
DESCRIPTION = "Intern problems, staff exchanges and meetings for school–enterprise partnerships."
BACKGROUND_COLOR = "#1d4e89"

# Slack's limits (app manifest reference and slackapi/manifest-schema, manifest major version 1).
MAX_APP_NAME = 35
MAX_APP_DESCRIPTION = 140
MAX_BOT_DISPLAY_NAME = 80
BOT_DISPLAY_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9._-]+$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$")
MAX_COMMAND_NAME = 32  # including the leading slash
COMMAND_PATTERN = re.compile(r"^/[a-z0-9_-]+$")  # Slack commands are lowercase, no spaces
MAX_COMMAND_DESCRIPTION = 2000
MAX_USAGE_HINT = 1000
MAX_SLASH_COMMANDS = 50
MAX_BOT_EVENTS = 100
MAX_BOT_SCOPES = 255
MAX_NAME_ITEM = 50  # an event or scope name
MAX_REQUEST_URL = 3000


def normalize_url(url: str) -> str:
    """The public base URL without a trailing slash; Slack calls only https URLs, so nothing else passes."""
    base = url.strip().rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" or not parts.netloc:
        raise ValueError(f"the app URL must be an https URL such as {DEFAULT_URL}, got {url!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"the app URL must not carry a query or fragment, got {url!r}")
    return base


def build_manifest(url: str | None = None, *, socket_mode: bool = False, app_name: str = "coopbot",
                   distribution: bool = False) -> dict:
    """The manifest as a dict: HTTP mode points every Slack callback at `{url}/slack/events`;
    Socket Mode has no URLs at all (Slack refuses request URLs on a Socket Mode app's features).
    `distribution`: for installing in several workspaces through Slack's OAuth flow (OAuth mode) — Slack's
    redirect back to `{url}/slack/oauth_redirect`, rotating tokens, and the events that end an installation."""
    if distribution and socket_mode:
        raise ValueError("--distribution needs the HTTP server (its OAuth redirect URL): leave out --socket")
    base = normalize_url(url if url is not None else DEFAULT_URL)
    request_url = None if socket_mode else base + EVENTS_PATH

    slash_commands: list[dict[str, Any]] = []
    for spec in SLASH_COMMANDS:
        entry: dict[str, Any] = {"command": spec.command, "description": spec.description}
        if spec.usage_hint:
            entry["usage_hint"] = spec.usage_hint
        if request_url:
            entry["url"] = request_url
        entry["should_escape"] = False
        slash_commands.append(entry)

    event_subscriptions: dict[str, Any] = {}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if request_url:
        event_subscriptions["request_url"] = request_url
        # The app uses external_select menus, whose options Slack loads from this URL.
        interactivity.update(request_url=request_url, message_menu_options_url=request_url)
    event_subscriptions["bot_events"] = list(BOT_EVENTS) + (list(INSTALLATION_EVENTS) if distribution else [])

    manifest: dict[str, Any] = {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": app_name,
            "description": DESCRIPTION,
            "background_color": BACKGROUND_COLOR,
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                # Notices arrive as DMs in the Messages tab; the app reads no messages, so people
                # are not offered a box to type into that nothing answers.
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": True,
            },
            "bot_user": {"display_name": app_name, "always_online": True},
            "slash_commands": slash_commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": event_subscriptions,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": distribution,  # coopbot refreshes the tokens itself (bot.installs.tokens)
        },
    }
    if distribution:
        manifest["oauth_config"] = {"redirect_urls": [base + REDIRECT_PATH], **manifest["oauth_config"]}
    problems = limit_violations(manifest)
    if problems:
        raise ValueError("the manifest breaks Slack's limits: " + "; ".join(problems))
    return manifest


def limit_violations(manifest: dict) -> list[str]:
    """Every way `manifest` breaks Slack's documented limits (empty when Slack would accept it)."""
    problems: list[str] = []

    def check(ok: bool, message: str) -> None:
        if not ok:
            problems.append(message)

    info = manifest["display_information"]
    check(1 <= len(info["name"]) <= MAX_APP_NAME, f"app name must be 1–{MAX_APP_NAME} characters")
    check(1 <= len(info["description"]) <= MAX_APP_DESCRIPTION,
          f"description must be 1–{MAX_APP_DESCRIPTION} characters")
    check(bool(COLOR_PATTERN.match(info["background_color"])), "background_color must be #rgb or #rrggbb")

    display_name = manifest["features"]["bot_user"]["display_name"]
    check(1 <= len(display_name) <= MAX_BOT_DISPLAY_NAME,
          f"bot display name must be 1–{MAX_BOT_DISPLAY_NAME} characters")
    check(bool(BOT_DISPLAY_NAME_PATTERN.match(display_name)),
          "bot display name may use only a-z, A-Z, 0-9, '-', '_' and '.'")

    commands = manifest["features"]["slash_commands"]
    check(1 <= len(commands) <= MAX_SLASH_COMMANDS, f"1–{MAX_SLASH_COMMANDS} slash commands allowed")
    names = [c["command"] for c in commands]
    check(len(set(names)) == len(names), "slash commands must be unique")
    for command in commands:
        name = command["command"]
        check(2 <= len(name) <= MAX_COMMAND_NAME, f"{name}: command must be 2–{MAX_COMMAND_NAME} characters")
        check(bool(COMMAND_PATTERN.match(name)),
              f"{name}: command must be '/' then lowercase a-z, 0-9, '-', '_'")
        check(1 <= len(command["description"]) <= MAX_COMMAND_DESCRIPTION,
              f"{name}: description must be 1–{MAX_COMMAND_DESCRIPTION} characters")
        if "usage_hint" in command:
            check(1 <= len(command["usage_hint"]) <= MAX_USAGE_HINT,
                  f"{name}: usage hint must be 1–{MAX_USAGE_HINT} characters")
        if "url" in command:
            check(len(command["url"]) <= MAX_REQUEST_URL, f"{name}: url longer than {MAX_REQUEST_URL}")

    settings = manifest["settings"]
    events = settings["event_subscriptions"]["bot_events"]
    check(len(events) <= MAX_BOT_EVENTS, f"at most {MAX_BOT_EVENTS} bot events")
    check(len(set(events)) == len(events), "bot events must be unique")
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    check(len(scopes) <= MAX_BOT_SCOPES, f"at most {MAX_BOT_SCOPES} bot scopes")
    check(len(set(scopes)) == len(scopes), "bot scopes must be unique")
    for name in [*events, *scopes]:
        check(1 <= len(name) <= MAX_NAME_ITEM,
              f"{name}: event and scope names are 1–{MAX_NAME_ITEM} characters")
    for redirect in manifest["oauth_config"].get("redirect_urls", []):
        check(len(redirect) <= MAX_REQUEST_URL, f"redirect URL longer than {MAX_REQUEST_URL}")
    for section in (settings["event_subscriptions"], settings["interactivity"]):
        for key in ("request_url", "message_menu_options_url"):
            if key in section:
                check(len(section[key]) <= MAX_REQUEST_URL, f"{key} longer than {MAX_REQUEST_URL}")
    return problems


def render_manifest(url: str | None = None, *, socket_mode: bool = False, app_name: str = "coopbot",
                    distribution: bool = False) -> str:
    """The manifest as YAML, in the order Slack's own examples use, ready to paste into api.slack.com/apps."""
    manifest = build_manifest(url, socket_mode=socket_mode, app_name=app_name, distribution=distribution)
    # A wide line width keeps each value on one line, which reads better when pasted into Slack's editor.
    return yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, default_flow_style=False, width=4096)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `coopbot manifest` options, for the CLI to attach to its sub-command."""
    parser.add_argument("--url", default=None,
                        help=f"public https base URL of the server (default {DEFAULT_URL})")
    parser.add_argument("--socket", action="store_true", help="Socket Mode: no request URLs")
    parser.add_argument("--distribution", action="store_true",
                        help="for installing in several organizations (OAuth redirect URL, token rotation)")


def run(args: argparse.Namespace) -> int:
    """Print the manifest; a bad URL is an operator error, reported plainly with a non-zero exit."""
    try:
        text = render_manifest(args.url, socket_mode=args.socket, distribution=args.distribution)
    except ValueError as exc:
        print(f"coopbot manifest: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.slack.manifest`, the same as `coopbot manifest`."""
    parser = argparse.ArgumentParser(prog="coopbot manifest",
                                     description="Print the Slack app manifest (YAML).")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
