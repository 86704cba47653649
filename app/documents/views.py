"""Document pages: the organisation's library, upload with a receipt, download, delete."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from app.documents import services
from app.documents.forms import ConfirmForm, UploadForm
from app.documents.models import Document
from app.documents.uploads import UploadRefused, clean_filename
from app.errors import NotFound, ServiceError
from app.extensions import db
from app.forms import add_error
from app.organisations.models import Organisation
from app.permissions import (
    can_manage_document,
    can_read_document,
    can_upload_document,
    can_view_organisation,
    require,
)
from app.storage import StorageUnavailable, content_disposition
from app.timeutil import to_local, utcnow
from app.web import found

bp = Blueprint("documents", __name__)


def _organisation(organisation_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    require(can_view_organisation(current_user, organisation.id))
    return organisation


def _readable_document(document_id):
    """404 for anyone who may not read it, so a document's name never leaks."""
    document = db.session.get(Document, document_id)
    if not can_read_document(current_user, document):
        abort(404)
    return document


@bp.route("/organisations/<int:organisation_id>/documents", methods=["GET", "POST"])
@login_required
def list_documents(organisation_id):
    organisation = _organisation(organisation_id)
    can_upload = can_upload_document(current_user, organisation.id)
    form = UploadForm(max_bytes=current_app.config["MAX_UPLOAD_BYTES"])
    if form.is_submitted():
        require(can_upload)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            document = services.upload_document(
                current_user,
                organisation,
                upload,
                form.purpose.data,
                expires_on=form.expires_on.data,
            )
        except UploadRefused as exc:
            add_error(form, "file", f"The selected file {clean_filename(upload.filename)} {exc}")
        except services.UploadFailed as exc:
            add_error(form, "file", str(exc))
        else:
            return redirect(url_for("documents.view_document", document_id=document.id))
    return render_template(
        "documents/list.html",
        organisation=organisation,
        form=form,
        documents=services.documents_for(organisation.id),
        can_upload=can_upload,
        today=to_local(utcnow()).date(),
    )


@bp.route("/documents/<int:document_id>")
@login_required
def view_document(document_id):
    document = _readable_document(document_id)
    return render_template(
        "documents/view.html",
        document=document,
        can_manage=can_manage_document(current_user, document),
        refusal=services.deletion_refusal(document),
    )


@bp.route("/documents/<int:document_id>/download")
@login_required
def download(document_id):
    document = db.session.get(Document, document_id)
    try:
        delivery = services.download_document(current_user, document)
    except NotFound:
        abort(404)
    except services.IntegrityFailure as exc:
        return render_template("documents/damaged.html", document=document, message=str(exc)), 409
    except StorageUnavailable:
        current_app.logger.exception("download of document %s failed", document.id)
        return render_template("documents/unavailable.html", document=document), 503
    if delivery.url:
        return redirect(delivery.url)
    handle = delivery.stream
    response = send_file(
        handle,
        mimetype=document.content_type,
        as_attachment=True,
        download_name=document.original_filename,
        max_age=0,
    )
    response.headers["Content-Disposition"] = content_disposition(document.original_filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/documents/<int:document_id>/delete", methods=["GET", "POST"])
@login_required
def delete(document_id):
    document = _readable_document(document_id)
    require(can_manage_document(current_user, document))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.delete_document(current_user, document)
        except ServiceError as exc:  # locked by a submission, or (just) deleted by someone else
            return render_template(
                "documents/delete.html", document=document, form=form, refusal=str(exc)
            ), 409
        flash(f"{document.original_filename} has been deleted.", "success")
        return redirect(
            url_for("documents.list_documents", organisation_id=document.owner_organisation_id)
        )
    return render_template(
        "documents/delete.html",
        document=document,
        form=form,
        refusal=services.deletion_refusal(document),
    )
