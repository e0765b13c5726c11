"""The two export formats. Both take rows one at a time from a generator and keep none of them.

CSV goes straight to its stream. XLSX uses XlsxWriter in `constant_memory` mode: each row is written
to the sheet's temporary file as soon as the next row starts, and strings are stored inline instead
of in a shared-string table (which would otherwise grow with every distinct description).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, TextIO

from bot.errors import CoopError
from bot.exports.cells import Cell

XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included


@dataclass(frozen=True)
class Sheet:
    """One kind of record: its name (the sheet's), its header and its rows (consumed once)."""

    name: str
    header: Sequence[str]
    rows: Iterator[list[Cell]]


class ExportTooLarge(CoopError):
    """More rows than a spreadsheet sheet can hold."""


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[list[Cell]]) -> int:
    """Write the header and every row as CSV; returns the data rows written."""
    writer = csv.writer(out)
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow(row)
        written += 1
    return written


def write_xlsx(target: str | IO[bytes], sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write one worksheet per sheet (header in bold, frozen) to `target`, a path or a binary file;
    returns data rows written per sheet. Every cell is a number or a string, never a formula."""
    import xlsxwriter  # imported here: only `--format xlsx` needs it

    options: dict[str, Any] = {
        "constant_memory": True,  # rows go to a temporary file as they come; strings inline
        "strings_to_formulas": False,  # a guarded "'=..." is text anyway; never let a string become a formula
        "strings_to_urls": False,  # a URL someone typed stays text, not a live link
        "strings_to_numbers": False,
    }
    counts: dict[str, int] = {}
    workbook = xlsxwriter.Workbook(target, options)
    try:
        bold = workbook.add_format({"bold": True})
        for sheet in sheets:
            worksheet = workbook.add_worksheet(sheet.name[:31])
            worksheet.freeze_panes(1, 0)
            for column, title in enumerate(sheet.header):
                worksheet.write_string(0, column, title, bold)
            written = 0
            for written, row in enumerate(sheet.rows, start=1):
                if written >= XLSX_MAX_ROWS:
                    raise ExportTooLarge(f"{sheet.name}: more than {XLSX_MAX_ROWS - 1} rows do not fit in a "
                                         "spreadsheet; export it as CSV")
                for column, value in enumerate(row):
                    if isinstance(value, str):
                        worksheet.write_string(written, column, value)
                    else:
                        worksheet.write_number(written, column, value)
            counts[sheet.name] = written
    finally:
        workbook.close()
    return counts
