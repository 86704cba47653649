"""Reading the supplier's DPS pages the way a person does, and posting them as a browser would."""

import io

from dps.services.setup import definition_for
from tests.pages import (
    banner,
    checked,
    heading,
    input_value,
    soup,
    summary_rows,
    table_rows,
    text,
)

# Re-exported: the page tests read pages through this module.
__all__ = [
    "banner",
    "checked",
    "heading",
    "input_value",
    "soup",
    "summary_rows",
    "table_rows",
    "text",
    "error_summary",
    "field_error",
    "task_list",
    "task_links",
    "section_url",
    "blank_form",
    "post_section",
]


def error_summary(response):
    """[(message, href)] of the error summary."""
    summary = soup(response).select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [(text(a), a["href"]) for a in summary.select(".govuk-error-summary__list a")]


def field_error(response, question_id):
    """The message shown inside the question's own box."""
    box = soup(response).select_one(f"#question-{question_id}")
    message = box.select_one(".govuk-error-message") if box else None
    return text(message).removeprefix("Error: ").strip() if message else ""


def task_list(response):
    """{task name: status} as the task list shows them."""
    return {
        text(
            item.select_one(
                ".govuk-task-list__name-and-hint a, "
                ".govuk-task-list__name-and-hint div:not(.govuk-task-list__hint)"
            )
        ): text(item.select_one(".govuk-task-list__status"))
        for item in soup(response).select(".govuk-task-list__item")
    }


def task_links(response):
    return [a["href"] for a in soup(response).select(".govuk-task-list__link")]


def section_url(application, section_id):
    return f"/applications/{application.id}/sections/{section_id}"


def blank_form(application, section_id):
    """Every box of a section as a browser sends it when nothing is filled in."""
    definition = definition_for(application.questionnaire)
    data = {}
    for question in definition.section(section_id).questions:
        if question.type == "date":
            for part in ("day", "month", "year"):
                data[f"{question.id}-{part}"] = ""
        elif question.type in ("text", "number", "money"):
            data[question.id] = ""
    return data


def post_section(forms, application, section_id, answers, action="continue", files=None):
    """Post a section as a browser would: dates as three boxes, lists as repeated fields, files
    as multipart. ``answers`` is {question id: value}, filled on top of a blank form."""
    data = blank_form(application, section_id)
    for key, value in answers.items():
        if isinstance(value, tuple) and len(value) == 3:
            for part, part_value in zip(("day", "month", "year"), value):
                data[f"{key}-{part}"] = part_value
        else:
            data[key] = value
    for question_id, (content, filename) in (files or {}).items():
        data[f"{question_id}-file"] = (io.BytesIO(content), filename)
    data["action"] = action
    kwargs = {"content_type": "multipart/form-data"} if files else {}
    return forms.post(section_url(application, section_id), data, **kwargs)
