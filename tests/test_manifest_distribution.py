"""`coopbot manifest --distribution`: the manifest for installing in several organizations (OAuth mode)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from bot.slack.manifest import build_manifest
from bot.slack.surface import BOT_SCOPES
from tests.support.cli import COOPBOT

URL = "https://coop.example.org"


def _coopbot_manifest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COOPBOT_"))}
    return subprocess.run([COOPBOT, "manifest", *args], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)


def test_distribution_manifest_has_the_redirect_url_and_rotating_tokens(tmp_path: Path) -> None:
    done = _coopbot_manifest("--distribution", "--url", URL + "/", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = yaml.safe_load(done.stdout)
    assert manifest["oauth_config"]["redirect_urls"] == [f"{URL}/slack/oauth_redirect"]
    assert manifest["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)  # the scopes the OAuth flow asks for
    assert manifest["settings"]["token_rotation_enabled"] is True
    assert {"app_uninstalled", "tokens_revoked"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert manifest["settings"]["event_subscriptions"]["request_url"] == f"{URL}/slack/events"


def test_plain_manifest_is_unchanged(tmp_path: Path) -> None:
    done = _coopbot_manifest("--url", URL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = yaml.safe_load(done.stdout)
    assert manifest == build_manifest(URL)
    assert "redirect_urls" not in manifest["oauth_config"]
    assert manifest["settings"]["token_rotation_enabled"] is False
    assert "app_uninstalled" not in manifest["settings"]["event_subscriptions"]["bot_events"]


def test_distribution_needs_the_http_server(tmp_path: Path) -> None:
    done = _coopbot_manifest("--distribution", "--socket", cwd=tmp_path)
    assert done.returncode == 2
    assert "--distribution" in done.stderr and done.stdout == ""
