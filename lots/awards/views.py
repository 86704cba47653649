"""Awarding and after: the buyer proposes the award from the ranked result, the approver confirms
it, returns it or records that no bid was suitable; each bidder reads its own letters; the public
contracts register and each contract's social value, promised and delivered, where the buyer
records delivery.

The services (lots.services.awards) decide who may do what; a NotAllowed is a 403. A supplier
sees only the letters of its own organisation (anyone else gets a 404), and downloads them
through the documents route, whose owner rule lets members of the supplier read them.
"""

import click
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Membership, Organisation
from app.reference import social_value
from app.web import found, me, refused
from lots.awards import services as awards
from lots.awards.models import AwardStatus, Contract, SocialValueCommitment
from lots.bids.models import Bid
from lots.blueprint import bp
from lots.evaluation.forms import ActionForm, AwardDecisionForm, DeliveryForm
from lots.evaluation.views import BASE, _overseen, render_result
from lots.opportunities.models import OpportunityStatus
from lots.opportunities.permissions import has_buyer_role

DECISIONS = {
    "confirm": (
        lambda o, form: awards.confirm(me(), o),
        "The award is confirmed. Every bidder will receive a letter.",
    ),
    "return": (
        lambda o, form: awards.return_award(me(), o, form.reason.data),
        "The award has been returned to the buyer.",
    ),
    "no_suitable_bid": (
        lambda o, form: awards.no_suitable_bid(me(), o, form.reason.data),
        "You have recorded that no bid was suitable. Every bidder will be told why.",
    ),
}


# --- Proposing and deciding --------------------------------------------------------------------


@bp.route(BASE + "/award/propose", methods=["POST"])
@login_required
def propose_award(organisation_id, opportunity_id):
    organisation, opportunity = _overseen(organisation_id, opportunity_id)
    if ActionForm().validate_on_submit():
        try:
            awards.propose(me(), opportunity)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            return render_result(organisation, opportunity, problem=str(exc))
        flash(
            "The award is proposed. An approver in your organisation must confirm it before "
            "anyone is told.",
            "success",
        )
        return redirect(
            url_for(
                "lots.award_decision",
                organisation_id=organisation.id,
                opportunity_id=opportunity.id,
            )
        )
    return redirect(
        url_for(
            "lots.evaluation_result", organisation_id=organisation.id, opportunity_id=opportunity.id
        )
    )


@bp.route(BASE + "/award", methods=["GET", "POST"])
@login_required
def award_decision(organisation_id, opportunity_id):
    """The proposed award for the approver to decide, and the decision once made."""
    organisation, opportunity = _overseen(organisation_id, opportunity_id)
    award = awards.award_of(opportunity.id)
    form = AwardDecisionForm()
    if form.validate_on_submit():
        act, done = DECISIONS[form.decision.data]
        try:
            act(opportunity, form)
        except ServiceError as exc:
            refused(form, exc, "decision")
        else:
            flash(done, "success")
            return redirect(request.path)
    return render_template(
        "lots/award_decision.html",
        organisation=organisation,
        opportunity=opportunity,
        award=award,
        form=form,
        contract=awards.contract_of(opportunity.id),
        can_decide=has_buyer_role(current_user, opportunity.buyer_id, "approver"),
        letters=_letter_count(opportunity.id),
        decided=opportunity.status
        in (OpportunityStatus.AWARDED, OpportunityStatus.NO_SUITABLE_BID),
    )


def _letter_count(opportunity_id):
    from lots.awards.models import AwardLetter

    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(AwardLetter)
        .where(AwardLetter.opportunity_id == opportunity_id)
    ).scalar()


