"""The search page's pagination: the GOV.UK component rendered once per process for each pair of
links, with each page's own links put in (``lots.search.views._pagination``)."""

import pytest
from flask import render_template_string

from lots.search import views

COMPONENT = (
    '{% from "govuk_frontend_jinja/components/pagination/macro.html" import govukPagination %}'
    "{{ govukPagination(params) }}"
)


@pytest.mark.parametrize(
    ("previous", "next_"),
    [
        ("/opportunities?q=meals+%26+care&page=1", None),
        (None, '/opportunities?q="care"&page=3'),
        ("/opportunities?q=<b>&page=1", "/opportunities?q=<b>&page=3&region=TLE"),
    ],
)
def test_the_kept_component_is_the_component_with_the_pages_own_links(app, previous, next_):
    params = {
        name: {"href": href} for name, href in (("previous", previous), ("next", next_)) if href
    }
    with app.test_request_context():
        rendered = views._pagination(previous, next_)
        assert str(rendered) == render_template_string(COMPONENT, params=params)
        assert "\x00" not in str(rendered)
        # Asked again with other links: the same component, those links.
        other = views._pagination(previous and previous + "&x=1", next_ and next_ + "&x=1")
        assert str(other).count("x=1") == len(params)


def test_no_pagination_without_either_link(app):
    with app.test_request_context():
        assert views._pagination(None, None) == ""
