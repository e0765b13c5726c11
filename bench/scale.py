"""Data-at-scale benchmarks on the generated data set (bench/dataset.py), on SQLite and PostgreSQL.

    python bench/scale.py [--scale 1.0] [--databases sqlite,postgresql]

Times one partnership's digest (and counts its SQL statements), the weekly digest for every
partnership (enqueued, excluding Slack), a coordinator's App Home, exporting every report (streaming;
peak RSS of a separate process), and importing 20,000 interns. Results go to bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select, text

from bench.dataset import generate
from bot.digests.data import Window, collect
from bot.digests.messages import digest_message
from bot.digests.service import DigestService
from bot.home.help import help_text, status_blocks
from bot.home.refresh import render_home
from bot.home.service import HomeService
from bot.i18n.catalog import translator
from bot.i18n.language import SlackLocales
from bot.quarters import local_today
from bot.roster.importer import import_interns
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from models.roster import Intern, Membership, Partnership, Person, Role

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
POSTGRES = os.environ.get("COOPBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def timed(run: Callable[[], Any], repeat: int) -> float:
    """Median seconds over `repeat` runs."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def one_digest(db: Database, pid: int) -> None:
    with db.session() as session:
        zone = session.scalar(select(Partnership.timezone).where(Partnership.id == pid)) or "UTC"
        windows = {pid: Window(NOW - timedelta(days=7), NOW, local_today(NOW, zone))}
        digest = collect(session, windows, "UTC")[pid]
    digest_message(digest, translator(digest.language))


def interns_csv(db: Database, path: Path, count: int) -> None:
    """20,000 new interns for existing partnerships, teachers and mentors."""
    with db.session() as session:
        rows = session.execute(select(Partnership.name, Membership.role, Person.slack_user_id)
                               .join(Membership, Membership.partnership_id == Partnership.id)
                               .join(Person, Person.id == Membership.person_id)
                               .where(Membership.role.in_([Role.TEACHER, Role.MENTOR]))).all()
    staff: dict[str, dict[Role, list[str]]] = {}
    for name, role, user in rows:
        staff.setdefault(name, {}).setdefault(role, []).append(user)
    names = sorted(staff)
    lines = ["student_id,name,partnership,teacher,mentor,start_date,end_date,position"]
    for i in range(count):
        p = names[i % len(names)]
        lines.append(f"N{i:07d},新实习生{i},{p},{staff[p][Role.TEACHER][i % 3]},{staff[p][Role.MENTOR][i % 3]},"
                     f"2027-03-01,2027-07-31,岗位{i % 50}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_backend(name: str, url: str, scale: float, work: Path) -> dict[str, Any]:
    upgrade(url)
    started = time.perf_counter()
    counts = generate(url, scale)
    result: dict[str, Any] = {"database": name, "generated": counts,
                              "generate_seconds": round(time.perf_counter() - started, 1)}
    db = Database(url)
    with db.session() as session:
        pid = int(session.scalar(select(Partnership.id).order_by(Partnership.id)) or 1)
    one_digest(db, pid)
    with counting(db) as statements:
        one_digest(db, pid)
    result["digest_one_ms"] = round(timed(lambda: one_digest(db, pid), 20) * 1000, 1)
    result["digest_one_queries"] = len(statements)
    service = DigestService(db, default_timezone="UTC", clock=lambda: NOW)
    started = time.perf_counter()
    posted = service.post_weekly(NOW)
    result["digest_all_seconds"] = round(time.perf_counter() - started, 2)
    result["digest_all_posted"] = posted
    with db.session() as session:
        coordinator = str(session.scalar(
            select(Person.slack_user_id).join(Membership, Membership.person_id == Person.id)
            .where(Membership.partnership_id == pid, Membership.role == Role.COORDINATOR).limit(1)))

    def home() -> None:
        with db.session() as session:
            render_home(session, coordinator, now=NOW)

    home()
    with counting(db) as statements:
        home()
    result["home_coordinator_ms"] = round(timed(home, 20) * 1000, 1)
    result["home_coordinator_queries"] = len(statements)
    homes = HomeService(db, SlackLocales(None), clock=lambda: NOW)
    t = translator("en")

    def coop_status() -> None:  # what `/coop status` computes before its ack
        data = homes.home_data(coordinator, with_practice=True)
        assert data is not None
        status_blocks(data, t)

    def coop_help() -> None:  # and `/coop help`
        help_text(t, homes.home_data(coordinator), how_to_join="")

    for name, run in (("coop_status", coop_status), ("coop_help", coop_help)):
        run()
        with counting(db) as statements:
            run()
        result[f"{name}_coordinator_ms"] = round(timed(run, 20) * 1000, 1)
        result[f"{name}_coordinator_queries"] = len(statements)
    result.update(export_all(url, work))
    csv_path = work / f"interns-{name}.csv"
    interns_csv(db, csv_path, int(20_000 * scale))
    started = time.perf_counter()
    summary = import_interns(db, csv_path)
    result["import_interns_seconds"] = round(time.perf_counter() - started, 2)
    result["import_interns_created"] = summary.created
    started = time.perf_counter()
    import_interns(db, csv_path)
    result["reimport_interns_seconds"] = round(time.perf_counter() - started, 2)
    with db.session() as session:
        result["interns_total"] = session.query(Intern).count()
    db.dispose()
    return result


# Peak RSS from VmHWM: ru_maxrss survives exec on Linux, so a child forked from this (large) process would
# report the parent's peak, not its own.
EXPORT_CHILD = """
import sys, time
from bot.cli import main
started = time.perf_counter()
code = main(["export", "issues", "--format", sys.argv[1], "--out", sys.argv[2]])
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:")).split()[1]
print(time.perf_counter() - started, hwm)
sys.exit(code)
"""


def export_all(url: str, work: Path) -> dict[str, Any]:
    """Export every report in a child process: wall time and that process's peak RSS (MiB)."""
    found: dict[str, Any] = {}
    for fmt in ("csv", "xlsx"):
        out = work / f"issues.{fmt}"
        child = subprocess.run([sys.executable, "-c", EXPORT_CHILD, fmt, str(out)], cwd=ROOT, check=True,
                               capture_output=True, text=True, env={**os.environ, "DATABASE_URL": url})
        seconds, rss_kib = child.stdout.split()[-2:]
        found[f"export_{fmt}_seconds"] = round(float(seconds), 2)
        found[f"export_{fmt}_peak_rss_mib"] = round(int(rss_kib) / 1024, 1)
        found[f"export_{fmt}_mib_on_disk"] = round(out.stat().st_size / 2**20, 1)
    return found


def pg_url() -> str:
    engine = Database(POSTGRES).engine
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS coopbot_scale CASCADE"))
        conn.execute(text("CREATE SCHEMA coopbot_scale"))
    engine.dispose()
    return POSTGRES + ("&" if "?" in POSTGRES else "?") + "options=-csearch_path%3Dcoopbot_scale"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "scale.json"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in args.databases.split(","):
            url = f"sqlite:///{work / 'scale.db'}" if name == "sqlite" else pg_url()
            result = run_backend(name, url, args.scale, work)
            results.append(result)
            print(json.dumps(result, ensure_ascii=False), flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
