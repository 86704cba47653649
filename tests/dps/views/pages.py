"""Reading the supplier's DPS pages the way a person does, and posting them as a browser would."""
import io

from bs4 import BeautifulSoup

from dps.services.setup import definition_for


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(element):
    return " ".join(element.get_text(" ").split()) if element is not None else ""


def heading(response):
    return text(soup(response).find("h1"))


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
    return {text(item.select_one(".govuk-task-list__name-and-hint a, "
                                 ".govuk-task-list__name-and-hint div:not(.govuk-task-list__hint)")):
            text(item.select_one(".govuk-task-list__status"))
            for item in soup(response).select(".govuk-task-list__item")}


def task_links(response):
    return [a["href"] for a in soup(response).select(".govuk-task-list__link")]


def banner(response):
    return text(soup(response).select_one(".govuk-notification-banner"))


def table_rows(response, table_id):
    table = soup(response).find("table", id=table_id)
    if table is None:
        return []
    return [[text(cell) for cell in row.find_all(["td", "th"])] for row in table.select("tbody tr")]


def summary_rows(response, list_id):
    element = soup(response).find(id=list_id)
    if element is None:
        return {}
    return {text(row.select_one(".govuk-summary-list__key")):
            text(row.select_one(".govuk-summary-list__value"))
            for row in element.select(".govuk-summary-list__row")}


def input_value(response, name):
    field = soup(response).find(["input", "textarea"], attrs={"name": name})
    if field is None:
        return None
    if field.name == "textarea":
        return field.get_text().lstrip("\n")
    return field.get("value")


def checked(response, name):
    return [box["value"] for box in soup(response).find_all("input", attrs={"name": name})
            if box.has_attr("checked")]


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
