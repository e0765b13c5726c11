"""The two export formats. Both take rows one at a time from a generator and keep none of them.

CSV goes straight to its stream. XLSX uses XlsxWriter in `constant_memory` mode: each row is written
to the sheet's temporary file as soon as the next row starts, and strings are stored inline instead
of in a shared-string table (which would otherwise grow with every distinct description).
How each value reads in each format: `bot.exports.cells`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, TextIO

from bot.errors import CoopError
from bot.exports.cells import Row, csv_row

XLSX_MAX_ROWS = 1_048_576  # Excel's limit per sheet, header included
DATE_FORMAT = "yyyy-mm-dd"
MOMENT_FORMAT = "yyyy-mm-dd hh:mm:ss"
_WIDTHS = {DATE_FORMAT: 11, MOMENT_FORMAT: 20}  # characters: narrower, a spreadsheet shows "#####"


@dataclass(frozen=True)
class Sheet:
    """One kind of record: its name (the sheet's), its header and its rows (consumed once).

    `zone_column`: the last header column names each row's timezone, which the XLSX writer fills from the
    row's moments (when the sheet's partnerships keep different clocks; see `bot.exports.kinds`)."""

    name: str
    header: Sequence[str]
    rows: Iterator[Row]
    zone_column: bool = False


class ExportTooLarge(CoopError):
    """More rows than a spreadsheet sheet can hold."""


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Row]) -> int:
    """Write the header and every row as CSV; returns the data rows written."""
    writer = csv.writer(out)
    writer.writerow(header)
    written = 0
    for row in rows:
        writer.writerow(csv_row(row))
        written += 1
    return written


def write_xlsx(target: str | IO[bytes], sheets: Iterable[Sheet]) -> dict[str, int]:
    """Write one worksheet per sheet (header in bold, frozen) to `target`, a path or a binary file;
    returns data rows written per sheet. Text is a string cell as typed (never a formula), a number a
    number, a date a date cell and a moment a date-time cell on its partnership's clock; nothing is a
    blank cell."""
    import xlsxwriter  # imported here: only `--format xlsx` needs it

    options: dict[str, Any] = {
        "constant_memory": True,  # rows go to a temporary file as they come; strings inline
        "strings_to_formulas": False,  # text stays text: "=1+1" typed in Slack is not a formula here
        "strings_to_urls": False,  # a URL someone typed stays text, not a live link
        "strings_to_numbers": False,
    }
    counts: dict[str, int] = {}
    workbook = xlsxwriter.Workbook(target, options)
    try:
        bold = workbook.add_format({"bold": True})
        formats = {DATE_FORMAT: workbook.add_format({"num_format": DATE_FORMAT}),
                   MOMENT_FORMAT: workbook.add_format({"num_format": MOMENT_FORMAT})}
        for sheet in sheets:
            worksheet = workbook.add_worksheet(sheet.name[:31])
            worksheet.freeze_panes(1, 0)
            for column, title in enumerate(sheet.header):
                worksheet.write_string(0, column, title, bold)
            widened: set[int] = set()  # date columns made wide enough to show their values
            zone_at = len(sheet.header) - 1
            written = 0
            for written, row in enumerate(sheet.rows, start=1):
                if written >= XLSX_MAX_ROWS:
                    raise ExportTooLarge(f"{sheet.name}: more than {XLSX_MAX_ROWS - 1} rows do not fit in a "
                                         "spreadsheet; export it as CSV")
                zone = None
                for column, value in enumerate(row):
                    kind = type(value)
                    if kind is str:
                        if value:  # an empty value is a blank cell, not an empty string
                            worksheet.write_string(written, column, value)
                    elif kind is int or kind is float:
                        worksheet.write_number(written, column, value)
                    elif value is None:
                        continue
                    elif isinstance(value, date):
                        number_format = DATE_FORMAT
                        if isinstance(value, datetime):  # aware, on its partnership's clock: shown as such
                            zone, number_format = zone or value.tzinfo, MOMENT_FORMAT
                            value = value.replace(tzinfo=None)
                        if column not in widened:
                            widened.add(column)
                            worksheet.set_column(column, column, max(_WIDTHS[number_format],
                                                                     len(sheet.header[column]) + 2))
                        worksheet.write_datetime(written, column, value, formats[number_format])
                    else:
                        worksheet.write_number(written, column, value)
                if sheet.zone_column and zone is not None:
                    worksheet.write_string(written, zone_at, getattr(zone, "key", None) or str(zone))
            counts[sheet.name] = written
    finally:
        workbook.close()
    return counts
