"""Awarding and after: the buyer proposes the award from the ranked result, the approver confirms
it, returns it or records that no bid was suitable; each bidder reads its own letters; the public
contracts register and each contract's social value, promised and delivered, where the buyer
records delivery.

Who may do what is decided in ``lots.awards.permissions`` (asked by the services, and by these
pages for what to offer); a NotAllowed is a 403. A supplier sees only the letters of its own
organisation (anyone else gets a 404), and downloads them through the documents route, whose
owner rule lets members of the supplier read them.
"""

from types import SimpleNamespace

import click
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.downloads import csv_response, pounds
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import database_id
from app.organisations.models import Organisation
from app.reference import social_value
from app.urls import absolute_url_of
from app.web import found, me, refused
from dps.models import Lot
from lots.awards import delivery, permissions, pledges, queries, returns
from lots.awards import services as awards
from lots.awards.contracts import enter_due_contracts
from lots.awards.forms import AwardDecisionForm, DeliveryForm
from lots.awards.models import AwardStatus, Contract, SocialValueCommitment
from lots.awards.return_views import social_value_estimate
from lots.awards.schedule import FREQUENCY_LABELS
from lots.blueprint import bp
from lots.evaluation.forms import ActionForm
from lots.evaluation.permissions import may_decide
from lots.evaluation.views.pages import BASE, overseen
from lots.evaluation.views.result import render_result
from lots.opportunities import queries as opportunity_queries
from lots.opportunities.models import OpportunityStatus

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
    organisation, opportunity = overseen(organisation_id, opportunity_id)
    if ActionForm().validate_on_submit():
        try:
            awards.propose(me(), opportunity, request.form.get("reporting_frequency", "quarterly"))
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
    organisation, opportunity = overseen(organisation_id, opportunity_id)
    award = queries.award_of(opportunity.id)
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
        contract=queries.contract_of(opportunity.id),
        can_decide=may_decide(current_user, opportunity),
        letters=queries.letter_count(opportunity.id),
        decided=opportunity.status
        in (OpportunityStatus.AWARDED, OpportunityStatus.NO_SUITABLE_BID),
    )


@bp.app_template_global("published_award")
def published_award(opportunity):
    """The award as the opportunity page shows it, once the approver has confirmed it:
    {"winner", "value_pence", "confirmed_at", "standstill_ends_at", "contract"}; else None."""
    award = queries.award_of(opportunity.id)
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
        "contract": queries.contract_of(opportunity.id),
    }


# --- A supplier's letters ----------------------------------------------------------------------


@bp.route("/opportunities/<int:opportunity_id>/letters")
@login_required
def award_letters(opportunity_id):
    """The letters of the signed-in person's organisations for this opportunity; 404 when
    there are none (so nobody learns whether another organisation has one)."""
    opportunity = found(opportunity_queries.opportunity(opportunity_id))
    groups = permissions.readable_letters(current_user, opportunity.id)
    if not groups:
        abort(404)
    return render_template("lots/award_letters.html", opportunity=opportunity, groups=groups)


@bp.app_template_global("may_read_letters")
def may_read_letters(opportunity):
    """Whether the opportunity's page offers the signed-in person their letters."""
    return permissions.may_read_letters(current_user, opportunity.id)


# --- The contracts register ----------------------------------------------------------------------


def _id_arg(name):
    """An organisation id from the query string, or None (also for ones no database holds)."""
    return request.args.get(name, type=database_id)


@bp.route("/contracts")
def contracts_register():
    buyer_id, supplier_id = _id_arg("buyer"), _id_arg("supplier")
    contracts = queries.contracts_register(buyer_id=buyer_id, supplier_id=supplier_id)
    filtered = (
        db.session.get(Organisation, buyer_id or supplier_id) if (buyer_id or supplier_id) else None
    )
    return render_template(
        "lots/contracts_register.html",
        contracts=contracts,
        filtered=filtered,
        link_args={
            name: value
            for name, value in (("buyer", buyer_id), ("supplier", supplier_id))
            if value is not None
        },
    )


CSV_HEADER = (
    "Reference",
    "Contract",
    "Buyer",
    "Supplier",
    "Supplier is a VCSE",
    "Supplier is an SME",
    "Value (£, excluding VAT)",
    "Start date",
    "End date",
    "Lot",
    "Payment terms (days)",
    "Real Living Wage",
    "Entered (UK time)",
    "Contract page",
    "Opportunity page",
)


@bp.route("/contracts.csv")
def contracts_register_csv():
    """Every contract in the register (or a buyer's or a supplier's, as on the page)."""
    buyer_id, supplier_id = _id_arg("buyer"), _id_arg("supplier")
    contract_page = absolute_url_of("lots.view_contract", "contract_id")
    opportunity_page = absolute_url_of("lots.view_opportunity", "opportunity_id")
    rows = (
        (
            c.reference,
            c.title,
            c.buyer_name,
            c.supplier_name,
            c.supplier_is_vcse,
            c.supplier_is_sme,
            pounds(c.value_pence),
            c.start_date,
            c.end_date,
            Lot.label.fget(SimpleNamespace(number=c.lot_number, title=c.lot_title)),
            c.payment_terms_days,
            c.real_living_wage,
            c.entered_at,
            contract_page(c.id),
            opportunity_page(c.opportunity_id),
        )
        for c in queries.every_registered_contract(buyer_id=buyer_id, supplier_id=supplier_id)
    )
    return csv_response("contracts", CSV_HEADER, rows)


def _measure_name(measure_id):
    measure = social_value.get(measure_id)
    return measure.name if measure else measure_id


@bp.route("/contracts/<int:contract_id>", methods=["GET", "POST"])
def view_contract(contract_id):
    contract = found(db.session.get(Contract, contract_id))
    can_record = permissions.may_record_delivery(current_user, contract)
    form = DeliveryForm(commitments=contract.commitments, measure_name=_measure_name)
    if form.is_submitted() and not can_record:
        abort(403)
    if form.validate_on_submit():
        commitment = db.session.get(SocialValueCommitment, int(form.commitment.data))
        try:
            delivery.record_delivery(
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
            "measure": c.measure,
            "name": _measure_name(c.measure_id),
            "delivered": delivered,
            "rule": c.measure.aggregation_label,
            "estimate": social_value_estimate(c.measure, delivered),
        }
        for c, delivered in queries.promised_and_delivered(contract)
    ]
    scheduled = contract.reporting_frequency is not None and bool(contract.returns)
    return render_template(
        "lots/contracts_contract.html",
        contract=contract,
        rows=rows,
        form=form if can_record and contract.commitments and not scheduled else None,
        can_record=can_record,
        quantity=quantity,
        schedule=[(r, returns.standing(r)) for r in contract.returns] if scheduled else [],
        by_period=queries.delivered_by_period(contract),
        can_see_returns=permissions.may_read_returns(current_user, contract)
        if current_user.is_authenticated
        else False,
        frequency_form=ActionForm() if can_record and contract.commitments else None,
        frequency_labels=FREQUENCY_LABELS,
        wish_pledges=pledges.pledges_on(contract),
        measure_name=_measure_name,
    )


def quantity(amount):
    """Decimal("2.00") -> "2", Decimal("1.50") -> "1.5"."""
    return f"{amount.normalize():f}" if amount is not None else ""


# --- `flask lots enter-contracts` ------------------------------------------------------------


@bp.cli.command("enter-contracts")
def enter_contracts_command():
    """Enter the contracts whose standstill has ended (safe to run again)."""
    entered = enter_due_contracts()
    click.echo(f"Entered {entered} contract{'' if entered == 1 else 's'}.")
