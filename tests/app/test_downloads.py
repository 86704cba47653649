"""CSV downloads (app/downloads.py): cells a spreadsheet would run as formulas are shown as
text, values are written as a spreadsheet reads them, and the file comes in chunks."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app import downloads
from app.downloads import cell, csv_lines, filename, pounds


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        (
            '=HYPERLINK("http://evil.example","Click")',
            '\'=HYPERLINK("http://evil.example","Click")',
        ),
        ("+44 113 496 0000", "'+44 113 496 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Care = kindness", "Care = kindness"),  # only at the start
        ("'quoted'", "'quoted'"),
        ("", ""),
    ],
)
def test_text_that_could_start_a_formula_gets_an_apostrophe(typed, written):
    assert cell(typed) == written


def test_values_are_written_as_a_spreadsheet_reads_them(app):
    assert cell(None) == ""
    assert (cell(True), cell(False)) == ("Yes", "No")
    assert cell(30) == "30"
    assert cell(pounds(3_000_050)) == "30000.50"
    assert pounds(None) is None
    assert cell(date(2027, 1, 4)) == "2027-01-04"
    # Times in the DPS's timezone: 11:00 UTC in June is midday in London.
    assert cell(datetime(2026, 6, 1, 11, 0, tzinfo=timezone.utc)) == "2026-06-01 12:00"
    assert cell(Decimal("-1.50")) == "-1.50"  # a number, never a formula
    assert filename("suppliers", date(2026, 12, 3)) == "suppliers-2026-12-03.csv"


def test_the_file_starts_with_a_byte_order_mark_and_comes_in_chunks(app, monkeypatch):
    monkeypatch.setattr(downloads, "ROWS_PER_CHUNK", 2)
    rows = ([f"Row {n}", n] for n in range(5))
    chunks = list(csv_lines(("Name", "Number"), rows))
    assert chunks[0] == "\ufeffName,Number\r\nRow 0,0\r\nRow 1,1\r\n"
    assert chunks[1:] == ["Row 2,2\r\nRow 3,3\r\n", "Row 4,4\r\n"]
    # Commas, quotes and new lines stay inside their cell.
    [chunk] = csv_lines(("A",), [['He said "hi", then\nleft']])
    assert chunk == '\ufeffA\r\n"He said ""hi"", then\nleft"\r\n'
