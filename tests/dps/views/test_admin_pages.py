"""The operator's pages, as an administrator uses them: set up a DPS, work the queue, review and
decide applications, manage a supplier's standing. Nobody else gets in."""

from contextlib import contextmanager
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.extensions import db
from app.organisations.models import SupplierType
from app.outbox.models import OutboxMessage
from dps.models import (
    ApplicationStatus,
    Dps,
    Lot,
    LotDecision,
    LotMembership,
    MembershipStatus,
    RenewalRequest,
    SupplierExclusion,
)
from dps.services import applying, debarment, deciding
from tests.app.accounts.helpers import fresh_client
from tests.dps.helpers import make_admin, make_dps, make_supplier, submitted_application
from tests.dps.views.reading import (
    banner,
    checked,
    error_summary,
    errors,
    field_value,
    heading,
    nav,
    page,
    soup,
    summary_list,
    table_rows,
    text,
)

ADMIN = "ada@operator.example"
# Monday 7 December 2026, 10:00 in London.
MONDAY = "2026-12-07 10:00:00+00:00"


@pytest.fixture
def client(app):
    return fresh_client(app)


@pytest.fixture
def admin(app):
    return make_admin(ADMIN)


@pytest.fixture
def world(admin):
    dps, lots = make_dps(admin)
    return dps, lots


@pytest.fixture
def signed_in(auth, admin):
    assert auth.sign_in(ADMIN).status_code == 302


@pytest.fixture
def at(auth, admin):
    """Travel to a moment and sign in there as the administrator: a session lasts 8 hours, and
    a session cookie from the future is refused, so each jump in time signs in again."""

    @contextmanager
    def _at(when):
        with time_machine.travel(when, tick=False):
            assert auth.sign_in(ADMIN).status_code == 302
            yield

    return _at


