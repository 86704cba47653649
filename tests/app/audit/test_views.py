"""The audit log page: administrators read and filter it; nobody else may."""

from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.unitofwork import commit
from tests.factories import make_user


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def table(soup):
    """The table body as the rows a person reads: [when, what, who, organisation, subject, hash]."""
    return [
        [cell.get_text(" ", strip=True) for cell in tr.find_all(["th", "td"])]
        for tr in soup.select("table.govuk-table tbody tr")
    ]


def result_count(soup):
    return soup.find(id="result-count").get_text(strip=True)


def next_link(soup):
    link = soup.select_one(".govuk-pagination__next a")
    return link["href"] if link else None


def previous_link(soup):
    link = soup.select_one(".govuk-pagination__prev a")
    return link["href"] if link else None


def signed_in_admin(auth):
    make_user("admin@example.org", name="Ada Admin", admin=True)
    response = auth.sign_in("admin@example.org")
    assert response.status_code == 302
    return "admin@example.org"


def test_an_admin_sees_the_events_newest_first(client, auth):
    bob = make_user("bob@example.org", name="Bob")
    record(E.REGISTER_ACCOUNT, subject=bob, actor=bob)
    commit()
    record(E.CONFIRM_EMAIL, subject=bob, actor=bob)
    commit()
    signed_in_admin(auth)  # signing in is itself audited

    soup = page(client, "/admin/audit")

    assert soup.h1.get_text(strip=True) == "Audit log"
    rows = table(soup)
    assert [row[1:3] for row in rows] == [
        ["Sign in", "admin@example.org"],
        ["Confirm email", "bob@example.org"],
        ["Register account", "bob@example.org"],
    ]
    assert rows[2][4] == f"users {bob.id}"
    assert result_count(soup) == "3 events"
    # The hash is shown as code, not as escaped markup.
    hashes = soup.select("table.govuk-table tbody tr code")
    assert len(hashes) == 3 and all(len(code.get_text()) == 12 for code in hashes)


def test_filtering_by_event_type_narrows_the_table(client, auth):
    bob = make_user("bob@example.org", name="Bob")
    record(E.REGISTER_ACCOUNT, subject=bob, actor=bob)
    record(E.SIGN_IN, subject=bob, actor=bob)
    commit()
    signed_in_admin(auth)

    soup = page(client, "/admin/audit?event_type=sign_in")
    assert [row[1:3] for row in table(soup)] == [
        ["Sign in", "admin@example.org"],
        ["Sign in", "bob@example.org"],
    ]
    assert result_count(soup) == "2 events"
    assert soup.find("select", id="event_type").find("option", selected=True)["value"] == "sign_in"

    soup = page(client, "/admin/audit?event_type=register_account")
    assert [row[1:3] for row in table(soup)] == [["Register account", "bob@example.org"]]
    assert result_count(soup) == "1 event"


def test_an_unknown_event_type_is_ignored(client, auth):
    signed_in_admin(auth)
    soup = page(client, "/admin/audit?event_type=drop_tables")
    assert len(table(soup)) == 1


def test_filtering_by_actor_email_narrows_the_table(client, auth):
    bob = make_user("bob@example.org", name="Bob")
    cy = make_user("cy@example.org", name="Cy")
    for user in (bob, cy, bob):
        record(E.SIGN_IN, subject=user, actor=user)
        commit()
    signed_in_admin(auth)

    soup = page(client, "/admin/audit?actor_email=+BOB@example.org+")
    rows = table(soup)
    assert [row[2] for row in rows] == ["bob@example.org", "bob@example.org"]
    assert soup.find("input", id="actor_email")["value"] == "BOB@example.org"

    soup = page(client, "/admin/audit?actor_email=cy@example.org&event_type=sign_in")
    assert [row[2] for row in table(soup)] == ["cy@example.org"]

    soup = page(client, "/admin/audit?actor_email=nobody@example.org")
    assert table(soup) == []
    assert result_count(soup) == "0 events"


def test_pagination_goes_past_50_events_and_keeps_the_filter(client, auth):
    bob = make_user("bob@example.org", name="Bob")
    for i in range(60):
        record(E.SIGN_IN, subject=bob, actor=bob, detail={"i": i})
    commit()
    record(E.SIGN_OUT, subject=bob, actor=bob)
    commit()
    signed_in_admin(auth)  # 62 events in all, 61 of them sign-ins

    soup = page(client, "/admin/audit?event_type=sign_in")
    assert result_count(soup) == "61 events"
    first = table(soup)
    assert len(first) == 50
    assert previous_link(soup) is None
    href = next_link(soup)
    assert parse_qs(urlsplit(href).query) == {"event_type": ["sign_in"], "page": ["2"]}

    soup = page(client, href)
    second = table(soup)
    assert len(second) == 11
    assert next_link(soup) is None
    assert parse_qs(urlsplit(previous_link(soup)).query)["page"] == ["1"]
    assert {row[1] for row in second} == {"Sign in"}
    # No event on both pages, none missed: 61 different hashes.
    assert len({row[5] for row in first + second}) == 61

    assert table(page(client, "/admin/audit?page=9")) == []
    assert len(table(page(client, "/admin/audit?page=nonsense"))) == 50


def test_a_signed_in_person_who_is_not_an_admin_is_refused(client, auth):
    make_user("bob@example.org", name="Bob")
    auth.sign_in("bob@example.org")
    response = client.get("/admin/audit")
    assert response.status_code == 403


def test_a_signed_out_person_is_sent_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/sign-in"
