"""Request-path benchmark: coopbot serve against the floor of the framework.

Signed `/intern-issue` commands and problem-report view submissions, over HTTP, at concurrency 1, 16 and
64, against: coopbot (SQLite and PostgreSQL), a minimal Bolt app on Bolt's built-in server (as the
samples run), and the same minimal app under gunicorn (2 gthread workers × 8 threads) through Bolt's
WSGI adapter, and the persist floor: that app storing each submission (the report and one outbox row, one
transaction) before its `ack()`, in SQLite (WAL, `synchronous=NORMAL`) and in PostgreSQL. The fake Slack Web
API runs in its own process. Run by hand: `make bench`; `bench/drain.py` measures the deliveries after a burst.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen, minimal_bolt

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
POSTGRES = os.environ.get("COOPBOT_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROSTER_PEOPLE = """slack_user_id,name,email,side,roles,partnership
U0TEACHER,王芳,wf@example.edu,school,teacher,基准–合作
U0MENTOR,李强,lq@example.com,enterprise,mentor,基准–合作
U0COORD,陈静,cj@example.edu,school,coordinator,基准–合作
"""
ROSTER_INTERNS = "student_id,name,partnership,teacher,mentor,start_date,end_date,position\n" + "".join(
    f"B{i:05d},实习生{i},基准–合作,U0TEACHER,U0MENTOR,2026-09-01,2027-06-30,岗位{i}\n" for i in range(300))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (404/405 is fine: it is up)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def started(args: list[str], env: dict[str, str], probe: str) -> Iterator[None]:
    process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(probe, process)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def coopbot(args: list[str], env: dict[str, str], cwd: Path) -> None:
    subprocess.run([str(BIN / "coopbot"), *args], env=env, cwd=cwd, check=True, capture_output=True)


def prepare_coopbot_db(url: str, env: dict[str, str], work: Path) -> int:
    """Migrate and seed a roster; returns an intern id to report on."""
    env = {**env, "DATABASE_URL": url}
    coopbot(["db", "upgrade"], env, work)
    coopbot(["partnership", "add", "--name", "基准–合作", "--school", "S", "--enterprise", "E",
             "--channel", "C0PARTNER", "--timezone", "Asia/Shanghai"], env, work)
    (work / "people.csv").write_text(ROSTER_PEOPLE, encoding="utf-8")
    (work / "interns.csv").write_text(ROSTER_INTERNS, encoding="utf-8")
    coopbot(["people", "import", "people.csv"], env, work)
    coopbot(["interns", "import", "interns.csv"], env, work)
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        intern_id = int(conn.execute(text("SELECT min(id) FROM intern")).scalar_one())
    engine.dispose()
    return intern_id


def pg_bench_url() -> str:
    """A private schema for the run, dropped first so every run starts empty."""
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS coopbot_bench CASCADE"))
        conn.execute(text("CREATE SCHEMA coopbot_bench"))
    engine.dispose()
    return POSTGRES + ("&" if "?" in POSTGRES else "?") + "options=-csearch_path%3Dcoopbot_bench"


def measure(name: str, port: int, kinds: dict[str, Callable[[], tuple[bytes, str]]], levels: list[int],
            rows: list[dict[str, object]], quick: bool) -> None:
    for kind, make in kinds.items():
        loadgen.run("127.0.0.1", port, SECRET, make, concurrency=4, total=40)  # warm up
        for level in levels:
            total = (60 if quick else 200) if level == 1 else (200 if quick else 800)
            if name == "bolt built-in server" and level > 1:
                total = min(total, 160)  # it is slow by design; enough to see the collapse
            result = loadgen.run("127.0.0.1", port, SECRET, make, concurrency=level, total=total)
            row = {"target": name, "request": kind, "concurrency": level, "requests": total, **result.row()}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--levels", default="1,16,64")
    parser.add_argument("--shapes", default="2x8,1x16", help="coopbot's workers×threads to run")
    parser.add_argument("--no-builtin", action="store_true", help="leave out Bolt's built-in server")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "request_path.json"))
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    rows: list[dict[str, object]] = []
    fake_port = free_port()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COOPBOT_"))}
    env = {**base_env, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": f"http://127.0.0.1:{fake_port}/api/", "PYTHONPATH": str(ROOT)}
    fake = [sys.executable, "-m", "bot.devtools.fake_slack", "--port", str(fake_port), "--token", TOKEN]
    with started(fake, env, f"http://127.0.0.1:{fake_port}/"), tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for database in args.databases.split(","):
            url = f"sqlite:///{work / 'bench.db'}" if database == "sqlite" else pg_bench_url()
            intern_id = prepare_coopbot_db(url, env, work)
            kinds: dict[str, Callable[[], tuple[bytes, str]]] = {
                "slash command": lambda: loadgen.command_body("U0TEACHER"),
                "view submission": partial(loadgen.submission_body, "U0TEACHER", intern_id)}
            for workers, threads in (tuple(int(n) for n in shape.split("x")) for shape in args.shapes.split(",")):
                port = free_port()
                serve = [str(BIN / "coopbot"), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler",
                         "--workers", str(workers), "--threads", str(threads)]
                with started(serve, {**env, "DATABASE_URL": url}, f"http://127.0.0.1:{port}/healthz"):
                    measure(f"coopbot {workers}×{threads} ({database})", port, kinds, levels, rows, args.quick)
        floor_kinds = {"slash command": lambda: loadgen.command_body("U0TEACHER"),
                       "view submission": lambda: loadgen.submission_body("U0TEACHER", 1)}
        port = free_port()
        gunicorn = [str(BIN / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{port}",
                    "--log-level", "warning", "bench.minimal_bolt:wsgi()"]
        if shutil.which(gunicorn[0]):
            with started(gunicorn, env, f"http://127.0.0.1:{port}/slack/events"):
                measure("bolt + gunicorn 2×8 (floor)", port, floor_kinds, levels, rows, args.quick)
        for database in args.databases.split(","):
            url = f"sqlite:///{work / 'floor.db'}" if database == "sqlite" else pg_bench_url()
            minimal_bolt.prepare(url)
            port = free_port()
            persist = [str(BIN / "gunicorn"), "-w", "2", "-k", "gthread", "--threads", "8", "-b",
                       f"127.0.0.1:{port}", "--log-level", "warning", "bench.minimal_bolt:wsgi_persist()"]
            if shutil.which(persist[0]):
                with started(persist, {**env, "FLOOR_DATABASE": url}, f"http://127.0.0.1:{port}/slack/events"):
                    measure(f"bolt + gunicorn 2×8, persist ({database}) (persist floor)", port,
                            {"view submission": floor_kinds["view submission"]}, levels, rows, args.quick)
        port = free_port()
        builtin = [sys.executable, str(ROOT / "bench" / "minimal_bolt.py"), str(port)]
        if not args.no_builtin:
            with started(builtin, env, f"http://127.0.0.1:{port}/slack/events"):
                measure("bolt built-in server", port, floor_kinds, levels, rows, args.quick)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(rows))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def table(rows: list[dict[str, object]]) -> str:
    """Each coopbot row against the floor and, for submissions, the persist floor on the same database."""
    def key(r: dict[str, object]) -> tuple[object, object]:
        return r["request"], r["concurrency"]

    floor = {key(r): r for r in rows if str(r["target"]).endswith("(floor)")}
    persist = {(*key(r), database): r for r in rows for database in ("sqlite", "postgresql")
               if str(r["target"]).endswith("(persist floor)") and f"({database})" in str(r["target"])}
    lines = ["| target | request | conc. | req/s | p50 ms | p99 ms | >3 s or failed | vs floor (rps, p99) "
             "| vs persist floor (rps, p99) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ratios = []
        database = "postgresql" if "postgresql" in str(r["target"]) else "sqlite"
        for base in (floor.get(key(r)), persist.get((*key(r), database))):
            ratio = ""
            if base and "coopbot" in str(r["target"]):
                rps = float(str(r["rps"])) / float(str(base["rps"]))
                p99 = float(str(r["p99_ms"])) / float(str(base["p99_ms"]))
                ratio = f"{rps:.0%}, {p99:.2f}×"
            ratios.append(ratio)
        lines.append(f"| {r['target']} | {r['request']} | {r['concurrency']} | {r['rps']} | {r['p50_ms']} | "
                     f"{r['p99_ms']} | {r['late_or_failed']} | {ratios[0]} | {ratios[1]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
