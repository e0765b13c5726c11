"""The `coopbot` command as an operator runs it: a real subprocess, from another directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, insert, select

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.slack_requests import SlackRequests
from bot.storage.db import Database
from models.problem import Problem
from models.roster import Intern, Partnership, Person
from tests.support.cli import COOPBOT, free_port, operator_env, run
from tests.support.harness import INTERNS_CSV, PEOPLE_CSV, seed_roster
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET


@pytest.fixture
def cli_env(db: Database, tmp_path: Path) -> dict[str, str]:
    """An environment without Slack credentials, pointed at the test database."""
    return operator_env(db)


def _add_partnerships(env: dict[str, str], cwd: Path) -> None:
    for name, channel in (("深职院–华为", "C0PARTNER"), ("Other College–Acme", "C0OTHER")):
        result = run(["partnership", "add", "--name", name, "--school", "S", "--enterprise", "E",
                      "--channel", channel, "--timezone", "Asia/Shanghai"], env, cwd)
        assert result.returncode == 0, result.stderr


def test_roster_import_from_any_directory_and_reimport_changes_nothing(db: Database, cli_env: dict[str, str],
                                                                       tmp_path: Path) -> None:
    _add_partnerships(cli_env, tmp_path)
    listed = run(["partnership", "list"], cli_env, tmp_path)
    assert "深职院–华为" in listed.stdout and "C0PARTNER" in listed.stdout
    people, interns = tmp_path / "people.csv", tmp_path / "interns.csv"
    people.write_text(PEOPLE_CSV, encoding="utf-8")
    interns.write_text(INTERNS_CSV, encoding="utf-8")
    first = run(["people", "import", str(people)], cli_env, tmp_path)
    assert first.returncode == 0 and "8 created" in first.stdout, first.stderr
    assert run(["interns", "import", str(interns)], cli_env, tmp_path).returncode == 0
    again = run(["people", "import", str(people)], cli_env, tmp_path)
    assert again.returncode == 0 and "0 created, 0 updated, 8 unchanged" in again.stdout
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 8
        assert session.scalar(select(func.count()).select_from(Intern)) == 3


def test_a_bad_row_names_file_line_and_field_and_imports_nothing(db: Database, cli_env: dict[str, str],
                                                                 tmp_path: Path) -> None:
    _add_partnerships(cli_env, tmp_path)
    people = tmp_path / "people.csv"
    bad = PEOPLE_CSV.replace("U0MENTOR,李强,liqiang@huawei.com,enterprise,mentor",
                             "U0MENTOR,李强,liqiang@huawei.com,factory,mentor")
    people.write_text(bad, encoding="utf-8")
    result = run(["people", "import", str(people)], cli_env, tmp_path)
    assert result.returncode != 0
    assert f"{people}:5: side:" in result.stderr
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_bad_dates_and_unknown_partnerships_in_interns(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    _add_partnerships(cli_env, tmp_path)
    (tmp_path / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    assert run(["people", "import", "people.csv"], cli_env, tmp_path).returncode == 0
    interns = tmp_path / "interns.csv"
    interns.write_text(INTERNS_CSV.replace("2026-09-01,2027-06-30,软件测试", "2026-13-01,2027-06-30,软件测试")
                       .replace("Other College–Acme,U0OUTSIDER", "Nowhere,U0OUTSIDER"), encoding="utf-8")
    result = run(["interns", "import", "interns.csv"], cli_env, tmp_path)
    assert result.returncode != 0
    assert "interns.csv:2: start_date:" in result.stderr and "interns.csv:4: partnership:" in result.stderr
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Intern)) == 0


def test_partnership_add_rejects_a_bad_channel_and_zone(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run(["partnership", "add", "--name", "x", "--school", "s", "--enterprise", "e", "--channel", "general",
                  "--timezone", "Mars/Base"], cli_env, tmp_path)
    assert result.returncode != 0 and "--channel" in result.stderr and "--timezone" in result.stderr
    assert "Value error" not in result.stderr  # pydantic's words stay inside
    empty = run(["partnership", "add", "--name", "", "--school", " ", "--enterprise", "e", "--channel", "C0AB12CD"],
                cli_env, tmp_path)
    assert empty.stderr.splitlines() == ["coopbot partnership add: --name: must not be empty",
                                         "coopbot partnership add: --school: must not be empty"]
    zone = run(["partnership", "list"], {**cli_env, "COOPBOT_TIMEZONE": "Mars/Base"}, tmp_path)
    assert zone.returncode == 1
    assert zone.stderr.strip() == "coopbot: configuration error in COOPBOT_TIMEZONE: unknown IANA timezone 'Mars/Base'"


def test_partnership_add_takes_a_school_side_channel(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    base = ["partnership", "add", "--school", "s", "--enterprise", "e", "--channel", "C0SHARED1"]
    same = run([*base, "--name", "a", "--school-channel", "C0SHARED1"], cli_env, tmp_path)
    assert same.returncode != 0
    assert "--school-channel: must not be the partnership's channel" in same.stderr
    added = run([*base, "--name", "b", "--school-channel", "G0SCHOOL1"], cli_env, tmp_path)
    assert added.returncode == 0 and "school-side channel G0SCHOOL1" in added.stdout
    with db.session() as session:
        assert session.scalar(select(Partnership.school_channel_id).where(Partnership.name == "b")) == "G0SCHOOL1"


def test_manifest_prints_yaml_for_http_and_socket_mode(cli_env: dict[str, str], tmp_path: Path) -> None:
    http = yaml.safe_load(run(["manifest", "--url", "https://coop.example.com"], cli_env, tmp_path).stdout)
    assert http["settings"]["interactivity"]["request_url"] == "https://coop.example.com/slack/events"
    socket_mode = yaml.safe_load(run(["manifest", "--socket"], cli_env, tmp_path).stdout)
    assert socket_mode["settings"]["socket_mode_enabled"] is True


def test_serve_without_credentials_says_what_to_set(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run(["serve"], cli_env, tmp_path)
    assert result.returncode != 0
    for words in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", ".env", "coopbot manifest"):
        assert words in result.stderr


class Served(NamedTuple):
    base: str
    fake: FakeSlack
    process: subprocess.Popen[str]


# One process (a delivery thread in it), and gunicorn's two workers with a delivery process beside them.
@pytest.fixture(params=[1, 2], ids=["one process", "two workers"])
def served(db: Database, cli_env: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """`coopbot serve` as a real process, talking to a fake Slack."""
    _add_partnerships(cli_env, tmp_path)
    (tmp_path / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    (tmp_path / "interns.csv").write_text(INTERNS_CSV, encoding="utf-8")
    assert run(["people", "import", "people.csv"], cli_env, tmp_path).returncode == 0
    assert run(["interns", "import", "interns.csv"], cli_env, tmp_path).returncode == 0
    with FakeSlack(bot_token=BOT_TOKEN) as fake:
        env = {**cli_env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
               "SLACK_API_URL": fake.url, "COOPBOT_OUTBOX_POLL_SECONDS": "0.2"}
        port = free_port()
        shape = ["--workers", "2", "--threads", "4"] if request.param == 2 else []
        process = subprocess.Popen([COOPBOT, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler",
                                    *shape], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        base = f"http://127.0.0.1:{port}"
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
            yield Served(base, fake, process)
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
            assert process.returncode == 0, stderr
            assert BOT_TOKEN not in stderr and SIGNING_SECRET not in stderr  # secrets never logged
            assert "WARNING" not in stderr and "Traceback" not in stderr, stderr  # a clean start and stop


def test_the_running_server_logs_a_problem_and_posts_it(served: Served) -> None:
    base, fake, _ = served
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert json.loads(response.read())["database"] == "ok"
    slack = SlackRequests(base, SIGNING_SECRET, fake=fake)
    assert slack.command("/intern-issue", user_id="U0TEACHER").status == 200
    [opened] = fake.wait_for("views.open")
    view = fake.modals()[0]
    options = slack.block_suggestion(user_id="U0TEACHER", action_id="problem_intern_select", block_id="intern_id",
                                     value="张").json()["options"]
    from datetime import date

    from bot.devtools.slack_requests import fill

    values = fill(view, {"intern_id": options[0]["value"], "category": "pay", "severity": "p2",
                         "description": "实习工资低于岗位工资的80%", "occurred_on": date.today().isoformat()})
    reply = slack.view_submission(view, values, user_id="U0TEACHER")
    assert reply.status == 200 and reply.text == ""
    fake.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == "C0PARTNER"
                  and "实习工资" in json.dumps(c.args.get("blocks"), ensure_ascii=False))
    [post] = [m for m in fake.messages("C0PARTNER") if not m.get("thread_ts") and "quarterly_prompt" not in str(m)
              and "panel_my_tasks" not in str(m)]
    assert "实习工资低于岗位工资的80%" in json.dumps(post["blocks"], ensure_ascii=False)
    assert opened.args["view"]["title"]["text"]


def _children(pid: int) -> dict[int, int]:
    """The processes whose parent is `pid`, each with its nice value (from /proc)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:  # fields after the name: state, ppid, … nice is the 19th field of the line
            found[int(stat.parent.name)] = int(fields[16])
    return found


