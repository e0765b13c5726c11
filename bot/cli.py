"""The `coopbot` command line (README.md): run the bot, manage the roster, export."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError

from bot.errors import CoopError, ImportFailed
from bot.observability import configure_logging
from bot.settings import Settings
from bot.slack import manifest
from bot.storage.db import Database
from scheduler.spec import JobName

EXIT_USAGE = 2
EXIT_INPUT = 1

CREDENTIALS_HELP = """\
coopbot {command} needs Slack credentials, and these are not set: {missing}

To connect coopbot to your Slack workspace:
  1. Print the app manifest:  coopbot manifest --url https://<your public host>
     (Socket Mode, no public URL needed:  coopbot manifest --socket)
  2. At https://api.slack.com/apps choose "Create New App" > "From a manifest", paste it, and
     install the app to your workspace.
  3. Put the credentials in a file named .env in this directory (or in the environment):
       SLACK_BOT_TOKEN=xoxb-...        OAuth & Permissions > Bot User OAuth Token
       SLACK_SIGNING_SECRET=...        Basic Information > App Credentials > Signing Secret
       SLACK_APP_TOKEN=xapp-...        only for `coopbot socket` (Basic Information > App-Level Tokens,
                                       scope connections:write)
  4. Run the command again (`make run` migrates the database and starts the bot).
"""


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        from models.schemas import field_errors

        field, message = field_errors(exc)[0]
        raise SystemExit(f"coopbot: configuration error in {field.upper()}: {message}") from exc


def _schema_ready(settings: Settings) -> None:
    """Stop with one clear line, before anything else runs, when DATABASE_URL cannot be read, the database
    cannot be reached, or its schema is not this coopbot's (never migrated, behind, or newer)."""
    from bot.storage.schema_check import schema_problem

    with _reaching_database(settings.database_url):
        problem = schema_problem(settings.database_url)
    if problem is not None:
        raise SystemExit(f"coopbot: {problem} ({_shown_url(settings.database_url)})")


@contextmanager
def _reaching_database(url: str) -> Iterator[None]:
    """A URL that cannot be read, a driver not installed or a database that does not answer ends the
    command with one line (exit 1) instead of a traceback; anything else propagates."""
    from bot.storage.schema_check import describe_database_error

    try:
        yield
    except Exception as exc:
        reason = describe_database_error(exc)
        if reason is None:
            raise
        raise SystemExit(f"coopbot: DATABASE_URL ({_shown_url(url)}): {reason}") from None


