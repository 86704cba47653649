"""One-click unsubscribe from alert emails: the headers mail programs use, a signed link that
works signed out, and a tampered link refused."""

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeSerializer

from app.extensions import db
from notifications.models import AlertSubscription
from tests.conftest import Browserless
from tests.notifications.alerting import follow, prefer, publish, supplier, world
from tests.pages import heading, soup, text
from tests.smtp import text_part

pytestmark = pytest.mark.usefixtures("at_now")  # opportunities published at NOW stay open


def _alert(smtp_app, smtp, run_jobs):
    admin, dps, lots, buyer_user, buyer = world()
    user, org = supplier("Test CIC", "pat@test.example")
    prefer(user, org)
    follow("pat@test.example", keywords="befriending")
    publish(buyer_user, buyer, lots[0])
    run_jobs()
    [msg] = smtp.to("pat@test.example")
    return msg, (buyer_user, buyer, lots, user, org)


def test_alert_emails_carry_one_click_unsubscribe_headers_and_links(smtp_app, smtp, run_jobs):
    msg, _ = _alert(smtp_app, smtp, run_jobs)
    link = msg["List-Unsubscribe"]
    assert link.startswith("<http://localhost/alerts/unsubscribe/") and link.endswith(">")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = text_part(msg)
    assert link.strip("<>") in body
    assert "http://localhost/alerts/manage/" in body  # change what you get


def test_the_link_unsubscribes_signed_out_and_nothing_more_is_sent(smtp_app, smtp, run_jobs):
    msg, (buyer_user, buyer, lots, user, org) = _alert(smtp_app, smtp, run_jobs)
    path = urlsplit(msg["List-Unsubscribe"].strip("<>")).path
    client = smtp_app.test_client()  # nobody signed in

    page = client.get(path)
    assert page.status_code == 200
    assert heading(page) == "Stop opportunity alerts"
    assert "pat@test.example" in text(soup(page).find("main"))
    # What a mail program does (RFC 8058): a POST with no session and no CSRF token.
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert heading(done) == "You have unsubscribed"
    db.session.expire_all()
    rows = db.session.execute(sa.select(AlertSubscription)).scalars().all()
    assert len(rows) == 2 and all(r.unsubscribed_at is not None for r in rows)
    assert client.post(path).status_code == 200  # again: still fine

    smtp.clear()
    publish(buyer_user, buyer, lots[0], title="Lunch clubs for older people in Leeds")
    run_jobs()
    assert smtp.messages == []


def test_a_tampered_link_is_refused(smtp_app, smtp, run_jobs):
    msg, _ = _alert(smtp_app, smtp, run_jobs)
    path = urlsplit(msg["List-Unsubscribe"].strip("<>")).path
    prefix, token = path.rsplit("/", 1)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    client = smtp_app.test_client()
    for response in (client.get(f"{prefix}/{forged}"), client.post(f"{prefix}/{forged}")):
        assert response.status_code == 404
        assert heading(response) == "This link does not work"
    # Someone else's address signed with another key does not work either.
    other = URLSafeSerializer("not-our-key", salt="alert-unsubscribe").dumps(
        {"e": "pat@test.example"}
    )
    assert client.post(f"{prefix}/{other}").status_code == 404
    db.session.expire_all()
    assert all(
        r.unsubscribed_at is None
        for r in db.session.execute(sa.select(AlertSubscription)).scalars()
    )


@pytest.mark.filterwarnings("error::sqlalchemy.exc.SAWarning")  # no lookup of an empty id
def test_the_manage_link_shows_followed_searches_and_stops_one_signed_out(
    smtp_app, smtp, run_jobs, forms
):
    msg, _ = _alert(smtp_app, smtp, run_jobs)
    manage = next(line for line in text_part(msg).splitlines() if "/alerts/manage/" in line)
    path = urlsplit(manage.strip()).path
    client = smtp_app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Keywords befriending" in text(soup(page).find("main"))
    for junk in ("", "abc", "0", "99999999"):  # no such alert: not found, and nothing looked up
        assert Browserless(client).post(path, {"subscription_id": junk}).status_code == 404
    stopped = Browserless(client).post(
        path,
        {
            "subscription_id": db.session.execute(
                sa.select(AlertSubscription.id).where(AlertSubscription.kind == "search")
            ).scalar_one()
        },
        follow_redirects=True,
    )
    assert "That alert is stopped" in text(soup(stopped))
    assert "You do not follow any searches" in text(soup(stopped))
    assert client.get(path[:-2] + "xx").status_code == 404
