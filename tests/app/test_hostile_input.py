"""Hostile input, sent to every form the app has (found by crawling the demo as each of its
accounts, checked against ``app.url_map``): a NUL byte in any field, a choice that was never
offered, a number far out of range. Nothing is a 500, on PostgreSQL."""

from collections import Counter

import pytest

from app.extensions import db
from tests.app.crawling import crawl_as_everyone, post_routes
from tests.pages import soup, text

NUL = "\x00"


@pytest.fixture
def crawled(app, seeded_demo):
    accounts = [account.email for account in seeded_demo["accounts"]]
    return crawl_as_everyone(app, accounts)


def send_each(app, crawler, changes_for, check=None):
    """Post (or GET) every form once per change ``changes_for(form)`` yields; returns the
    failures (5xx) and a count of the statuses seen."""
    failures, statuses = [], Counter()
    for form in crawler.distinct_forms():
        for changes in changes_for(form):
            try:
                response = crawler.post(form, form.values(changes))
            except Exception as exc:  # the test client raises what would be a 500
                failures.append((form.method, form.endpoint, changes, type(exc).__name__))
                app.logger.handlers.clear()
                db.session.rollback()
                continue
            statuses[response.status_code] += 1
            if check is not None and response.content_type.startswith("text/html"):
                check(form, changes, response)
            if response.status_code >= 500:
                failures.append((form.method, form.endpoint, changes, response.status_code))
    return failures, statuses


HUGE = "99999999999999"  # beyond any database integer


def looks_numeric(form, name):
    """A box meant for a whole number or an id: its name says so, or it holds digits."""
    value = next((f[2] for f in form.fields if f[0] == name), "")
    return name.endswith(("_id", "_hour", "weight", "limit", "quantity", "percent", "months")) or (
        value.isdigit()
    )


def with_nul(form):
    for name in form.text_fields():
        yield {name: f"Typed{NUL}text"}


def tampered(form):
    for name in form.choice_fields():
        for value in (HUGE, "not one of the options"):
            yield {name: value}
    for name in form.text_fields():
        if looks_numeric(form, name):
            for value in (HUGE, "-1"):
                yield {name: value}


def test_hostile_input_in_any_form_is_a_plain_message_never_a_500(app, crawled):
    """One crawl of the demo (the slow part) serves both kinds of hostile input: a NUL byte in
    every text field, then a tampered choice or number in every form. Each failure list is
    asserted at the end, so one kind failing does not hide the other."""
    nul_failures, statuses = send_each(app, crawled, with_nul)
    reached = {form.endpoint for form in crawled.forms if form.method == "POST"}
    print(
        f"\n{len(crawled.distinct_forms())} distinct forms ({len(crawled.forms)} by account) "
        f"on {crawled.pages} pages, "
        f"{len(reached)} of {len(post_routes(app))} POST routes; NUL statuses {dict(statuses)}"
    )
    assert sum(statuses.values()) > 100

    wtforms_messages = []

    def check(form, changes, response):
        words = text(soup(response).select_one(".govuk-error-summary"))
        if "Not a valid" in words or "Invalid" in words:
            wtforms_messages.append((form.endpoint, changes, words))

    failures, statuses = send_each(app, crawled, tampered, check)
    print(f"{sum(statuses.values())} tampered requests; statuses {dict(statuses)}")
    assert nul_failures == [], "A NUL byte gave a 500:\n" + "\n".join(map(str, nul_failures))
    assert failures == [], "A tampered value gave a 500:\n" + "\n".join(map(str, failures))
    assert wtforms_messages == [], "\n".join(map(str, wtforms_messages))
