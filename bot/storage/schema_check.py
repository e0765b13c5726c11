"""Is the database this coopbot's? Checked before every command that uses it (bot.cli).

Kept apart from Alembic (bot.storage.migrate) on purpose: loading Alembic and the migration scripts costs every
command about 28 MiB of memory, for a check that is one small query. SCHEMA_HEAD names the newest
migration; tests/test_migrations.py fails when a migration is added without moving it.
"""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

SCHEMA_HEAD = "0020"


def schema_problem(database_url: str) -> str | None:
    """Why this coopbot cannot use the database's schema (none yet, older, or newer than this code), in
    words for an operator; None when it is at this code's head. Raises SQLAlchemy's errors when the URL
    cannot be read or the database cannot be reached (`describe_database_error` words those)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            current = (connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                       if inspect(connection).has_table("alembic_version") else None)
    finally:
        engine.dispose()
    if current == SCHEMA_HEAD:
        return None
    if current is None:
        return "the database has no coopbot schema yet: run `coopbot db upgrade`"
    if not current.isdigit() or int(current) > int(SCHEMA_HEAD):
        return (f"the database was migrated by a newer coopbot (revision {current}; this one knows up to "
                f"{SCHEMA_HEAD}): run the newer coopbot")
    return (f"the database schema is behind this coopbot (revision {current}, needs {SCHEMA_HEAD}): "
            "run `coopbot db upgrade`")


def describe_database_error(error: Exception) -> str | None:
    """A one-line account of a failure to read DATABASE_URL or to reach the database; None if `error` is
    something else."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    if isinstance(error, NoSuchModuleError | ModuleNotFoundError):
        return f"no driver for this kind of database is installed ({error}); coopbot runs on sqlite and postgresql"
    if isinstance(error, ArgumentError):
        return f"cannot be read as a database URL ({error})"
    if isinstance(error, OperationalError):
        reason = str(error.orig or error).strip().splitlines()[0]
        return f"cannot connect to the database ({reason})"
    return None
