"""The pages of lot conditions: a supplier answers its patch's conditions in the application (a
mistake shown against its box, nothing typed lost), the operator confirms evidence and admits,
the renewal asks again and a moved office is flagged; the operator suspends from the flag's page,
loads a new living wage rate, and makes a set of patches whose public page shows who holds each."""

import io

import sqlalchemy as sa
import time_machine

from app.extensions import db
from dps.models import ConditionFlag, ConditionKind, Lot, LotMembership, MembershipStatus
from dps.services import lot_conditions, renewals
from lots.opportunities.patches import Patch, create_patch_set
from tests.conftest import Browserless
from tests.dps.helpers import PDF, answered_application
from tests.dps.views.pages import error_summary, task_list
from tests.factories import PASSWORD
from tests.pages import soup, text

MONDAY = "2026-12-07 10:00:00+00:00"


def _sign_in(client, email):
    forms = Browserless(client)
    forms.post("/sign-in", {"email": email, "password": PASSWORD})
    return forms


def _file(name):
    return (io.BytesIO(PDF + name.encode()), name)


def _patches(admin, dps):
    return create_patch_set(
        admin,
        dps,
        group="Homecare patches 2",
        description="Homecare visits",
        max_value_pence=50_000_000,
        cpv_codes=["85312000-9"],
        patches=[Patch("Newham", ("NWM",)), Patch("Tower Hamlets", ("TWH",))],
        conditions=(
            {"kind": ConditionKind.OFFICE_IN_AREA},
            {"kind": ConditionKind.LIVING_WAGE, "london": True},
        ),
    )


