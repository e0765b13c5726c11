"""What `make run` starts: the real bot when Slack credentials are configured, else the local sandbox.

With none of the Slack variables set there is nothing to connect to, so the sandbox starts (and says
so). With some set but not all, that is a half-done set-up: `coopbot serve` refuses and says what is
missing, as it always does. `--port P` (`make run PORT=P`) is passed on to whichever starts.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from bot import cli
from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make run")
    parser.add_argument("--port", default="", help="listen on this port (default 3000); checked by the command started")
    args = parser.parse_args(argv)
    port = ["--port", args.port] if args.port else []
    try:
        settings = Settings()
    except ValidationError:
        return cli.main(["serve", *port])  # prints the configuration error
    configured = [settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token,
                  settings.slack_client_secret]  # the last: OAuth mode (README, "Installing in both organizations")
    if not (settings.slack_client_id or any(value and value.get_secret_value() for value in configured)):
        print("make run: no Slack credentials are configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET), so this "
              "starts the local sandbox: the bot with a stand-in for Slack in your browser.\n"
              "  To run the real bot, put the credentials in .env (see README, \"Setting up the Slack app\").",
              file=sys.stderr, flush=True)
        return cli.main(["sandbox", *port])
    code = cli.main(["db", "upgrade"])
    return code or cli.main(["serve", *port])


if __name__ == "__main__":
    sys.exit(main())
