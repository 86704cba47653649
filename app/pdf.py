"""HTML to PDF with WeasyPrint: tagged PDF/UA-1 (a document title, its language, headings, tables
and real text a screen reader can follow), from HTML the service wrote itself. Nothing is fetched
from outside while rendering (only data: URLs are allowed): a letter carries its own styles."""

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def _local_only():
    return URLFetcher(allowed_protocols={"data"}, timeout=5, allow_redirects=False)


def html_to_pdf(html):
    """The PDF of ``html`` (a whole document with <title> and <html lang>), as bytes."""
    return HTML(string=html, url_fetcher=_local_only()).write_pdf(pdf_variant="pdf/ua-1")
