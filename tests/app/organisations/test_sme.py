"""Who is a small or medium-sized enterprise (Procurement Act 2023): fewer than 250 staff, and
turnover up to £44m or a balance sheet total up to £38m. The figures are configuration."""

import pytest
import sqlalchemy as sa

from app.errors import ServiceError
from app.extensions import db
from app.organisations import services
from app.organisations.models import Organisation
from app.organisations.services import InvalidDetails
from tests.factories import make_user

DETAILS = {
    "name": "Pennine Care Partnership",
    "supplier_type": "company_limited_by_guarantee",
    "company_number": "01234567",
    "address": "1 Mill Street\nLeeds",
    "postcode": "LS1 1AA",
    "local_authority_code": "LDS",
    "staff_band": "50-249",
    "turnover_band": "over_44m",
    "balance_sheet_band": "10m_38m",
    "description": "Homecare across Calderdale.",
}


def _supplier(**changes):
    owner = make_user(email=f"owner{db.session.query(Organisation).count()}@example.org")
    return services.create_supplier(owner, {**DETAILS, **changes})


def _sme_ids():
    return set(db.session.execute(sa.select(Organisation.id).where(Organisation.is_sme)).scalars())


@pytest.mark.parametrize(
    ("changes", "sme"),
    [
        # Turnover over £44m, but a balance sheet total within £38m: an SME.
        ({}, True),
        ({"balance_sheet_band": "over_38m"}, False),
        ({"turnover_band": "10m_44m", "balance_sheet_band": ""}, True),
        ({"staff_band": "250+"}, False),
        ({"staff_band": "250+", "turnover_band": "1m_10m", "balance_sheet_band": ""}, False),
    ],
)
def test_sme_status_takes_turnover_or_the_balance_sheet(app, changes, sme):
    organisation = _supplier(**changes)
    assert organisation.is_sme is sme
    assert (organisation.id in _sme_ids()) is sme


def test_the_balance_sheet_is_asked_when_the_turnover_is_over_the_limit(app):
    with pytest.raises(InvalidDetails, match="balance sheet total") as refused:
        _supplier(balance_sheet_band="")
    assert "decides whether you are an SME" in refused.value.errors["balance_sheet_band"]
    assert "£44,000,000" in refused.value.errors["balance_sheet_band"]


def test_the_balance_sheet_is_not_kept_when_the_turnover_decides(app):
    organisation = _supplier(turnover_band="1m_10m", balance_sheet_band="over_38m")
    assert organisation.balance_sheet_band is None and organisation.is_sme


def test_the_figures_are_configuration(app):
    organisation = _supplier()
    app.config["SME_BALANCE_SHEET_MAX_PENCE"] = 10_000_000 * 100  # £10m: 10m_38m is over it
    try:
        assert not organisation.is_sme and _sme_ids() == set()
        app.config["SME_TURNOVER_MAX_PENCE"] = 100_000_000 * 100  # no band over £44m has a top
        assert not organisation.is_sme
        app.config["SME_STAFF_FEWER_THAN"] = 50
        app.config["SME_BALANCE_SHEET_MAX_PENCE"] = 38_000_000 * 100
        assert not organisation.is_sme  # 50 to 249 staff is not fewer than 50
    finally:
        app.config.update(
            SME_STAFF_FEWER_THAN=250,
            SME_TURNOVER_MAX_PENCE=44_000_000 * 100,
            SME_BALANCE_SHEET_MAX_PENCE=38_000_000 * 100,
        )
    assert organisation.is_sme


def test_a_made_up_balance_sheet_band_is_refused(app):
    with pytest.raises(ServiceError, match="Select your organisation’s balance sheet total"):
        _supplier(balance_sheet_band="billions")
