"""Every table of a spend report as rows of values (a heading row first), and those rows as a CSV
or XLSX download. Money is in pounds (a ``Decimal`` with two places) and shares in per cent (one
place), so a spreadsheet reads them as numbers.

XLSX files are written by openpyxl in write-only mode (rows streamed to the file, not held as a
workbook); text is always written as text, so a supplier named "=HYPERLINK(...)" in a council's
file can never run as a formula. CSV cells that would (=, +, -, @) get a leading apostrophe.
"""

import csv
import io
import re
from decimal import Decimal

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from app.reference import deprivation
from spend import reports

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NUMBER = re.compile(r"-?[0-9.,]+")


def pounds(pence):
    return (Decimal(int(pence)) / 100).quantize(Decimal("0.01"))


def per_cent(value):
    return Decimal(f"{value:.1f}")


def yes_no(value):
    return "" if value is None else "yes" if value else "no"


def cell(value):
    """A CSV cell a spreadsheet will not run: text from a spend file that starts like a formula
    (=, +, -, @) is given a leading apostrophe; numbers are left as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if not _NUMBER.fullmatch(value):
            return "'" + value
    return value


def safe_writer(out):
    writer = csv.writer(out)

    class Safe:
        def writerow(self, row):
            writer.writerow([cell(v) for v in row])

    return Safe()


def _suppliers(report):
    yield [
        "Supplier",
        "Kind",
        "VCSE",
        "SME",
        "Local",
        "Deprivation decile",
        "Place found",
        "Spend (GBP)",
        "Lines",
        "Classified from",
    ]
    for row in report.suppliers:
        kind = row.kind
        yield [
            row.label,
            reports.kind_label(kind),
            yes_no(kind.vcse),
            yes_no(kind.sme),
            yes_no(kind.local),
            kind.decile or "",
            deprivation.METHOD_LABELS[kind.place_method],
            pounds(row.spend),
            row.lines,
            kind.basis or "",
        ]


def _shares(report, table):
    return share_rows(reports.TABLES[table], report.table(table))


def share_rows(first_header, summaries):
    """Rows of shares (a heading row first), one per ``reports.Summary``."""
    header = [first_header, "Spend (GBP)", "Spend counted (GBP)", "Lines", "Suppliers"]
    for _name, label in reports.MEASURES:
        header += [
            f"{label}: % of spend",
            f"{label}: % of spend unclassified",
            f"{label}: % of suppliers",
        ]
    yield header
    for row in summaries:
        values = [row.label, pounds(row.spend), pounds(row.counted), row.lines, row.suppliers]
        for name, _label in reports.MEASURES:
            values += [
                per_cent(row.share(name)),
                per_cent(row.share(name, "unknown")),
                per_cent(row.supplier_share(name)),
            ]
        yield values


def _trend(report):
    yield ["Measure", "Financial year", "% of spend", "Change from the year before (points)"]
    for _name, label, points in report.trend():
        for year, share, change in points:
            yield [label, year, per_cent(share), "" if change is None else per_cent(change)]


def _gaps(gaps):
    yield [
        "Category",
        "Spend counted (GBP)",
        "With large or distant suppliers (GBP)",
        "% of the category",
        "Suppliers behind it",
        "Lots that cover the work",
        "VCSEs holding those lots",
        "Of them in your area",
    ]
    for gap in gaps:
        behind = "; ".join(
            f"{s.name} (£{pounds(s.pence):,}: {', '.join(s.reasons)})" for s in gap.suppliers
        )
        if gap.other_suppliers:
            behind += f"; and {gap.other_suppliers} more"
        yield [
            gap.category,
            pounds(gap.spend),
            pounds(gap.with_large_or_distant),
            per_cent(gap.share),
            behind,
            "; ".join(lot.label for lot in gap.lots),
            gap.vcse_count,
            gap.local_vcse_count,
        ]


def place_rows(place_spend):
    """A place's buyers side by side (``reports.by_buyer``), the place's total last."""
    return list(share_rows("Buyer", place_spend.rows()))


def table_rows(report, table, gaps=()):
    """The rows (heading first) of one table of ``report``."""
    if table == "suppliers":
        return list(_suppliers(report))
    if table == "trend":
        return list(_trend(report))
    if table == "gaps":
        return list(_gaps(gaps))
    return list(_shares(report, table))


def csv_bytes(rows):
    out = io.StringIO()
    writer = safe_writer(out)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows, title):
    """A workbook of one sheet (``title``), written row by row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    for row in rows:
        out = []
        for value in row:
            if isinstance(value, str):
                text = WriteOnlyCell(sheet, value=value)
                text.data_type = "s"  # never a formula
                out.append(text)
            else:
                out.append(value)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def response(rows, stem, fmt, title):
    if fmt == "xlsx":
        data, mimetype = xlsx_bytes(rows, title), XLSX_MIMETYPE
    else:
        data, mimetype = csv_bytes(rows), "text/csv"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )
