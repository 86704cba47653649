"""Demo data for the DPS: the Yorkshire Community Services DPS, its lots, and applications from the
demo suppliers in each state an operator meets (admitted, waiting, in clarification, draft).

Called by `flask seed-demo` (app/demo.py) after the organisations exist. Safe to run again: each
step looks for what it would make. Everything is made through the services, so the audit log and
outbox read as they would; dates that must lie in the past (a decision made in March) are then
set on the rows directly, and the submission's fingerprint is taken again over the moved date.
"""

import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.datastructures import FileStorage

from app.documents.services import upload_document
from app.extensions import db
from app.organisations.models import Organisation, OrganisationKind
from dps import guidance
from dps.models import Application, Dps, LotMembership, Regime, ReservedFor
from dps.services import applying, debarment, deciding, setup
from dps.services.clock import due_date, today
from dps.services.guidance import save_guidance
from dps.working_days import Calendar, add_working_days, is_working_day

SLUG = "yorkshire-community-services"
LONDON = ZoneInfo("Europe/London")

DPS_DETAILS = {
    "name": "Yorkshire Community Services DPS",
    "slug": SLUG,
    "summary": "Community, care and employment services from local voluntary, community and "
    "social enterprise organisations across Yorkshire",
    "description": "Councils, housing associations and the NHS in Yorkshire buy befriending, "
    "community meals, homecare and employment support through this dynamic "
    "market. Contracts are sized so that small local organisations can bid, and "
    "every call-off scores social value at 10% or more.",
    "who_may_join": "Any organisation that meets the selection criteria may join at any time "
    "while the market is open. The community meals lot is reserved for "
    "voluntary, community and social enterprise organisations. A provider may "
    "hold at most one homecare patch.",
    "regime": Regime.PROCUREMENT_ACT_2023,
    "admission_days": 10,
    "calendar": Calendar.ENGLAND_AND_WALES,
}

LOTS = [
    {
        "number": 1,
        "title": "Befriending and social prescribing",
        "description": "Home and telephone befriending, and link workers who connect people with "
        "community activities on a GP's referral.",
        "min_value_pence": 1_000_000,
        "max_value_pence": 25_000_000,
        "light_touch": True,
    },
    {
        "number": 2,
        "title": "Community meals",
        "description": "Lunch clubs and hot meals delivered to people's homes, with a welfare "
        "check at each visit. Reserved for VCSE organisations.",
        "min_value_pence": 500_000,
        "max_value_pence": 15_000_000,
        "reserved_for": ReservedFor.VCSE,
        "light_touch": True,
    },
    {
        "number": 3,
        "title": "Homecare: north patch",
        "description": "Personal care at home in the north of the area, under the ethical care "
        "charter, with an office in the patch.",
        "min_value_pence": 5_000_000,
        "max_value_pence": 150_000_000,
        "light_touch": True,
        "cap_group": "Homecare patches",
        "cap_per_provider": 1,
    },
    {
        "number": 4,
        "title": "Homecare: south patch",
        "description": "Personal care at home in the south of the area, under the ethical care "
        "charter, with an office in the patch.",
        "min_value_pence": 5_000_000,
        "max_value_pence": 150_000_000,
        "light_touch": True,
        "cap_group": "Homecare patches",
        "cap_per_provider": 1,
    },
    {
        "number": 5,
        "title": "Homecare: east patch",
        "description": "Personal care at home in the east of the area, under the ethical care "
        "charter, with an office in the patch.",
        "min_value_pence": 5_000_000,
        "max_value_pence": 150_000_000,
        "light_touch": True,
        "cap_group": "Homecare patches",
        "cap_per_provider": 1,
    },
    {
        "number": 6,
        "title": "Employment support",
        "description": "Training, work placements and in-work support for people furthest from "
        "work, including care leavers and disabled people.",
        "min_value_pence": 2_000_000,
        "max_value_pence": 50_000_000,
        "light_touch": True,
    },
    {
        "number": 7,
        "title": "Supported employment: grounds maintenance and catering",
        "description": "Grounds maintenance, cleaning and catering by supported employment "
        "providers: businesses where at least 30% of the workforce are disabled or "
        "disadvantaged. Reserved under section 32 of the Procurement Act 2023, which allows "
        "it above the threshold.",
        "min_value_pence": 2_000_000,
        "max_value_pence": 50_000_000,
        "reserved_for": ReservedFor.SUPPORTED_EMPLOYMENT,
    },
]

