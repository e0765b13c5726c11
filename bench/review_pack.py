"""The quarterly review pack at scale: one pack for a scope of 50 partnerships (a college), and one for a single
partnership, on the benchmark data set (bench/dataset.py), counting the SQL statements each pack runs.

    python bench/review_pack.py [--url DATABASE_URL] [--scale 1.0] [--partnerships 50]

Without --url it generates the data set in a temporary SQLite file. Writes bench/results/review_pack.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select

from bench.dataset import generate
from bot.i18n.catalog import translator
from bot.reviews.service import ReviewService
from bot.settings import Settings
from bot.storage.db import Database
from bot.storage.migrate import upgrade
from models.roster import Partnership


def measure(db: Database, service: ReviewService, ids: list[int], language: str) -> dict[str, object]:
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        with db.session() as session:
            loaded = time.perf_counter()
            data = service.data(session, ids, "bench", date(2026, 12, 1))
            loaded = time.perf_counter() - loaded
            _, pdf = service.build(session, ids, "bench", translator(language), date(2026, 12, 1))
        total = time.perf_counter() - started
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return {"partnerships": len(ids), "language": language, "seconds": round(total, 2),
            "load_seconds": round(loaded, 2), "queries": statements // 2, "pdf_bytes": len(pdf),
            "problems_in_four_quarters": sum(data.problems_in(q) for q in data.quarters)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--partnerships", type=int, default=50)
    args = parser.parse_args()
    url = args.url
    if url is None:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        upgrade(url)
        print("generating the data set …", generate(url, args.scale), file=sys.stderr)
    db = Database(url)
    service = ReviewService(db, letter_fonts=Settings().coopbot_letter_fonts)
    with db.session() as session:
        ids = list(session.scalars(select(Partnership.id).order_by(Partnership.id).limit(args.partnerships)))
    with db.session() as session:
        service.build(session, ids[:1], "warm-up", translator("en"), date(2026, 12, 1))
    results = [measure(db, service, ids, "en"), measure(db, service, ids, "zh_CN"),
               measure(db, service, ids[:1], "en")]
    for r in results:
        print(json.dumps(r, ensure_ascii=False))
    out = Path(__file__).resolve().parent / "results" / "review_pack.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"url": url.split("://")[0], "scale": args.scale, "results": results}, indent=2))


if __name__ == "__main__":
    main()
