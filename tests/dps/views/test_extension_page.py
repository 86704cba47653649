"""The operator extends an application's time limit on the review page: any number of working
days up to 15, more than it has, with a reason; a bad number is shown in the error summary."""

from datetime import date

import pytest
import time_machine

from app.extensions import db
from dps.models import Application
from tests.app.accounts.helpers import fresh_client
from tests.dps.helpers import make_admin, make_dps, submitted_application
from tests.dps.views.reading import banner, error_summary, page, soup, summary_list

ADMIN = "ada@operator.example"
MONDAY = "2026-12-07 10:00:00+00:00"


@pytest.fixture
def client(app):
    return fresh_client(app)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("16", "An application can be given at most 15 working days"),
        ("5", "An extension must give more than the 5 working days the application has"),
        ("twelve", "Enter the number of working days as a whole number, like 15"),
    ],
)
def test_a_bad_number_of_days_is_shown_against_the_field(app, client, forms, auth, days, message):
    admin = make_admin(ADMIN)
    dps, lots = make_dps(admin, admission_days=5)
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        review = f"/admin/applications/{application.id}"
        assert auth.sign_in(ADMIN).status_code == 302
        response = forms.post(
            f"{review}/extension",
            {"extend-days": days, "extend-reason": "References"},
            form_url=review,
        )
    assert response.status_code == 200
    assert error_summary(soup(response)) == [(message, "#extend-days")]


def test_a_dps_deciding_in_5_days_extends_one_application_to_8(app, client, forms, auth):
    admin = make_admin(ADMIN)
    dps, lots = make_dps(admin, admission_days=5)
    with time_machine.travel(MONDAY, tick=False):
        application = submitted_application(dps, [lots[0].id])
        review = f"/admin/applications/{application.id}"
        assert auth.sign_in(ADMIN).status_code == 302
        response = forms.post(
            f"{review}/extension",
            {"extend-days": "8", "extend-reason": "Checking two references"},
            form_url=review,
        )
        assert response.status_code == 302
        html = page(client, review)
    assert "The time limit is now 8 working days" in banner(html)
    clock = summary_list(html, "clock")
    assert clock["Time limit"] == "8 working days (extended: Checking two references)"
    assert clock["Decision due"] == "17 December 2026"
    db.session.expire_all()
    assert db.session.get(Application, application.id).decision_due_on == date(2026, 12, 17)