# Each demo supplier's answers: who to contact, how big, how protected.
PROFILES = {
    "Riverside Community Care CIO": {
        "contact": ("Rosa Okafor", "Chief executive", "0113 496 0123"),
        "turnover": "640000",
        "protection": "charity",
        "ico": "ZA482913",
        "governing": "riverside-constitution.pdf",
    },
    "Northern Lights Social Enterprise CIC": {
        "contact": ("Maya Brennan", "Director", "0161 496 0456"),
        "turnover": "310000",
        "protection": "asset_lock",
        "ico": "ZB118264",
        "governing": "northern-lights-articles.pdf",
        # A supported employment provider: 40% of its workforce disabled or disadvantaged.
        "workforce_percent": "40",
    },
    "Greenfield Food Co-operative": {
        "contact": ("Jo Adeyemi", "Secretary", "0117 496 0789"),
        "turnover": "1450000",
        "protection": "not_for_profit_clause",
        "ico": "ZA990017",
        "governing": "greenfield-rules.pdf",
    },
}


def dates(on):
    """The demo DPS's dates, relative to ``on`` (today) so the demo works in any year: open since
    1 January last year, until 31 December four years on."""
    return {"starts_on": date(on.year - 1, 1, 1), "ends_on": date(on.year + 4, 12, 31)}


def march_decision(on):
    """(received, decided): an application received on the first working day from 2 March, the
    latest such March at least a month before ``on``, and decided 8 working days later."""
    year = on.year if date(on.year, 4, 15) <= on else on.year - 1
    received = date(year, 3, 2)
    calendar = DPS_DETAILS["calendar"]
    while not is_working_day(received, calendar):
        received += timedelta(days=1)
    return received, add_working_days(received, 8, calendar)


def seed(admin):
    """The DPS, its lots and the demo applications. Returns the DPS."""
    dps = db.session.execute(sa.select(Dps).where(Dps.slug == SLUG)).scalar_one_or_none()
    if dps is None:
        dps = setup.create_dps(admin, **DPS_DETAILS, **dates(today()))
    have = {lot.number for lot in dps.lots}
    for spec in LOTS:
        if spec["number"] not in have:
            setup.add_lot(admin, dps, **spec)
    db.session.refresh(dps)
    lots = {lot.number: lot for lot in dps.lots}

    riverside = _supplier("Riverside Community Care CIO")
    northern = _supplier("Northern Lights Social Enterprise CIC")
    greenfield = _supplier("Greenfield Food Co-operative")

    # Admitted to two lots, decided in March.
    if riverside and not _applications(riverside, dps):
        application = _submit(riverside, dps, [lots[1], lots[2]])
        for number, reason in [
            (
                1,
                "You meet every selection criterion. Your befriending service's volunteer "
                "training and safeguarding arrangements are strong.",
            ),
            (
                2,
                "You meet every selection criterion, and your constitution shows you are a "
                "charity, so you may hold this reserved lot.",
            ),
        ]:
            deciding.decide_lot(admin, application, lots[number].id, "admitted", reason)
        received, decided = march_decision(today())
        _move_to_the_past(application, received=received, decided=decided)
    # ...and now applying for a homecare patch too: a draft, answers carried over.
    if (
        riverside
        and applying.current_draft(riverside.id, dps.id) is None
        and len(_applications(riverside, dps)) == 1
    ):
        draft = applying.start_application(_owner(riverside), riverside, dps)
        applying.choose_lots(_owner(riverside), draft, [lots[3].id])

    # Submitted 7 working days ago and given 12 working days instead of 10 (an extension, with its
    # reason): admitted to the supported employment lot (40% of its workforce), with 5 working
    # days left to decide the employment support lot.
    if northern and not _applications(northern, dps):
        application = _submit(northern, dps, [lots[6], lots[7]])
        _receive_earlier(application, working_days_ago=7)
        deciding.extend_time_limit(
            admin,
            application,
            "We are checking references with two housing providers you have worked for.",
            12,
        )
        deciding.decide_lot(
            admin,
            application,
            lots[7].id,
            "admitted",
            "You meet every selection criterion. 40% of your workforce are disabled or "
            "disadvantaged, above the 30% a supported employment provider needs, and your "
            "evidence shows how you counted them.",
        )

    # Submitted 4 working days ago; the operator asked a question, so the clock has stopped.
    if greenfield and not _applications(greenfield, dps):
        application = _submit(greenfield, dps, [lots[2]])
        _receive_earlier(application, working_days_ago=4)
        deciding.ask_clarification(
            admin,
            application,
            "Your rules say surplus is shared among members. For the reserved community meals "
            "lot, please tell us how your rules stop profits being distributed, and which "
            "clause says so.",
        )
    seed_debarment_list(admin)
    return dps