def test_a_supplier_answers_conditions_and_the_operator_admits_renews_and_suspends(world, app):
    admin, dps, _lots, user, org = world
    newham, _th = _patches(admin, dps)
    with time_machine.travel(MONDAY, tick=False):
        application = answered_application(dps, [newham.id], user, org)
        ids = {
            "application": application.id,
            "newham": newham.id,
        }
        office, wage = lot_conditions.conditions_of_lots([newham.id])
        db.session.commit()
        supplier = app.test_client()
        forms = _sign_in(supplier, user.email)
        tasks = task_list(supplier.get(f"/applications/{ids['application']}"))
        assert tasks["Conditions of membership"] == "Not started"
        url = f"/applications/{ids['application']}/conditions"
        page = supplier.get(url)
        assert [text(h) for h in soup(page).select("h2.govuk-heading-m")] == [
            "An office in the lot’s area",
            "London Living Wage",
        ]
        typed = {
            f"c{office.id}-address": "1 Broadway, Stratford",
            f"c{office.id}-postcode": "E15 4BQ",
            f"c{wage.id}-accredited": "no",
            f"c{wage.id}-lowest_rate": "fourteen",
            "action": "continue",
        }
        page = forms.post(url, {**typed, f"c{office.id}-document": _file("lease.pdf")})
        assert error_summary(page) == [
            ("Enter the hourly rate in pounds and pence, like 14.80", f"#c{wage.id}-lowest_rate")
        ]
        assert soup(page).select_one(f"#c{wage.id}-lowest_rate")["value"] == "fourteen"
        assert soup(page).select_one(f"#c{office.id}-postcode")["value"] == "E15 4BQ"
        assert "You uploaded lease.pdf" in text(soup(page).select_one(f"#condition-{office.id}"))
        page = forms.post(url, {**typed, f"c{wage.id}-lowest_rate": "14.90"})
        assert page.status_code == 302 and page.headers["Location"].endswith("/check")
        check = supplier.get(f"/applications/{ids['application']}/check")
        rows = {
            text(r.select_one("dt")): text(r.select_one("dd"))
            for r in soup(check).select("#condition-answers .govuk-summary-list__row")
        }
        assert rows == {
            "An office in the lot’s area": "1 Broadway, Stratford, E15 4BQ",
            "London Living Wage": "Not accredited. Lowest hourly rate paid: £14.90",
        }
        page = forms.post(
            f"/applications/{ids['application']}/check",
            {"declaration_name": "Rita Owner", "declaration_role": "CEO", "confirm": "y"},
        )
        assert page.status_code == 302, error_summary(page)

        operator = app.test_client()
        admin_forms = _sign_in(operator, admin.email)
        review = operator.get(f"/admin/applications/{ids['application']}")
        section = soup(review).select_one(f"#condition-{office.id}")
        assert "Met" in text(section) and "E15 4BQ is in Newham" in text(section)
        eligibility = text(soup(review).select_one(f"#eligibility-{ids['newham']}"))
        assert "Confirm the evidence for ‘An office in the lot’s area’" in eligibility
        declaration_form = soup(review).select_one(f"#condition-{office.id} form")
        admin_forms.post(
            declaration_form["action"], form_url=f"/admin/applications/{ids['application']}"
        )
        page = admin_forms.post(
            f"/admin/applications/{ids['application']}/lots/{ids['newham']}/decision",
            {
                f"lot-{ids['newham']}-decision": "admitted",
                f"lot-{ids['newham']}-reason": "Meets the conditions",
            },
            form_url=f"/admin/applications/{ids['application']}",
        )
        assert page.status_code == 302, error_summary(page)
    assert db.session.execute(sa.select(LotMembership.status)).scalar_one() == "admitted"

    with time_machine.travel("2027-01-11 10:00:00+00:00", tick=False):
        renewal = renewals.request_renewal(admin, org, dps)
        renewal_url = f"/renewals/{renewal.id}"
        supplier = app.test_client()  # a month on: signed in again
        forms = _sign_in(supplier, user.email)
        page = supplier.get(renewal_url)
        # The last answers are filled in, to change what has changed.
        assert soup(page).select_one(f"#c{office.id}-postcode")["value"] == "E15 4BQ"
        page = forms.post(
            renewal_url,
            {
                f"c{office.id}-address": "2 Mile End Road",
                f"c{office.id}-postcode": "",
                f"c{wage.id}-accredited": "no",
                f"c{wage.id}-lowest_rate": "14.90",
                "confirm": "y",
            },
        )
        assert error_summary(page) == [
            ("Enter the postcode of your office", f"#c{office.id}-postcode")
        ]
        page = forms.post(
            renewal_url,
            {
                f"c{office.id}-address": "2 Mile End Road",
                f"c{office.id}-postcode": "E1 6AN",
                f"c{wage.id}-accredited": "no",
                f"c{wage.id}-lowest_rate": "14.90",
                "confirm": "y",
            },
        )
        assert page.status_code == 302
    flag = db.session.execute(sa.select(ConditionFlag)).scalar_one()
    operator = app.test_client()
    admin_forms = _sign_in(operator, admin.email)
    flags_page = operator.get("/admin/condition-flags")
    assert "E1 6AN is not in the area" in text(soup(flags_page).select_one("#flags"))
    page = admin_forms.post(
        f"/admin/condition-flags/{flag.id}", {"reason": "", "submit_suspend": "y"}
    )
    assert error_summary(page) == [("Enter the reasons. The supplier will see them", "#reason")]
    page = admin_forms.post(
        f"/admin/condition-flags/{flag.id}",
        {"reason": "Your office is no longer in Newham", "submit_suspend": "y"},
    )
    assert page.status_code == 302
    db.session.expire_all()
    membership = db.session.execute(sa.select(LotMembership)).scalar_one()
    assert membership.status == MembershipStatus.SUSPENDED


