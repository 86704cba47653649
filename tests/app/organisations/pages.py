"""Reading GOV.UK pages the way a person does: headings, error summaries, tables, summary lists."""

from tests.pages import soup, text


def error_summary(response):
    """The error summary's messages and the fields they link to: [(message, href)]."""
    summary = soup(response).select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [(text(a), a["href"]) for a in summary.select(".govuk-error-summary__list a")]


def error_messages(response):
    return [message for message, _href in error_summary(response)]


def summary_list(response, selector=".govuk-summary-list"):
    """{key: value} of a summary list."""
    rows = soup(response).select_one(selector).select(".govuk-summary-list__row")
    return {
        text(row.select_one(".govuk-summary-list__key")): text(
            row.select_one(".govuk-summary-list__value")
        )
        for row in rows
    }


def change_links(response):
    return [a["href"] for a in soup(response).select(".govuk-summary-list__actions a")]


def input_value(response, name):
    field = soup(response).find(["input", "textarea", "select"], attrs={"name": name})
    if field is None:
        return None
    if field.name == "textarea":
        return field.get_text()
    if field.name == "select":
        selected = field.find("option", selected=True)
        return selected["value"] if selected else None
    return field.get("value")


def checked_radio(response, name):
    radio = soup(response).find("input", attrs={"name": name, "checked": True})
    return radio["value"] if radio else None


def links(response):
    return {text(a): a["href"] for a in soup(response).find_all("a")}
