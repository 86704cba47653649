"""A supplier applies through the pages, as a person with a browser does: from the DPS page to
the confirmation, and afterwards follows its application, answers a question, renews its
declaration and leaves a lot. Other organisations cannot see or change any of it."""

import re

import pytest
import sqlalchemy as sa
import time_machine

from app.documents.models import Document
from app.extensions import db
from app.outbox.models import OutboxMessage
from dps.models import Application, ApplicationStatus, LotMembership, MembershipStatus
from dps.services import applying, deciding, renewals, standing
from tests.dps.helpers import (
    PDF,
    answered_application,
    make_supplier,
    sign_and_submit,
    upload,
)
from tests.dps.views.pages import error_summary, post_section, section_url, task_links, task_list
from tests.factories import make_organisation, make_user
from tests.pages import (
    banner,
    checked,
    heading,
    input_value,
    soup,
    summary_rows,
    table_rows,
    text,
)

SECTIONS = [
    "About your organisation",
    "Mandatory exclusion grounds",
    "Discretionary exclusion grounds",
    "Economic and financial standing",
    "Insurance",
    "Policies",
    "Real Living Wage",
    "VCSE status",
    "Supported employment and public service mutuals",
]


def pdf(name):
    return (PDF + name.encode(), name)


# What a person types and chooses on each page (files are uploaded from the page).
ANSWERS = [
    (
        "about",
        {
            "contact_name": "Rita Owner",
            "contact_role": "Chief executive",
            "contact_phone": "0113 496 0000",
            "years_operating": "over_3",
            "part_of_group": "yes",
            "parent_name": "Riverside Group",
        },
        {},
    ),
    ("mandatory_exclusions", {"convictions": ["none"], "tax_breach": "no"}, {}),
    ("discretionary_exclusions", {"discretionary_grounds": ["none"]}, {}),
    (
        "finance",
        {"annual_turnover": "250,000.50", "has_accounts": "yes", "accounts_document": "upload"},
        {"accounts_document": pdf("accounts-2025.pdf")},
    ),
    (
        "insurance",
        {
            "employers_liability": "held",
            "employers_liability_amount": "£5,000,000",
            "employers_liability_expiry": ("31", "3", "2027"),
            "public_liability": "will_obtain",
            "professional_indemnity": "not_applicable",
        },
        {"employers_liability_certificate": pdf("el-certificate.pdf")},
    ),
    (
        "policies",
        {
            "safeguarding_policy": "yes",
            "equality_policy": "no",
            "health_safety_policy": "under_5_staff",
            "data_protection_policy": "yes",
            "ico_number": "",
            "turnover_over_36m": "no",
        },
        {"safeguarding_document": pdf("safeguarding.pdf")},
    ),
    ("living_wage", {"real_living_wage": "accredited"}, {}),
    (
        "vcse_status",
        {"is_vcse": "yes", "vcse_protection": "charity"},
        {"governing_document": pdf("constitution.pdf")},
    ),
    ("reserved_lots", {"supported_employment": "no", "public_service_mutual": "no"}, {}),
]