def _needs(settings: Settings, mode: str) -> None:
    missing = settings.missing_for(mode)
    if missing:
        command = {"jobs": "jobs run"}.get(mode, mode)
        print(CREDENTIALS_HELP.format(command=command, missing=", ".join(missing)), file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def cmd_serve(args: argparse.Namespace) -> int:
    from bot.serving.runtime import build_runtime
    from bot.serving.server import build_wsgi_app, serve

    settings = _settings()
    _needs(settings, "serve")
    _schema_ready(settings)
    if args.workers > 1:
        from bot.serving.processes import serve_with_workers

        serve_with_workers(settings, host=args.host, port=args.port, workers=args.workers, threads=args.threads,
                           with_scheduler=not args.no_scheduler)
        return 0
    runtime = build_runtime(settings, with_scheduler=not args.no_scheduler)
    runtime.start()
    try:  # the server says where it listens once the port is bound
        serve(build_wsgi_app(runtime.app, runtime.health, runtime.metrics, runtime.guard,
                             runtime.services.held.download), host=args.host, port=args.port,
              threads=args.threads, on_shutdown=runtime.stop)
    except OSError as exc:
        if exc.errno is None:
            raise
        runtime.stop()
        raise SystemExit(f"coopbot serve: cannot listen on {args.host}:{args.port} ({exc.strerror})") from None
    return 0


def cmd_socket(args: argparse.Namespace) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from bot.serving.runtime import build_runtime

    settings = _settings()
    _needs(settings, "socket")
    _schema_ready(settings)
    runtime = build_runtime(settings, with_scheduler=not args.no_scheduler)
    runtime.start()
    try:
        assert settings.slack_app_token is not None
        SocketModeHandler(runtime.app, settings.slack_app_token.get_secret_value()).start()
    finally:
        runtime.stop()
    return 0


def cmd_jobs_list(args: argparse.Namespace) -> int:
    from bot.container import build_services
    from scheduler.engine import list_jobs

    settings = _settings()
    _schema_ready(settings)
    services = build_services(settings)
    zone = settings.default_zone
    print(f"{'job':<20}{'schedule':<16}{'next run (' + settings.coopbot_timezone + ')':<28}set by")
    for job in list_jobs(services):
        when = job.next_run.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if job.next_run else "-"
        print(f"{job.name:<20}{job.cron:<16}{when:<28}{job.variable}")
    return 0


def cmd_jobs_run(args: argparse.Namespace) -> int:
    """Run a job now, as if it were due now (once per partnership and period still holds), print per
    partnership what it did, then deliver what it posted before exiting (what a server would do in seconds)."""
    from sqlalchemy import func, select

    from bot.container import build_services
    from bot.delivery.worker import DeliveryWorker
    from models.delivery import OutboxMessage, OutboxStatus
    from scheduler.jobs import run_by_hand

    if args.name not in JobName._value2member_map_:
        print(f"coopbot jobs run: unknown job {args.name!r}; jobs: {', '.join(JobName)}", file=sys.stderr)
        return EXIT_USAGE
    settings = _settings()
    _needs(settings, "jobs")
    _schema_ready(settings)
    services = build_services(settings)
    with services.db.session() as session:
        before = session.scalar(select(func.max(OutboxMessage.id))) or 0
    report = run_by_hand(args.name, services)
    for line in report.lines:  # what it did, per partnership
        print(f"{line.partnership}: {line.what}" if line.partnership is not None else line.what)
    from bot.installs.routing import HELD, HOLD_RETRY, outbox_route
    from bot.serving.runtime import worker_home_renderer

    worker = DeliveryWorker(services.db, services.client, max_attempts=settings.coopbot_outbox_max_attempts,
                            render_home=worker_home_renderer(settings, services),
                            route=outbox_route(services.db, services.installations),  # OAuth mode: per workspace
                            held=(HELD, HOLD_RETRY.total_seconds()))
    worker.drain(timeout=args.deliver_timeout)
    with services.db.session() as session:  # everything still waiting, and what this run's messages came to
        waiting = session.scalar(select(func.count()).select_from(OutboxMessage)
                                 .where(OutboxMessage.status == OutboxStatus.PENDING)) or 0
        stuck = session.execute(select(OutboxMessage.status, OutboxMessage.channel, OutboxMessage.last_error)
                                .where(OutboxMessage.id > before,
                                       OutboxMessage.status.in_([OutboxStatus.PARKED, OutboxStatus.FAILED]))
                                .order_by(OutboxMessage.id)).all()
    services.db.dispose()
    print(f"{args.name}: {report.done} done", file=sys.stderr)
    if waiting:
        print(f"{waiting} message(s) could not be delivered yet; a running `coopbot serve` will retry them",
              file=sys.stderr)
    parked = [f"{row.channel} ({row.last_error})" for row in stuck if row.status == OutboxStatus.PARKED]
    failed = [f"{row.channel} ({row.last_error})" for row in stuck if row.status == OutboxStatus.FAILED]
    if parked:
        print(f"{len(parked)} message(s) wait until the bot is invited back (`/invite @coopbot`), then go out: "
              + ", ".join(parked), file=sys.stderr)
    if failed:
        print(f"{len(failed)} message(s) were refused by Slack and will not be sent: " + ", ".join(failed),
              file=sys.stderr)
        return EXIT_INPUT
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    from bot.devtools.sandbox import run

    return run(port=args.port, open_browser=not args.no_browser, oauth=args.oauth)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade

    settings = _settings()
    with _reaching_database(settings.database_url):
        upgrade(settings.database_url)
    print(f"database is up to date ({_redacted(settings.database_url)})")
    return 0


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    from bot.delivery.worker import retry_now

    retried = retry_now(_db(), args.channel)
    print(f"due now: {retried.failed} failed, {retried.parked} parked and {retried.waiting} waiting message(s)"
          + (f" for {args.channel}" if args.channel else "") + "; a running server sends them within seconds")
    return 0


def cmd_partnership_add(args: argparse.Namespace) -> int:
    from bot.container import build_services
    from bot.meetings.jobs import prompt_words
    from models.schemas import PartnershipInput, field_errors

    try:
        data = PartnershipInput(name=args.name, school=args.school, enterprise=args.enterprise,
                                channel_id=args.channel, timezone=args.timezone, language=args.language,
                                school_channel_id=args.school_channel, school_language=args.school_language,
                                enterprise_language=args.enterprise_language)
    except ValidationError as exc:
        for field, message in field_errors(exc):
            print(f"coopbot partnership add: --{_flag((field,))}: {message}", file=sys.stderr)
        return EXIT_INPUT
    settings = _settings()
    services = build_services(settings, db=_db(settings))
    partnership, prompt = services.add_partnership(data)
    services.db.dispose()
    school_side = f", school-side channel {partnership.school_channel_id}" if partnership.school_channel_id else ""
    print(f"added partnership {partnership.id}: {partnership.name} (channel {partnership.channel_id}{school_side})")
    print(f"quarterly prompt: {prompt_words(prompt)}; a running `coopbot serve` delivers it to the channel "
          "(once the bot is invited there)")
    return 0


def cmd_partnership_agreement(args: argparse.Namespace) -> int:
    """`coopbot partnership agreement --partnership ID --signed D --ends D [--link URL]…`"""
    from bot.cooperation.agreement import AgreementInput, set_agreement
    from bot.errors import NotFound
    from models.schemas import field_errors

    try:
        data = AgreementInput(signed_on=args.signed, ends_on=args.ends, links=args.link or [])
    except ValidationError as exc:
        names = {"signed_on": "signed", "ends_on": "ends", "links": "link"}
        for field, message in field_errors(exc):
            flag = names.get(field, "ends")
            print(f"coopbot partnership agreement: --{flag}: {message.removeprefix('ends_on: ')}", file=sys.stderr)
        return EXIT_INPUT
    try:
        agreement = set_agreement(_db(), args.partnership, data)
    except NotFound:
        print(f"coopbot partnership agreement: --partnership: no partnership {args.partnership} "
              "(see `coopbot partnership list`)", file=sys.stderr)
        return EXIT_INPUT
    print(f"partnership {args.partnership}: agreement signed {agreement.signed_on}, ends {agreement.ends_on}, "
          f"{len(agreement.links)} link(s), renewed {agreement.renewals} time(s)")
    return 0


def cmd_partnership_list(args: argparse.Namespace) -> int:
    from bot.roster.partnerships import list_partnerships

    settings = _settings()
    rows = list_partnerships(_db(settings))
    # OAuth mode: the installations party to each partnership, the host's and the enterprise's
    oauth = settings.oauth_mode or any(p.install_team_id or p.partner_team_id for p in rows)
    if not rows:
        print("no partnerships yet: add one with `coopbot partnership add`")
    for p in rows:
        zone = p.timezone or settings.coopbot_timezone
        print(f"{p.id}\t{p.name}\t{p.school}\t{p.enterprise}\t{p.channel_id}\t{zone}"
              + (f"\t{_linked(p.install_team_id, p.partner_team_id, p.partner_invited_at)}" if oauth else ""))
    return 0


def _workspace_id(flag: str, value: str) -> str | None:
    """A Slack team id (T…) or enterprise id (E…), else None (and the error printed)."""
    team = value.strip()
    if team[:1] in ("T", "E") and team[1:].isalnum() and len(team) <= 32:
        return team
    print(f"coopbot partnership link: --{flag}: expected a Slack team id (T…) or enterprise id (E…), "
          f"got {team!r}", file=sys.stderr)
    return None


def _linked(host: str | None, partner: str | None, invited: object) -> str:
    """`partnership list` in OAuth mode: host=T… enterprise=T… (or "invited", or "-")."""
    return f"host={host or '-'} enterprise={partner or ('invited' if invited else '-')}"


def cmd_partnership_link(args: argparse.Namespace) -> int:
    """OAuth mode: which workspace's installation hosts the partnership's channel (`--team`,
    bot.installs.routing) and which is the enterprise's (`--partner-team`, bot.installs.linking)."""
    from bot.errors import NotFound
    from bot.installs.linking import set_partner_team
    from bot.installs.routing import UnknownPartnership, link_partnership

    if args.team is None and args.partner_team is None:
        print("coopbot partnership link: give --team, --partner-team or both", file=sys.stderr)
        return EXIT_INPUT
    team = _workspace_id("team", args.team) if args.team is not None else None
    partner = _workspace_id("partner-team", args.partner_team) if args.partner_team is not None else None
    if (args.team is not None and team is None) or (args.partner_team is not None and partner is None):
        return EXIT_INPUT
    if team is not None and team == partner:
        print("coopbot partnership link: --partner-team: the enterprise's workspace must not be the host's",
              file=sys.stderr)
        return EXIT_INPUT
    db = _db()
    try:
        before = link_partnership(db, args.name, team) if team is not None else None
        partner_before = set_partner_team(db, args.name, partner) if partner is not None else None
    except (UnknownPartnership, NotFound) as exc:
        print(f"coopbot partnership link: --name: {exc}", file=sys.stderr)
        return EXIT_INPUT
    finally:
        db.dispose()
    if team is not None:
        print(f"partnership {args.name!r} now sends through the installation in {team}"
              + (f" (was {before})" if before and before != team else ""))
    if partner is not None:
        print(f"partnership {args.name!r}: the enterprise's installation is {partner}"
              + (f" (was {partner_before})" if partner_before and partner_before != partner else ""))
    return 0


def _import(kind: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        from bot.roster import importer

        path = Path(args.file)
        if not path.is_file():
            print(f"{path}: no such file", file=sys.stderr)
            return EXIT_INPUT
        from bot.plans.importer import import_plans

        function = {"people": importer.import_people, "interns": importer.import_interns, "plans": import_plans}[kind]
        summary = function(_db(), path)
        print(f"{path}: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged")
        return 0

    return run


def cmd_export(args: argparse.Namespace) -> int:
    from bot.exports.command import run

    settings = _settings()
    return run(_db(settings), args.kind, args.format, args.out, args.all, settings.coopbot_timezone)


def _db(settings: Settings | None = None) -> Database:
    """The database for a roster or export command, once its schema is known to be this coopbot's."""
    settings = settings or _settings()
    _schema_ready(settings)
    return Database(settings.database_url)


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    secret = {key: "***" for key in parsed.query if "password" in key.lower()}  # libpq's password=, sslpassword=
    return parsed.update_query_dict(secret).render_as_string(hide_password=True).replace("%2A%2A%2A", "***")


def _shown_url(url: str) -> str:
    """The URL without its password; one that cannot even be parsed is not shown (it may hold one)."""
    try:
        return _redacted(url)
    except Exception:
        return "not shown: it cannot be parsed"


def _flag(loc: tuple[int | str, ...]) -> str:
    name = str(loc[0]) if loc else "?"
    return {"channel_id": "channel", "school_channel_id": "school-channel"}.get(name, name).replace("_", "-")


def _port(text: str) -> int:
    """A TCP port, 1–65535 (argparse reports anything else as a usage error, exit 2)."""
    port = _whole_number(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (1-65535)")
    return port


def _at_least_one(text: str) -> int:
    number = _whole_number(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text}: must be at least 1")
    return number


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coopbot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="HTTP mode: POST /slack/events, GET /healthz")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server is meant to listen
    serve.add_argument("--port", type=_port, default=3000)
    serve.add_argument("--workers", type=_at_least_one, default=1,
                       help="processes (gunicorn gthread); more than 1 uses more cores")
    serve.add_argument("--threads", type=_at_least_one, default=16, help="request threads per process")
    serve.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")
    serve.set_defaults(func=cmd_serve)

    socket = sub.add_parser("socket", help="Socket Mode (needs SLACK_APP_TOKEN)")
    socket.add_argument("--no-scheduler", action="store_true", help="do not run scheduled jobs in this process")
    socket.set_defaults(func=cmd_socket)

    sandbox = sub.add_parser("sandbox", help="try coopbot without Slack: the bot and a Slack-like page on loopback")
    sandbox.add_argument("--port", type=_port, default=3000)
    sandbox.add_argument("--no-browser", action="store_true", help="do not open the page in a browser")
    sandbox.add_argument("--oauth", action="store_true",
                         help="OAuth mode: the college's and the company's workspaces, each installing coopbot "
                              "through Slack's install flow, sharing the partnership's channel")
    sandbox.set_defaults(func=cmd_sandbox)

    jobs = sub.add_parser("jobs", help="the cooperation calendar's scheduled jobs").add_subparsers(
        dest="jobs_command", required=True)
    jobs.add_parser("list", help="each job, its schedule and next run time").set_defaults(func=cmd_jobs_list)
    run = jobs.add_parser("run", help="run a job now, as if it were due now: print per partnership what it did "
                          "and deliver what it posts")
    run.add_argument("name", help=f"one of: {', '.join(JobName)}")
    run.add_argument("--deliver-timeout", type=float, default=60.0, help="seconds to spend delivering")
    run.set_defaults(func=cmd_jobs_run)

    out = sub.add_parser("outbox", help="messages waiting for Slack").add_subparsers(dest="o_command", required=True)
    retry = out.add_parser("retry", help="send every undelivered message again now (failed, parked, backing off)")
    retry.add_argument("--channel", help="only this conversation (a channel id, or a user id for DMs)")
    retry.set_defaults(func=cmd_outbox_retry)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the schema").set_defaults(func=cmd_db_upgrade)

    man = sub.add_parser("manifest", help="print the Slack app manifest (YAML)")
    manifest.add_arguments(man)
    man.set_defaults(func=manifest.run)

    partnership = sub.add_parser("partnership", help="partnerships").add_subparsers(dest="p_command", required=True)
    add = partnership.add_parser("add", help="add a partnership (and post this quarter's prompt in its channel)")
    add.add_argument("--name", required=True)
    add.add_argument("--school", required=True)
    add.add_argument("--enterprise", required=True)
    add.add_argument("--channel", required=True, help="the Slack channel id, e.g. C0123ABCD")
    add.add_argument("--school-channel", help="the school-side channel id (private, college people only): "
                     "where school-side reports go, e.g. health problems")
    add.add_argument("--timezone", help="IANA zone, e.g. Asia/Shanghai (default COOPBOT_TIMEZONE)")
    add.add_argument("--language", default="en",
                     help="language of the channel posts and digests: en or zh_CN (default en)")
    add.add_argument("--school-language", default=None,
                     help="language of the college's people who chose none and whose Slack gives none "
                          "(default: --language)")
    add.add_argument("--enterprise-language", default=None,
                     help="language of the enterprise's people who chose none and whose Slack gives none, "
                          "e.g. in another Slack organization (default: --language)")
    add.set_defaults(func=cmd_partnership_add)
    partnership.add_parser("list", help="list partnerships").set_defaults(func=cmd_partnership_list)
    link = partnership.add_parser("link", help="OAuth mode: the workspaces whose installations are party to it: the "
                                               "host's (the college's) and the enterprise's")
    link.add_argument("--name", required=True)
    link.add_argument("--team", default=None,
                      help="the host's (the college's) Slack team id (T…), or enterprise id (E…) of an org-wide "
                           "install: its installation hosts the channel")
    link.add_argument("--partner-team", default=None,
                      help="the enterprise's Slack team id (T…) or enterprise id (E…), set by hand (normally its "
                           "coordinator accepts from their own workspace: /coop accept)")
    link.set_defaults(func=cmd_partnership_link)
    agreement = partnership.add_parser("agreement", help="set a partnership's agreement: its term and attachment "
                                                         "links (a later end date is a renewal)")
    agreement.add_argument("--partnership", type=int, required=True, help="the partnership's id (partnership list)")
    agreement.add_argument("--signed", required=True, help="the day it was signed, YYYY-MM-DD")
    agreement.add_argument("--ends", required=True, help="the day it ends, YYYY-MM-DD")
    agreement.add_argument("--link", action="append", help="an attachment's web link (repeat for several)")
    agreement.set_defaults(func=cmd_partnership_agreement)

    for kind in ("people", "interns", "plans"):
        about = "the placement plan" if kind == "plans" else f"the {kind} roster"
        group = sub.add_parser(kind, help=about).add_subparsers(dest=f"{kind}_command", required=True)
        imp = group.add_parser("import", help=f"import {kind} from a CSV file (upsert)")
        imp.add_argument("file")
        imp.set_defaults(func=_import(kind))

    export = sub.add_parser("export", help="export records as CSV or XLSX")
    export.add_argument("kind", nargs="?", choices=["issues", "exchanges", "meetings", "evaluations", "plans",
                                                       "recruitment", "ledger", "people"])
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument("--out", help="write to this file instead of standard output")
    export.add_argument("--all", action="store_true", help="every kind, one sheet each (needs --format xlsx, --out)")
    export.set_defaults(func=cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    configure_logging(os.environ.get("COOPBOT_LOG_FORMAT", "text"))
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ImportFailed as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"nothing was imported ({len(exc.problems)} problem(s))", file=sys.stderr)
        return EXIT_INPUT
    except CoopError as exc:
        print(f"coopbot: {exc}", file=sys.stderr)
        return EXIT_INPUT


if __name__ == "__main__":
    sys.exit(main())
