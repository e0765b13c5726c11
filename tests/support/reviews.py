"""The review pack in tests: its PDF's text, the packs the fake Slack received, and a known set of problems."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select

from models.problem import Problem
from tests.support.harness import TEACHER, Harness


def pdf_text(content: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def known_problems(h: Harness) -> None:
    """Three problems: acknowledged after 1, 2 and (not yet) days; one resolved after 3 days."""
    for severity in ("p1", "p2", "p3"):
        assert h.report(TEACHER, severity=severity).status == 200
    h.deliver()
    with h.db.transaction() as session:
        problems = session.scalars(select(Problem).order_by(Problem.id)).all()
        assert len(problems) == 3
        first, second, _ = problems
        first.acknowledged_at = first.created_at + timedelta(days=1)
        first.resolved_at = first.created_at + timedelta(days=3)
        second.acknowledged_at = second.created_at + timedelta(days=2)


def pack_files(h: Harness) -> list[dict]:
    return [f for f in h.fake.files.values() if f.get("completed") and str(f["name"]).startswith("review-pack-")]
