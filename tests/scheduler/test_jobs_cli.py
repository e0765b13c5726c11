"""`coopbot jobs list` and `coopbot jobs run` as an operator runs them: a real subprocess, a fake Slack."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.devtools.fake_slack import FakeSlack
from bot.storage.db import Database
from models.delivery import OutboxMessage, OutboxStatus
from tests.support.cli import operator_env, run
from tests.support.harness import CHANNEL, OTHER_CHANNEL, seed_roster
from tests.support.slack import BOT_TOKEN


def _env(db: Database, fake: FakeSlack | None = None) -> dict[str, str]:
    env = operator_env(db)
    if fake is not None:
        env.update(SLACK_API_URL=fake.url, SLACK_BOT_TOKEN=BOT_TOKEN)
    return env


def test_jobs_list_names_each_job_with_its_schedule_and_next_run(db: Database, tmp_path: Path) -> None:
    env = {**_env(db), "COOPBOT_DIGEST_CRON": "0 8 * * 1"}
    result = run(["jobs", "list"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert set(lines) == {"quarterly-prompt", "digest", "quarter-end-digest", "reminders", "plan-shortfall",
                          "housekeeping"}
    assert "30 3 * * *" in lines["housekeeping"] and "COOPBOT_HOUSEKEEPING_CRON" in lines["housekeeping"]
    assert "0 8 * * 1" in lines["digest"] and "COOPBOT_DIGEST_CRON" in lines["digest"]
    assert "*/15 * * * *" in lines["reminders"]
    bad = run(["jobs", "list"], {**env, "COOPBOT_REMINDERS_CRON": "every 15 minutes"}, tmp_path)
    assert bad.returncode != 0 and "COOPBOT_REMINDERS_CRON" in bad.stderr and "cron" in bad.stderr


def test_jobs_run_digest_delivers_before_it_exits(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        result = run(["jobs", "run", "digest"], _env(db, fake), tmp_path)
        assert result.returncode == 0, result.stderr
        posted = {str(call.args["channel"]) for call in fake.calls_to("chat.postMessage")}
        assert posted == {CHANNEL, OTHER_CHANNEL}  # already at Slack when the command returned
        again = run(["jobs", "run", "digest"], _env(db, fake), tmp_path)
        assert again.returncode == 0 and len(fake.calls_to("chat.postMessage")) == 2  # same week: nothing new
    with db.session() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def _quarter_there(zone: str) -> str:
    today = datetime.now(ZoneInfo(zone)).date()
    return f"Q{(today.month - 1) // 3 + 1} {today.year}"


def test_jobs_run_quarterly_prompt_asks_now_whatever_the_day_and_says_per_partnership(db: Database,
                                                                                     tmp_path: Path) -> None:
    """Run by hand on any day of a quarter (not only its first working day), it posts this quarter's prompt
    to every partnership that has not had it, once, and prints what it did for each."""
    seed_roster(db, tmp_path)  # two partnerships, neither prompted nor with a meeting this quarter
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        result = run(["jobs", "run", "quarterly-prompt"], _env(db, fake), tmp_path)
        assert result.returncode == 0, result.stderr
        assert "quarterly-prompt: 2 done" in result.stderr.splitlines()
        lines = result.stdout.splitlines()
        shanghai, los_angeles = _quarter_there("Asia/Shanghai"), _quarter_there("America/Los_Angeles")
        assert f"深职院–华为: posted {shanghai}'s prompt to schedule the review" in lines
        assert f"Other College–Acme: posted {los_angeles}'s prompt to schedule the review" in lines
        posted = sorted(str(call.args["channel"]) for call in fake.calls_to("chat.postMessage"))
        assert posted == sorted([CHANNEL, OTHER_CHANNEL])  # delivered before the command returned

        again = run(["jobs", "run", "quarterly-prompt"], _env(db, fake), tmp_path)
        assert again.returncode == 0 and "quarterly-prompt: 0 done" in again.stderr.splitlines()
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        assert f"深职院–华为: {shanghai}'s prompt already posted on {today}" in again.stdout.splitlines()
        assert len(fake.calls_to("chat.postMessage")) == 2  # once per partnership and quarter


def test_jobs_run_digest_prints_what_it_did_per_partnership(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        first = run(["jobs", "run", "digest"], _env(db, fake), tmp_path)
        again = run(["jobs", "run", "digest"], _env(db, fake), tmp_path)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    [line] = [x for x in first.stdout.splitlines() if x.startswith("深职院–华为: ")]
    assert line.startswith("深职院–华为: posted the digest of week ")
    [line] = [x for x in again.stdout.splitlines() if x.startswith("Other College–Acme: ")]
    today = datetime.now(ZoneInfo("America/Los_Angeles")).date()
    assert line.startswith("Other College–Acme: the digest of week ") and line.endswith(f"already posted on {today}")


def test_jobs_run_needs_a_token_and_a_known_job(db: Database, tmp_path: Path) -> None:
    no_token = run(["jobs", "run", "digest"], _env(db), tmp_path)
    assert no_token.returncode != 0 and "coopbot jobs run needs Slack credentials" in no_token.stderr
    assert "housekeeping" in run(["jobs", "run", "--help"], _env(db), tmp_path).stdout
    unknown = run(["jobs", "run", "nonsense"], _env(db), tmp_path)
    assert unknown.returncode != 0 and "quarterly-prompt" in unknown.stderr


def test_jobs_run_says_which_messages_wait_for_the_bot_to_be_invited(db: Database, tmp_path: Path) -> None:
    """"2 done" is not the whole story when Slack parked what the job posted."""
    seed_roster(db, tmp_path)
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.not_in_channel.update({CHANNEL, OTHER_CHANNEL})
        result = run(["jobs", "run", "digest"], _env(db, fake), tmp_path)
    assert result.returncode == 0, result.stderr  # they go out by themselves once the bot is invited
    lines = result.stderr.strip().splitlines()
    assert "digest: 2 done" in lines
    [parked] = [line for line in lines if line.startswith("2 message(s) wait until the bot is invited back")]
    assert f"{CHANNEL} (not_in_channel)" in parked and f"{OTHER_CHANNEL} (not_in_channel)" in parked


def test_jobs_run_fails_when_slack_refused_a_message_for_good(db: Database, tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        fake.fail("chat.postMessage", error="invalid_blocks", times=2)
        result = run(["jobs", "run", "digest"], _env(db, fake), tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert "digest: 2 done" in lines
    assert "2 message(s) were refused by Slack and will not be sent: " in result.stderr
    assert result.stderr.count("(invalid_blocks)") >= 2


def test_the_cli_names_every_job() -> None:
    from scheduler.jobs import JOBS
    from scheduler.spec import JobName

    assert tuple(JOBS) == tuple(JobName)