def fresh(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


def start(forms):
    """Press the start button on the DPS page; returns the application."""
    response = forms.post("/dps/community-services/apply", form_url="/dps/community-services")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = re.fullmatch(r"/applications/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return db.session.get(Application, int(match.group(1)))


def test_a_supplier_applies_from_the_dps_page_to_the_confirmation(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    page = client.get("/dps/community-services")
    assert soup(page).find(id="start").name == "button"
    application = start(forms)
    visits = 3  # the DPS page, the task list and the first section

    tasks = client.get(f"/applications/{application.id}")
    assert heading(tasks) == "Apply to join Community Services DPS"
    assert task_list(tasks) == {
        **{title: "Not started" for title in SECTIONS},
        "Choose lots": "Not started",
        "Check answers and submit": "Cannot start yet",
    }
    assert text(soup(tasks).find(id="progress")) == "You have completed 0 of 10 sections."
    assert text(soup(tasks).find(id="status")) == "Application incomplete"
    assert len(task_links(tasks)) == 10  # check answers is not a link yet

    # From the task list to the first section; "Save and continue" then goes on to the next.
    page = client.get(section_url(application, ANSWERS[0][0]))
    for number, (section_id, answers, files) in enumerate(ANSWERS, 1):
        assert page.status_code == 200
        assert heading(page) == SECTIONS[number - 1]
        # The task list is one link away from every section.
        assert soup(page).find(id="task-list-link")["href"] == f"/applications/{application.id}"
        response = post_section(forms, application, section_id, answers, files=files)
        assert response.status_code == 302, (
            section_id,
            error_summary(client.post(section_url(application, section_id))),
        )
        following = (
            section_url(application, ANSWERS[number][0])
            if number < len(ANSWERS)
            else f"/applications/{application.id}/lots"
        )
        assert response.headers["Location"] == following
        page = client.get(following)
        visits += 1
        # The task list keeps count (looked at here, not on the way).
        tasks = client.get(f"/applications/{application.id}")
        statuses = task_list(tasks)
        assert [statuses[title] for title in SECTIONS] == (
            ["Completed"] * number + ["Not started"] * (9 - number)
        )
        assert text(soup(tasks).find(id="progress")) == (
            f"You have completed {number} of 10 sections."
        )
    assert task_list(tasks)["Check answers and submit"] == "Cannot start yet"

    uploaded = (
        db.session.execute(
            sa.select(Document)
            .where(Document.owner_organisation_id == org.id)
            .order_by(Document.id)
        )
        .scalars()
        .all()
    )
    assert [(d.original_filename, d.purpose.value) for d in uploaded] == [
        ("accounts-2025.pdf", "accounts"),
        ("el-certificate.pdf", "insurance_certificate"),
        ("safeguarding.pdf", "policy"),
        ("constitution.pdf", "selection_evidence"),
    ]
    answers = fresh(application).answers
    assert answers["annual_turnover"] == 25_000_050
    assert answers["employers_liability_amount"] == 500_000_000
    assert answers["employers_liability_expiry"] == "2027-03-31"
    assert answers["accounts_document"] == uploaded[0].id

    lots_page = page  # where the last section went
    assert heading(lots_page) == "Which lots do you want to apply for?"
    assert soup(lots_page).find(id="task-list-link")["href"] == f"/applications/{application.id}"
    response = forms.post(
        f"/applications/{application.id}/lots", {"lots": [str(lots[0].id), str(lots[1].id)]}
    )
    assert response.status_code == 302
    # Everything answered: on to checking the answers.
    assert response.headers["Location"] == f"/applications/{application.id}/check"
    tasks = client.get(f"/applications/{application.id}")
    assert task_list(tasks)["Choose lots"] == "Completed"
    assert task_list(tasks)["Check answers and submit"] == "Not started"
    assert text(soup(tasks).find(id="progress")) == "You have completed 10 of 10 sections."
    assert text(soup(tasks).find(id="status")) == "Application complete"

    check = client.get(f"/applications/{application.id}/check")
    visits += 1
    assert heading(check) == "Check your answers before submitting your application"
    assert error_summary(check) == []
    about = summary_rows(check, "answers-about")
    assert about["Contact name"] == "Rita Owner"
    assert about["Parent organisation"] == "Riverside Group"
    finance = summary_rows(check, "answers-finance")
    assert finance == {
        "Annual income": "£250,000.50",
        "Audited or examined accounts": "Yes",
        "Latest accounts": "accounts-2025.pdf",
    }
    insurance = summary_rows(check, "answers-insurance")
    assert insurance["Employer's liability cover"] == "£5,000,000"
    assert insurance["Employer's liability expiry"] == "31 March 2027"
    assert "Public liability cover" not in insurance  # hidden by ‘we will get it’
    changes = [
        a["href"] for a in soup(check).select("#answers-about .govuk-summary-list__actions a")
    ]
    assert changes[0] == f"{section_url(application, 'about')}#question-contact_name"
    assert summary_rows(check, "chosen-lots") == {
        "Lot 1: Befriending": "Up to £50,000",
        "Lot 2: Community meals (VCSE only)": "Up to £100,000 Reserved for VCSE organisations",
    }
    # The declaration is signed in the name of the person signed in, until they change it.
    assert input_value(check, "declaration_name") == "Rita Owner"
    assert input_value(check, "declaration_role") in (None, "")
    assert "I declare that" in text(soup(check).find(id="declaration"))

    response = forms.post(
        f"/applications/{application.id}/check",
        {"declaration_name": "Rita Owner", "declaration_role": "Chief executive", "confirm": "y"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/applications/{application.id}/submitted"
    done = client.get(response.headers["Location"])
    visits += 1
    application = fresh(application)
    assert application.status == ApplicationStatus.SUBMITTED
    panel = soup(done).select_one(".govuk-panel")
    assert text(panel.select_one(".govuk-panel__title")) == "Application submitted"
    assert text(soup(done).find(id="reference")) == f"APP-{application.id:06d}"
    assert text(soup(done).find(id="receipt")) == application.snapshot_sha256
    assert len(application.snapshot_sha256) == 64
    due = application.decision_due_on
    assert f"We will decide within 10 working days, by {due.day} {due:%B %Y}" in text(
        soup(done).find(id="decision-due")
    )
    emails = (
        db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.template == "application_received")
        )
        .scalars()
        .all()
    )
    assert [e.recipient for e in emails] == [user.email]
    assert emails[0].personalisation["sha256"] == application.snapshot_sha256

    # The default journey: the DPS page, the task list, each section in turn, the lots, check
    # answers, the confirmation (24 pages before issue 20, back to the task list after each).
    assert visits == 14

    # Sent: the section pages now lead to where the application has got to.
    response = client.get(section_url(application, "about"))
    assert response.headers["Location"] == f"/applications/{application.id}"


def test_save_and_come_back_later_keeps_partial_answers(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    application = start(forms)
    response = post_section(
        forms,
        application,
        "about",
        {"contact_name": "Rita Owner", "contact_phone": "0113 496 0000", "part_of_group": "yes"},
        action="later",
    )
    assert response.status_code == 302
    tasks = client.get(response.headers["Location"])
    assert "Some answers in ‘About your organisation’ need changing" in banner(tasks)
    assert task_list(tasks)["About your organisation"] == "In progress"

    client.get("/sign-out")
    auth.sign_out()
    auth.sign_in(user.email)
    page = client.get(section_url(application, "about"))
    assert input_value(page, "contact_name") == "Rita Owner"
    assert input_value(page, "contact_phone") == "0113 496 0000"
    assert input_value(page, "contact_role") == ""
    assert checked(page, "part_of_group") == ["yes"]
    assert checked(page, "years_operating") == []
    assert error_summary(page) == []


def test_save_and_continue_with_problems_stays_on_the_page(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    application = start(forms)
    response = post_section(
        forms, application, "about", {"contact_name": "Rita Owner", "years_operating": "over_3"}
    )
    assert response.status_code == 200
    assert soup(response).title.get_text().startswith("Error: ")
    assert error_summary(response) == [
        ("Enter contact role", "#contact_role"),
        ("Enter contact phone number", "#contact_phone"),
        ("Select an answer for part of a group", "#part_of_group"),
    ]
    assert input_value(response, "contact_name") == "Rita Owner"
    assert checked(response, "years_operating") == ["over_3"]
    # What was valid is already saved.
    assert fresh(application).answers == {"contact_name": "Rita Owner", "years_operating": "over_3"}


def test_reused_answers_are_noted_and_only_lots_are_left(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = answered_application(dps, [lots[0].id], user, org)
    with time_machine.travel("2026-12-07 10:00:00+00:00", tick=False):
        sign_and_submit(user, application)
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets every criterion")

    auth.sign_in(user.email)
    again = start(forms)
    assert again.id != application.id
    tasks = client.get(f"/applications/{again.id}")
    assert "from the application you sent on 7 December 2026" in text(soup(tasks).find(id="reused"))
    assert [task_list(tasks)[title] for title in SECTIONS] == ["Completed"] * 9
    assert task_list(tasks)["Choose lots"] == "Not started"
    assert text(soup(tasks).find(id="status")) == "Application incomplete"
    assert text(soup(tasks).find(id="progress")) == "You have completed 9 of 10 sections."
    page = client.get(f"/applications/{again.id}/lots")
    held = soup(page).find("input", attrs={"value": str(lots[0].id)})
    assert held.has_attr("disabled")
    assert "You already hold this lot or have applied for it." in text(
        held.find_parent(class_="govuk-checkboxes__item")
    )
    # With a lot chosen, the status agrees with the count.
    assert (
        forms.post(f"/applications/{again.id}/lots", {"lots": [str(lots[2].id)]}).status_code == 302
    )
    tasks = client.get(f"/applications/{again.id}")
    assert text(soup(tasks).find(id="progress")) == "You have completed 10 of 10 sections."
    assert text(soup(tasks).find(id="status")) == "Application complete"
    assert task_list(tasks)["Check answers and submit"] == "Not started"


def test_the_reserved_lot_is_explained_to_a_supplier_that_is_not_a_vcse(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    application = start(forms)
    post_section(forms, application, "vcse_status", {"is_vcse": "no"})
    page = client.get(f"/applications/{application.id}/lots")
    reserved = (
        soup(page)
        .find("input", attrs={"value": str(lots[1].id)})
        .find_parent(class_="govuk-checkboxes__item")
    )
    assert "Reserved for VCSE organisations" in text(reserved)
    assert text(reserved.select_one(".app-lot__eligibility")) == (
        "Lot 2: Community meals (VCSE only) is reserved for voluntary, community and social "
        "enterprise organisations. Answer ‘yes’ in the VCSE status section and upload your "
        "governing document to apply for it."
    )
    open_lot = (
        soup(page)
        .find("input", attrs={"value": str(lots[0].id)})
        .find_parent(class_="govuk-checkboxes__item")
    )
    assert open_lot.select_one(".app-lot__eligibility") is None

    forms.post(f"/applications/{application.id}/lots", {"lots": [str(lots[1].id)]})
    check = client.get(f"/applications/{application.id}/check")
    problems = error_summary(check)
    assert problems[0] == ("Complete the section ‘About your organisation’", "#section-about")
    assert problems[-1][1] == f"#lot-{lots[1].id}"
    assert "reserved for voluntary" in problems[-1][0]
    for _, href in problems:
        assert soup(check).find(id=href[1:]) is not None
    assert soup(check).find("input", attrs={"name": "confirm"}) is None


def test_choosing_two_lots_capped_at_one_per_provider_is_explained(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    application = start(forms)
    page = client.get(f"/applications/{application.id}/lots")
    assert soup(page).select(".app-cap-explanation") == []
    north = (
        soup(page)
        .find("input", attrs={"value": str(lots[2].id)})
        .find_parent(class_="govuk-checkboxes__item")
    )
    assert "A provider can hold at most 1 lot in the ‘Homecare patches’ group." in text(north)

    response = forms.post(
        f"/applications/{application.id}/lots", {"lots": [str(lots[2].id), str(lots[3].id)]}
    )
    assert response.status_code == 302
    page = client.get(f"/applications/{application.id}/lots")
    assert checked(page, "lots") == [str(lots[2].id), str(lots[3].id)]
    assert [text(e) for e in soup(page).select(".app-cap-explanation")] == [
        "You can be admitted to at most 1 lot in the ‘Homecare patches’ group. You can apply "
        "for more, and we will admit you to the one that fits your application best."
    ]
    check = client.get(f"/applications/{application.id}/check")
    assert len(soup(check).select(".app-cap-explanation")) == 1


def test_choosing_no_lots_is_an_error(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    application = start(forms)
    response = forms.post(f"/applications/{application.id}/lots", {})
    assert error_summary(response) == [("Select at least one lot", "#lots")]
    response = forms.post(f"/applications/{application.id}/lots", {"lots": ["x", "999999"]})
    assert error_summary(response) == [("Select lots from this DPS", "#lots")]


def test_the_declaration_needs_a_name_a_role_and_the_box_ticked(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = answered_application(dps, [lots[0].id], user, org)
    auth.sign_in(user.email)
    url = f"/applications/{application.id}/check"
    response = forms.post(url, {"declaration_name": "Rita Owner", "declaration_role": "CEO"})
    assert error_summary(response) == [
        ("Confirm the declaration to submit your application", "#confirm")
    ]
    assert input_value(response, "declaration_name") == "Rita Owner"
    response = forms.post(url, {"declaration_name": " ", "declaration_role": "CEO", "confirm": "y"})
    assert error_summary(response) == [("Enter your full name", "#declaration_name")]
    assert fresh(application).status == ApplicationStatus.DRAFT


def test_several_organisations_choose_which_applies(client, forms, auth, world):
    admin, dps, lots, user, org = world
    second = make_organisation(owner=user, name="Riverside Trading CIC")
    auth.sign_in(user.email)
    page = forms.post("/dps/community-services/apply", form_url="/dps/community-services")
    assert page.status_code == 200
    assert heading(page) == "Which organisation is applying?"
    assert error_summary(page) == []
    response = forms.post("/dps/community-services/apply", {"choosing": "1"})
    assert error_summary(response) == [
        ("Select the organisation that is applying", "#organisation_id")
    ]
    response = forms.post(
        "/dps/community-services/apply", {"choosing": "1", "organisation_id": str(second.id)}
    )
    assert response.status_code == 302
    application = db.session.execute(sa.select(Application)).scalar_one()
    assert application.organisation_id == second.id


def test_without_a_supplier_organisation_you_are_sent_to_add_one(client, auth, world):
    make_user("new@example.org")
    auth.sign_in("new@example.org")
    page = client.get("/dps/community-services/apply")
    assert heading(page) == "Add your organisation first"
    assert soup(page).select_one("a.govuk-button")["href"] == "/organisations/new"


def test_signed_out_people_are_sent_to_sign_in(client, world):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    for url in (
        "/dps/community-services/apply",
        f"/applications/{application.id}",
        section_url(application, "about"),
        f"/applications/{application.id}/lots",
        f"/applications/{application.id}/check",
        f"/organisations/{org.id}/lots",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/sign-in?next="), url
    page = client.get("/dps/community-services")
    assert soup(page).find(id="start")["href"] == "/dps/community-services/apply"


@pytest.fixture
def intruder(world):
    return make_supplier("intruder@example.org", "Intruder Ltd")


def test_another_supplier_cannot_see_or_change_an_application(client, forms, auth, world, intruder):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    applying.save_section(user, application, "about", {"contact_name": "Rita Owner"})
    auth.sign_in(intruder[0].email)
    base = f"/applications/{application.id}"
    for url in (
        base,
        section_url(application, "about"),
        f"{base}/lots",
        f"{base}/check",
        f"{base}/submitted",
        f"{base}/clarification",
        f"/organisations/{org.id}/lots",
    ):
        assert client.get(url).status_code == 404, url
    token_page = "/dps/community-services"
    assert (
        forms.post(
            section_url(application, "about"), {"contact_name": "Hijacked"}, form_url=token_page
        ).status_code
        == 404
    )
    assert (
        forms.post(f"{base}/lots", {"lots": [str(lots[0].id)]}, form_url=token_page).status_code
        == 404
    )
    assert (
        forms.post(
            f"{base}/check",
            {"declaration_name": "X", "declaration_role": "Y", "confirm": "y"},
            form_url=token_page,
        ).status_code
        == 404
    )
    application = fresh(application)
    assert application.answers == {"contact_name": "Rita Owner"}
    assert application.lots == []
    assert application.status == ApplicationStatus.DRAFT


def test_an_administrator_can_read_but_not_change_an_application(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = applying.start_application(user, org, dps)
    auth.sign_in(admin.email)
    page = client.get(f"/applications/{application.id}")
    assert page.status_code == 200
    assert task_links(page) == []
    assert "as an administrator" in text(soup(page).select_one(".govuk-inset-text"))
    assert client.get(section_url(application, "about")).status_code == 403
    assert client.get(f"/applications/{application.id}/check").status_code == 403


def _submitted(user, org, dps, lots, lot_ids, when="2026-12-07 10:00:00+00:00"):
    application = answered_application(dps, lot_ids, user, org)
    with time_machine.travel(when, tick=False):
        return sign_and_submit(user, application)


def test_the_status_page_shows_decisions_reasons_and_answers_a_question(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = _submitted(user, org, dps, lots, [lots[0].id, lots[1].id, lots[2].id])
    with time_machine.travel("2026-12-08 10:00:00+00:00", tick=False):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Meets every criterion")
        deciding.decide_lot(
            admin, application, lots[1].id, "rejected", "Your governing document has no asset lock"
        )
        deciding.ask_clarification(admin, application, "Which <b>boroughs</b> do you cover?")

    url = f"/applications/{application.id}"
    # Signed in on the day: a session lasts 8 hours.
    traveller = time_machine.travel("2026-12-09 10:00:00+00:00", tick=False)
    clock = traveller.start()
    auth.sign_in(user.email)
    page = client.get(url)
    facts = summary_rows(page, "application-facts")
    assert facts["Status"] == "We have asked you a question"
    assert facts["Receipt (SHA-256)"] == application.snapshot_sha256
    assert facts["Decision due"].startswith("21 December 2026")
    assert (
        "The clock is stopped while we wait for your answer. 9 working days left"
        in (facts["Decision due"])
    )
    assert table_rows(page, "lots") == [
        ["Lot 1: Befriending", "Admitted", "Meets every criterion"],
        [
            "Lot 2: Community meals (VCSE only)",
            "Not admitted",
            "Your governing document has no asset lock",
        ],
        ["Lot 3: Homecare: north patch", "Waiting", "We have not decided yet"],
    ]
    clarification = soup(page).select_one(".app-clarification")
    assert "Which <b>boroughs</b> do you cover?" in text(clarification)
    assert clarification.find("b") is None

    answer_url = f"{url}/clarification"
    response = forms.post(answer_url, {"answer": "  "})
    assert error_summary(response) == [("Enter your answer", "#answer")]
    clock.move_to("2026-12-09 15:00:00+00:00")
    response = forms.post(answer_url, {"answer": "Leeds and Bradford."})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Your answer has been sent" in banner(page)
    assert "You answered on 9 December 2026" in text(soup(page).select_one(".app-clarification"))
    assert "Leeds and Bradford." in text(soup(page).select_one(".app-clarification"))
    assert summary_rows(page, "application-facts")["Status"] == "Waiting for a decision"
    assert fresh(application).status == ApplicationStatus.SUBMITTED
    assert client.get(answer_url).status_code == 302  # nothing left to answer
    traveller.stop()


def test_lots_held_renewal_and_leaving_a_lot(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = _submitted(user, org, dps, lots, [lots[0].id, lots[2].id])
    with time_machine.travel("2026-12-08 10:00:00+00:00", tick=False):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        deciding.decide_lot(admin, application, lots[2].id, "admitted", "Good local presence")
        standing.suspend_supplier(admin, org, dps, "Your insurance certificate has expired")
        standing.reinstate_supplier(admin, org, dps, "New certificate received")
        renewal = renewals.request_renewal(admin, org, dps)
    membership = db.session.execute(
        sa.select(LotMembership).where(LotMembership.lot_id == lots[0].id)
    ).scalar_one()

    auth.sign_in(user.email)
    organisation_page = client.get(f"/organisations/{org.id}")
    assert (
        soup(organisation_page).find(id="dps-lots-link")["href"] == f"/organisations/{org.id}/lots"
    )
    page = client.get(f"/organisations/{org.id}/lots")
    rows = table_rows(page, "lot-memberships")
    assert [row[1:3] for row in rows] == [
        ["Lot 1: Befriending", "Admitted"],
        ["Lot 3: Homecare: north patch", "Admitted"],
    ]
    assert table_rows(page, "applications")[0][0] == f"APP-{application.id:06d}"
    assert table_rows(page, "applications")[0][-1] == "Decided"

    renew_url = f"/renewals/{renewal.id}"
    page = client.get(renew_url)
    assert heading(page) == "Renew your self-declaration for Community Services DPS"
    assert summary_rows(page, "answers-about")["Contact name"] == "Rita Owner"
    response = forms.post(renew_url, {})
    assert error_summary(response) == [("Confirm that your answers are still correct", "#confirm")]
    response = forms.post(renew_url, {"confirm": "y"})
    assert response.status_code == 302
    assert "has been renewed" in banner(client.get(response.headers["Location"]))
    assert fresh(renewal).completed_at is not None
    closed = client.get(renew_url)
    assert "You renewed this self-declaration" in text(soup(closed).find(id="renewal-closed"))
    assert soup(closed).find("input", attrs={"name": "confirm"}) is None

    leave_url = f"/organisations/{org.id}/lots/{membership.id}/leave"
    page = client.get(f"/organisations/{org.id}/lots")
    assert soup(page).find("a", href=leave_url) is not None
    confirm = client.get(leave_url)
    assert heading(confirm) == "Are you sure you want to leave Lot 1: Befriending?"
    response = forms.post(leave_url)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "has left Lot 1: Befriending" in banner(page)
    assert [row[1:3] for row in table_rows(page, "lot-memberships")] == [
        ["Lot 1: Befriending", "Left"],
        ["Lot 3: Homecare: north patch", "Admitted"],
    ]
    assert soup(page).find("a", href=leave_url) is None
    assert fresh(membership).status == MembershipStatus.LEFT


def test_a_suspension_shows_its_reason(client, auth, world):
    admin, dps, lots, user, org = world
    application = _submitted(user, org, dps, lots, [lots[0].id])
    with time_machine.travel("2026-12-08 10:00:00+00:00", tick=False):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        standing.suspend_supplier(admin, org, dps, "Your insurance certificate has expired")
    auth.sign_in(user.email)
    rows = table_rows(client.get(f"/organisations/{org.id}/lots"), "lot-memberships")
    assert rows[0][2] == "Suspended Your insurance certificate has expired"


def test_others_cannot_renew_or_leave_for_an_organisation(client, forms, auth, world, intruder):
    admin, dps, lots, user, org = world
    application = _submitted(user, org, dps, lots, [lots[0].id])
    with time_machine.travel("2026-12-08 10:00:00+00:00", tick=False):
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        renewal = renewals.request_renewal(admin, org, dps)
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    auth.sign_in(intruder[0].email)
    assert client.get(f"/renewals/{renewal.id}").status_code == 404
    assert client.get(f"/organisations/{org.id}/lots/{membership.id}/leave").status_code == 404
    assert (
        forms.post(
            f"/organisations/{org.id}/lots/{membership.id}/leave",
            form_url="/dps/community-services",
        ).status_code
        == 404
    )
    assert fresh(membership).status == MembershipStatus.ADMITTED


def test_an_upload_used_in_one_section_can_be_chosen_in_another(client, forms, auth, world):
    admin, dps, lots, user, org = world
    document = upload(user, org, "policy", "all-policies.pdf")
    auth.sign_in(user.email)
    application = start(forms)
    page = client.get(section_url(application, "policies"))
    radio = soup(page).find(
        "input", attrs={"name": "safeguarding_document", "value": str(document.id)}
    )
    label = text(radio.find_parent(class_="govuk-radios__item"))
    assert "all-policies.pdf" in label and "Policy, uploaded" in label
    response = post_section(
        forms,
        application,
        "policies",
        {
            "safeguarding_policy": "yes",
            "safeguarding_document": str(document.id),
            "equality_policy": "yes",
            "equality_document": str(document.id),
            "health_safety_policy": "no",
            "data_protection_policy": "yes",
            "turnover_over_36m": "no",
        },
    )
    assert response.status_code == 302
    answers = fresh(application).answers
    assert answers["safeguarding_document"] == answers["equality_document"] == document.id


def test_an_unknown_section_is_not_found(client, forms, auth, world):
    admin, dps, lots, user, org = world
    auth.sign_in(user.email)
    application = start(forms)
    assert client.get(section_url(application, "nothing-here")).status_code == 404
    assert client.get("/applications/999999").status_code == 404


def test_pressing_submit_twice_shows_the_application(client, forms, auth, world):
    admin, dps, lots, user, org = world
    application = answered_application(dps, [lots[0].id], user, org)
    auth.sign_in(user.email)
    url = f"/applications/{application.id}/check"
    token_page = "/dps/community-services"
    declaration = {
        "declaration_name": "Rita Owner",
        "declaration_role": "Chief executive",
        "confirm": "y",
    }
    first = forms.post(url, declaration, form_url=token_page)
    assert first.headers["Location"] == f"/applications/{application.id}/submitted"
    second = forms.post(url, declaration, form_url=token_page)
    assert second.headers["Location"] == f"/applications/{application.id}"
    assert (
        len(
            db.session.execute(
                sa.select(OutboxMessage).where(OutboxMessage.template == "application_received")
            )
            .scalars()
            .all()
        )
        == 1
    )
