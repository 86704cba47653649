"""A person with a browser, walking the site through the pages it shows: following links and
pressing buttons on the page in front of them, submitting every field a browser would send (the
hidden CSRF token, boxes already filled in, ticked boxes) with what they type on top.

It counts page loads: each page shown counts once, however many redirects it took to get there
(``loads``), and keeps the number of requests made, redirects included (``requests``)."""

import io

from werkzeug.datastructures import MultiDict

from tests.pages import soup as parsed
from tests.pages import text

TEXT_INPUTS = {"", "text", "email", "password", "tel", "number", "url", "search", "hidden"}


class Person:
    def __init__(self, client):
        self.client = client
        self.loads = 0
        self.requests = 0
        self.response = None
        self.path = None
        self.trail = []  # the path of each page shown, in order

    # --- What is on the page ----------------------------------------------------------------

    @property
    def soup(self):
        return parsed(self.response)

    @property
    def heading(self):
        page = self.soup
        heading = page.find("h1") or page.select_one("legend h1, .govuk-fieldset__heading")
        return text(heading)

    def has_button(self, label):
        return self._button(label, required=False) is not None

    def has_link(self, label, within=None):
        return self._link(label, within, required=False) is not None

    def _link(self, label, within=None, required=True):
        scope = self.soup.select_one(within) if within else self.soup
        found = None
        if scope is not None:
            found = next((a for a in scope.find_all("a", href=True) if text(a) == label), None)
        assert found is not None or not required, f"no link {label!r} on {self.path}"
        return found

    def _button(self, label, required=True):
        for button in self.soup.find_all(["button", "input"]):
            if button.name == "input" and button.get("type") != "submit":
                continue
            shown = button.get("value", "") if button.name == "input" else text(button)
            if shown == label:
                return button
        assert not required, f"no button {label!r} on {self.path}"
        return None

    # --- Moving about -----------------------------------------------------------------------

    def _shown(self, response):
        self.requests += 1 + len(response.history)
        assert response.status_code == 200, (response.status_code, response.request.path)
        self.loads += 1
        self.response = response
        self.path = response.request.path
        self.trail.append(self.path)
        return response

    def visit(self, url):
        """Type an address, or follow a link from an email."""
        return self._shown(self.client.get(url, follow_redirects=True))

    def click(self, label, within=None):
        return self.visit(self._link(label, within)["href"])

    def press(self, label, fill=None, files=None):
        """Press the button in its form, sending what a browser sends with what ``fill`` gives
        ({name: value or [values]}) in place of what the page had; ``files`` is
        {name: (content, filename)}."""
        button = self._button(label)
        form = button.find_parent("form")
        assert form is not None, f"the button {label!r} is not in a form on {self.path}"
        data = _form_values(form)
        for name, value in (fill or {}).items():
            data.setlist(name, value if isinstance(value, list) else [value])
        if button.get("name"):
            data.add(button["name"], button.get("value", ""))
        kwargs = {}
        if files:
            for name, (content, filename) in files.items():
                data.add(name, (io.BytesIO(content), filename))
            kwargs["content_type"] = "multipart/form-data"
        action = form.get("action") or self.path
        return self._shown(self.client.post(action, data=data, follow_redirects=True, **kwargs))


def _form_values(form):
    """What a browser sends for a form before anyone types: every named field's current value."""
    data = MultiDict()
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or field.has_attr("disabled"):
            continue
        if field.name == "textarea":
            data.add(name, field.get_text().lstrip("\n"))
        elif field.name == "select":
            option = field.find("option", selected=True) or field.find("option")
            data.add(name, option.get("value", text(option)) if option else "")
        else:
            kind = field.get("type", "").lower()
            if kind in ("checkbox", "radio"):
                if field.has_attr("checked"):
                    data.add(name, field.get("value", "on"))
            elif kind in TEXT_INPUTS:
                data.add(name, field.get("value", ""))
    return data