# A fictional debarment list. The last row's name matches Northern Lights Social Enterprise CIC
# (waiting for a decision) but its company number does not: a possible match for the operator.
DEBARMENT_LIST = """supplier_name,company_number,charity_number,grounds,from_date,to_date
Shoddy Services Ltd,09876543,,Fraud (Procurement Act 2023 Schedule 6 paragraph 11),2026-02-02,2031-02-01
Quickbuck Care Limited,SC123456,,Bribery (Schedule 6 paragraph 7),2026-05-11,
Hollow Promises Trust,,1199999,Failure to pay tax (Schedule 6 paragraph 16),2025-09-01,2027-08-31
Northern Lights Social Enterprise Ltd,07654321,,Poor performance (Schedule 7 para 12),2026-10-05,
"""
DEBARMENT_FILENAME = "debarment-list-2026-11.csv"


def seed_debarment_list(admin):
    """The debarment list, loaded once: Northern Lights is a possible match waiting for review."""
    if debarment.list_summary().rows:
        return
    debarment.load_list(admin, DEBARMENT_LIST.encode(), DEBARMENT_FILENAME)


def _supplier(name):
    return db.session.execute(
        sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.SUPPLIER, Organisation.name == name
        )
    ).scalar_one_or_none()


def _owner(organisation):
    return next(m.user for m in organisation.memberships if m.is_owner)


def _applications(organisation, dps):
    return (
        db.session.execute(
            sa.select(Application).where(
                Application.organisation_id == organisation.id, Application.dps_id == dps.id
            )
        )
        .scalars()
        .all()
    )


def _pdf(title):
    text = f"{title}. Demo document for the VCSE DPS.".replace("(", "").replace(")", "")
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
    return (
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        "/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        f"4 0 obj<</Length {len(stream)}>>stream\n{stream}\nendstream endobj\n"
        "5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
        "trailer<</Root 1 0 R>>\n%%EOF\n"
    ).encode()


def _upload(user, organisation, purpose, filename, title, expires_on=None):
    upload = FileStorage(
        stream=io.BytesIO(_pdf(title)), filename=filename, content_type="application/pdf"
    )
    return upload_document(user, organisation, upload, purpose, expires_on=expires_on)


