"""Places and their shared priorities: the operator defines a place from councils or a
combined authority (by name or code), chooses a short list of measures, and the buyers whose
council is in the place are offered those measures first when they set a call-off's social value
measures. A measure a place uses is never deleted."""

import pytest

from app.errors import NotAllowed, ServiceError
from app.measures import services as measures
from app.places import services as places
from tests.conftest import Browserless, FreshContextClient
from tests.factories import PASSWORD, make_user
from tests.lots.helpers import ready_draft, setup_world
from tests.lots.pages import error_summary
from tests.pages import soup, table_rows, text
from tests.reading import audit_events


class Person:
    def __init__(self, app, email):
        self.client = FreshContextClient(app, app.response_class, use_cookies=True)
        self.forms = Browserless(self.client)
        assert (
            self.forms.post("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302
        )

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data=None):
        return self.forms.post(url, data)


@pytest.fixture
def admin(app):
    return make_user("ops@operator.example", "Olu Operator", admin=True)


def test_a_combined_authority_brings_in_its_councils(admin):
    place = places.create_place(admin, "West Yorkshire", "West Yorkshire", "Five councils")
    assert place.slug == "west-yorkshire" and place.defined_as == ["WYCA"]
    assert place.authority_codes == ["BRD", "CLD", "KIR", "LDS", "WKF"]
    leeds = places.create_place(admin, "Leeds and Wigan", "lds\nWigan")
    assert leeds.authority_codes == ["LDS", "WGN"]
    # A county council brings in its districts.
    county = places.create_place(admin, "Derbyshire", "Derbyshire County Council")
    assert "AMB" in county.authority_codes and "DBY" not in county.authority_codes
    assert [e.event_type for e in audit_events()].count("create_place") == 3


@pytest.mark.parametrize(
    "name, areas, field",
    [
        ("", "Leeds", "name"),
        ("Nowhere", "Atlantis", "areas"),
        ("Nowhere", " \n ", "areas"),
    ],
)
def test_a_place_needs_a_name_and_real_councils(admin, name, areas, field):
    with pytest.raises(ServiceError) as refused:
        places.create_place(admin, name, areas)
    assert refused.value.field == field


def test_only_the_operator_defines_places(app):
    someone = make_user("someone@example.org", "Sam Someone")
    with pytest.raises(NotAllowed):
        places.create_place(someone, "Leeds", "Leeds")


def test_priorities_are_a_short_list_of_active_measures_and_never_deleted(admin):
    place = places.create_place(admin, "Leeds", "Leeds")
    places.set_priorities(admin, place, ["SV-COM-01", "SV-EMP-01"])
    assert place.priority_ids == ["SV-COM-01", "SV-EMP-01"]
    with pytest.raises(ServiceError):
        places.set_priorities(
            admin,
            place,
            [f"SV-EMP-0{i}" for i in range(1, 6)] + [f"SV-SKL-0{i}" for i in range(1, 7)],
        )
    with pytest.raises(ServiceError):
        places.set_priorities(admin, place, ["SV-NOPE"])
    measures.retire_measure(admin, "SV-WB-01")
    with pytest.raises(ServiceError):
        places.set_priorities(admin, place, ["SV-WB-01"])
    # A measure a place uses is not deleted: the operator retires it instead.
    with pytest.raises(ServiceError):
        measures.delete_measure(admin, "SV-COM-01")


def test_buyers_in_a_place_are_offered_its_priorities_first(app):
    admin, dps, lots, bea, leeds = setup_world()
    leeds.local_authority_code = "LDS"
    place = places.create_place(admin, "West Yorkshire", "WYCA")
    places.set_priorities(admin, place, ["SV-FW-01", "SV-COM-01"])
    elsewhere = places.create_place(admin, "Greater Manchester", "Greater Manchester")
    places.set_priorities(admin, elsewhere, ["SV-ENV-01"])
    assert places.buyer_ids_in(place) == [leeds.id]
    assert places.buyer_ids_in(elsewhere) == []
    opportunity = ready_draft(bea, leeds, lots[0])
    page = Person(app, bea.email).get(
        f"/buyer/{leeds.id}/opportunities/{opportunity.id}/social-value"
    )
    assert page.status_code == 200, page.status_code
    html = soup(page)
    legends = [text(legend) for legend in html.select("legend")]
    assert legends[0] == "Shared priorities in West Yorkshire"
    shared = [box["value"] for box in html.select("#shared-west-yorkshire input[name=measures]")]
    assert shared == ["SV-FW-01", "SV-COM-01"]
    # Each measure is offered once; Manchester's priority is an ordinary choice here.
    values = [box["value"] for box in html.select("input[name=measures]")]
    assert values.count("SV-COM-01") == 1 and "SV-ENV-01" in values
    assert "Shared priorities in Greater Manchester" not in legends


def test_the_operator_puts_buyers_in_a_place_by_name(app):
    admin, dps, lots, bea, leeds = setup_world()  # Leeds City Council, no council of its own
    place = places.create_place(admin, "West Yorkshire", "WYCA")
    assert places.buyer_ids_in(place) == [] and places.places_of_buyer(leeds) == []
    ops = Person(app, admin.email)
    saved = ops.forms.post(
        f"/admin/places/{place.id}/buyers",
        {"buyers": [str(leeds.id)]},
        form_url=f"/admin/places/{place.id}/priorities",
    )
    assert saved.status_code == 302
    assert places.buyer_ids_in(place) == [leeds.id]
    assert [p.slug for p in places.places_of_buyer(leeds)] == ["west-yorkshire"]
    with pytest.raises(ServiceError):
        places.set_buyers(admin, place, [admin.id + 10_000])
    assert "set_place_buyers" in [e.event_type for e in audit_events()]


def test_the_operator_defines_a_place_and_its_priorities_on_pages(app, admin):
    ops = Person(app, admin.email)
    refused = ops.post("/admin/places/new", {"name": "West Yorkshire", "areas": "Leeds\nGotham"})
    assert refused.status_code == 200
    assert error_summary(refused)[0].startswith("“Gotham” is not a current council")
    assert soup(refused).select_one("#areas").get_text() == "Leeds\nGotham"
    made = ops.post("/admin/places/new", {"name": "West Yorkshire", "areas": "West Yorkshire"})
    assert made.status_code == 302
    form_url = made.headers["Location"]
    too_many = ops.post(
        form_url,
        {"measures": [f"SV-SKL-0{i}" for i in range(1, 8)] + [f"SV-EMP-0{i}" for i in range(1, 6)]},
    )
    assert too_many.status_code == 200 and error_summary(too_many)
    assert ops.post(form_url, {"measures": ["SV-EMP-01", "SV-COM-01"]}).status_code == 302
    listed = table_rows(ops.get("/admin/places"), "places")
    assert listed[0][0] == "West Yorkshire"
    assert "Bradford, Calderdale, Kirklees, Leeds, Wakefield" in listed[0][1]
    public = soup(ops.get("/places/west-yorkshire"))
    assert [row["id"] for row in public.select("#place-totals tbody tr")] == [
        "total-SV-EMP-01",
        "total-SV-COM-01",
    ]


def test_only_the_operator_sees_the_places_pages(app):
    make_user("someone@example.org", "Sam Someone")
    assert Person(app, "someone@example.org").get("/admin/places").status_code == 403
