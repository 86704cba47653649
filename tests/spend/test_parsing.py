"""Reading councils' spend files as they really are: no database, so these run fast and
hypothesis can try many shapes."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spend import parsing
from spend.parsing import Row, Skipped
from tests.spend import transparency


def _read(data):
    table = parsing.read_table(data)
    mapping = parsing.guess_mapping(table.headers)
    return table, mapping, list(parsing.parse_rows(table, mapping))


@pytest.mark.parametrize(
    "make", [transparency.metropolitan, transparency.district, transparency.county]
)
def test_each_councils_style_imports_every_payment_and_names_every_row_left_out(make):
    data, expect = make()
    table, mapping, items = _read(data)
    assert {"date", "supplier", "amount"} <= set(mapping)
    rows = [i for i in items if isinstance(i, Row)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert len(rows) == expect.lines
    assert sum(r.amount_pence for r in rows) == expect.pence
    assert sum(1 for r in rows if r.redacted) == expect.redacted
    assert sum(1 for r in rows if r.amount_pence < 0) == expect.credits
    assert [s.reason for s in skipped] == expect.skipped_reasons
    assert all(r.supplier_name is None for r in rows if r.redacted)


def test_metropolitan_file_header_below_its_title_line_with_unnamed_columns():
    data, _ = transparency.metropolitan(rows=5)
    table = parsing.read_table(data)
    assert table.encoding == "UTF-8 with byte-order mark"
    assert table.header_row == 3
    assert table.preamble[0][1][0].startswith(
        "Leeds City Council - Payments to suppliers over £500"
    )
    mapping = parsing.guess_mapping(table.headers)
    assert {name: table.headers[i] for name, i in mapping.items()} == {
        "department": "Service Area",
        "category": "Expense Type",
        "date": "Payment Date",
        "reference": "Transaction Number",
        "amount": "Net Amount",
        "supplier": "Supplier Name",
        "supplier_id": "Supplier Number",
    }
    assert parsing.column_label(table.headers, 8) == "Column I (no heading)"
    assert parsing.guess_id_kind("Supplier Number") == "internal"


def test_district_file_in_windows_1252_with_vat_numbers_and_a_redaction_flag():
    data, _ = transparency.district(rows=50)
    assert b"\xa3" in data  # the pound sign, one byte
    table = parsing.read_table(data)
    assert table.encoding == "Windows-1252"
    mapping = parsing.guess_mapping(table.headers)
    assert table.headers[mapping["redacted"]] == "Redacted"
    assert table.headers[mapping["supplier_id"]] == "VAT Registration Number"
    assert parsing.guess_id_kind("VAT Registration Number") == "vat"
    # The two identical payments are two rows, not one.
    rows = [i for i in parsing.parse_rows(table, mapping) if isinstance(i, Row)]
    food_bank = [r for r in rows if r.paid_on == date(2023, 6, 12) and r.amount_pence == 60_000]
    assert len(food_bank) >= 2


def test_remembered_mapping_wins_over_a_guess():
    headers = ["When", "Payee", "Gross", "Net"]
    remembered = {"date": "When", "supplier": "Payee", "amount": "Net"}
    assert parsing.guess_mapping(headers, remembered) == {"date": 0, "supplier": 1, "amount": 3}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("01/04/2024", date(2024, 4, 1)),
        ("01/04/24", date(2024, 4, 1)),
        ("3 Apr 2023", date(2023, 4, 3)),
        ("14-Mar-23", date(2023, 3, 14)),
        ("2024-04-01", date(2024, 4, 1)),
        ("1/4/2024 00:00:00", date(2024, 4, 1)),
        ("03-APR-2023", date(2023, 4, 3)),
        ("1 April 2024", date(2024, 4, 1)),
        ("45383", date(2024, 4, 1)),  # a spreadsheet's day number
        ("31/02/2024", None),
        ("April", None),
        ("1", None),
        ("Total", None),
        ("", None),
    ],
)
def test_dates_as_councils_write_them(text, expected):
    assert parsing.parse_date(text) == expected


@pytest.mark.parametrize(
    "text, pence",
    [
        ("£1,234.56", 123456),
        ("1234.5 ", 123450),
        (" £ 500.00 ", 50000),
        ("-250", -25000),
        ("(1,234.00)", -123400),
        ("£(1,234.00)", -123400),
        ("1,234.00 CR", -123400),
        ("1234-", -123400),
        ("-£12", -1200),
        ("£-12.00", -1200),
        ("1.234,56", None),  # not how a UK file writes it
        ("1,23", None),
        ("TBC", None),
        ("", None),
    ],
)
def test_amounts_with_pound_signs_commas_spaces_and_credits(text, pence):
    assert parsing.parse_amount(text) == pence


@pytest.mark.parametrize(
    "name, flag, redacted",
    [
        ("REDACTED PERSONAL DATA", "", True),
        ("Redacted - personal data", "", True),
        ("", "Y", True),
        ("", "yes", True),
        ("Total Gas & Power Ltd", "", False),
    ],
)
def test_redacted_suppliers_are_kept_without_a_name(name, flag, redacted):
    mapping = {"date": 0, "supplier": 1, "amount": 2, "redacted": 3}
    item = parsing.parse_row(2, ["01/04/2024", name, "600", flag], mapping)
    assert isinstance(item, Row)
    assert item.redacted is redacted
    assert (item.supplier_name is None) is redacted


def test_a_blank_name_without_a_flag_is_left_out():
    item = parsing.parse_row(2, ["01/04/2024", "", "600"], {"date": 0, "supplier": 1, "amount": 2})
    assert isinstance(item, Skipped) and item.reason == "There is no supplier name"


def test_a_spreadsheet_or_an_empty_file_is_refused_plainly():
    with pytest.raises(parsing.FileUnreadable, match="empty"):
        parsing.read_table(b"  \n")
    with pytest.raises(parsing.FileUnreadable, match="spreadsheet"):
        parsing.read_table(b"PK\x03\x04\x00\x00binary")


# --- Properties ---------------------------------------------------------------------------------

pence = st.integers(min_value=-(10**11), max_value=10**11)


@given(pence)
def test_any_amount_written_any_way_reads_back(value):
    pounds = f"{abs(value) / 100:,.2f}" if abs(value) < 10**13 else None
    plain = f"{abs(value) // 100}.{abs(value) % 100:02d}"
    for text in (f"£{pounds}", f"{plain} ", f"£ {pounds}"):
        assert parsing.parse_amount(("-" if value < 0 else "") + text) == value
    if value < 0:
        assert parsing.parse_amount(f"({pounds})") == value
        assert parsing.parse_amount(f"{pounds} CR") == value


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2068, 12, 31)))
def test_any_date_written_any_way_reads_back(day):
    for pattern in ("%d/%m/%Y", "%d/%m/%y", "%d %b %Y", "%d-%b-%y", "%Y-%m-%d", "%d %B %Y"):
        assert parsing.parse_date(day.strftime(pattern)) == day


cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@given(st.lists(st.lists(cell, min_size=0, max_size=6), max_size=15))
def test_any_rows_are_read_or_left_out_with_a_reason_never_an_error(rows):
    table = parsing.Table("UTF-8", ",", 1, ["Date", "Supplier", "Amount"], list(enumerate(rows, 2)))
    items = list(parsing.parse_rows(table, {"date": 0, "supplier": 1, "amount": 2}))
    covered = sum(i.last_row - i.row + 1 if isinstance(i, Skipped) else 1 for i in items)
    assert covered == len(rows)
    for item in items:
        if isinstance(item, Skipped):
            assert item.reason
        else:
            assert item.amount_pence != 0 and item.paid_on is not None


@given(
    st.lists(st.tuples(st.sampled_from(["Acme Ltd", "The Trust", "REDACTED"]), pence), max_size=20)
)
def test_a_written_file_reads_back_in_any_encoding(payments):
    lines = ["Payment Date,Supplier Name,Amount £"]
    lines += [f'01/04/2024,{name},"£{value / 100:,.2f}"' for name, value in payments]
    text = "\r\n".join(lines)
    for data in (
        text.encode("utf-8"),
        text.encode("utf-8-sig"),
        text.encode("cp1252"),
        text.encode("utf-16"),
    ):
        _table, _mapping, items = _read(data)
        rows = [i for i in items if isinstance(i, Row)]
        assert [r.amount_pence for r in rows] == [v for _n, v in payments if v != 0]