def _answers(user, organisation):
    profile = PROFILES[organisation.name]
    name, role, phone = profile["contact"]
    expiry = date(today().year + 1, 3, 31)
    expiry_parts = [str(expiry.day), str(expiry.month), str(expiry.year)]
    accounts = _upload(
        user,
        organisation,
        "accounts",
        "annual-accounts-2025.pdf",
        f"{organisation.name} accounts 2025",
    )
    employers = _upload(
        user,
        organisation,
        "insurance_certificate",
        "employers-liability-certificate.pdf",
        "Employers liability insurance",
        expiry,
    )
    public = _upload(
        user,
        organisation,
        "insurance_certificate",
        "public-liability-certificate.pdf",
        "Public liability insurance",
        expiry,
    )
    safeguarding = _upload(
        user, organisation, "policy", "safeguarding-policy.pdf", "Safeguarding policy"
    )
    governing = _upload(
        user,
        organisation,
        "selection_evidence",
        profile["governing"],
        f"{organisation.name} governing document",
    )
    return {
        "about": {
            "contact_name": name,
            "contact_role": role,
            "contact_phone": phone,
            "years_operating": "over_3",
            "part_of_group": "no",
        },
        "mandatory_exclusions": {"convictions": ["none"], "tax_breach": "no"},
        "discretionary_exclusions": {"discretionary_grounds": ["none"]},
        "finance": {
            "annual_turnover": profile["turnover"],
            "has_accounts": "yes",
            "accounts_document": accounts.id,
        },
        "insurance": {
            "employers_liability": "held",
            "employers_liability_amount": "5000000",
            "employers_liability_expiry": expiry_parts,
            "employers_liability_certificate": employers.id,
            "public_liability": "held",
            "public_liability_amount": "5000000",
            "public_liability_expiry": expiry_parts,
            "public_liability_certificate": public.id,
            "professional_indemnity": "not_applicable",
        },
        "policies": {
            "safeguarding_policy": "yes",
            "safeguarding_document": safeguarding.id,
            "equality_policy": "no",
            "health_safety_policy": "under_5_staff",
            "data_protection_policy": "yes",
            "ico_number": profile["ico"],
            "turnover_over_36m": "no",
        },
        "living_wage": {"real_living_wage": "accredited"},
        "vcse_status": {
            "is_vcse": "yes",
            "vcse_protection": profile["protection"],
            "governing_document": governing.id,
        },
        "reserved_lots": _reserved_lot_answers(user, organisation, profile),
    }


def _reserved_lot_answers(user, organisation, profile):
    if "workforce_percent" not in profile:
        return {"supported_employment": "no", "public_service_mutual": "no"}
    evidence = _upload(
        user,
        organisation,
        "selection_evidence",
        "workforce-statement.pdf",
        f"{organisation.name} workforce statement signed by the chair",
    )
    return {
        "supported_employment": "yes",
        "workforce_disadvantaged_percent": profile["workforce_percent"],
        "workforce_evidence": "We employ 25 people. On 1 October 2026, 10 of them were disabled "
        "or disadvantaged (care leavers, people with learning disabilities and people out of "
        "work for over a year), from our HR records.",
        "workforce_evidence_document": evidence.id,
        "public_service_mutual": "no",
    }


def _submit(organisation, dps, lots):
    user = _owner(organisation)
    application = applying.start_application(user, organisation, dps)
    for section_id, raw in _answers(user, organisation).items():
        problems = applying.save_section(user, application, section_id, raw)
        if problems:
            raise RuntimeError(f"demo answers for {section_id} are not valid: {problems}")
    applying.choose_lots(user, application, [lot.id for lot in lots])
    name, role, _phone = PROFILES[organisation.name]["contact"]
    return applying.submit_application(
        user, application, declaration_name=name, declaration_role=role, confirmed=True
    )


def _working_days_before(day, n, calendar):
    while n:
        day -= timedelta(days=1)
        if is_working_day(day, calendar):
            n -= 1
    return day


def _at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(ZoneInfo("UTC"))


def _resubmitted_on(application, day):
    """Move the submission to ``day`` (09:30 in London), restarting its clock there."""
    application.submitted_at = _at(day, 9, 30)
    application.received_on = day
    application.decision_due_on = due_date(application, application.dps)
    application.snapshot = {
        **application.snapshot,
        "submitted_at": application.submitted_at.isoformat(timespec="seconds"),
    }
    application.snapshot_sha256 = applying.canonical_sha256(application.snapshot)


def _receive_earlier(application, working_days_ago):
    _resubmitted_on(
        application, _working_days_before(today(), working_days_ago, application.dps.calendar)
    )
    db.session.commit()


def _move_to_the_past(application, received, decided):
    _resubmitted_on(application, received)
    decided_at = _at(decided, 14, 15)
    application.decided_at = decided_at
    for application_lot in application.lots:
        application_lot.decided_at = decided_at
    for membership in db.session.execute(
        sa.select(LotMembership).where(
            LotMembership.application_lot_id.in_([al.id for al in application.lots])
        )
    ).scalars():
        membership.admitted_at = membership.status_changed_at = decided_at
    db.session.commit()


