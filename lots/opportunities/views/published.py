"""A buyer's published opportunity: amending it, extending its deadline, cancelling it, and
answering suppliers' questions. Every invited supplier is told of a change."""

from flask import abort, current_app, flash, redirect, render_template, url_for

from app.documents.services import DocumentError, UploadFailed
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import ServiceError
from app.forms import add_error
from app.web import found, me, refused
from lots.opportunities import amendments, clarifications, queries
from lots.opportunities.forms import DEADLINE_FIELDS
from lots.opportunities.published_forms import (
    AmendForm,
    AmendPriceScheduleForm,
    AnswerForm,
    CancelForm,
    ExtendForm,
    ReplaceDocumentForm,
)
from lots.opportunities.views.area import (
    buyer_area,
    buyers_opportunity,
    opportunity_page,
    sent_form,
    to_manage,
)


def _published_page(
    organisation_id, opportunity_id, form_class, template, act, default, done, fields=None
):
    """A change to a published opportunity: ``act(opportunity, form)`` is one service call."""
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    form, accepted = sent_form(form_class, opportunity, act, default, fields)
    if accepted:
        flash(done, "success")
        return to_manage(opportunity)
    return render_template(template, form=form, organisation=organisation, opportunity=opportunity)


@opportunity_page("/amend", methods=("GET", "POST"))
def amend_opportunity(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        AmendForm,
        "lots/buyer_amend.html",
        lambda o, form: amendments.amend(me(), o, form.change.data, **form.values()),
        "change",
        "Your change has been published. Every invited supplier will be told.",
        {"summary": "change"},
    )


@opportunity_page("/amend-price", methods=("GET", "POST"))
def amend_price_schedule(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        AmendPriceScheduleForm,
        "lots/buyer_amend_price.html",
        lambda o, form: amendments.amend(
            me(),
            o,
            form.change.data,
            reopen_bids=form.reopen_bids.data,
            price_schedule=form.values(),
        ),
        "change",
        "The price schedule has been changed. Every invited supplier will be told, and any "
        "bid already submitted has been returned to its supplier.",
        {"summary": "change", "price_schedule": "schedule"},
    )


@opportunity_page("/documents/<int:document_id>/replace", methods=("GET", "POST"))
def replace_document(organisation_id, opportunity_id, document_id):
    """Replace a published tender document: an amendment every invited supplier is told of."""
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    document = next(
        (
            d
            for d in queries.tender_documents(opportunity.id, available_only=False)
            if d.id == document_id
        ),
        None,
    )
    if document is None:
        abort(404)
    form = ReplaceDocumentForm(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    if form.validate_on_submit():
        upload = form.file.data
        try:
            amendments.replace_tender_document(
                me(), opportunity, document, upload, form.change.data
            )
        except ServiceError as exc:
            refused(form, exc, "file", {"summary": "change"})
        except UploadRefused as exc:
            add_error(form, "file", f"The selected file {clean_filename(upload.filename)} {exc}")
        except (UploadFailed, DocumentError) as exc:
            add_error(form, "file", str(exc))
        else:
            flash(
                f"{document.original_filename} has been replaced. Every invited supplier will "
                "be told.",
                "success",
            )
            return to_manage(opportunity)
    return render_template(
        "lots/buyer_replace_document.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
        document=document,
    )


@opportunity_page("/extend", methods=("GET", "POST"))
def extend_deadline(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        ExtendForm,
        "lots/buyer_extend.html",
        lambda o, form: amendments.extend_deadline(me(), o, **form.values()),
        "submission_date",
        "The deadline has been extended. Every invited supplier will be told.",
        DEADLINE_FIELDS,
    )


@opportunity_page("/cancel", methods=("GET", "POST"))
def cancel_opportunity(organisation_id, opportunity_id):
    return _published_page(
        organisation_id,
        opportunity_id,
        CancelForm,
        "lots/buyer_cancel.html",
        lambda o, form: amendments.cancel(me(), o, form.reason.data),
        "reason",
        "The opportunity has been cancelled.",
    )


@opportunity_page("/clarifications")
def clarification_inbox(organisation_id, opportunity_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    waiting, answered = queries.clarification_inbox(opportunity.id)
    return render_template(
        "lots/buyer_inbox.html",
        organisation=organisation,
        opportunity=opportunity,
        waiting=waiting,
        answered=answered,
    )


@opportunity_page("/clarifications/<int:clarification_id>", methods=("GET", "POST"))
def answer_clarification(organisation_id, opportunity_id, clarification_id):
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    clarification = found(queries.clarification(opportunity.id, clarification_id))
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            clarifications.answer(
                me(), clarification, form.answer.data, public=form.audience.data == "everyone"
            )
        except ServiceError as exc:
            refused(form, exc, "answer")
        else:
            flash(
                "Your answer has been sent."
                if form.audience.data == "asker"
                else "Your answer has been published to every invited supplier.",
                "success",
            )
            return redirect(
                url_for(
                    "lots.clarification_inbox",
                    organisation_id=organisation.id,
                    opportunity_id=opportunity.id,
                )
            )
    return render_template(
        "lots/buyer_answer.html",
        form=form,
        organisation=organisation,
        opportunity=opportunity,
        clarification=clarification,
    )
