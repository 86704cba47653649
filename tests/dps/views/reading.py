"""Reading GOV.UK pages the way a person does, for the operator and directory page tests."""

from tests.pages import soup


def text(element):
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return soup(response)


def heading(html):
    return text(html.find("h1"))


def error_summary(html):
    """[(message, href)] of the error summary."""
    summary = html.select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [(text(a), a["href"]) for a in summary.select(".govuk-error-summary__list a")]


def errors(html):
    return [message for message, _href in error_summary(html)]


def banner(html):
    return text(html.select_one(".govuk-notification-banner"))


def summary_list(html, element_id):
    rows = html.find(id=element_id).select(".govuk-summary-list__row")
    return {
        text(row.select_one(".govuk-summary-list__key")): text(
            row.select_one(".govuk-summary-list__value")
        )
        for row in rows
    }


def table_rows(html, element_id):
    table = html.find("table", id=element_id)
    if table is None:
        return []
    return [[text(cell) for cell in row.find_all(["td", "th"])] for row in table.select("tbody tr")]


def field_value(html, name):
    field = html.find(["input", "textarea", "select"], attrs={"name": name})
    if field is None:
        return None
    if field.name == "textarea":
        return field.get_text().strip()
    if field.name == "select":
        selected = field.find("option", selected=True)
        return selected["value"] if selected else None
    return field.get("value")


def checked(html, name):
    radio = html.find("input", attrs={"name": name, "checked": True})
    return radio["value"] if radio else None


def nav(html):
    return [text(a) for a in html.select(".govuk-service-navigation__link")]
