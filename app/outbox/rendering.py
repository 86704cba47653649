"""Emails are Jinja templates: ``emails/<name>.txt`` sets ``subject`` and writes the plain text.

The HTML part is made from the same text (paragraphs, links), so there is one source per email.
"""

import re

from flask import current_app
from jinja2 import TemplateNotFound
from markupsafe import Markup, escape

_URL = re.compile(r"(https?://[^\s<>\"]+)")


class UnknownTemplate(ValueError):
    pass


def known_template(name):
    try:
        current_app.jinja_env.get_template(f"emails/{name}.txt")
    except TemplateNotFound as exc:
        raise UnknownTemplate(f"No email template called {name!r}") from exc


def render_email(name, personalisation):
    """Return (subject, text, html) for a template and its personalisation."""
    env = current_app.jinja_env
    template = env.get_template(f"emails/{name}.txt")
    context = {
        "service_name": current_app.config["SERVICE_NAME"],
        "base_url": current_app.config["BASE_URL"],
        **personalisation,
    }
    module = template.make_module(context)
    subject = str(getattr(module, "subject", "")).strip() or current_app.config["SERVICE_NAME"]
    text = re.sub(r"\n{3,}", "\n\n", str(module).strip()) + "\n"
    return subject, text, text_to_html(subject, text)


def text_to_html(subject, text):
    paragraphs = []
    for block in text.strip().split("\n\n"):
        lines = [
            _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', str(escape(line)))
            for line in block.split("\n")
        ]
        paragraphs.append(Markup("<p>" + "<br>".join(lines) + "</p>"))
    # Compiled once per app: compiling it for every email was a good part of sending's cost.
    template = current_app.extensions.get("vcse_email_html")
    if template is None:
        template = current_app.jinja_env.from_string(HTML)
        current_app.extensions["vcse_email_html"] = template
    return template.render(subject=subject, paragraphs=paragraphs)


HTML = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ subject }}'
    '</title></head><body style="font-family: Arial, sans-serif; font-size: 19px; '
    'line-height: 1.4; color: #0b0c0c; max-width: 580px;">{% for p in paragraphs %}{{ p }}'
    "{% endfor %}</body></html>"
)
