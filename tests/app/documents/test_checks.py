"""The checks on a file's name and bytes, before anything is stored (no app needed)."""

import io

import filetype
import pytest
from werkzeug.datastructures import FileStorage

from app.documents.uploads import UploadRefused, check_upload, clean_filename
from tests.app.documents.helpers import (
    CSV,
    EICAR,
    PDF,
    docx,
    jpeg,
    odf,
    pdf_of_size,
    png,
    sha256,
    xlsx,
    zip_archive,
)

LIMIT = 25 * 1024 * 1024


def check(data, filename, limit=LIMIT):
    return check_upload(FileStorage(stream=io.BytesIO(data), filename=filename), limit)


def refusal(data, filename, limit=LIMIT):
    with pytest.raises(UploadRefused) as caught:
        check(data, filename, limit)
    return str(caught.value)


def test_the_test_files_are_what_they_say():
    """The minimal files made for these tests are recognised by their bytes, as real ones are."""
    assert filetype.guess(png()).extension == "png"
    assert filetype.guess(jpeg()).extension == "jpg"
    assert filetype.guess(PDF).extension == "pdf"
    assert filetype.guess(docx()).extension == "docx"
    assert filetype.guess(xlsx()).extension == "xlsx"
    assert filetype.guess(odf("odt")).extension == "odt"
    assert filetype.guess(odf("ods")).extension == "ods"


@pytest.mark.parametrize(
    "data, filename, content_type",
    [
        (PDF, "policy.pdf", "application/pdf"),
        (
            docx(),
            "policy.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            xlsx(),
            "accounts.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (odf("odt"), "policy.odt", "application/vnd.oasis.opendocument.text"),
        (odf("ods"), "accounts.ods", "application/vnd.oasis.opendocument.spreadsheet"),
        (CSV, "accounts.csv", "text/csv"),
        (png(), "logo.png", "image/png"),
        (jpeg(), "photo.jpg", "image/jpeg"),
        (jpeg(), "photo.JPEG", "image/jpeg"),
    ],
    ids=["pdf", "docx", "xlsx", "odt", "ods", "csv", "png", "jpg", "jpeg-upper"],
)
def test_allowed_types_are_accepted_with_the_type_from_their_bytes(data, filename, content_type):
    checked = check(data, filename)
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sha256 == sha256(data)
    assert checked.stream.read() == data


def test_office_files_are_recognised_by_their_contents_not_the_order_of_entries():
    """filetype only looks at the first entries; Word files from other tools order them
    differently and are still Word files."""
    data = docx(content_types_first=False)
    assert check(data, "policy.docx").kind == "docx"


@pytest.mark.parametrize(
    "data, filename, reason",
    [
        (
            b"MZ\x90\x00\x03" + bytes(200),
            "invoice.pdf",
            "must be a PDF, Word, Excel, OpenDocument, CSV, PNG or JPEG file. Its name ends .pdf "
            "but its contents are none of these",
        ),
        (b"\x7fELF\x02\x01\x01" + bytes(200), "report.pdf", "but its contents are none of these"),
        (b"", "empty.pdf", "is empty"),
        (PDF, "report.pdf.exe", "must be a PDF, Word, Excel, OpenDocument, CSV, PNG or JPEG file"),
        (PDF, "invoice.exe.pdf", "hides another type of file"),
        (PDF, "notes.txt", "must be a PDF"),
        (PDF, "no extension", "must be a PDF"),
        (
            png() + zip_archive([("payload.js", "alert(1)")]),
            "logo.png",
            "contains another file hidden inside it",
        ),
        (
            jpeg(b"<script>alert(1)</script>"),
            "photo.jpg",
            "contains web page code hidden inside it",
        ),
        (
            docx(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
            "policy.docx",
            "contains macros",
        ),
        (
            xlsx(extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
            "accounts.xlsx",
            "contains macros",
        ),
        (
            odf("odt", extra=[("Basic/Standard/Module1.xml", "<macro/>")]),
            "policy.odt",
            "contains macros",
        ),
        (
            PDF.replace(
                b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>"
            ),
            "policy.pdf",
            "contains scripts or embedded files",
        ),
        (PDF, "policy.docx", "is a PDF but its name ends .docx"),
        (zip_archive([("a.txt", "hello")]), "archive.docx", "ends .docx but its contents are none"),
        (b"%PDF-1.4\n<html><script>x</script></html>", "page.pdf", "web page code"),
    ],
    ids=[
        "renamed-exe",
        "renamed-elf",
        "empty",
        "double-extension-exe-last",
        "double-extension-exe-inside",
        "txt",
        "no-extension",
        "png-zip-polyglot",
        "jpeg-with-script",
        "docx-macros",
        "xlsx-macros",
        "odt-macros",
        "pdf-javascript",
        "wrong-extension",
        "plain-zip",
        "pdf-html",
    ],
)
def test_refused_files_say_why(data, filename, reason):
    assert reason in refusal(data, filename)


def test_the_size_limit_is_checked_while_reading_and_named_in_the_message():
    assert check(pdf_of_size(1024), "small.pdf").size == 1024
    assert refusal(pdf_of_size(1025), "big.pdf", limit=1024) == "must be smaller than 1 KB"
    assert "must be smaller than 25 MB" in refusal(
        b"%PDF-1.4\n" + b"x" * (25 * 1024 * 1024), "huge.pdf"
    )


def test_a_stream_is_read_only_up_to_the_limit():
    """An endless upload is stopped at the limit, not read to the end first."""

    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"x" * len(buffer)
            self.read_bytes += len(buffer)
            return len(buffer)

    source = Endless()
    with pytest.raises(UploadRefused, match="must be smaller than 3 MB"):
        check_upload(FileStorage(stream=source, filename="endless.pdf"), 3 * 1024 * 1024)
    assert source.read_bytes <= 5 * 1024 * 1024


def test_eicar_passes_the_type_checks_so_that_the_virus_scanner_sees_it():
    assert check(EICAR, "eicar.csv").kind == "csv"


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("../../etc/Safe guarding.pdf", "Safe guarding.pdf"),
        ("..\\..\\Windows\\policy.pdf", "policy.pdf"),
        ("C:\\Users\\sam\\Desktop\\accounts 2026.xlsx", "accounts 2026.xlsx"),
        ("bad\x00na\x1bme\r\n.pdf", "badname.pdf"),
        ("right\u202eto-left\u200b.pdf", "rightto-left.pdf"),
        ("  spaced    out  .pdf", "spaced out .pdf"),
        ('quote"d.pdf', "quote'd.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("", "document"),
        ("../", "document"),
    ],
)
def test_clean_filename(raw, cleaned):
    assert clean_filename(raw) == cleaned


def test_a_long_filename_is_shortened_to_150_characters_keeping_its_extension():
    cleaned = clean_filename("a" * 296 + ".pdf")
    assert len(cleaned) == 150
    assert cleaned == "a" * 146 + ".pdf"
