"""Builders for DPS tests: a DPS with lots, a supplier with documents, complete answers."""

import io
import threading
from datetime import date, datetime, timezone

import time_machine

from app.accounts.models import User
from app.documents.services import upload_document
from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationKind, Role, SupplierType
from dps.models import Application, ReservedFor
from dps.services import applying, deciding, setup
from tests.factories import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Upload(io.BytesIO):
    def __init__(self, data, filename):
        super().__init__(data)
        self.filename = filename
        self.stream = self


def make_admin(email="ada@operator.example"):
    return make_user(email=email, name="Ada Admin", admin=True)


def ends_on():
    """A test DPS ends on 31 December four years after this year (2030 when the clock says 2026):
    open whatever day the tests run, and after every date a test travels to."""
    return date(datetime.now(timezone.utc).year + 4, 12, 31)


def make_dps(admin, regime="procurement_act_2023", slug="community-services", **kwargs):
    """A DPS open from 1 January 2026 (before every date a test travels to) until ``ends_on()``."""
    dps = setup.create_dps(
        admin,
        name="Community Services DPS",
        slug=slug,
        summary="Community services bought from local VCSEs",
        description="Health, care and community services across Yorkshire.",
        who_may_join="Any supplier that meets the selection criteria.",
        regime=regime,
        starts_on=date(2026, 1, 1),
        ends_on=ends_on(),
        **kwargs,
    )
    lots = [
        setup.add_lot(
            admin,
            dps,
            number=1,
            title="Befriending",
            description="Befriending",
            max_value_pence=5_000_000,
        ),
        setup.add_lot(
            admin,
            dps,
            number=2,
            title="Community meals (VCSE only)",
            description="Meals",
            max_value_pence=10_000_000,
            reserved_for=ReservedFor.VCSE,
        ),
        setup.add_lot(
            admin,
            dps,
            number=3,
            title="Homecare: north patch",
            description="North",
            max_value_pence=20_000_000,
            cap_group="Homecare patches",
            cap_per_provider=1,
        ),
        setup.add_lot(
            admin,
            dps,
            number=4,
            title="Homecare: south patch",
            description="South",
            max_value_pence=20_000_000,
            cap_group="Homecare patches",
            cap_per_provider=1,
        ),
    ]
    return dps, lots


def make_supplier(email="owner@riverside.example", name="Riverside Community Care"):
    user = make_user(email=email, name="Rita Owner")
    org = Organisation(
        kind=OrganisationKind.SUPPLIER,
        name=name,
        supplier_type=SupplierType.CIO,
        charity_number="1123456",
    )
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=Role.OWNER))
    db.session.commit()
    return user, org


def upload(user, org, purpose, name="doc.pdf", expires_on=None):
    return upload_document(
        user, org, Upload(PDF + name.encode(), name), purpose, expires_on=expires_on
    )


def complete_answers(user, org, vcse=True, insurance_expiry="2027-03-31"):
    """A full, valid set of answers, with documents uploaded to the organisation's library."""
    accounts = upload(user, org, "accounts", "accounts.pdf")
    cert = upload(
        user, org, "insurance_certificate", "el.pdf", date.fromisoformat(insurance_expiry)
    )
    pl = upload(user, org, "insurance_certificate", "pl.pdf", date.fromisoformat(insurance_expiry))
    policy = upload(user, org, "policy", "safeguarding.pdf")
    governing = upload(user, org, "selection_evidence", "constitution.pdf")
    return {
        "about": {
            "contact_name": "Rita Owner",
            "contact_role": "Chief executive",
            "contact_phone": "0113 496 0000",
            "years_operating": "over_3",
            "part_of_group": "no",
        },
        "mandatory_exclusions": {"convictions": ["none"], "tax_breach": "no"},
        "discretionary_exclusions": {"discretionary_grounds": ["none"]},
        "finance": {
            "annual_turnover": "250000",
            "has_accounts": "yes",
            "accounts_document": accounts.id,
        },
        "insurance": {
            "employers_liability": "held",
            "employers_liability_amount": "5000000",
            "employers_liability_expiry": _date_parts(insurance_expiry),
            "employers_liability_certificate": cert.id,
            "public_liability": "held",
            "public_liability_amount": "2000000",
            "public_liability_expiry": _date_parts(insurance_expiry),
            "public_liability_certificate": pl.id,
            "professional_indemnity": "not_applicable",
        },
        "policies": {
            "safeguarding_policy": "yes",
            "safeguarding_document": policy.id,
            "equality_policy": "no",
            "health_safety_policy": "under_5_staff",
            "data_protection_policy": "yes",
            "ico_number": "ZA123456",
            "turnover_over_36m": "no",
        },
        "living_wage": {"real_living_wage": "accredited"},
        "vcse_status": (
            {"is_vcse": "yes", "vcse_protection": "charity", "governing_document": governing.id}
            if vcse
            else {"is_vcse": "no"}
        ),
        "reserved_lots": {"supported_employment": "no", "public_service_mutual": "no"},
    }


def _date_parts(iso):
    d = date.fromisoformat(iso)
    return [str(d.day), str(d.month), str(d.year)]


def answered_application(dps, lot_ids, user, org, vcse=True, **answer_options):
    """The organisation's draft, answered in full (documents uploaded to its library) for
    ``lot_ids``: ready to send."""
    application = applying.start_application(user, org, dps)
    for section_id, raw in complete_answers(user, org, vcse=vcse, **answer_options).items():
        errors = applying.save_section(user, application, section_id, raw)
        assert errors == {}, (section_id, errors)
    applying.choose_lots(user, application, lot_ids)
    return application


def sign_and_submit(user, application):
    """Send the application, its declaration signed by Rita Owner, chief executive."""
    applying.submit_application(
        user,
        application,
        declaration_name="Rita Owner",
        declaration_role="Chief executive",
        confirmed=True,
    )
    return application


def submitted_application(dps, lot_ids, user=None, org=None, vcse=True, **answer_options):
    """A supplier's application, answered in full and submitted for ``lot_ids`` (today, in
    whatever time the caller has set). Makes the supplier when not given."""
    if user is None:
        user, org = make_supplier()
    application = answered_application(dps, lot_ids, user, org, vcse=vcse, **answer_options)
    return sign_and_submit(user, application)


def decide_at_once(app, monkeypatch, application_id, decisions, when):
    """Admit the application to two lots at the same moment (``when``), each decision an
    ``(admin id, lot id)`` made by its own operator on its own database connection. Each waits,
    just after counting the lots the supplier holds, until the other has counted too (or two
    seconds have passed): without a lock both would count none and both admit. Returns the
    outcome of each lot ("admitted" or the refusal) and any error raised in a thread."""
    counted = threading.Barrier(len(decisions))
    real_eligibility = deciding.lot_eligibility

    def eligibility_then_wait(*args, **kwargs):
        problems = real_eligibility(*args, **kwargs)
        try:
            counted.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return problems

    monkeypatch.setattr(deciding, "lot_eligibility", eligibility_then_wait)
    outcomes, errors = {}, []

    def decide(admin_id, lot_id):
        try:
            with app.app_context():
                try:
                    deciding.decide_lot(
                        db.session.get(User, admin_id),
                        db.session.get(Application, application_id),
                        lot_id,
                        "admitted",
                        "Meets every criterion",
                    )
                    outcomes[lot_id] = "admitted"
                except ServiceError as exc:
                    outcomes[lot_id] = str(exc)
                finally:
                    db.session.remove()
        except Exception as exc:  # reported to the caller: an assert in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=decide, args=decision) for decision in decisions]
    with time_machine.travel(when, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    return outcomes, errors
