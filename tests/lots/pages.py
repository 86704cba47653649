"""Reading the lots pages the way a person does."""

from tests.pages import (
    banner,
    checked,
    error_links,
    heading,
    input_value,
    section,
    selected,
    soup,
    summary_rows,
    table_rows,
    text,
)

# Re-exported: the page tests read pages through this module.
__all__ = [
    "banner",
    "checked",
    "error_links",
    "heading",
    "input_value",
    "section",
    "selected",
    "soup",
    "summary_rows",
    "table_rows",
    "text",
    "error_summary",
    "task_list",
    "tags",
]


def error_summary(response):
    """[message] of the error summary, in order."""
    summary = soup(response).select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [text(a) for a in summary.select(".govuk-error-summary__list a")]


def task_list(response):
    """{section: status} as the task list shows them."""
    return {
        text(item.select_one(".govuk-task-list__name-and-hint")): text(
            item.select_one(".govuk-task-list__status")
        )
        for item in soup(response).select(".govuk-task-list__item")
    }


def tags(response, within=None):
    """The status tags in the page's content (not the phase banner's), or within an element."""
    root = soup(response)
    root = root.find(id=within) if within else root.find("main")
    return [text(tag) for tag in root.select(".govuk-tag")] if root else []
