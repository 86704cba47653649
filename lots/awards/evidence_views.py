"""Evidence only from the winner (``lots.awards.evidence``): the buyer's page to ask the preferred
bidder for its documents, accept them or record that they were not given; and the preferred
bidder's page to give them from its document library."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.documents.models import LIBRARY_PURPOSES, Document, DocumentStatus
from app.errors import DeadlinePassed, ServiceError
from app.extensions import db
from app.timeutil import to_local, utcnow
from app.web import found, me, refused
from lots.awards import evidence, queries
from lots.awards.forms import ReasonOnlyForm
from lots.awards.models import EvidenceStatus
from lots.bids.help_forms import EvidenceForm
from lots.blueprint import bp
from lots.evaluation.permissions import may_manage
from lots.evaluation.views.pages import BASE, overseen
from lots.opportunities import queries as opportunity_queries
from lots.opportunities.requirements import EVIDENCE_LABELS, EvidenceKind, requirements_of


@bp.app_template_global("winner_evidence_asked")
def winner_evidence_asked(opportunity):
    return evidence.needs_evidence(opportunity)


def _labels(kinds):
    return [EVIDENCE_LABELS[EvidenceKind(k)] for k in kinds or []]


@bp.route(BASE + "/award/evidence", methods=["GET", "POST"])
@login_required
def award_evidence(organisation_id, opportunity_id):
    """The preferred bidder's documents, for the buyer: ask, accept, or record not given."""
    organisation, opportunity = overseen(organisation_id, opportunity_id)
    if not evidence.needs_evidence(opportunity):
        abort(404)
    award = queries.award_of(opportunity.id)
    form = ReasonOnlyForm()
    action = request.form.get("action")
    if request.method == "POST" and form.validate_on_submit():
        acts = {
            "request": (
                lambda: evidence.request(me(), opportunity),
                "The preferred bidder has been asked for its documents.",
            ),
            "accept": (
                lambda: evidence.accept(me(), opportunity),
                "You accepted the documents. The award can now be confirmed.",
            ),
            "not_given": (
                lambda: evidence.record_not_given(me(), opportunity, form.reason.data),
                "Recorded. The award has moved to the next-ranked bidder: ask them for their documents.",
            ),
        }
        if action not in acts:
            abort(400)
        act, done = acts[action]
        try:
            act()
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            flash(done, "success")
            return redirect(request.path)
    current = evidence.current_request(opportunity)
    return render_template(
        "lots/award_evidence.html",
        organisation=organisation,
        opportunity=opportunity,
        award=award,
        form=form,
        current=current,
        history=evidence.requests_of(opportunity.id),
        supplier_of={r["bid_id"]: r["supplier"] for r in (award.result if award else [])},
        documents=evidence.documents_given(current) if current else [],
        requirements=requirements_of(opportunity.id),
        labels=_labels,
        statuses=EvidenceStatus,
        can_act=may_manage(current_user, opportunity),
        overdue=bool(
            current and current.status == EvidenceStatus.REQUESTED and utcnow() >= current.due_at
        ),
    )


@bp.route("/opportunities/<int:opportunity_id>/evidence", methods=["GET", "POST"])
@login_required
def give_evidence(opportunity_id):
    """The preferred bidder gives the documents asked for, from its library."""
    opportunity = found(opportunity_queries.opportunity(opportunity_id))
    asked = _request_for_me(opportunity)
    library = (
        db.session.execute(
            sa.select(Document)
            .where(
                Document.owner_organisation_id == asked.bid.organisation_id,
                Document.status == DocumentStatus.ACTIVE,
                Document.purpose.in_(LIBRARY_PURPOSES),
            )
            .order_by(Document.purpose, Document.original_filename)
        )
        .scalars()
        .all()
    )
    form = EvidenceForm()
    today = to_local(utcnow()).date()
    form.documents.choices = [
        (str(d.id), d.original_filename)
        for d in library
        if not (d.expires_on and d.expires_on < today)
    ]
    if form.validate_on_submit():
        try:
            evidence.give(
                me(),
                asked,
                [int(i) for i in form.documents.data or [] if i.isdigit()],
                form.note.data,
            )
        except DeadlinePassed as exc:  # said on the page, not a 403
            refused(form, ServiceError(str(exc), "documents"), "documents")
        except ServiceError as exc:
            refused(form, exc, "documents")
        else:
            flash("Your documents have been given to the buyer.", "success")
            return redirect(request.path)
    return render_template(
        "lots/give_evidence.html",
        opportunity=opportunity,
        asked=asked,
        form=form,
        asked_labels=_labels(asked.asked),
        given=evidence.documents_given(asked),
        statuses=EvidenceStatus,
        library_url=url_for("documents.list_documents", organisation_id=asked.bid.organisation_id),
    )


def _request_for_me(opportunity):
    """The latest request to one of the person's organisations for this opportunity, else 404."""
    for asked in reversed(evidence.requests_of(opportunity.id)):
        if asked.bid.organisation_id in {m.organisation_id for m in current_user.memberships}:
            return asked
    abort(404)
