"""`coopbot serve` in OAuth mode, as an operator runs it: no bot token, the client id and secret instead."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from bot.devtools.fake_oauth import AUTHORIZE_PATH
from bot.devtools.fake_slack import FakeSlack
from bot.slack.surface import BOT_SCOPES
from bot.storage.db import Database
from models.installation import slack_bots
from tests.support.cli import COOPBOT, free_port
from tests.support.installs import CLIENT_ID, CLIENT_SECRET, COLLEGE, get
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET


def test_serve_in_oauth_mode_installs_a_workspace_without_a_bot_token(db: Database, tmp_path: Path) -> None:
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.oauth.client_id, fake.oauth.client_secret = CLIENT_ID, CLIENT_SECRET
        fake.oauth.add_workspace(COLLEGE, "深圳职业技术大学")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COOPBOT_"))}
        env.update(DATABASE_URL=db.url, SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET,
                   SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=fake.url,
                   SLACK_AUTHORIZE_URL=fake.base + AUTHORIZE_PATH)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        fake.oauth.redirect_url = base + "/slack/oauth_redirect"
        process = subprocess.Popen([COOPBOT, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"],
                                   env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, process.communicate()[1]
                    assert time.monotonic() < deadline, "coopbot serve did not come up"
                    time.sleep(0.1)
            status, headers, _ = get(base + "/slack/install")
            assert status == 302
            sent_to = urlsplit(headers["location"])
            query = parse_qs(sent_to.query)
            assert f"{sent_to.scheme}://{sent_to.netloc}{sent_to.path}" == fake.base + AUTHORIZE_PATH
            assert query["client_id"] == [CLIENT_ID]
            assert query["scope"] == [",".join(BOT_SCOPES)]  # the manifest's scopes, one list
            fake.oauth.next_workspace = COLLEGE
            _, approved, _ = get(headers["location"])
            status, _, page = get(approved["location"], {"Cookie": headers["set-cookie"].split(";", 1)[0]})
            assert status == 200, page
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr
        assert CLIENT_SECRET not in stderr and SIGNING_SECRET not in stderr
        assert "Traceback" not in stderr and "WARNING" not in stderr, stderr
        with db.engine.connect() as conn:
            assert conn.execute(select(slack_bots.c.team_id)).scalars().all() == [COLLEGE]
