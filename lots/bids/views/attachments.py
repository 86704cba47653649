"""A bid's attachments: uploading a file into the working copy, and removing one."""

from flask import current_app, flash, redirect, render_template, request
from flask_login import login_required

from app import web
from app.documents.services import DocumentError, UploadFailed
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import DeadlinePassed, ServiceError
from app.extensions import db
from app.forms import add_error
from app.web import found, me
from lots.bids import services as bids
from lots.bids.forms import AttachmentForm, StartBidForm
from lots.bids.views.bidder import bidder, read_only, refused
from lots.blueprint import bp


def _form(**kwargs):
    return AttachmentForm(max_bytes=current_app.config["MAX_UPLOAD_BYTES"], **kwargs)


@bp.route("/opportunities/<int:opportunity_id>/bid/attachments", methods=["GET", "POST"])
@login_required
def bid_attachments(opportunity_id):
    who = bidder(opportunity_id)
    if request.method == "GET" and not who.editable:
        return read_only(who)
    form = _form()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = bids.attach(me(), who.bid, upload)
        except UploadRefused as exc:
            db.session.rollback()
            add_error(form, "file", f"The selected file {clean_filename(upload.filename)} {exc}")
        except (UploadFailed, DocumentError) as exc:
            db.session.rollback()
            add_error(form, "file", f"{str(exc).rstrip('.')}. The rest of your bid is saved")
        except ServiceError as exc:
            refused(form, exc, "file")
        else:
            flash(f"{document.original_filename} has been attached to your bid.", "success")
            return redirect(who.url("lots.bid_attachments"))
    return _render_attachments(who, form)


def _render_attachments(who, form, error=None):
    return render_template(
        "lots/bid_attachments.html",
        bidder=who,
        opportunity=who.opportunity,
        form=form,
        documents=bids.attachments(who.bid),
        error=error,
        remove_form=StartBidForm(),
    )


@bp.route(
    "/opportunities/<int:opportunity_id>/bid/attachments/<int:document_id>/remove", methods=["POST"]
)
@login_required
def remove_attachment(opportunity_id, document_id):
    who = bidder(opportunity_id)
    document = found(next((d for d in bids.attachments(who.bid) if d.id == document_id), None))
    name = document.original_filename
    if StartBidForm().validate_on_submit():
        try:
            bids.detach(me(), who.bid, document_id)
        except (DeadlinePassed, DocumentError) as exc:
            db.session.rollback()
            return _render_attachments(who, _form(formdata=None), error=str(exc))
        except ServiceError as exc:
            form = _form(formdata=None)
            web.refused(form, exc, "file")  # a NotAllowed is a 403
            return _render_attachments(who, form)
        flash(f"{name} has been removed from your bid.", "success")
    return redirect(who.url("lots.bid_attachments"))
