"""The operator's debarment pages and the exclusion decision on the review page, as an
administrator uses them: a bad list is refused line by line in the error summary, a possible match
is reviewed with reasons, and a declared mandatory ground is decided before admission."""

import io

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from dps.models import DebarmentEntry, ExclusionDecision, MatchStatus
from dps.services import applying, debarment
from tests.app.accounts.helpers import fresh_client
from tests.dps.helpers import complete_answers, make_admin, make_dps, make_supplier
from tests.dps.views.reading import banner, error_summary, heading, nav, page, soup, summary_list

ADMIN = "ada@operator.example"
MONDAY = "2026-12-07 10:00:00+00:00"
HEADER = "supplier_name,company_number,charity_number,grounds,from_date,to_date\n"


def _csv(*rows):
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


@pytest.fixture
def client(app):
    return fresh_client(app)


@pytest.fixture
def admin(app):
    return make_admin(ADMIN)


@pytest.fixture
def signed_in(auth, admin):
    with time_machine.travel(MONDAY, tick=False):
        assert auth.sign_in(ADMIN).status_code == 302
        yield


def _upload(forms, data, filename="list.csv"):
    return forms.post(
        "/admin/debarment",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_a_bad_list_is_refused_line_by_line_in_the_error_summary(forms, signed_in):
    response = _upload(
        forms,
        _csv(
            "Good Ltd,01234567,,Fraud,2026-01-01,",
            "No Grounds Ltd,,,,2026-01-01,",
            "Bad Date Ltd,,,Fraud,next tuesday,",
        ),
    )
    assert response.status_code == 200
    html = soup(response)
    assert html.title.get_text().startswith("Error:")
    assert error_summary(html) == [
        ("Line 3: enter the grounds for debarment", "#file"),
        (
            "Line 4: from date ‘next tuesday’ must be a real date, like 2026-03-01 or 01/03/2026",
            "#file",
        ),
    ]
    assert db.session.execute(sa.select(sa.func.count()).select_from(DebarmentEntry)).scalar() == 0


def test_no_file_is_asked_for_again(forms, signed_in):
    response = forms.post("/admin/debarment", {}, content_type="multipart/form-data")
    assert error_summary(soup(response)) == [("Select a file to upload", "#file")]


def test_a_good_list_loads_and_a_possible_match_is_reviewed(client, forms, signed_in, admin):
    dps, lots = make_dps(admin)
    user, org = make_supplier()  # Riverside Community Care
    application = applying.start_application(user, org, dps)
    for section_id, raw in complete_answers(user, org).items():
        applying.save_section(user, application, section_id, raw)
    applying.choose_lots(user, application, [lots[0].id])
    applying.submit_application(
        user, application, declaration_name="R", declaration_role="CEO", confirmed=True
    )
    response = _upload(forms, _csv("Riverside Community Care Limited,,,Bribery,2026-01-01,"))
    assert response.status_code == 302
    listing = page(client, "/admin/debarment")
    assert "Administration" in nav(listing)
    assert "1 possible match to review" in banner(listing)
    assert summary_list(listing, "list-summary")["Loaded from"] == "list.csv"
    [match] = debarment.waiting_matches()
    assert summary_list(listing, f"match-{match.id}")["On the list as"] == (
        "Riverside Community Care Limited"
    )
    # The application's review page says why it cannot be admitted yet.
    review = page(client, f"/admin/applications/{application.id}")
    assert "matches the debarment list" in review.find(id="debarment-flag").get_text()

    url = f"/admin/debarment/matches/{match.id}"
    assert heading(page(client, url)) == "Is Riverside Community Care on the debarment list?"
    refused = forms.post(url, {"decision": "dismiss", "reason": ""})
    assert error_summary(soup(refused)) == [("Enter the reasons for your decision", "#reason")]
    done = forms.post(url, {"decision": "dismiss", "reason": "Different address, in Hull"})
    assert done.status_code == 302
    db.session.expire_all()
    assert debarment.match(match.id).status == MatchStatus.DISMISSED


def test_the_operator_records_an_exclusion_decision_on_the_review_page(
    client, forms, signed_in, admin
):
    dps, lots = make_dps(admin)
    user, org = make_supplier()
    application = applying.start_application(user, org, dps)
    answers = complete_answers(user, org)
    answers["mandatory_exclusions"] = {
        "convictions": ["corruption"],
        "tax_breach": "no",
        "mandatory_self_cleaning": "The manager involved was dismissed and reported.",
    }
    for section_id, raw in answers.items():
        assert applying.save_section(user, application, section_id, raw) == {}
    applying.choose_lots(user, application, [lots[0].id])
    applying.submit_application(
        user, application, declaration_name="R", declaration_role="CEO", confirmed=True
    )
    url = f"/admin/applications/{application.id}"
    review = page(client, url)
    assert "Mandatory exclusion ground" in review.find(id="exclusion-flag").get_text()
    assert "Corruption or bribery" in review.find(id="exclusion-grounds").get_text()

    # Admitting first is refused with the reason.
    refused = forms.post(
        f"{url}/lots/{lots[0].id}/decision",
        {f"lot-{lots[0].id}-decision": "admitted", f"lot-{lots[0].id}-reason": "Fine"},
        form_url=url,
    )
    [(message, _href)] = error_summary(soup(refused))
    assert "mandatory exclusion ground" in message

    missing = forms.post(f"{url}/exclusion", {"exclusion-reasons": "x"}, form_url=url)
    assert error_summary(soup(missing)) == [
        ("Select excluded, or not excluded because of self-cleaning", "#exclusion-outcome")
    ]
    done = forms.post(
        f"{url}/exclusion",
        {
            "exclusion-outcome": "not_excluded_self_cleaning",
            "exclusion-reasons": "Dismissed and reported to the police; new gifts policy.",
        },
        form_url=url,
    )
    assert done.status_code == 302
    review = page(client, url)
    assert summary_list(review, "exclusion-decision")["Your decision"] == (
        "Not excluded because of self-cleaning"
    )
    assert review.find(id="exclusion-flag") is None
    assert db.session.execute(sa.select(sa.func.count()).select_from(ExclusionDecision)).scalar()


def test_only_the_operator_sees_the_debarment_pages(client, auth, app):
    user, org = make_supplier()
    assert auth.sign_in(user.email).status_code == 302
    assert client.get("/admin/debarment").status_code == 403