# --- Guidance on every question (help to bid) ------------------------------------------------------

TYPE_GUIDANCE = {
    "quality": (
        "Answer the question asked, in the order it asks. Say who will do the work, how, when "
        "and how you will know it is working. Use evidence: numbers, past results, what the "
        "people you support told you.\n\nEvaluators score only what you write, against the "
        "published scale: spell out what they need to give you the top score.",
        "Copying the question back, or pasting a general description of your organisation. "
        "Promises without how. Going over the word limit: words past it are not read.",
        "Our coordinator, who has run befriending in east Leeds for six years, visits each "
        "person at home within ten working days of referral. Volunteers live within a mile, "
        "visit weekly and phone between visits. Every three months we ask each person three "
        "questions about loneliness; last year 78% said they felt less alone.",
    ),
    "social_value": (
        "Commit to things you will do on this contract, that you can measure and report each "
        "quarter: local jobs, apprenticeships, volunteering hours, spend with local VCSEs. Say "
        "how many, for whom, and by when.",
        "Listing what your organisation already does for everyone, rather than what this "
        "contract adds. Commitments you cannot evidence later.",
        "We will fill both coordinator posts with people who live in LS9 or LS14, offer two "
        "paid work placements a year to young people leaving care, and spend at least £3,000 a "
        "year with local social enterprises.",
    ),
    "pass_fail": (
        "Answer yes only if it is true today, or will be by the start of the contract where the "
        "question says so. You may be asked for evidence before the award.",
        "Answering yes to insurance you plan to buy but have not. A no means your bid is not "
        "scored: ask the buyer a question first if you are unsure.",
        "Yes. We hold public liability insurance of £5 million with a certificate valid until "
        "31 March.",
    ),
    "price": (
        "Price the whole of the work for the whole contract, excluding VAT. Include staff at the "
        "Real Living Wage where it is a condition, volunteers' expenses, travel, training, "
        "management and overheads.",
        "Pricing below cost to win: a price far below the others is flagged as abnormally low "
        "and you will be asked to explain it. Forgetting on-costs such as pension and national "
        "insurance.",
        "£42,600 for 12 months: two part-time coordinators £31,200, volunteer expenses £4,800, "
        "training and DBS checks £2,100, management and overheads £4,500.",
    ),
}

QUESTION_GUIDANCE = {
    "safeguarding_policy": (
        "Say yes if your trustees or board have agreed a written safeguarding policy that names "
        "a safeguarding lead and says how staff and volunteers report a concern.",
        "Using another organisation's policy without adapting it. A policy with no review date "
        "or not reviewed in the last year.",
        "Yes. Our safeguarding adults and children policy was approved by the trustees in April; "
        "our chief executive is the named lead.",
    ),
    "equality_policy": (
        "Say yes if you have a written equality, diversity and inclusion policy covering how "
        "you recruit, treat staff and volunteers, and serve people.",
        "Saying no because you are small: a one-page policy agreed by your board is enough.",
        "Yes. Our equality policy, reviewed each year, covers recruitment, access to our services "
        "and how we record and act on complaints of discrimination.",
    ),
    "public_liability": (
        "Public liability insurance covers claims from members of the public hurt or whose "
        "property is damaged by your work. Give the amount on your certificate and its expiry.",
        "Giving the annual premium instead of the cover. Letting it lapse while you are admitted: "
        "an expired certificate suspends you from new call-offs.",
        "Held: £5,000,000 cover, expiring 31 March.",
    ),
    "annual_turnover": (
        "Give your total income in your last financial year, from your accounts: grants, "
        "donations and contracts together.",
        "Giving a forecast, or only your income from contracts.",
        "£250,000 (year to 31 March 2026).",
    ),
    "real_living_wage": (
        "Say whether everyone you employ aged 18 and over, and regular contractors, earn at least "
        "the Real Living Wage, and whether the Living Wage Foundation accredits you.",
        "Counting only some staff. Confusing the Real Living Wage with the lower National "
        "Living Wage.",
        "We are accredited by the Living Wage Foundation.",
    ),
}

