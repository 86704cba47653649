"""The pipeline's pages as people use them: the public list and its filters, the lot page's
planned work, a buyer listing an item (with the error summary, keeping what was typed), a
supplier registering interest, the buyer seeing it by kind, a full event refused with an error
summary, and a call-off drafted in one step."""

import time_machine

from app.extensions import db
from lots.opportunities.models import Opportunity
from lots.pipeline import services as pipeline
from lots.pipeline.models import PipelineInterest, PipelineItem
from tests.lots.helpers import make_buyer, supplier
from tests.lots.pipeline.helpers import NOW, add_event, list_item
from tests.pages import banner, error_links, heading, input_value, section, soup, table_rows


def test_the_public_list_filters_by_dps_lot_and_buyer(world, person):
    admin, dps, lots, user, buyer = world
    other_user, other = make_buyer(admin, dps, "oli@york.example", "City of York Council")
    with time_machine.travel(NOW, tick=False):
        befriending = list_item(user, buyer, lots[0])
        meals = list_item(user, buyer, lots[1], title="Community meals in Leeds")
        york = list_item(other_user, other, lots[0], title="Befriending in York")
        withdrawn = list_item(user, buyer, lots[0], title="Withdrawn work")
        pipeline.withdraw_item(user, withdrawn, "Funding was not renewed")
    visitor = person()
    with time_machine.travel(NOW, tick=True):
        everything = visitor.get("/pipeline")
        by_lot = visitor.get(f"/pipeline?lot={lots[0].id}")
        by_buyer = visitor.get(f"/pipeline?buyer={other.id}&dps={dps.id}")
        nonsense = visitor.get("/pipeline?lot=abc&buyer=-1")
        lot_page = visitor.get(f"/lots/{lots[1].id}")
        find = visitor.get("/opportunities")

    def titles(response):
        return [
            text.strip()
            for text in (a.get_text() for a in soup(response).select("#pipeline-items h2 a"))
        ]

    assert sorted(titles(everything)) == sorted([befriending.title, meals.title, york.title])
    assert sorted(titles(by_lot)) == sorted([befriending.title, york.title])
    assert titles(by_buyer) == [york.title]
    assert nonsense.status_code == 200 and len(titles(nonsense)) == 3
    assert meals.title in section(lot_page, "lot-pipeline")
    assert soup(find).find(id="pipeline-link")["href"] == "/pipeline"
    gone = visitor.get(f"/pipeline/{withdrawn.id}")
    assert "Funding was not renewed" in section(gone, "withdrawn")


def test_a_buyer_lists_planned_work_through_the_form(world, person):
    admin, dps, lots, user, buyer = world
    url = f"/buyer/{buyer.id}/pipeline/new"
    with time_machine.travel(NOW, tick=True):
        bea = person("bea@leeds.example")
        empty = bea.post(url, {"title": "Meals", "estimated_value": "lots"})
        assert empty.status_code == 200
        assert set(error_links(empty)) >= {
            "#lot_id",
            "#description",
            "#estimated_value",
            "#expected",
        }
        assert input_value(empty, "title") == "Meals"
        tampered = bea.post(
            url,
            {
                "lot_id": str(lots[0].id),
                "title": "Meals",
                "description": "Hot meals",
                "estimated_value": "40,000",
                "expected": "2029-1",  # not one of the choices: beyond 18 months
                "contact_name": "Bea",
                "contact_email": "bea@leeds.example",
            },
        )
        assert error_links(tampered) == ["#expected"]
        done = bea.post(
            url,
            {
                "lot_id": str(lots[0].id),
                "title": "Meals",
                "description": "Hot meals",
                "estimated_value": "40,000",
                "expected": "2027-2",
                "contact_name": "Bea",
                "contact_email": "bea@leeds.example",
            },
        )
    item = db.session.query(PipelineItem).one()
    assert done.status_code == 302
    assert done.location == f"/buyer/{buyer.id}/pipeline/{item.id}"
    assert (item.estimated_value_pence, item.expected_year, item.expected_quarter) == (
        4_000_000,
        2027,
        2,
    )
    supplier("Outsider CIC", "out@out.example")
    with time_machine.travel(NOW, tick=True):
        assert person("out@out.example").get(url).status_code == 403