@bp.app_template_global("published_award")
def published_award(opportunity):
    """The award as the opportunity page shows it, once the approver has confirmed it:
    {"winner", "value_pence", "confirmed_at", "standstill_ends_at", "contract"}; else None."""
    award = awards.award_of(opportunity.id)
    if award is None or award.status == AwardStatus.PROPOSED:
        return None
    winner = next(row for row in award.result if row["bid_id"] == award.winner_bid_id)
    return {
        "winner": winner["supplier"],
        "value_pence": winner["price_pence"],
        "confirmed_at": award.confirmed_at,
        "standstill_ends_at": award.standstill_ends_at
        if opportunity.voluntary_standstill
        else None,
        "contract": awards.contract_of(opportunity.id),
    }


# --- A supplier's letters ----------------------------------------------------------------------


def _bidding_organisations(user, opportunity_id):
    """The user's organisations that bid for the opportunity."""
    return (
        db.session.execute(
            sa.select(Organisation)
            .join(Bid, Bid.organisation_id == Organisation.id)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Bid.opportunity_id == opportunity_id, Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


@bp.route("/opportunities/<int:opportunity_id>/letters")
@login_required
def award_letters(opportunity_id):
    """The letters of the signed-in person's organisations for this opportunity; 404 when
    there are none (so nobody learns whether another organisation has one)."""
    from lots.opportunities import queries

    opportunity = found(queries.opportunity(opportunity_id))
    groups = [
        (org, awards.letters_for(opportunity.id, org.id))
        for org in _bidding_organisations(current_user, opportunity.id)
    ]
    groups = [(org, letters) for org, letters in groups if letters]
    if not groups:
        abort(404)
    return render_template("lots/award_letters.html", opportunity=opportunity, groups=groups)


# --- The contracts register ----------------------------------------------------------------------


def _id_arg(name):
    """An organisation id from the query string, or None (also for ones no database holds)."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value < 2**31 else None


@bp.route("/contracts")
def contracts_register():
    buyer_id, supplier_id = _id_arg("buyer"), _id_arg("supplier")
    contracts = awards.contracts_register(buyer_id=buyer_id, supplier_id=supplier_id)
    filtered = (
        db.session.get(Organisation, buyer_id or supplier_id) if (buyer_id or supplier_id) else None
    )
    return render_template("lots/contracts_register.html", contracts=contracts, filtered=filtered)


def _measure_name(measure_id):
    measure = social_value.get(measure_id)
    return measure.name if measure else measure_id


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
def view_contract(contract_id):
    contract = found(db.session.get(Contract, contract_id))
    can_record = has_buyer_role(current_user, contract.buyer_id, "buyer")
    form = DeliveryForm(commitments=contract.commitments, measure_name=_measure_name)
    if form.is_submitted() and not can_record:
        abort(403)
    if form.validate_on_submit():
        commitment = db.session.get(SocialValueCommitment, int(form.commitment.data))
        try:
            awards.record_delivery(
                me(),
                commitment,
                form.period_start.data,
                form.period_end.data,
                form.delivered.data,
                form.note.data,
            )
        except ServiceError as exc:
            refused(form, exc, "delivered")
        else:
            flash(f"Delivery of ‘{_measure_name(commitment.measure_id)}’ is recorded.", "success")
            return redirect(request.path)
    rows = [
        {
            "commitment": c,
            "measure": social_value.get(c.measure_id),
            "name": _measure_name(c.measure_id),
            "delivered": delivered,
        }
        for c, delivered in awards.promised_and_delivered(contract)
    ]
    return render_template(
        "lots/contracts_contract.html",
        contract=contract,
        rows=rows,
        form=form if can_record and contract.commitments else None,
        can_record=can_record,
        quantity=quantity,
    )


def quantity(amount):
    """Decimal("2.00") -> "2", Decimal("1.50") -> "1.5"."""
    return f"{amount.normalize():f}" if amount is not None else ""


# --- `flask lots enter-contracts` ------------------------------------------------------------


@bp.cli.command("enter-contracts")
def enter_contracts_command():
    """Enter the contracts whose standstill has ended (safe to run again)."""
    entered = awards.enter_due_contracts()
    click.echo(f"Entered {entered} contract{'' if entered == 1 else 's'}.")