BY_TYPE = {
    "yes_no": "Answer yes or no as things stand today. If you answer yes, you may be asked for "
    "evidence later.",
    "single_choice": "Choose the option that is true today. The hint under each option says what "
    "it means.",
    "multiple_choice": "Select every option that applies, or ‘none of these’ if none does.",
    "text": "Answer in plain English, briefly and completely. Give facts and dates, not opinions.",
    "number": "Give a whole number, worked out from your own records.",
    "money": "Give the amount in pounds, from your accounts or certificate.",
    "date": "Give the date exactly as it is on the document.",
    "document": "Upload a clear, complete copy (PDF is best). It must be current, signed where "
    "it should be, and in your organisation's name.",
}
MISTAKES_BY_TYPE = {
    "document": "Uploading a document that has expired or is in another organisation's name.",
    "date": "Giving the date you bought the cover rather than the date it ends.",
}


def _standard_guidance(question):
    """Guidance for a standard question: written for the commonest, else from its kind."""
    if question.id in QUESTION_GUIDANCE:
        return QUESTION_GUIDANCE[question.id]
    good = f"{question.label} {BY_TYPE[question.type]}"
    mistakes = MISTAKES_BY_TYPE.get(
        question.type, "Leaving it to the last minute: everything else in your application waits."
    )
    return good, mistakes, ""


def seed_guidance(admin):
    """The operator's guidance on every kind of call-off question and every standard question,
    written only where none is (an operator's own is never overwritten)."""
    written = guidance.guidance_by_topic(t.key for t in guidance.topics())
    for kind, (good, mistakes, example) in TYPE_GUIDANCE.items():
        key = guidance.type_topic(kind)
        if key not in written:
            save_guidance(admin, key, good_answer=good, common_mistakes=mistakes, example=example)
    for section in guidance.standard_definition().sections:
        for question in section.questions:
            key = guidance.question_topic(question.id)
            if key in written:
                continue
            good, mistakes, example = _standard_guidance(question)
            save_guidance(admin, key, good_answer=good, common_mistakes=mistakes, example=example)


# --- Patch-based homecare (issue 19): providers holding patches, one of them flagged -----------

PATCH_PROVIDERS = [
    # (owner, organisation details, patch name, office address, office postcode)
    {
        "owner": ("amara@stratford-homecare.example", "Amara Osei"),
        "details": {
            "name": "Stratford Homecare CIC",
            "supplier_type": "cic",
            "company_number": "13572468",
            "address": "21 Broadway\nStratford\nLondon",
            "postcode": "E15 4BQ",
            "local_authority_code": "NWM",
            "staff_band": "50-249",
            "turnover_band": "1m_10m",
            "description": "Homecare by carers who live in Newham, paid the London Living Wage.",
        },
        "patch": "Newham",
        "office": ("21 Broadway, Stratford", "E15 4BQ"),
    },
    {
        "owner": ("kemal@bow-carers.example", "Kemal Yilmaz"),
        "details": {
            "name": "Bow Carers Co-operative",
            "supplier_type": "cooperative",
            "society_number": "RS007372",
            "address": "5 Roman Road\nBow\nLondon",
            "postcode": "E3 5ES",
            "local_authority_code": "TWH",
            "staff_band": "10-49",
            "turnover_band": "100k_1m",
            "description": "A carers' co-operative in Tower Hamlets, owned by its care workers.",
        },
        "patch": "Tower Hamlets",
        "office": ("5 Roman Road, Bow", "E3 5ES"),
    },
    {
        "owner": ("grace@dagenham-care.example", "Grace Mensah"),
        "details": {
            "name": "Dagenham Community Care CIO",
            "supplier_type": "cio",
            "charity_number": "1199123",
            "address": "2 Heathway\nDagenham",
            "postcode": "RM10 8QS",
            "local_authority_code": "BDG",
            "staff_band": "10-49",
            "turnover_band": "100k_1m",
            "description": "Homecare and befriending for older people in Barking and Dagenham.",
        },
        "patch": "Barking and Dagenham",
        "office": ("2 Heathway, Dagenham", "RM10 8QS"),
    },
]


