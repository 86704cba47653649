"""The operator's list of social value measures: the open list seeded, callers reading the table,
adding, retiring (never deleting one that is used, refused by the service and by the database),
proxy values (never for a share), and importing an operator's own measures and values from a CSV
file, whole or nothing, with every bad line named."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.measures import services
from app.measures.models import SocialValueMeasure
from app.reference import social_value
from tests.factories import make_user
from tests.lots.pages import error_summary
from tests.pages import error_links, soup, table_rows, text
from tests.reading import audit_events

NEW = {
    "id": "LA-COM-01",
    "name": "Community events hosted",
    "definition": "Events open to residents",
    "unit": "count",
    "unit_label": "events",
    "value_type": "count",
    "aggregation": "sum",
    "direction": "more",
    "ppn002_missions": "M1",
    "ppn0620_outcomes": "T5.2",
    "evidence": "Event list",
    "source": "Leeds social value charter 2026",
}


@pytest.fixture
def admin(app):
    return make_user("ops@operator.example", "Olu Operator", admin=True)


def test_the_open_list_is_seeded_and_read_with_its_policy_outcomes(app):
    emp = social_value.get("SV-EMP-01")
    assert emp.unit == "FTE" and emp.aggregation == "latest" and emp.value_type == "decimal"
    assert emp.asks_postcode_sectors
    assert ("PPN 002", "M1", "Kickstart economic growth") in emp.outcomes
    assert social_value.get("SV-SKL-01").unit == "apprenticeships"
    assert social_value.get("SV-SKL-01").unit_kind == "count"
    assert social_value.get("SV-SC-01").unit == "£"
    assert social_value.get("SV-FW-04").direction == "less"
    assert "not the National TOMs" in emp.source
    assert social_value.get("NOPE") is None


def test_only_the_operator_adds_and_a_new_measure_is_offered(app, admin):
    with pytest.raises(NotAllowed):
        services.add_measure(make_user("x@example.org"), NEW)
    services.add_measure(admin, NEW)
    assert "LA-COM-01" in [m.id for m in social_value.all_measures()]
    assert social_value.get("LA-COM-01").unit == "events"
    with pytest.raises(ServiceError, match="already a measure"):
        services.add_measure(admin, NEW)
    assert audit_events("add_social_value_measure")[-1].detail["measure_id"] == "LA-COM-01"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"unit": "furlongs"}, "unit"),
        ({"value_type": "ratio-ish"}, "value_type"),
        ({"value_type": "percentage", "aggregation": "sum"}, "aggregation"),
        ({"ppn002_missions": "M9"}, "ppn002_missions"),
        ({"id": "bad id"}, "id"),
        ({"source": ""}, "source"),
    ],
)
def test_a_measure_that_does_not_add_up_is_refused(app, admin, change, field):
    with pytest.raises(ServiceError) as refused:
        services.add_measure(admin, {**NEW, **change})
    assert refused.value.field == field


def test_a_retired_measure_is_not_offered_but_still_read(app, admin):
    services.retire_measure(admin, "SV-WB-02")
    assert "SV-WB-02" not in [m.id for m in social_value.all_measures()]
    assert social_value.get("SV-WB-02").retired
    services.reinstate_measure(admin, "SV-WB-02")
    assert not social_value.get("SV-WB-02").retired


def test_a_used_measure_is_never_deleted(app, admin):
    from tests.lots.awards.helpers import contract_for
    from tests.lots.bidding import bidding_world

    world = bidding_world(social_value_measures=["SV-EMP-01"])
    # Named by a call-off: the service refuses, and so does the database.
    with pytest.raises(ServiceError, match="Retire it instead"):
        services.delete_measure(admin, "SV-EMP-01")
    with pytest.raises(sa.exc.DBAPIError, match="used by a call-off"):
        db.session.execute(sa.text("DELETE FROM social_value_measures WHERE id = 'SV-EMP-01'"))
    db.session.rollback()
    # Promised in a contract: a foreign key refuses.
    contract_for(world, {"SV-COM-01": "10"})
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("DELETE FROM social_value_measures WHERE id = 'SV-COM-01'"))
    db.session.rollback()
    # One nobody uses (added by mistake) may go.
    services.add_measure(admin, NEW)
    services.delete_measure(admin, "LA-COM-01")
    assert db.session.get(SocialValueMeasure, "LA-COM-01") is None


def test_proxy_values_only_where_set_and_never_for_a_share(app, admin):
    assert social_value.estimate_pence(social_value.get("SV-COM-01"), Decimal("10")) is None
    services.set_proxy(admin, "SV-COM-01", "£14.43", "Operator study", "2025", "OGL")
    hours = social_value.get("SV-COM-01")
    assert hours.proxy.source == "Operator study" and hours.proxy.year == 2025
    assert social_value.estimate_pence(hours, Decimal("10")) == 14430
    with pytest.raises(ServiceError, match="no money value per unit") as refused:
        services.set_proxy(admin, "SV-FW-01", "1", "x", "2025")
    assert refused.value.field == "pounds"
    with pytest.raises(ServiceError) as refused:
        services.set_proxy(admin, "SV-COM-01", "1", "", "2025")
    assert refused.value.field == "source"
    services.remove_proxy(admin, "SV-COM-01")
    assert social_value.get("SV-COM-01").proxy is None
    kinds = [e.event_type for e in audit_events() if "proxy" in e.event_type]
    assert kinds == ["set_social_value_proxy", "remove_social_value_proxy"]


GOOD = (
    "measure_id,measure,unit,value_type,aggregation,direction,proxy_gbp_per_unit,proxy_year\n"
    "LIC-01,Licensed jobs measure,people,integer,snapshot,higher,,\n"
    "LIC-02,Licensed hours measure,hours,decimal,sum,higher,10.50,2024\n"
    "SV-COM-01,,,,,,12,2025\n"
)


def test_an_operators_own_licensed_list_is_imported(app, admin):
    added, proxies = services.import_measures(
        admin, GOOD.encode(), "Licensed list v3", "Licence 123, 2026"
    )
    assert (added, proxies) == (2, 2)
    lic = social_value.get("LIC-01")
    assert (lic.value_type, lic.aggregation, lic.licence) == (
        "count",
        "latest",
        "Licence 123, 2026",
    )
    assert social_value.get("LIC-02").proxy.pence_per_unit == Decimal("1050.00")
    # A measure already in the list keeps its wording; only its value is set.
    assert social_value.get("SV-COM-01").name == "Volunteering hours by contract staff"
    assert social_value.get("SV-COM-01").proxy.source == "Licensed list v3"


def test_a_bad_file_imports_nothing_and_names_every_bad_line(app, admin):
    bad = (
        "measure_id,measure,unit,value_type,aggregation,proxy_gbp_per_unit,proxy_year\n"
        "LIC-01,Fine,people,count,sum,,\n"
        "LIC-02,Bad unit,furlongs,count,sum,,\n"
        "LIC-03,A share summed,%,percentage,sum,,\n"
        "SV-FW-01,,,,,3,2025\n"
    )
    with pytest.raises(services.ImportError_) as refused:
        services.import_measures(admin, bad.encode(), "List", "Licence")
    lines = [line for line, _ in refused.value.problems]
    assert lines == [3, 4, 5]
    assert refused.value.messages()[0].startswith("Line 3: Choose the unit")
    db.session.rollback()
    assert social_value.get("LIC-01") is None


def test_the_operators_pages(app, admin, client, auth):
    auth.sign_in("ops@operator.example")
    page = client.get("/admin/social-value-measures")
    assert page.status_code == 200
    assert len(table_rows(page, "measures")) == 34
    form = client.get("/admin/social-value-measures/new")
    token = soup(form).find("input", {"name": "csrf_token"})["value"]
    refused = client.post(
        "/admin/social-value-measures/new", data={**NEW, "unit": "", "csrf_token": token}
    )
    assert refused.status_code == 200
    assert error_summary(refused) == [
        "Choose the unit: people, FTE, hours, £, %, tonnes CO2e, count"
    ]
    assert error_links(refused) == ["#unit"]
    assert soup(refused).find(id="name")["value"] == "Community events hosted"
    done = client.post("/admin/social-value-measures/new", data={**NEW, "csrf_token": token})
    assert done.status_code == 302
    retire = client.post(
        "/admin/social-value-measures/LA-COM-01/status",
        data={"action": "retire", "csrf_token": token},
    )
    assert retire.status_code == 302
    row = soup(client.get("/admin/social-value-measures")).find(id="measure-LA-COM-01")
    assert "Retired" in text(row)
    proxy = client.post(
        "/admin/social-value-measures/SV-COM-01/proxy",
        data={"pounds": "x", "source": "S", "year": "2025", "csrf_token": token},
    )
    assert error_summary(proxy)[0].startswith("Enter the value of one unit in pounds")


def test_only_the_operator_sees_the_pages(app, client, auth):
    make_user("sam@example.org")
    auth.sign_in("sam@example.org")
    assert client.get("/admin/social-value-measures").status_code == 403