def test_the_operator_loads_a_rate_and_makes_patches_shown_on_a_public_page(world, app):
    admin, dps, lots_before, _user, _org = world
    operator = app.test_client()
    forms = _sign_in(operator, admin.email)
    page = forms.post(
        "/admin/living-wage-rates",
        {
            "rate_year": "2026-27",
            "announced_on": "20/10/2026",
            "pay_by": "1/5/2027",
            "uk": "14.10",
            "london": "nope",
        },
    )
    assert error_summary(page) == [
        ("Enter the hourly rate in pounds and pence, like 13.85", "#london")
    ]
    page = forms.post(
        "/admin/living-wage-rates",
        {
            "rate_year": "2026-27",
            "announced_on": "20/10/2026",
            "pay_by": "1/5/2027",
            "uk": "14.10",
            "london": "15.50",
        },
    )
    assert page.status_code == 302
    rates = soup(operator.get("/admin/living-wage-rates")).select("#rates tbody tr")
    assert [text(td) for td in rates[0].select("td")] == [
        "2026-27",
        "20 October 2026",
        "1 May 2027",
        "£14.10",
        "£15.50",
        "Loaded",
    ]

    url = f"/admin/dps/{dps.id}/patches/new"
    fields = {
        "group": "Homecare patches 3",
        "description": "Homecare visits",
        "max_value": "500000",
        "cpv_codes": "85312000-9",
        "patches": "Newham: Newham\nEast: Barking and Dagenham, HAV\nNowhere: Atlantis",
        "cap_per_provider": "1",
        "office": "y",
        "wage": "london",
        "charter": "UNISON Ethical Care Charter",
    }
    page = forms.post(url, fields)
    assert error_summary(page) == [("Atlantis is not a local authority", "#patches")]
    assert soup(page).select_one("#patches").text.startswith("Newham: Newham")
    page = forms.post(url, {**fields, "patches": "Newham: Newham\nEast: Barking and Dagenham, HAV"})
    assert page.status_code == 302
    lots = (
        db.session.execute(
            sa.select(Lot).where(Lot.cap_group == "Homecare patches 3").order_by(Lot.number)
        )
        .scalars()
        .all()
    )
    assert len(lots) == 2
    public = app.test_client().get(f"/lots/{lots[0].id}/patches")
    rows = [[text(td) for td in tr.select("td")] for tr in soup(public).select("#patches tbody tr")]
    assert rows == [
        ["Lot 5: Homecare patches 3: Newham", "Newham", "Nobody yet"],
        ["Lot 6: Homecare patches 3: East", "Barking and Dagenham, Havering", "Nobody yet"],
    ]
    assert [text(li) for li in soup(public).select("#conditions li")] == [
        "An office in the lot’s area: an office in the patch’s area",
        "London Living Wage",
        "UNISON Ethical Care Charter",
    ]
    assert app.test_client().get(f"/lots/{lots_before[0].id}/patches").status_code == 404


def test_a_supplier_tells_the_operator_its_office_moved(world, app):
    from tests.dps.services.test_lot_conditions import admitted_to_newham, make_patches

    admin, dps, _lots, user, org = world
    newham, _th = make_patches(admin, dps)
    admitted_to_newham(admin, dps, newham, user, org)
    office = next(
        c for c in lot_conditions.conditions_of_lots([newham.id]) if c.kind == "office_in_area"
    )
    ids = {"org": org.id, "dps": dps.id}
    db.session.commit()
    supplier = app.test_client()
    forms = _sign_in(supplier, user.email)
    lots_page = supplier.get(f"/organisations/{ids['org']}/lots")
    url = f"/organisations/{ids['org']}/dps/{ids['dps']}/conditions"
    assert url in lots_page.get_data(as_text=True)
    page = supplier.get(url)
    assert soup(page).select_one(f"#c{office.id}-postcode")["value"] == "E15 4BQ"
    fields = {
        f"{c}-{part}": value
        for c, part, value in [
            (f"c{office.id}", "address", "2 Mile End Road"),
            (f"c{office.id}", "postcode", "E1 6AN"),
        ]
    }
    # The other conditions keep their last answers unless changed.
    for condition in lot_conditions.conditions_of_lots([newham.id]):
        if condition.id != office.id:
            for name, value in _current_fields(page, condition.id).items():
                fields.setdefault(name, value)
    page = forms.post(url, fields)
    assert page.status_code == 302, error_summary(page)
    flag = db.session.execute(sa.select(ConditionFlag)).scalar_one()
    assert flag.condition_id == office.id and "E1 6AN is not in the area" in flag.reason


def _current_fields(page, condition_id):
    """What the page shows for a condition's text boxes and checked radios."""
    box = soup(page).select_one(f"#condition-{condition_id}")
    found = {}
    for field in box.select("input[type=text], input:not([type])"):
        found[field["name"]] = field.get("value", "")
    for field in box.select("textarea"):
        found[field["name"]] = field.text.strip()
    for field in box.select("input[type=radio][checked]"):
        found[field["name"]] = field["value"]
    return found