def _report(served: Served, text: str) -> None:
    from bot.devtools.slack_requests import fill

    base, fake, _ = served
    slack = SlackRequests(base, SIGNING_SECRET, fake=fake)
    opened = len(fake.modals())
    assert slack.command("/intern-issue", user_id="U0TEACHER").status == 200
    fake.wait_for("views.open", count=opened + 1)
    view = fake.modals()[-1]
    [option] = slack.block_suggestion(user_id="U0TEACHER", action_id="problem_intern_select", block_id="intern_id",
                                      value="S2024001").json()["options"]
    values = fill(view, {"intern_id": option["value"], "category": "hours", "severity": "p3",
                         "description": text, "occurred_on": date.today().isoformat()})
    assert slack.view_submission(view, values, user_id="U0TEACHER").status == 200
    fake.wait_for("chat.postMessage", timeout=30, where=lambda c: c.args.get("channel") == "C0PARTNER"
                  and text in json.dumps(c.args.get("blocks"), ensure_ascii=False))


@pytest.mark.parametrize("served", [2], ids=["two workers"], indirect=True)
def test_with_workers_one_process_of_lower_priority_delivers_and_is_started_again_if_it_dies(served: Served) -> None:
    """`serve --workers 2`: two request workers and one delivery process, 10 nicer than they are, woken by
    them; killed, it is started again and delivers what came meanwhile; /healthz says it is delivering."""
    _report(served, "第一份：加班超过每周44小时")
    children = _children(served.process.pid)
    assert len(children) == 3, children  # two gunicorn workers and the delivery process
    [delivery] = [pid for pid, nice in children.items() if nice == min(children.values()) + 10]
    deadline = time.monotonic() + 30
    while True:  # all of the first report's messages sent, so the kill leaves no claimed row for a lease to hold
        with urllib.request.urlopen(served.base + "/healthz", timeout=5) as response:
            outbox = json.loads(response.read())["outbox"]
        assert outbox["delivering"] is True
        if outbox["pending"] == 0:
            break
        assert time.monotonic() < deadline, outbox
        time.sleep(0.1)
    os.kill(delivery, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while delivery in _children(served.process.pid) or len(_children(served.process.pid)) < 3:
        assert time.monotonic() < deadline, "the delivery process was not started again"
        time.sleep(0.1)
    _report(served, "第二份：宿舍停水三天")
    assert len([c for c in served.fake.calls_to("chat.postMessage") if c.args.get("channel") == "C0PARTNER"
                and "第二份" in json.dumps(c.args.get("blocks"), ensure_ascii=False)]) == 1


def test_a_partnership_added_in_the_middle_of_a_quarter_is_asked_to_schedule_its_review(
        served: Served, cli_env: dict[str, str], tmp_path: Path) -> None:
    """`partnership add` posts this quarter's prompt (the running server delivers it), whatever day of the
    quarter it is; running the job by hand afterwards says it was already posted."""
    _, fake, _ = served
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    for channel in ("C0PARTNER", "C0OTHER"):  # both added by the fixture, through the command
        [call] = fake.wait_for("chat.postMessage", where=lambda c, ch=channel: c.args.get("channel") == ch
                               and "quarterly_prompt" in json.dumps(c.args.get("blocks")))
        [button] = [e for b in call.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
        assert button["value"].endswith(f":{quarter}")
    added = run(["partnership", "add", "--name", "Third", "--school", "S", "--enterprise", "E", "--channel",
                 "C0THIRD", "--timezone", "Asia/Shanghai", "--enterprise-language", "zh_CN"], cli_env, tmp_path)
    assert added.returncode == 0, added.stderr
    assert f"quarterly prompt: posted Q{quarter[-1]} {today.year}'s prompt to schedule the review" in added.stdout
    fake.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == "C0THIRD")
    # the channel's coopbot panel comes first, and is pinned; the enterprise side's language is kept
    fake.wait_for("chat.postMessage", where=lambda c: c.args.get("channel") == "C0THIRD"
                  and "panel_my_tasks" in json.dumps(c.args.get("blocks")))
    fake.wait_for("pins.add", where=lambda c: c.args.get("channel") == "C0THIRD")
    assert fake.messages("C0THIRD")[0]["pinned_to"] == ["C0THIRD"]
    database = Database(cli_env["DATABASE_URL"])
    with database.session() as session:
        third = session.scalar(select(Partnership).where(Partnership.name == "Third"))
        assert third is not None and (third.enterprise_language, third.school_language) == ("zh_CN", None)
    database.dispose()
    bad = run(["partnership", "add", "--name", "Fourth", "--school", "S", "--enterprise", "E", "--channel",
               "C0FOURTH", "--school-language", "klingon"], cli_env, tmp_path)
    assert bad.returncode != 0 and "--school-language" in bad.stderr
    again = run(["jobs", "run", "quarterly-prompt"], {**cli_env, "SLACK_BOT_TOKEN": BOT_TOKEN,
                                                      "SLACK_API_URL": fake.url}, tmp_path)
    assert again.returncode == 0, again.stderr
    assert f"Third: Q{quarter[-1]} {today.year}'s prompt already posted on {today.isoformat()}" in again.stdout
    assert "quarterly-prompt: 0 done" in again.stderr
    prompts = [c for c in fake.calls_to("chat.postMessage") if "quarterly_prompt" in json.dumps(c.args.get("blocks"))]
    assert sorted(c.args["channel"] for c in prompts) == ["C0OTHER", "C0PARTNER", "C0THIRD"]  # once each


def test_export_issues_as_csv(db: Database, cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run(["export", "issues"], cli_env, tmp_path)
    assert result.returncode == 0 and result.stdout.splitlines()[0].startswith("id,partnership,student_id")
    out = tmp_path / "issues.csv"
    assert run(["export", "issues", "--out", str(out)], cli_env, tmp_path).returncode == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,")  # Excel reads UTF-8 only after a BOM
    assert not result.stdout.startswith("\ufeff")  # standard output is for pipes: none there


def test_export_into_a_pipe_that_closes_early_is_not_an_error(db: Database, cli_env: dict[str, str],
                                                               tmp_path: Path) -> None:
    seed_roster(db, tmp_path)
    with db.transaction() as session:  # enough rows to outlast the pipe's buffer
        intern = session.scalars(select(Intern)).first()
        assert intern is not None
        reporter = session.scalars(select(Person)).first()
        assert reporter is not None
        session.execute(insert(Problem), [
            {"partnership_id": intern.partnership_id, "intern_id": intern.id, "reporter_id": reporter.id,
             "category": "other", "severity": "p4", "description": "长" * 500, "occurred_on": date(2026, 10, 1),
             "status": "open", "created_at": datetime(2026, 10, 1, tzinfo=UTC)} for _ in range(400)])
    export = subprocess.Popen([COOPBOT, "export", "issues"], env=cli_env, cwd=tmp_path, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    assert export.stdout is not None
    export.stdout.readline()  # `| head -1`
    export.stdout.close()
    _, stderr = export.communicate(timeout=60)
    assert export.returncode == 0 and stderr == b"", stderr


def test_a_second_partnership_in_the_same_channel_is_refused(db: Database, cli_env: dict[str, str],
                                                             tmp_path: Path) -> None:
    _add_partnerships(cli_env, tmp_path)
    again = run(["partnership", "add", "--name", "新合作", "--school", "S", "--enterprise", "E",
                 "--channel", "C0PARTNER"], cli_env, tmp_path)
    assert again.returncode != 0
    assert "channel C0PARTNER is already the channel of partnership '深职院–华为'" in again.stderr
    assert "新合作" not in run(["partnership", "list"], cli_env, tmp_path).stdout


def test_a_database_not_migrated_or_behind_is_named_with_what_to_run(cli_env: dict[str, str], tmp_path: Path) -> None:
    """The usual slip: running coopbot from a directory whose sqlite:///coopbot.db was never migrated."""
    env = {**cli_env, "DATABASE_URL": "sqlite:///coopbot.db", "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    for args in (["partnership", "add", "--name", "A", "--school", "S", "--enterprise", "E", "--channel", "C0AB12CD"],
                 ["partnership", "list"], ["export", "issues"], ["jobs", "run", "digest"],
                 ["serve", "--port", str(free_port())]):
        result = run(args, env, tmp_path, timeout=30)
        assert result.returncode == 1, (args, result.stderr)
        assert result.stderr.strip() == ("coopbot: the database has no coopbot schema yet: run `coopbot db upgrade` "
                                         "(sqlite:///coopbot.db)"), args
    from bot.storage.migrate import upgrade

    upgrade(f"sqlite:///{tmp_path / 'coopbot.db'}", "0010")
    behind = run(["partnership", "list"], env, tmp_path)
    assert behind.returncode == 1
    assert "the database schema is behind this coopbot (revision 0010" in behind.stderr
    assert "run `coopbot db upgrade`" in behind.stderr
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    assert run(["partnership", "list"], env, tmp_path).returncode == 0


def test_a_bad_or_unreachable_database_url_is_one_line_without_its_password(cli_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    cases = {
        "garbage": "cannot be read as a database URL",
        f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{free_port()}/test": "cannot connect to the database",
        f"sqlite:///{tmp_path}/no/such/dir/x.db": "cannot connect to the database",
        "mysql://root:hunter2@127.0.0.1/test": "no driver for this kind of database is installed",
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test?password=hunter2&sslpassword=hunter2":
            "cannot connect to the database",
    }
    for url, reason in cases.items():
        for args in (["partnership", "list"], ["db", "upgrade"]):
            result = run(args, {**cli_env, "DATABASE_URL": url}, tmp_path)
            assert result.returncode == 1, (url, args)
            [line] = result.stderr.strip().splitlines()
            assert line.startswith("coopbot: DATABASE_URL (") and reason in line, line
            assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
            if "password=" in url:
                assert "password=***" in line, line


def test_serve_refuses_impossible_arguments_and_a_busy_port_in_one_line(db: Database, cli_env: dict[str, str],
                                                                         tmp_path: Path) -> None:
    env = {**cli_env, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    for args in (["--port", "70000"], ["--port", "0"], ["--port", "x"], ["--threads", "0"], ["--workers", "0"]):
        result = run(["serve", *args], env, tmp_path)
        assert result.returncode == 2 and "usage:" in result.stderr and "Traceback" not in result.stderr, args
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(["serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"], env, tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"coopbot serve: cannot listen on 127.0.0.1:{port} (Address already in use)")
