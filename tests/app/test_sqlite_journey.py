"""`make run` uses SQLite with everything embedded: run the main journey there too, so it cannot rot."""

import re

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.outbox.models import OutboxMessage, OutboxStatus
from tests.conftest import Browserless, FreshContextClient


def test_main_journey_on_sqlite(sqlite_app):
    # Each request in its own app context, as in production (the session is replaced on signing in).
    client = FreshContextClient(sqlite_app, sqlite_app.response_class, use_cookies=True)
    forms = Browserless(client)
    response = forms.post(
        "/register",
        {"name": "Sol Smith", "email": "sol@example.org", "password": "teapot meadow lantern"},
    )
    assert response.status_code == 302
    # Development has no worker: the job ran inline and the email sits in the local outbox.
    message = db.session.execute(sa.select(OutboxMessage)).scalar_one()
    assert message.status == OutboxStatus.SENT
    page = client.get(f"/dev/outbox/{message.id}").get_data(as_text=True)
    link = re.search(r"http://localhost(/confirm/[^\s<\"]+)", page).group(1)
    # The link signs in, in the browser that registered (one conditional update, on SQLite too).
    assert client.get(link).headers["Location"] == "/organisations"
    assert client.get("/account").status_code == 200
    # The password signs in from another.
    other = FreshContextClient(sqlite_app, sqlite_app.response_class, use_cookies=True)
    response = Browserless(other).post(
        "/sign-in", {"email": "sol@example.org", "password": "teapot meadow lantern"}
    )
    assert response.status_code == 302
    assert other.get("/account").status_code == 200


def test_seed_demo_runs_twice_on_sqlite(sqlite_app):
    runner = sqlite_app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    users = db.session.execute(sa.select(sa.func.count(User.id))).scalar_one()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar_one() == users
    assert "admin@vcse-dps.example" in first.output


def test_search_works_on_sqlite(sqlite_app):
    """The search's SQL is built once per kind of search with its values bound (on SQLite, one
    LIKE condition a word): each kind finds what the words and filters say, downloads too."""
    from lots.opportunities.models import Opportunity, OpportunityStatus
    from lots.search.queries import every_match, parse, search

    assert sqlite_app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    published = (
        db.session.execute(
            sa.select(Opportunity).where(Opportunity.status != OpportunityStatus.DRAFT)
        )
        .scalars()
        .all()
    )
    assert len(published) >= 3
    client = sqlite_app.test_client()
    for o in published[:3]:
        words = re.findall(r"[a-z]{4,}", o.title.lower())[:2]
        for args in (
            {"q": " ".join(words), "status": "all"},
            {"q": words[0], "status": "all", "sort": "value_high"},
            {"q": " ".join(words), "status": "all", "lot": str(o.lot_id)},
        ):
            expected = {
                p.id
                for p in published
                if all(
                    w
                    in " ".join(
                        filter(None, [p.title, p.summary, p.description, p.buyer_name])
                    ).lower()
                    for w in args["q"].split()
                )
                and ("lot" not in args or p.lot_id == o.lot_id)
            }
            filters = parse(args)
            found = search(filters)
            assert o.id in {row.id for row in found.rows}, args
            assert found.total == len(expected), args
            assert {row.id for row in every_match(filters)} == expected, args
            page = client.get("/opportunities", query_string=args)
            assert page.status_code == 200 and o.title in page.get_data(as_text=True)
    assert search(parse({"q": "x"})).total == 0  # no word of two letters or more: nothing
