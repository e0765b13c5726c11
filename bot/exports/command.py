"""`coopbot export KIND|--all [--format csv|xlsx] [--out FILE]`: the command's checks and its output.

A file is written next to its destination and renamed into place when complete, so an export that
fails half-way never leaves a truncated file behind under the expected name.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.exports.cells import Row
from bot.exports.kinds import NAMES, sheet
from bot.exports.writers import write_csv, write_xlsx
from bot.storage.db import Database

USAGE_ERROR = 2


def check(kind: str | None, fmt: str, out: str | None, every: bool) -> str | None:
    """What is wrong with the arguments, in words, or None."""
    if every:
        if kind:
            return f"coopbot export --all: exports every kind ({', '.join(NAMES)}); leave out {kind!r}"
        if fmt != "xlsx" or not out:
            return ("coopbot export --all: writes one sheet per kind, so it needs --format xlsx and --out FILE, "
                    "e.g. coopbot export --all --format xlsx --out review.xlsx")
        return None
    if not kind:
        return f"coopbot export: say what to export ({', '.join(NAMES)}), or --all --format xlsx --out FILE"
    if fmt == "xlsx" and not out and sys.stdout.isatty():
        return "coopbot export: an XLSX file is not for a terminal; add --out FILE (or redirect the output)"
    return None


def run(db: Database, kind: str | None, fmt: str, out: str | None, every: bool, default_timezone: str) -> int:
    """Write the export; returns the exit status (messages to stderr, data to stdout or the file)."""
    problem = check(kind, fmt, out, every)
    if problem:
        print(problem, file=sys.stderr)
        return USAGE_ERROR
    names = NAMES if every else (str(kind),)
    try:
        return _write(db, names, fmt, out, default_timezone)
    except BrokenPipeError:  # `coopbot export issues | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return 0
    except OSError as exc:
        print(f"coopbot export: cannot write {out or 'the output'}: {exc.strerror or exc}", file=sys.stderr)
        return 1


def _write(db: Database, names: tuple[str, ...], fmt: str, out: str | None, default_timezone: str) -> int:
    if fmt == "csv":
        if not out:
            write_csv(sys.stdout, *_parts(db, names[0], default_timezone))
            return 0
        # A file gets a BOM: Excel, which coordinators open it with, reads UTF-8 only when it starts with
        # one (Chinese Windows would otherwise show every name garbled). Standard output, for pipes, has none.
        with _replacing(out) as path, open(path, "w", encoding="utf-8-sig", newline="") as handle:
            count = write_csv(handle, *_parts(db, names[0], default_timezone))
        print(f"wrote {count} rows to {out}", file=sys.stderr)
        return 0
    sheets = (sheet(name, db, default_timezone, "xlsx") for name in names)
    if not out:  # redirected: build the workbook in a temporary file, then copy it out in chunks
        with tempfile.TemporaryFile() as handle:
            write_xlsx(handle, sheets)
            handle.seek(0)
            shutil.copyfileobj(handle, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return 0
    with _replacing(out) as path:
        counts = write_xlsx(str(path), sheets)
    summary = ", ".join(f"{name}: {n}" for name, n in counts.items())
    print(f"wrote {sum(counts.values())} rows to {out} ({summary})", file=sys.stderr)
    return 0


def _parts(db: Database, name: str, default_timezone: str) -> tuple[tuple[str, ...], Iterator[Row]]:
    s = sheet(name, db, default_timezone)
    return tuple(s.header), s.rows


@contextmanager
def _replacing(out: str) -> Iterator[Path]:
    """A new file next to `out`, renamed over it once the caller is done. It gets the permissions any command
    gives a file it writes: those of the file it replaces, else the umask's (mkstemp's owner-only 0600 would
    hide a coordinator's export from the colleagues of their group)."""
    target = Path(out)
    try:
        mode = stat.S_IMODE(target.stat().st_mode) & 0o777
    except FileNotFoundError:
        mode = None
    while True:
        partial = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
        try:  # 0o666 less the umask, as open() and the shell's `>` make it
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
    try:
        if mode is not None:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
