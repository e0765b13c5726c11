"""bot.db.Database: how its sessions end."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from bot.db import Database
from models.roster import Person


def test_a_read_ends_with_commit_and_a_failed_one_with_rollback(db: Database) -> None:
    """psycopg drops every prepared statement of a connection on ROLLBACK, so reads that end without
    an error commit (nothing to keep), and prepared statements survive from one request to the next."""
    ended: list[str] = []
    event.listen(db.engine, "commit", lambda _conn: ended.append("commit"))
    event.listen(db.engine, "rollback", lambda _conn: ended.append("rollback"))
    with db.session() as session:
        session.scalars(select(Person)).all()
    assert ended == ["commit"]
    ended.clear()
    with pytest.raises(LookupError), db.session() as session:
        session.scalars(select(Person)).all()
        raise LookupError("a read that failed")
    assert ended == ["rollback"]
    ended.clear()
    with db.session():
        pass  # never began a transaction: nothing to end
    assert ended == []
