"""`coopbot` as an operator runs it: the installed command in a subprocess, with no Slack or coopbot settings
from the test's own environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from bot.storage.db import Database

COOPBOT = str(Path(sys.executable).with_name("coopbot"))


def operator_env(db: Database) -> dict[str, str]:
    """This environment without SLACK_* and COOPBOT_* settings, pointed at the test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COOPBOT_"))}
    env["DATABASE_URL"] = db.url
    return env


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COOPBOT, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
