"""`make run`: another port when asked (`make run PORT=3001`), and nothing the sandbox leaves behind shows in git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot import cli
from bot.devtools import run_or_sandbox

ROOT = Path(__file__).resolve().parents[2]


def _started(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: list[str], **env: str) -> list[list[str]]:
    """The coopbot commands `make run` would run (recorded, not run)."""
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
                 "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ran: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda args: ran.append(list(args)) or 0)
    assert run_or_sandbox.main(argv) == 0
    return ran


def test_the_sandbox_starts_on_the_port_asked_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert _started(monkeypatch, tmp_path, ["--port", "3001"]) == [["sandbox", "--port", "3001"]]
    assert _started(monkeypatch, tmp_path, []) == [["sandbox"]]  # the command's own default, 3000


def test_the_bot_starts_on_the_port_asked_for(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran = _started(monkeypatch, tmp_path, ["--port", "3001"], SLACK_BOT_TOKEN="xoxb-1",
                   SLACK_SIGNING_SECRET="secret", DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    assert ran == [["db", "upgrade"], ["serve", "--port", "3001"]]


def test_the_bot_starts_in_oauth_mode_without_a_bot_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran = _started(monkeypatch, tmp_path, [], SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="secret",
                   SLACK_SIGNING_SECRET="secret", DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    assert ran == [["db", "upgrade"], ["serve"]]


def test_make_run_passes_port_on() -> None:
    """`make -n` prints what `make run` would run without running anything (nor installing)."""
    def planned(*args: str) -> str:
        done = subprocess.run(["make", "-n", "-C", str(ROOT), "run", *args], capture_output=True, text=True,
                              check=True, env={"PATH": "/usr/bin:/bin"})
        return done.stdout

    assert "bot.devtools.run_or_sandbox --port 3001" in planned("PORT=3001")
    assert "bot.devtools.run_or_sandbox --port 3000" in planned()


def test_what_the_sandbox_leaves_beside_its_database_is_ignored_by_git() -> None:
    left = ["coopbot-sandbox.db", "coopbot-sandbox.db-wal", "coopbot-sandbox.db-shm",
            "coopbot-sandbox.db.writer-lock", "coopbot-sandbox.db.writer-lock-turn"]
    done = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "--no-index", *left], capture_output=True,
                          text=True, check=False)
    assert done.stdout.split() == left
