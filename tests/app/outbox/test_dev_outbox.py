"""The development outbox at /dev/outbox: every email the service wrote, readable in a browser."""

from bs4 import BeautifulSoup

from app.extensions import db
from tests.notifications.helpers import outbox_rows, register


def _table_rows(html):
    soup = BeautifulSoup(html, "lxml")
    return [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["td", "th"])]
        for tr in soup.select("table tbody tr")
    ]


def test_the_outbox_lists_emails_in_development(app, make_app):
    register("ada@example.org", "Ada <b>Lovelace</b>")
    register("bob@example.org", "Bob")
    dev = make_app(DEV_OUTBOX=True)
    client = dev.test_client()

    response = client.get("/dev/outbox")

    assert response.status_code == 200
    rows = _table_rows(response.get_data(as_text=True))
    assert [row[1:] for row in rows] == [
        ["bob@example.org", "confirm_email", "Pending"],
        ["ada@example.org", "confirm_email", "Pending"],
    ]

    ada = outbox_rows()[0]
    page = client.get(f"/dev/outbox/{ada.id}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "lxml")
    assert soup.h1.get_text(strip=True) == "Confirm your email address"
    body = soup.find(id="email-body")
    assert "Hello Ada <b>Lovelace</b>," in body.get_text()
    assert body.find("b") is None  # personalisation is shown as text
    [link] = body.find_all("a")
    assert link["href"].startswith("http://localhost/confirm/")


def test_a_sent_email_shows_what_was_sent(app, make_app, run_jobs):
    register("ada@example.org", "Ada")
    run_jobs()  # the "outbox" mail backend: nothing leaves, the row records what would have
    [row] = outbox_rows()
    dev = make_app(DEV_OUTBOX=True)
    rows = _table_rows(dev.test_client().get("/dev/outbox").get_data(as_text=True))
    assert rows[0][1:] == ["ada@example.org", "Confirm your email address", "Sent"]
    db.session.expire_all()
    assert row.body_text.startswith("Hello Ada,")


def test_the_outbox_is_not_found_outside_development(app, make_app):
    register("ada@example.org")
    [row] = outbox_rows()
    client = make_app(DEV_OUTBOX=False).test_client()
    assert client.get("/dev/outbox").status_code == 404
    assert client.get(f"/dev/outbox/{row.id}").status_code == 404


def test_the_outbox_is_off_in_the_test_config(client):
    assert client.get("/dev/outbox").status_code == 404
