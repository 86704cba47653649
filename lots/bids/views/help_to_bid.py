"""Help to bid, for a signed-in supplier: the readiness checklist of an opportunity and its
"find a partner" board. The rules are in ``lots.bids.readiness`` and ``lots.bids.partnering``;
these pages only show them and call one service each.

Someone in several supplier organisations chooses which with ``?as=``, as on the bid pages."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.errors import ServiceError
from app.organisations.queries import supplier_organisations_of
from app.web import found, me, refused
from lots.bids import partnering, readiness
from lots.bids.help_forms import AnswerForm, ContactForm, PostForm, WithdrawForm
from lots.bids.models import ContactStatus
from lots.blueprint import bp
from lots.opportunities import queries
from lots.opportunities.models import OpportunityStatus


def _opportunity(opportunity_id):
    opportunity = found(queries.opportunity(opportunity_id))
    if opportunity.status != OpportunityStatus.PUBLISHED:
        abort(404)
    return opportunity


def _organisation(organisations, form_value=None):
    """The supplier organisation chosen with ``?as=`` (or the form), else the first."""
    wanted = form_value or request.args.get("as")
    if wanted:
        return found(next((o for o in organisations if str(o.id) == str(wanted)), None))
    return organisations[0]


def _url(endpoint, opportunity, organisation, organisations, **values):
    if len(organisations) > 1:
        values["as"] = organisation.id
    return url_for(endpoint, opportunity_id=opportunity.id, **values)


@bp.route("/opportunities/<int:opportunity_id>/ready")
@login_required
def readiness_checklist(opportunity_id):
    opportunity = _opportunity(opportunity_id)
    organisations = supplier_organisations_of(current_user)
    if not organisations:
        return render_template("lots/ready_no_supplier.html", opportunity=opportunity)
    organisation = _organisation(organisations)
    return render_template(
        "lots/ready.html",
        opportunity=opportunity,
        organisation=organisation,
        organisations=organisations,
        checklist=readiness.checklist(opportunity, organisation),
    )


# --- The partner board ---------------------------------------------------------------------------


@bp.route("/opportunities/<int:opportunity_id>/partner-board", methods=["GET", "POST"])
@login_required
def partner_board(opportunity_id):
    opportunity = _opportunity(opportunity_id)
    organisations = supplier_organisations_of(current_user)
    if not organisations:
        return render_template("lots/ready_no_supplier.html", opportunity=opportunity)
    organisation = _organisation(organisations)
    own = partnering.post_of(organisation.id, opportunity.id)
    form = PostForm(data={"offers": own.offers, "could_bring": own.could_bring} if own else None)
    if form.validate_on_submit():
        try:
            partnering.post(
                me(), organisation, opportunity, form.offers.data, form.could_bring.data
            )
        except ServiceError as exc:
            refused(form, exc, "could_bring")
        else:
            flash("Your organisation is on the partner board.", "success")
            return redirect(
                _url("lots.partner_board", opportunity, organisation, organisations) + "#board"
            )
    received, sent = partnering.contacts_of(organisation.id, opportunity.id)
    return render_template(
        "lots/partner_board.html",
        opportunity=opportunity,
        organisation=organisation,
        organisations=organisations,
        form=form,
        own=own,
        posts=[p for p in partnering.board(opportunity.id) if p.organisation_id != organisation.id],
        received=received,
        sent=sent,
        written_to={c.post_id for c in sent},
        details={c.id: partnering.contact_details(current_user, c) for c in received + sent},
        offer_labels=partnering.OFFER_LABELS,
        answer_form=AnswerForm(),
        withdraw_form=WithdrawForm(),
        statuses=ContactStatus,
        url=lambda endpoint, **v: _url(endpoint, opportunity, organisation, organisations, **v),
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/partner-board/<int:post_id>/contact",
    methods=["GET", "POST"],
)
@login_required
def contact_partner(opportunity_id, post_id):
    opportunity = _opportunity(opportunity_id)
    organisations = found(supplier_organisations_of(current_user) or None)
    organisation = _organisation(organisations)
    post = found(next((p for p in partnering.board(opportunity.id) if p.id == post_id), None))
    form = ContactForm()
    if form.validate_on_submit():
        try:
            partnering.contact(me(), organisation, post, opportunity, form.message.data)
        except ServiceError as exc:
            refused(form, exc, "message")
        else:
            flash(
                f"Your message has been sent to {post.organisation.display_name}. We will "
                "email you when they answer.",
                "success",
            )
            return redirect(
                _url("lots.partner_board", opportunity, organisation, organisations) + "#sent"
            )
    return render_template(
        "lots/partner_contact.html",
        opportunity=opportunity,
        organisation=organisation,
        post=post,
        form=form,
        offer_labels=partnering.OFFER_LABELS,
        back=_url("lots.partner_board", opportunity, organisation, organisations),
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/partner-board/messages/<int:contact_id>",
    methods=["POST"],
)
@login_required
def answer_partner(opportunity_id, contact_id):
    opportunity = _opportunity(opportunity_id)
    organisations = found(supplier_organisations_of(current_user) or None)
    organisation = _organisation(organisations)
    sent = found(partnering.contact_in(opportunity.id, contact_id))
    form = AnswerForm()
    if not form.validate_on_submit() or form.decision.data not in ("agree", "decline"):
        abort(400)
    try:
        partnering.answer(me(), sent, form.decision.data == "agree")
    except ServiceError as exc:
        refused(form, exc, "decision")
        flash(str(form.decision.errors[0]) if form.decision.errors else str(exc))
    else:
        flash(
            f"You agreed to share contact details with {sent.from_organisation.display_name}."
            if form.decision.data == "agree"
            else f"You said no to {sent.from_organisation.display_name}.",
            "success",
        )
    return redirect(
        _url("lots.partner_board", opportunity, organisation, organisations) + "#received"
    )


@bp.route("/opportunities/<int:opportunity_id>/partner-board/withdraw", methods=["POST"])
@login_required
def withdraw_partner_post(opportunity_id):
    opportunity = _opportunity(opportunity_id)
    organisations = found(supplier_organisations_of(current_user) or None)
    organisation = _organisation(organisations)
    own = found(partnering.post_of(organisation.id, opportunity.id))
    if not WithdrawForm().validate_on_submit():
        abort(400)
    try:
        partnering.withdraw(me(), own)
    except ServiceError:
        abort(403)
    flash("Your post has been taken off the board.", "success")
    return redirect(_url("lots.partner_board", opportunity, organisation, organisations))
