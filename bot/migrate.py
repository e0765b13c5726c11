"""`coopbot db upgrade`: Alembic, configured in code so that it works from any directory."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config

import models

MIGRATIONS = Path(str(resources.files(models) / "migrations"))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def schema_problem(database_url: str) -> str | None:
    """Why this coopbot cannot use the database's schema (none yet, older, or newer than this code), in
    words for an operator; None when it is at this code's head. Raises SQLAlchemy's errors when the URL
    cannot be read or the database cannot be reached (`describe_database_error` words those)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    scripts = ScriptDirectory.from_config(alembic_config(database_url))
    head = scripts.get_current_head()
    if current == head:
        return None
    if current is None:
        return "the database has no coopbot schema yet: run `coopbot db upgrade`"
    known = {script.revision for script in scripts.walk_revisions()}
    if current not in known:
        return (f"the database was migrated by a newer coopbot (revision {current}; this one knows up to {head}): "
                "run the newer coopbot")
    return f"the database schema is behind this coopbot (revision {current}, needs {head}): run `coopbot db upgrade`"


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
