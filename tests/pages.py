"""Reading pages the way a person does: the helpers every page test shares. Feature test packages
add their own on top (tests/dps/views/pages.py, tests/lots/views/pages.py)."""

import contextvars
import csv
import io
import re

from bs4 import BeautifulSoup
from flask.testing import FlaskClient

_FIELDSET = re.compile(r"<fieldset\b[^>]*>\s*(<legend\b[^>]*>(.*?)</legend>)?", re.S)
_TAG = re.compile(r"<[^>]+>")


def fieldsets_without_legend(html):
    """The opening of each fieldset in ``html`` whose first child is not a legend with text
    (WCAG 1.3.1: a group of inputs is named by its legend). A regular expression, not a parser, so
    that every page a test loads can be checked cheaply (``tests.conftest.FreshContextClient``)."""
    found = []
    for match in _FIELDSET.finditer(html):
        legend = match.group(2)
        if legend is None or not _TAG.sub("", legend).strip():
            found.append(match.group(0)[:120])
    return found


def soup(response):
    """The page as a tree, parsed once per response: a test reads one page several times (its
    heading, then its banner, then a table), and building the tree is most of what reading costs.
    Nothing changes a tree once made (no test edits one)."""
    parsed = getattr(response, "_parsed_page", None)
    if parsed is None:
        parsed = response._parsed_page = BeautifulSoup(response.get_data(as_text=True), "lxml")
    return parsed


def text(element):
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def heading(response):
    return text(soup(response).find("h1"))


def error_links(response):
    summary = soup(response).select_one(".govuk-error-summary")
    return [a["href"] for a in summary.select(".govuk-error-summary__list a")] if summary else []


def banner(response):
    return text(soup(response).select_one(".govuk-notification-banner"))


def summary_rows(response, list_id):
    element = soup(response).find(id=list_id)
    if element is None:
        return {}
    return {
        text(row.select_one(".govuk-summary-list__key")): text(
            row.select_one(".govuk-summary-list__value")
        )
        for row in element.select(".govuk-summary-list__row")
    }


def table_rows(response, table_id):
    table = soup(response).find("table", id=table_id)
    if table is None:
        return []
    return [[text(cell) for cell in row.find_all(["td", "th"])] for row in table.select("tbody tr")]


def section(response, element_id):
    return text(soup(response).find(id=element_id))


def input_value(response, name):
    field = soup(response).find(["input", "textarea"], attrs={"name": name})
    if field is None:
        return None
    if field.name == "textarea":
        return field.get_text().lstrip("\n")
    return field.get("value")


def selected(response, name):
    select = soup(response).find("select", attrs={"name": name})
    option = select.find("option", selected=True) if select else None
    return option.get("value") if option else None


def checked(response, name):
    return [
        box["value"]
        for box in soup(response).find_all("input", attrs={"name": name})
        if box.has_attr("checked")
    ]


def csv_rows(response):
    """A CSV download's rows (the header first), read as a spreadsheet would: it must be UTF-8
    with a byte order mark, and served as an attachment."""
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def streamed(client, url):
    """(response, [chunks]): a download fetched and read chunk by chunk in one fresh context, as
    a WSGI server reads a streamed body in the request's own (a test client's response read
    later would leave the request's context in another)."""

    def fetch():
        response = FlaskClient.open(client, url)
        return response, list(response.response)

    return contextvars.Context().run(fetch)