def _condition_answers(user, organisation, conditions, office):
    from dps.models import ConditionKind

    raw = {}
    for condition in conditions:
        if condition.kind == ConditionKind.OFFICE_IN_AREA:
            lease = _upload(
                user,
                organisation,
                "selection_evidence",
                "office-lease.pdf",
                f"Lease of {office[0]}",
            )
            raw[condition.id] = {"address": office[0], "postcode": office[1], "document": lease.id}
        elif condition.kind == ConditionKind.LIVING_WAGE:
            raw[condition.id] = {"accredited": "no", "lowest_rate": "15.10"}
        elif condition.kind == ConditionKind.CHARTER:
            signed = _upload(
                user,
                organisation,
                "selection_evidence",
                "charter.pdf",
                f"{condition.title}, signed",
            )
            raw[condition.id] = {"signed": "yes", "document": signed.id}
        elif condition.kind == ConditionKind.WORKFORCE:
            raw[condition.id] = {
                "description": "We advertise in local libraries and community centres and "
                "recruit most of our carers from the borough.",
            }
    return raw


def seed_patch_holders(admin, dps, patches):
    """Three homecare providers, each admitted to one patch with the set's conditions answered
    and their evidence confirmed; Bow Carers has since told the operator its office moved out of
    Tower Hamlets, so it is flagged. Returns the providers' ``DemoAccount``s."""
    from app.demo.people import account, make_organisation
    from dps.models import ConditionFlag
    from dps.services import condition_flags, lot_conditions

    by_name = {lot.title.split(": ", 1)[-1]: lot for lot in patches}
    accounts = []
    for spec in PATCH_PROVIDERS:
        organisation, owner = make_organisation("supplier", spec)
        PROFILES.setdefault(
            organisation.name,
            {
                "contact": (owner.name, "Registered manager", "020 7946 0000"),
                "turnover": "900000",
                "protection": "asset_lock",
                "ico": "ZC100200",
                "governing": "articles.pdf",
            },
        )
        lot = by_name[spec["patch"]]
        role = f"Homecare provider holding the {spec['patch']} patch (see its patch set page)"
        if spec["patch"] == "Tower Hamlets":
            role = (
                "Homecare provider flagged to the operator: its office moved out of Tower Hamlets"
            )
        accounts.append(account(owner, organisation, role))
        if _applications(organisation, dps):
            continue
        application = applying.start_application(owner, organisation, dps)
        for section_id, raw in _answers(owner, organisation).items():
            applying.save_section(owner, application, section_id, raw)
        applying.choose_lots(owner, application, [lot.id])
        conditions = lot_conditions.application_conditions(application)
        problems = lot_conditions.save_answers(
            owner, application, _condition_answers(owner, organisation, conditions, spec["office"])
        )
        if problems:
            raise RuntimeError(f"demo condition answers are not valid: {problems}")
        name, role_name, _phone = PROFILES[organisation.name]["contact"]
        applying.submit_application(
            owner,
            application,
            declaration_name=name,
            declaration_role=role_name,
            confirmed=True,
        )
        for declaration in lot_conditions.declarations_of(application):
            if declaration.document_id:
                lot_conditions.confirm_evidence(admin, declaration)
        deciding.decide_lot(
            admin,
            application,
            lot.id,
            "admitted",
            "You meet the selection criteria and every condition of the patch: your office is "
            "in the area, you pay at least the London Living Wage and you have signed the UNISON "
            "Ethical Care Charter.",
        )
        if (
            spec["patch"] == "Tower Hamlets"
            and not db.session.execute(
                sa.select(ConditionFlag.id).where(ConditionFlag.organisation_id == organisation.id)
            ).first()
        ):
            office = next(c for c in conditions if c.kind.value == "office_in_area")
            lease = _upload(
                owner,
                organisation,
                "selection_evidence",
                "new-lease.pdf",
                "Lease of 40 High Street, Stratford",
            )
            condition_flags.declare_change(
                owner,
                organisation,
                office,
                {
                    "address": "40 High Street, Stratford",
                    "postcode": "E15 2PW",
                    "document": lease.id,
                },
            )
    return accounts
