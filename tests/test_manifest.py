"""The manifest lists exactly what the app uses, in a form Slack accepts."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.slack.manifest import build_manifest, limit_violations, main, render_manifest
from bot.slack.surface import (
    BOT_EVENTS,
    BOT_SCOPES,
    COOP,
    COOP_MEETING,
    INTERN_ISSUE,
    SLASH_COMMANDS,
    SlashCommand,
)

URL = "https://coop.example.org"
EVENTS = f"{URL}/slack/events"


def _all_urls(node: object) -> list[str]:
    """Every string anywhere in the manifest that looks like a URL."""
    if isinstance(node, dict):
        return [u for value in node.values() for u in _all_urls(value)]
    if isinstance(node, list):
        return [u for value in node for u in _all_urls(value)]
    return [node] if isinstance(node, str) and "://" in node else []


def test_surface_declares_the_commands_events_and_scopes_the_app_uses() -> None:
    assert (INTERN_ISSUE.command, INTERN_ISSUE.description, INTERN_ISSUE.usage_hint) == (
        "/intern-issue", "Log a problem with an intern", "")
    assert (COOP.command, COOP.description, COOP.usage_hint) == (
        "/coop", "coopbot help, your status, a digest, the panel, the review pack or an export",
        "help | status | digest | panel | review | export | ledger | agreement | setup | admin | checklist")
    assert isinstance(COOP, SlashCommand)
    assert SLASH_COMMANDS[:2] == (INTERN_ISSUE, COOP) and COOP_MEETING in SLASH_COMMANDS
    assert BOT_EVENTS == ("app_home_opened", "member_joined_channel", "channel_id_changed", "channel_shared",
                          "channel_unshared", "shared_channel_invite_accepted", "shared_channel_invite_declined")
    assert BOT_SCOPES[:3] == ("chat:write", "commands", "users:read")
    assert {"files:write", "im:write", "pins:write"} <= set(BOT_SCOPES)  # pins: the coopbot panel
    # Slack sends member_joined_channel only for channels the app may read: public, and private
    assert {"channels:read", "groups:read"} <= set(BOT_SCOPES)


def test_http_mode_points_every_callback_at_slack_events() -> None:
    manifest = build_manifest(URL + "/")
    assert manifest["_metadata"]["major_version"] == 1
    info = manifest["display_information"]
    assert info["name"] == "coopbot" and info["description"] and info["background_color"].startswith("#")
    features = manifest["features"]
    # DMs are notices; the app subscribes to no message events, so nobody is invited to type to it
    assert features["app_home"] == {"home_tab_enabled": True, "messages_tab_enabled": True,
                                    "messages_tab_read_only_enabled": True}
    assert not any(e.startswith("message") for e in manifest["settings"]["event_subscriptions"]["bot_events"])
    assert features["bot_user"] == {"display_name": "coopbot", "always_online": True}

    commands = {c["command"]: c for c in features["slash_commands"]}
    assert list(commands) == [c.command for c in SLASH_COMMANDS]
    for spec in SLASH_COMMANDS:
        entry = commands[spec.command]
        assert entry["url"] == EVENTS
        assert entry["description"] == spec.description
        assert entry["should_escape"] is False
        assert entry.get("usage_hint") == (spec.usage_hint or None)
    assert "usage_hint" not in commands["/intern-issue"]
    assert commands["/coop"]["usage_hint"] == COOP.usage_hint
    assert COOP.usage_hint == ("help | status | digest | panel | review | export | ledger | agreement | setup "
                               "| admin | checklist")

    assert manifest["oauth_config"] == {"scopes": {"bot": list(BOT_SCOPES)}}
    settings = manifest["settings"]
    assert settings["event_subscriptions"] == {"request_url": EVENTS, "bot_events": list(BOT_EVENTS)}
    assert settings["interactivity"] == {"is_enabled": True, "request_url": EVENTS,
                                         "message_menu_options_url": EVENTS}
    assert settings["org_deploy_enabled"] is False
    assert settings["socket_mode_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert set(_all_urls(manifest)) == {EVENTS}


def test_socket_mode_has_no_urls_at_all() -> None:
    manifest = build_manifest(socket_mode=True)
    assert _all_urls(manifest) == []
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["event_subscriptions"] == {"bot_events": list(BOT_EVENTS)}
    assert settings["interactivity"] == {"is_enabled": True}
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [c.command for c in SLASH_COMMANDS]


def test_default_url() -> None:
    assert set(_all_urls(build_manifest())) == {"https://coopbot.example.com/slack/events"}


@pytest.mark.parametrize("socket_mode", [False, True])
def test_yaml_round_trips(socket_mode: bool) -> None:
    text = render_manifest(URL, socket_mode=socket_mode)
    assert yaml.safe_load(text) == build_manifest(URL, socket_mode=socket_mode)
    assert text.startswith("_metadata:")  # Slack's own order, not alphabetical
    assert "–" in text  # allow_unicode: the description is readable, not \u escapes


@pytest.mark.parametrize("bad", ["http://coop.example.org", "ftp://coop.example.org", "coop.example.org",
                                 "https://", "https://coop.example.org/?x=1"])
def test_non_https_url_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError, match="https"):
        build_manifest(bad)


def test_slack_limits_hold() -> None:
    """Limits from Slack's app manifest reference (manifest schema v1), written out independently."""
    for socket_mode in (False, True):
        manifest = build_manifest(URL, socket_mode=socket_mode)
        assert limit_violations(manifest) == []
        info = manifest["display_information"]
        assert 1 <= len(info["name"]) <= 35
        assert 1 <= len(info["description"]) <= 140
        assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", info["background_color"])
        display_name = manifest["features"]["bot_user"]["display_name"]
        assert 1 <= len(display_name) <= 80 and re.fullmatch(r"[a-zA-Z0-9._-]+", display_name)
        commands = manifest["features"]["slash_commands"]
        assert 1 <= len(commands) <= 50
        for command in commands:
            assert 2 <= len(command["command"]) <= 32 and re.fullmatch(r"/[a-z0-9_-]+", command["command"])
            assert 1 <= len(command["description"]) <= 2000
            assert 1 <= len(command.get("usage_hint", "x")) <= 1000
        events = manifest["settings"]["event_subscriptions"]["bot_events"]
        scopes = manifest["oauth_config"]["scopes"]["bot"]
        assert len(events) <= 100 and len(set(events)) == len(events)
        assert len(scopes) <= 255 and len(set(scopes)) == len(scopes)
        assert all(len(name) <= 50 for name in [*events, *scopes])


def test_limits_are_enforced() -> None:
    with pytest.raises(ValueError, match="app name"):
        build_manifest(URL, app_name="c" * 36)
    with pytest.raises(ValueError, match="display name"):
        build_manifest(URL, app_name="coop bot")
    manifest = build_manifest(URL)
    manifest["features"]["slash_commands"].append(
        {"command": "/" + "x" * 32, "description": "", "usage_hint": "h" * 1001, "should_escape": False})
    problems = " ".join(limit_violations(manifest))
    assert "2–32 characters" in problems and "description" in problems and "usage hint" in problems


def test_cli_prints_yaml_and_rejects_http(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--url", URL]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == build_manifest(URL)
    assert main(["--socket"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["settings"]["socket_mode_enabled"] is True
    assert main(["--url", "http://coop.example.org"]) == 2
    assert "https" in capsys.readouterr().err
