"""CSV downloads of public lists (search results, the supplier directory, the contracts register):
streamed row by row from a generator, so a download of every row never sits in memory whole.

Every cell that a spreadsheet could read as a formula (one starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe, so that text a supplier or buyer
typed is shown, never run (OWASP's "CSV injection"). The file is UTF-8 with a byte order mark,
which Excel needs to read anything but ASCII rightly, and its name carries the day it was made.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from flask import Response, stream_with_context

from app.timeutil import as_utc, local_tz, to_local, utcnow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
ROWS_PER_CHUNK = 200  # rows written before a chunk is sent


def cell(value, tz=None):
    """One value as the text of a cell: numbers as they are, times in the DPS's timezone (or
    ``tz``) as "2026-12-18 12:00", True/False as Yes/No, and text that could start a formula
    with an apostrophe before it."""
    if type(value) is str:  # most cells: first, and the one rule that matters most
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, datetime):
        return as_utc(value).astimezone(tz or local_tz()).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return cell(str(value))


def pounds(pence):
    """An amount in pence as pounds with two decimal places (a number to a spreadsheet)."""
    return None if pence is None else Decimal(pence).scaleb(-2)


def csv_lines(header, rows):
    """The CSV's text in chunks: the byte order mark and the header, then the rows
    ``ROWS_PER_CHUNK`` at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([cell(name) for name in header])
    tz = local_tz()
    for count, row in enumerate(rows, start=1):
        writer.writerow([cell(value, tz) for value in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def filename(stem, today=None):
    """'opportunities-2026-12-03.csv': the day in the DPS's timezone."""
    today = today or to_local(utcnow()).date()
    return f"{stem}-{today.isoformat()}.csv"


def csv_response(stem, header, rows):
    """A streamed download of ``rows`` (an iterable of sequences, read as the response is sent,
    in the request's context, so a query's server-side cursor stays open until the last row)."""
    response = Response(
        stream_with_context(csv_lines(header, rows)), content_type="text/csv; charset=utf-8"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(stem)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