def test_interest_registered_on_the_page_is_seen_by_the_buyer(world, person):
    admin, dps, lots, user, buyer = world
    owner, org = supplier("Kind Hearts CIC", "k@kind.example")
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
    with time_machine.travel(NOW, tick=True):
        kim = person("k@kind.example")
        page = kim.get(f"/pipeline/{item.id}")
        assert "Register interest" in section(page, "register-interest")
        sent = kim.post(
            f"/pipeline/{item.id}/interest",
            {"organisation_id": str(org.id), "intent": "lead"},
            form_url=f"/pipeline/{item.id}",
        )
        assert sent.status_code == 302
        after = kim.get(sent.location)
        assert "Kind Hearts CIC is registered as interested" in banner(after)
        assert "as the lead of a consortium" in section(after, "your-interest")
        someone_elses = kim.post(
            f"/pipeline/{item.id}/interest",
            {"organisation_id": str(buyer.id), "intent": "lead"},
            form_url=f"/pipeline/{item.id}",
        )
        assert someone_elses.status_code == 403
        managed = person("bea@leeds.example").get(f"/buyer/{buyer.id}/pipeline/{item.id}")
    assert db.session.query(PipelineInterest).count() == 1
    rows = table_rows(managed, "interested-suppliers")
    assert rows[0][0] == "Kind Hearts CIC" and rows[0][-2] == "As the lead of a consortium"
    assert ["VCSE", "0", "–"] in table_rows(managed, "interest-by-kind")
    assert ["SME", "1", "0"] in table_rows(managed, "interest-by-kind")


def test_a_full_event_is_refused_with_an_error_summary(world, person):
    admin, dps, lots, user, buyer = world
    a, a_org = supplier("First CIC", "a@first.example")
    b, b_org = supplier("Second CIC", "b@second.example")
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        pipeline.register_interest(a, a_org, item)
        pipeline.register_interest(b, b_org, item)
        event = add_event(user, item, capacity=1)
        pipeline.book_place(a, a_org, event)
    with time_machine.travel(NOW, tick=True):
        second = person("b@second.example")
        page = second.get(f"/pipeline/{item.id}")
        assert "There are no places left" in section(page, f"event-{event.id}")
        refused = second.post(
            f"/pipeline/events/{event.id}/book",
            {"organisation_id": str(b_org.id)},
            form_url=f"/pipeline/{item.id}",
        )
    assert refused.status_code == 409
    assert error_links(refused) == [f"#event-{event.id}"]
    assert heading(refused) == item.title


def test_an_event_form_and_a_call_off_drafted_in_one_step(world, person):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
    base = f"/buyer/{buyer.id}/pipeline/{item.id}"
    with time_machine.travel(NOW, tick=True):
        bea = person("bea@leeds.example")
        wrong = bea.post(
            f"{base}/events/new",
            {"date": ["14", "1", "2027"], "hour": "14", "capacity": "ten"},
        )
        assert error_links(wrong) == ["#capacity"]
        no_place = bea.post(
            f"{base}/events/new",
            {"date": ["14", "1", "2027"], "hour": "14", "capacity": "10"},
        )
        assert error_links(no_place) == ["#place"]
        added = bea.post(
            f"{base}/events/new",
            {
                "date": ["14", "1", "2027"],
                "hour": "14",
                "capacity": "10",
                "link": "https://meet.example/a",
            },
        )
        assert added.status_code == 302
        drafted = bea.post(f"{base}/draft", form_url=base)
    opportunity = db.session.query(Opportunity).one()
    assert drafted.location == f"/buyer/{buyer.id}/opportunities/{opportunity.id}"
    db.session.expire_all()
    assert db.session.get(PipelineItem, item.id).opportunity_id == opportunity.id
