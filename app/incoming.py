"""What comes in from outside, cleaned once for every page, form and (coming) API: the characters
that no database column can hold never reach a view.

A NUL character (``\\x00``) cannot be stored in a PostgreSQL text column (SQLite stores it, so
``make run`` never shows the fault), and a lone UTF-16 surrogate (which a JSON body can spell as
``"\\ud800"``) cannot be encoded at all. Either one used to end as a 500 that lost the form.

They are **removed**, not refused, from every query parameter, form field (and uploaded file's
name) and JSON body, by the app's request class, before any view, form or service reads them:

- nobody types them: they arrive by pasting from a binary file or a PDF, or by tampering, and
  they are invisible on the page, so an error asking a person to "remove" one would ask for
  something they cannot see or find;
- removing them keeps everything else that was typed, on every path at once, including the views
  that read ``request.form`` or ``request.args`` without a WTForms form;
- nothing a person can see changes, so there is nothing to tell them (a password is cleaned the
  same way when it is set and when it is checked).

Characters that can be stored but mislead (right-to-left overrides, zero-width spaces) are a
different matter: names and titles refuse them with a message (``app.forms.plain_text``).

A route's own arguments (``<slug>``, ``<token>``) come from the path, not a field: a NUL there is
a URL that names nothing, so a 404.
"""

import re

from flask import Request as FlaskRequest
from flask import abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def clean_text(value):
    """``value`` without the characters no database can hold (anything else is left alone)."""
    return UNSTORABLE.sub("", value) if isinstance(value, str) else value


def clean_json(value):
    """A decoded JSON document with every string in it (keys too) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): clean_json(item) for key, item in value.items()}
    return value


def clean_multidict(values):
    if not any(UNSTORABLE.search(k) or UNSTORABLE.search(v) for k, v in _strings(values)):
        return values  # nearly always: nothing to copy
    return ImmutableMultiDict(
        [(clean_text(key), clean_text(value)) for key, value in values.items(multi=True)]
    )


def _strings(values):
    return ((k, v) for k, v in values.items(multi=True) if isinstance(v, str))


class Request(FlaskRequest):
    """Flask's request, with its query parameters, form fields, uploaded files' names and JSON
    body cleaned of the characters no database can hold."""

    @cached_property
    def args(self):
        return clean_multidict(super().args)

    def _load_form_data(self):
        super()._load_form_data()
        self.__dict__["form"] = clean_multidict(self.__dict__["form"])
        for _name, upload in self.__dict__["files"].items(multi=True):
            upload.filename = clean_text(upload.filename)

    def get_json(self, *args, **kwargs):
        return clean_json(super().get_json(*args, **kwargs))


def _refuse_unstorable_path():
    if any(UNSTORABLE.search(v) for v in (request.view_args or {}).values() if isinstance(v, str)):
        abort(404)


def init_app(app):
    app.request_class = Request
    app.before_request(_refuse_unstorable_path)
