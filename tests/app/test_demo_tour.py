"""The demo as a tour: `flask seed-demo` lists every person it made (a distinct name, their
organisation and what to try as them), and leaves a call-off whose deadline has passed with its
bids opened, so its evaluator can sign in and score straight away."""

import re

import sqlalchemy as sa

from app.accounts.models import User
from app.demo import DEMO_PASSWORD
from app.extensions import db
from lots.evaluation import sealing
from lots.evaluation.demo import EVALUATOR, TITLE, call_off_to_score
from lots.evaluation.models import Declaration, EvaluatorAssignment
from tests.pages import soup, table_rows, text


def printed_accounts(output):
    """{email: [email, name, organisation, what to try]} from the table seed-demo prints."""
    rows = {}
    for line in output.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 4 and "@" in cells[0]:
            rows[cells[0]] = cells
    return rows


def test_seed_demo_prints_every_person_with_a_distinct_name_and_a_role(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    people = db.session.execute(sa.select(User).order_by(User.id)).scalars().all()
    names = [person.name for person in people]
    assert len(set(names)) == len(names), names
    # Not even a first name twice: "which Priya?" never comes up on the tour.
    first_names = [name.split()[0] for name in names]
    assert len(set(first_names)) == len(first_names), first_names

    printed = printed_accounts(result.output)
    assert set(printed) == {person.email for person in people}
    for person in people:
        _email, name, organisation, role = printed[person.email]
        assert name == person.name
        belongs = {m.organisation.display_name for m in person.memberships}
        assert organisation in belongs or (
            person.is_admin and organisation == app.config["OPERATOR_NAME"]
        )
        assert len(role.split()) >= 5, (person.email, role)

    to_score = call_off_to_score()
    assert f"Ready to score: {TITLE} ({to_score.reference})" in result.output
    assert f"Sign in as {EVALUATOR[0]}" in result.output
    assert "flask demo close-call-off" in result.output


def test_the_evaluator_finds_the_call_off_ready_to_score(app, client, auth, forms, seeded_demo):
    opportunity = call_off_to_score()
    assert opportunity.deadline_passed and not sealing.is_sealed(opportunity)
    assert sealing.evaluation_of(opportunity.id) is not None  # opened
    bidders = {bid.organisation.name for bid in sealing.submitted_bids(opportunity.id)}
    assert len(bidders) == 3
    # Every bid was submitted before the (moved) deadline.
    assert all(
        bid.current_submission.submitted_at < opportunity.submission_deadline
        for bid in sealing.submitted_bids(opportunity.id)
    )
    moderator = db.session.execute(
        sa.select(EvaluatorAssignment).where(
            EvaluatorAssignment.opportunity_id == opportunity.id,
            EvaluatorAssignment.is_moderator,
        )
    ).scalar_one()
    assert moderator.declaration == Declaration.PENDING  # the moderator's tour starts there

    assert auth.sign_in(EVALUATOR[0], DEMO_PASSWORD).status_code == 302
    # From the buyer's home, under Closed.
    home = client.get("/buyer", follow_redirects=True)
    closed = soup(home).find(id="closed")
    link = closed.find("a", string=TITLE)
    assert link is not None, text(closed)
    manage = client.get(link["href"])
    evaluate_link = soup(manage).find("a", string=re.compile("Evaluate the bids"))
    page = client.get(evaluate_link["href"])
    assert page.status_code == 200  # no declaration first: already made
    rows = table_rows(page, "bids")
    assert {row[0] for row in rows} == bidders
    assert all(row[1] == "Not started" for row in rows)

    # And scores one bid straight away.
    first = soup(page).select_one("#bids a")
    form_page = client.get(first["href"])
    fields = {
        field["name"]
        for field in soup(form_page).select("input[name^=score_], textarea[name^=comment_]")
    }
    data = {
        name: ("3" if name.startswith("score_") else "A clear, credible plan.") for name in fields
    }
    response = forms.post(first["href"], data)
    assert response.status_code == 302
    rows = table_rows(client.get(evaluate_link["href"]), "bids")
    assert sorted(row[1] for row in rows) == ["Not started", "Not started", "Scored"]