def fresh(obj):
    """The row as the pages left it (they work in sessions of their own)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def events(kind):
    db.session.expire_all()
    return (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.event_type == kind))
        .scalars()
        .all()
    )


def emails(template):
    return (
        db.session.execute(sa.select(OutboxMessage).where(OutboxMessage.template == template))
        .scalars()
        .all()
    )


def supplier(n, supplier_type=SupplierType.CIO):
    user, org = make_supplier(f"owner{n}@supplier{n}.example", f"Supplier {n} Community Trust")
    if supplier_type != SupplierType.CIO:
        org.supplier_type = supplier_type
        org.charity_number = None
        org.company_number = "12345678"
        db.session.commit()
    return user, org


# --- Setting up a DPS and its lots --------------------------------------------------------------

DPS_FORM = {
    "name": "Leeds Community Services DPS",
    "slug": "leeds-community-services",
    "summary": "Community services bought from local VCSEs",
    "description": "Befriending, meals and homecare across Leeds.",
    "who_may_join": "Any organisation that meets the selection criteria.",
    "regime": "procurement_act_2023",
    "starts_on": ["1", "1", "2027"],
    "ends_on": ["31", "12", "2031"],
    "admission_days": "10",
    "calendar": "england-and-wales",
    "winner_fee_percent": "1.5",
}


def test_an_administrator_creates_a_dps_and_adds_lots(client, forms, signed_in):
    new = page(client, "/admin/dps/new")
    assert heading(new) == "Create a DPS"
    assert new.find("form")["novalidate"] is not None
    # The defaults a person sees: the 2023 Act, 10 working days, England and Wales.
    assert checked(new, "regime") == "procurement_act_2023"
    assert checked(new, "calendar") == "england-and-wales"
    assert field_value(new, "admission_days") == "10"
    labels = [text(label) for label in new.select(".govuk-radios__label")]
    assert "Procurement Act 2023 (dynamic market)" in labels
    assert {"England and Wales", "Scotland", "Northern Ireland"} <= set(labels)

    response = forms.post("/admin/dps/new", DPS_FORM)
    assert response.status_code == 302
    dps = db.session.execute(
        sa.select(Dps).where(Dps.slug == "leeds-community-services")
    ).scalar_one()
    assert urlsplit(response.headers["Location"]).path == f"/admin/dps/{dps.id}"
    assert (dps.starts_on, dps.ends_on, dps.admission_days) == (
        date(2027, 1, 1),
        date(2031, 12, 31),
        10,
    )
    assert str(dps.winner_fee_percent) == "1.50"
    overview = page(client, f"/admin/dps/{dps.id}")
    assert "has been created" in banner(overview)
    assert heading(overview) == "Leeds Community Services DPS"
    assert "This DPS has no lots yet" in text(overview)
    assert (
        summary_list(overview, "dps-details")["Fee charged to winners"] == "1.5% of contract value"
    )

    lot_page = page(client, f"/admin/dps/{dps.id}/lots/new")
    assert field_value(lot_page, "number") == "1"
    response = forms.post(
        f"/admin/dps/{dps.id}/lots/new",
        {
            "number": "1",
            "title": "Homecare: north patch",
            "description": "Homecare in the north",
            "min_value": "£5,000",
            "max_value": "250000.50",
            "category": "services",
            "light_touch": "y",
            "reserved_for": "vcse",
            "cap_group": "Homecare patches",
            "cap_per_provider": "1",
        },
    )
    assert response.status_code == 302
    lot = db.session.execute(sa.select(Lot).where(Lot.dps_id == dps.id)).scalar_one()
    assert (lot.min_value_pence, lot.max_value_pence) == (500_000, 25_000_050)
    assert (lot.category.value, lot.light_touch, lot.reservation_basis.value) == (
        "services",
        True,
        "below_threshold_vcse",
    )
    assert (lot.reserved_for.value, lot.cap_group, lot.cap_per_provider) == (
        "vcse",
        "Homecare patches",
        1,
    )
    rows = table_rows(page(client, f"/admin/dps/{dps.id}"), "lots")
    assert rows == [
        [
            "1",
            "Homecare: north patch",
            "Reserved for VCSE organisations",
            "£5,000 to £250,000.50",
            "Homecare patches: at most 1 per provider",
            "0",
        ]
    ]
    assert ["Leeds Community Services DPS"] == [
        row[0] for row in table_rows(page(client, "/admin/dps"), "dps-list")
    ]
    assert {"create_dps", "create_lot"} <= {
        e.event_type for e in db.session.execute(sa.select(AuditEvent)).scalars()
    }


def test_dps_form_errors_are_summarised_and_nothing_typed_is_lost(client, forms, signed_in):
    response = forms.post(
        "/admin/dps/new",
        {
            **DPS_FORM,
            "name": "",
            "starts_on": ["31", "2", ""],
            "admission_days": "ten",
            "winner_fee_percent": "lots",
        },
    )
    assert response.status_code == 200
    html = soup(response)
    assert html.title.get_text().startswith("Error:")
    assert errors(html) == [
        "Enter the name of the DPS",
        "Start date must include a year",
        "Enter the time limit as a whole number of working days, like 10",
        "Enter the fee as a percentage, like 1.5",
    ]
    assert ("Enter the name of the DPS", "#name") in error_summary(html)
    assert field_value(html, "summary") == DPS_FORM["summary"]
    assert field_value(html, "admission_days") == "ten"
    assert field_value(html, "winner_fee_percent") == "lots"
    assert [i.get("value") for i in html.select("input[name=starts_on]")] == ["31", "2", ""]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Dps)).scalar_one() == 0


def test_the_services_rules_come_back_against_their_fields(client, forms, signed_in):
    # Under PCR 2015 no fee may be charged; that is the service's rule, shown on the form.
    response = forms.post("/admin/dps/new", {**DPS_FORM, "regime": "pcr_2015"})
    html = soup(response)
    assert error_summary(html) == [
        (
            "A DPS under the Public Contracts Regulations 2015 cannot charge suppliers a fee",
            "#winner_fee_percent",
        )
    ]
    assert checked(html, "regime") == "pcr_2015"
    response = forms.post("/admin/dps/new", {**DPS_FORM, "ends_on": ["1", "1", "2026"]})
    assert errors(soup(response)) == ["End date must be after the start date"]


def test_a_lot_whose_values_are_the_wrong_way_round_is_refused(client, forms, signed_in, world):
    dps, lots = world
    response = forms.post(
        f"/admin/dps/{dps.id}/lots/new",
        {
            "number": "9",
            "title": "Gardening",
            "description": "Gardens",
            "min_value": "5000",
            "max_value": "100",
            "reserved_for": "none",
        },
    )
    html = soup(response)
    assert error_summary(html) == [
        ("The maximum value must be at least the minimum value", "#max_value")
    ]
    assert field_value(html, "min_value") == "5000"
    response = forms.post(
        f"/admin/dps/{dps.id}/lots/new",
        {
            "number": "1",
            "title": "Again",
            "description": "Again",
            "max_value": "100",
            "reserved_for": "none",
        },
    )
    assert errors(soup(response)) == ["This DPS already has a lot 1"]


def test_a_vcse_lot_above_the_threshold_is_refused_on_the_page(client, forms, signed_in, world):
    dps, lots = world
    response = forms.post(
        f"/admin/dps/{dps.id}/lots/new",
        {
            "number": "9",
            "title": "Large community meals",
            "description": "Meals",
            "max_value": "250000",
            "category": "services",
            "reserved_for": "vcse",
        },
    )
    assert response.status_code == 200
    html = soup(response)
    [(message, href)] = error_summary(html)
    assert href == "#reserved_for"
    assert message.startswith(
        "A lot reserved for vcse organisations must stay below the threshold (£135,018 "
        "including VAT for this kind of contract), but its largest value is £300,000 including VAT"
    )
    assert field_value(html, "max_value") == "250000"


# --- The admission queue ------------------------------------------------------------------------


@pytest.fixture
def queue(world):
    """Four applications received on different days, and one waiting for the supplier."""
    dps, lots = world
    made = {}
    for n, (day, lot_ids, kind) in enumerate(
        [
            ("2026-11-02", [lots[0].id], SupplierType.CIO),  # due Monday 16 November
            ("2026-11-09", [lots[0].id, lots[1].id], SupplierType.CIO),  # due 23 November
            ("2026-11-12", [lots[2].id], SupplierType.CIC),  # due 26 November
            ("2026-11-04", [lots[2].id], SupplierType.CIO),  # due Wednesday 18 November
        ]
    ):
        user, org = supplier(n, kind)
        with time_machine.travel(f"{day} 10:00:00+00:00", tick=False):
            made[n] = submitted_application(dps, lot_ids, user, org)
    return dps, lots, made


def test_the_queue_is_sorted_by_deadline_with_working_days_left(client, at, queue):
    dps, lots, made = queue
    with at("2026-11-18 10:00:00+00:00"):
        html = page(client, "/admin/applications")
    assert heading(html) == "Applications waiting for a decision"
    assert text(html.find(id="result-count")) == "4 applications waiting"
    rows = table_rows(html, "queue")
    assert [row[0] for row in rows] == [
        "Supplier 0 Community Trust",
        "Supplier 3 Community Trust",
        "Supplier 1 Community Trust",
        "Supplier 2 Community Trust",
    ]
    assert [row[4] for row in rows] == [
        "Overdue by 2 working days Due 16 November 2026",
        "Due today Due 18 November 2026",
        "3 working days left Due 23 November 2026",
        "6 working days left Due 26 November 2026",
    ]
    overdue = html.find(id="queue").select("tbody tr")[0].select_one(".govuk-tag--red")
    assert text(overdue) == "Overdue by 2 working days"
    assert rows[1][2] == "Lot 3: Homecare: north patch"
    assert rows[2][2] == "Lot 1: Befriending Lot 2: Community meals (VCSE only)"
    assert rows[0][3] == "2 November 2026"
    assert [row[5] for row in rows] == ["Waiting"] * 4
    assert rows[0][1] == "Charitable incorporated organisation (CIO)"
    link = html.find(id="queue").select_one("tbody tr a")
    assert link["href"] == f"/admin/applications/{made[0].id}"


def test_the_queue_filters_narrow_it(client, at, queue, admin):
    dps, lots, made = queue
    other, other_lots = make_dps(admin, slug="other-dps")
    user, org = supplier(9)
    with time_machine.travel("2026-11-10 10:00:00+00:00", tick=False):
        submitted_application(other, [other_lots[0].id], user, org)
        deciding.ask_clarification(admin, made[1], "Which areas do you cover?")

    def names(url):
        html = page(client, url)
        return [row[0] for row in table_rows(html, "queue")], text(html.find(id="result-count"))

    with at("2026-11-18 10:00:00+00:00"):
        assert names("/admin/applications")[1] == "5 applications waiting"
        assert names(f"/admin/applications?dps={other.id}") == (
            ["Supplier 9 Community Trust"],
            "1 application waiting",
        )
        assert names(f"/admin/applications?lot={lots[2].id}")[0] == [
            "Supplier 3 Community Trust",
            "Supplier 2 Community Trust",
        ]
        assert names("/admin/applications?type=cic")[0] == ["Supplier 2 Community Trust"]
        assert names("/admin/applications?status=clarification") == (
            ["Supplier 1 Community Trust"],
            "1 application waiting",
        )
        html = page(client, f"/admin/applications?status=clarification&dps={dps.id}")
        assert text(html.select_one("#queue tbody .govuk-tag")) == "Waiting for supplier"
        # The filters stay as chosen, and nonsense is ignored rather than an error.
        assert field_value(html, "status") == "clarification"
        assert field_value(html, "dps") == str(dps.id)
        assert (
            names("/admin/applications?dps=abc&status=nonsense&type=%27")[1]
            == "5 applications waiting"
        )
        assert names(f"/admin/applications?lot={lots[3].id}") == ([], "0 applications waiting")


# --- Reviewing an application -------------------------------------------------------------------


def test_the_review_shows_the_snapshot_answers_and_document_fingerprints(client, at, world):
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id, lots[1].id])
    # A later change to the live answers does not change what was submitted.
    application.answers = {**application.answers, "contact_name": "Someone Else"}
    db.session.commit()
    with at("2026-12-09 10:00:00+00:00"):
        html = page(client, f"/admin/applications/{application.id}")
        download = client.get(
            f"/documents/{application.snapshot['answers']['accounts_document']}/download"
        )
    assert heading(html) == "Riverside Community Care"
    about = summary_list(html, "answers-about")
    assert about["Contact name"] == "Rita Owner"
    assert about["Time operating"] and about["Part of a group"] == "No"
    assert "Parent organisation" not in about  # a question that did not apply
    assert summary_list(html, "answers-finance")["Annual income"] == "£250,000"
    assert "Someone Else" not in text(html)
    finance = html.find(id="answers-finance")
    snapshot_documents = application.snapshot["documents"]
    accounts_id = application.snapshot["answers"]["accounts_document"]
    link = finance.find("a", href=f"/documents/{accounts_id}/download")
    assert text(link) == "accounts.pdf"
    assert snapshot_documents[str(accounts_id)]["sha256"] in text(finance)
    # Every document is listed beside the answers with its SHA-256 and a download link.
    listed = html.find(id="documents")
    for document_id, info in snapshot_documents.items():
        assert listed.find("a", href=f"/documents/{document_id}/download")
        assert info["sha256"] in text(listed)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    # The clock, the organisation and the fingerprint of the whole submission.
    clock = summary_list(html, "clock")
    assert clock["Received"] == "7 December 2026"
    assert clock["Time limit"] == "10 working days"
    assert clock["Clock paused"] == "0 working days"
    assert clock["Decision due"] == "21 December 2026"
    assert clock["Working days left"] == "8 working days left"
    assert clock["Clock"] == "Running"
    assert clock["Rule"].startswith("Procurement Act 2023: the clock stops")
    assert summary_list(html, "organisation")["Charity number"] == "1123456"
    assert application.snapshot_sha256 in text(html.find(id="declaration"))
    standing_link = html.find(
        "a", href=f"/admin/organisations/{application.organisation_id}/standing"
    )
    assert standing_link is not None
    assert (
        text(html.find(id=f"eligibility-{lots[0].id}"))
        == "No eligibility problems found for this lot."
    )


def test_the_review_shows_a_cap_next_to_the_lot(client, at, admin, world):
    dps, lots = world
    with at(MONDAY):
        application = submitted_application(dps, [lots[2].id, lots[3].id])
        html = page(client, f"/admin/applications/{application.id}")
        assert (
            text(html.find(id=f"eligibility-{lots[3].id}"))
            == "No eligibility problems found for this lot."
        )
        deciding.decide_lot(admin, application, lots[2].id, "admitted", "Strong in the north")
        html = page(client, f"/admin/applications/{application.id}")
    note = text(html.find(id=f"eligibility-{lots[3].id}"))
    assert "A provider can hold at most 1 lot in the ‘Homecare patches’ group" in note
    assert "Lot 3: Homecare: north patch" in summary_list(html, "organisation")["Lots held now"]


def test_a_draft_is_not_shown_to_the_operator(client, signed_in, world):
    dps, lots = world
    user, org = make_supplier()
    draft = applying.start_application(user, org, dps)
    assert client.get(f"/admin/applications/{draft.id}").status_code == 404
    assert client.get("/admin/applications/999999").status_code == 404


# --- Deciding -----------------------------------------------------------------------------------


def test_an_administrator_admits_one_lot_and_rejects_another(client, forms, at, world):
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id, lots[1].id])
    review = f"/admin/applications/{application.id}"
    with at("2026-12-10 10:00:00+00:00"):
        response = forms.post(
            f"{review}/lots/{lots[0].id}/decision",
            {
                f"lot-{lots[0].id}-decision": "admitted",
                f"lot-{lots[0].id}-reason": "You meet every criterion for befriending.",
            },
            form_url=review,
        )
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == review
        html = page(client, review)
        assert "Riverside Community Care has been admitted to Lot 1: Befriending" in banner(html)
        assert fresh(application).status == ApplicationStatus.SUBMITTED
        response = forms.post(
            f"{review}/lots/{lots[1].id}/decision",
            {
                f"lot-{lots[1].id}-decision": "rejected",
                f"lot-{lots[1].id}-reason": "Your governing document has no asset lock.",
            },
            form_url=review,
        )
        assert response.status_code == 302
        html = page(client, review)
        queue_after = page(client, "/admin/applications")

    application = fresh(application)
    assert application.status == ApplicationStatus.DECIDED
    decisions = {al.lot_id: (al.decision, al.reason) for al in application.lots}
    assert decisions == {
        lots[0].id: (LotDecision.ADMITTED, "You meet every criterion for befriending."),
        lots[1].id: (LotDecision.REJECTED, "Your governing document has no asset lock."),
    }
    memberships = db.session.execute(sa.select(LotMembership)).scalars().all()
    assert [(m.lot_id, m.status) for m in memberships] == [(lots[0].id, MembershipStatus.ADMITTED)]
    assert len(events("admit_supplier")) == 1 and len(events("reject_application_lot")) == 1
    assert events("admit_supplier")[0].actor_label == ADMIN
    decision_emails = emails("application_decision")
    assert sorted(m.personalisation["admitted"] for m in decision_emails) == [False, True]
    # The page now reads as a record: tags and reasons, no forms.
    assert text(html.select_one("#application-status .govuk-tag")) == "Decided"
    assert text(html.select_one(f"#lot-{lots[0].id} .govuk-tag")) == "Admitted"
    assert text(html.select_one(f"#lot-{lots[1].id} .govuk-tag")) == "Rejected"
    assert "Your governing document has no asset lock." in text(html.find(id=f"lot-{lots[1].id}"))
    assert html.find("form", action=f"{review}/lots/{lots[0].id}/decision") is None
    # It has left the queue.
    assert table_rows(queue_after, "queue") == []


def test_a_decision_needs_a_choice_and_reasons(client, forms, signed_in, world):
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id, lots[1].id])
    review = f"/admin/applications/{application.id}"
    url = f"{review}/lots/{lots[0].id}/decision"
    response = forms.post(url, {f"lot-{lots[0].id}-reason": "Looks good"}, form_url=review)
    html = soup(response)
    assert error_summary(html) == [("Select admit or reject", f"#lot-{lots[0].id}-decision")]
    assert field_value(html, f"lot-{lots[0].id}-reason") == "Looks good"
    response = forms.post(
        url,
        {f"lot-{lots[0].id}-decision": "admitted", f"lot-{lots[0].id}-reason": "  "},
        form_url=review,
    )
    html = soup(response)
    assert errors(html) == ["Enter the reasons for your decision. The supplier will see them"]
    assert checked(html, f"lot-{lots[0].id}-decision") == "admitted"
    # The other lot's form is untouched.
    assert checked(html, f"lot-{lots[1].id}-decision") is None
    assert fresh(application).lots[0].decision == LotDecision.PENDING
    assert events("admit_supplier") == []


def test_a_refusal_from_the_service_is_shown_on_the_page(client, forms, signed_in, admin, world):
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        second = submitted_application(dps, [lots[2].id, lots[3].id])
        deciding.decide_lot(admin, second, lots[2].id, "admitted", "Good")
    review = f"/admin/applications/{second.id}"
    response = forms.post(
        f"{review}/lots/{lots[3].id}/decision",
        {f"lot-{lots[3].id}-decision": "admitted", f"lot-{lots[3].id}-reason": "Also south"},
        form_url=review,
    )
    html = soup(response)
    assert errors(html)[0].startswith("A provider can hold at most 1 lot")
    assert field_value(html, f"lot-{lots[3].id}-reason") == "Also south"
    assert {al.lot_id: al.decision for al in fresh(second).lots}[lots[3].id] == LotDecision.PENDING


# --- Clarification and extension ----------------------------------------------------------------


def test_a_clarification_and_an_extension_through_the_page(client, forms, at, world):
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
    review = f"/admin/applications/{application.id}"
    with at("2026-12-09 10:00:00+00:00"):
        response = forms.post(f"{review}/clarification", {"question": ""}, form_url=review)
        assert error_summary(soup(response)) == [
            ("Enter your question for the supplier", "#question")
        ]
        response = forms.post(
            f"{review}/clarification",
            {"question": "Please confirm your ICO number."},
            form_url=review,
        )
        assert response.status_code == 302
        html = page(client, review)
    assert "Your question has been sent to the supplier." in banner(html)
    assert fresh(application).status == ApplicationStatus.CLARIFICATION
    assert text(html.select_one("#application-status .govuk-tag")) == "Waiting for supplier"
    history = text(html.find(id="history").find_next("dl"))
    assert "Please confirm your ICO number." in history and "Not answered yet" in history
    assert "You can decide once the supplier answers your question." in text(html)
    assert html.find("form", action=f"{review}/lots/{lots[0].id}/decision") is None
    assert html.find("form", action=f"{review}/clarification") is None
    assert (
        summary_list(html, "clock")["Clock"]
        == "Stopped on 9 December 2026 while the supplier answers"
    )
    assert len(emails("application_clarification")) == 1

    # The supplier answers; the clock restarts 2 working days later.
    with time_machine.travel("2026-12-11 10:00:00+00:00", tick=False):
        deciding.answer_clarification(
            application.organisation.memberships[0].user, fresh(application), "It is ZA123456."
        )
    with at("2026-12-14 10:00:00+00:00"):
        response = forms.post(f"{review}/extension", {"extend-reason": ""}, form_url=review)
        assert error_summary(soup(response)) == [
            ("Enter why this application needs longer", "#extend-reason")
        ]
        response = forms.post(
            f"{review}/extension",
            {"extend-reason": "Checking references with two buyers"},
            form_url=review,
        )
        assert response.status_code == 302
        html = page(client, review)
    application = fresh(application)
    assert application.time_limit_days == 15
    assert application.decision_due_on == date(2027, 1, 4)
    assert "The time limit is now 15 working days" in banner(html)
    clock = summary_list(html, "clock")
    assert clock["Time limit"] == "15 working days (extended: Checking references with two buyers)"
    assert clock["Clock paused"] == "2 working days"
    assert clock["Decision due"] == "4 January 2027"
    assert html.find("form", action=f"{review}/extension") is None
    assert "It is ZA123456." in text(html.find(id="history").find_next("dl"))
    assert len(events("extend_application")) == 1
    assert len(emails("application_extended")) == 1


# --- Supplier standing --------------------------------------------------------------------------


def test_suspend_reinstate_renew_remove_exclude_and_lift_through_the_pages(
    client, forms, at, admin, world
):
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id, lots[2].id])
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        deciding.decide_lot(admin, application, lots[2].id, "admitted", "Good")
    org = application.organisation
    with at("2026-12-17 10:00:00+00:00"):  # a Thursday
        _standing_journey(client, forms, dps, lots, org)


def _standing_journey(client, forms, dps, lots, org):
    standing = f"/admin/organisations/{org.id}/standing"
    html = page(client, standing)
    assert heading(html) == "Riverside Community Care"
    assert [row[:2] for row in table_rows(html, f"lots-{dps.id}")] == [
        ["Lot 1: Befriending", "Admitted"],
        ["Lot 3: Homecare: north patch", "Admitted"],
    ]
    assert text(html.select_one("#exclusion .govuk-tag")) == "Not excluded"

    def statuses():
        db.session.expire_all()
        return sorted(
            (m.lot_id, m.status.value)
            for m in db.session.execute(sa.select(LotMembership)).scalars()
        )

    # Suspend: a reason is needed.
    suspend = f"{standing}/dps/{dps.id}/suspend"
    assert (
        heading(page(client, suspend))
        == "Suspend Riverside Community Care from Community Services DPS"
    )
    assert errors(soup(forms.post(suspend, {"reason": ""}))) == [
        "Enter the reason. The supplier will see it"
    ]
    response = forms.post(suspend, {"reason": "Complaint under investigation"})
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == standing
    assert statuses() == [(lots[0].id, "suspended"), (lots[2].id, "suspended")]
    html = page(client, standing)
    assert "has been suspended" in banner(html)
    assert [row[1] for row in table_rows(html, f"lots-{dps.id}")] == ["Suspended", "Suspended"]

    response = forms.post(f"{standing}/dps/{dps.id}/reinstate", {"reason": "Complaint closed"})
    assert response.status_code == 302
    assert statuses() == [(lots[0].id, "admitted"), (lots[2].id, "admitted")]

    response = forms.post(f"{standing}/dps/{dps.id}/renewal", {})
    assert response.status_code == 302
    html = page(client, standing)
    renewal = db.session.execute(sa.select(RenewalRequest)).scalar_one()
    assert renewal.due_on == date(2026, 12, 24)
    assert table_rows(html, "renewals") == [
        ["Community Services DPS", "17 December 2026", "24 December 2026", "Waiting for supplier"]
    ]
    # A second request while one is open is refused by the service, on the page.
    response = forms.post(f"{standing}/dps/{dps.id}/renewal", {})
    assert errors(soup(response)) == ["This organisation already has a renewal to complete"]

    membership = db.session.execute(
        sa.select(LotMembership).where(LotMembership.lot_id == lots[2].id)
    ).scalar_one()
    response = forms.post(
        f"{standing}/lots/{membership.id}/remove", {"reason": "Not delivering in the north patch"}
    )
    assert response.status_code == 302
    assert statuses() == [(lots[0].id, "admitted"), (lots[2].id, "removed")]

    exclude = f"{standing}/exclude"
    response = forms.post(exclude, {"reason": "Fraud conviction"})
    assert errors(soup(response)) == ["Select exclude or debar"]
    assert field_value(soup(response), "reason") == "Fraud conviction"
    response = forms.post(exclude, {"kind": "debarred", "reason": "On the debarment list"})
    assert response.status_code == 302
    assert statuses() == [(lots[0].id, "removed"), (lots[2].id, "removed")]
    html = page(client, standing)
    assert text(html.select_one("#exclusion .govuk-tag")) == "Debarred"
    assert "On the debarment list" in text(html.find(id="exclusion"))

    response = forms.post(f"{standing}/lift-exclusion", {"reason": "Removed from the list"})
    assert response.status_code == 302
    db.session.expire_all()
    exclusion = db.session.execute(sa.select(SupplierExclusion)).scalar_one()
    assert exclusion.lifted_at is not None and exclusion.lift_reason == "Removed from the list"
    html = page(client, standing)
    assert table_rows(html, "past-exclusions")[0][:2] == ["Debarred", "On the debarment list"]
    for kind in (
        "suspend_supplier",
        "reinstate_supplier",
        "request_renewal",
        "remove_supplier_from_lot",
        "exclude_supplier",
        "lift_exclusion",
    ):
        assert len(events(kind)) == 1, kind
    assert emails("supplier_excluded") and emails("supplier_removed_from_lot")


def test_the_standing_page_is_only_for_suppliers_that_exist(client, signed_in, world, admin):
    assert client.get("/admin/organisations/424242/standing").status_code == 404
    _other_user, other = make_supplier("x@other.example", "Other Trust")
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    # Someone else's lot membership cannot be reached through this organisation's page.
    assert (
        client.get(
            f"/admin/organisations/{other.id}/standing/lots/{membership.id}/remove"
        ).status_code
        == 404
    )


# --- Only administrators ------------------------------------------------------------------------


@pytest.fixture
def every_admin_url(app, admin, world):
    """Every operator page with real ids, from the app's own routes."""
    dps, lots = world
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        deciding.decide_lot(admin, application, lots[0].id, "admitted", "Good")
        loaded = debarment.load_list(
            admin,
            b"supplier_name,grounds,from_date\nRiverside Community Care Ltd,Fraud,2026-01-01\n",
            "list.csv",
        )
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    ids = {
        "match_id": loaded.possible[0].id,
        "dps_id": dps.id,
        "application_id": application.id,
        "lot_id": lots[0].id,
        "organisation_id": application.organisation_id,
        "membership_id": membership.id,
        "topic": "type:quality",
        # Pages of lot conditions: refused before anything is looked up.
        "declaration_id": 1,
        "flag_id": 1,
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/") and rule.endpoint.startswith("dps."):
            path = rule.rule
            for name, value in ids.items():
                path = path.replace(f"<int:{name}>", str(value))
                path = path.replace(f"<path:{name}>", str(value))
            assert "<" not in path, path
            urls.append((path, sorted(rule.methods & {"GET", "POST"})))
    assert len(urls) >= 16
    return urls


def test_signed_out_people_are_sent_to_sign_in_from_every_admin_page(
    client, forms, every_admin_url
):
    token = forms.csrf("/sign-in")
    for path, methods in every_admin_url:
        for method in methods:
            response = client.open(
                path, method=method, data={"csrf_token": token} if method == "POST" else None
            )
            assert response.status_code == 302, (method, path, response.status_code)
            assert urlsplit(response.headers["Location"]).path == "/sign-in", (method, path)


def test_a_supplier_user_is_refused_every_admin_page(client, forms, auth, every_admin_url):
    make_supplier("rita@supplier.example", "A Supplier Trust")
    assert auth.sign_in("rita@supplier.example").status_code == 302
    token = forms.csrf("/sign-out")
    before = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    for path, methods in every_admin_url:
        for method in methods:
            response = client.open(
                path,
                method=method,
                data={
                    "csrf_token": token,
                    "reason": "x",
                    "kind": "debarred",
                    "question": "x",
                    "extend-reason": "x",
                }
                if method == "POST"
                else None,
            )
            assert response.status_code == 403, (method, path, response.status_code)
    db.session.expire_all()
    after = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()
    assert after == before
    assert db.session.execute(sa.select(SupplierExclusion)).first() is None


def test_the_navigation_shows_the_operator_pages_to_administrators_only(client, auth, admin):
    assert "Administration" not in nav(page(client, "/"))
    assert "Find suppliers" in nav(page(client, "/"))
    assert client.get("/admin").status_code == 302  # to sign in
    make_supplier("rita@supplier.example", "A Supplier Trust")
    auth.sign_in("rita@supplier.example")
    assert "Administration" not in nav(page(client, "/"))
    assert client.get("/admin").status_code == 403
    auth.sign_out()
    auth.sign_in(ADMIN)
    items = nav(page(client, "/"))
    assert {"Administration", "Find suppliers"} <= set(items)
    # One item for the operator's pages, which its page lists.
    areas = {text(a): a["href"] for a in page(client, "/admin").select("#admin-areas a")}
    assert areas == {
        "Applications": "/admin/applications",
        "Debarment list": "/admin/debarment",
        "DPS and lots": "/admin/dps",
        "Buyers": "/admin/buyers",
        "Spend": "/admin/spend",
        "Guidance on questions": "/admin/guidance",
        "Social value": "/admin/social-value",
        "Places and shared priorities": "/admin/places",
        "Community wishes": "/admin/wishes",
        "Integrity flags": "/admin/integrity",
        "Social value measures": "/admin/social-value-measures",
        "Audit log": "/admin/audit",
        "Jobs": "/admin/jobs",
    }
    for href in areas.values():
        assert client.get(href).status_code == 200, href
    html = page(client, "/admin/applications")
    active = html.select_one(".govuk-service-navigation__item--active")
    assert text(active) == "Administration"


def test_the_overview_reads_the_dps_as_set_up(client, signed_in, world):
    dps, lots = world
    html = page(client, f"/admin/dps/{dps.id}")
    details = summary_list(html, "dps-details")
    assert details["Rules"] == "Procurement Act 2023 (dynamic market)"
    assert details["Open"] == f"1 January 2026 to 31 December {dps.ends_on.year}"
    assert details["Time limit to decide"] == "10 working days"
    assert details["Bank holidays"] == "England and Wales"
    assert details["Fee charged to winners"] == "None"
    assert [row[1] for row in table_rows(html, "lots")] == [
        "Befriending",
        "Community meals (VCSE only)",
        "Homecare: north patch",
        "Homecare: south patch",
    ]
    assert html.find("a", href=f"/admin/dps/{dps.id}/lots/new") is not None
    assert client.get("/admin/dps/999").status_code == 404
    assert client.get("/admin/dps/999/lots/new").status_code == 404
