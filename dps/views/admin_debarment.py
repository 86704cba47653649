"""The operator's debarment pages: load the list from a CSV file, see who matches it, and
confirm or dismiss each possible match.

Thin: parse the form, call one service, render or redirect; a refusal is shown in the error
summary against the field it names (``app.web.refused``), and a bad file lists every bad line."""

from flask import current_app, flash, redirect, render_template, url_for

from app.errors import ServiceError
from app.extensions import db
from app.forms import add_error
from app.web import found, me, refused
from dps.admin_forms import DebarmentListForm, MatchReviewForm
from dps.blueprint import bp
from dps.models import MatchStatus
from dps.permissions import operator_page
from dps.services import debarment, standing

SHOWN_ENTRIES = 100


def _list_form(**kwargs):
    return DebarmentListForm(max_bytes=current_app.config["DEBARMENT_LIST_MAX_BYTES"], **kwargs)


def _page(form, problems=()):
    """The list page. ``problems`` are every problem with an uploaded file, one line each: the
    error summary lists them all (a form's own summary shows one error per field)."""
    problems = list(problems) or [errors[0] for errors in form.errors.values() if errors]
    return render_template(
        "dps/admin_debarment.html",
        upload_form=form,
        problems=problems,
        summary=debarment.list_summary(),
        entries=debarment.entries(SHOWN_ENTRIES),
        shown_entries=SHOWN_ENTRIES,
        waiting=debarment.waiting_matches(),
        recent=debarment.recent_matches(),
        basis_labels=debarment.BASIS_LABELS,
    )


@bp.route("/admin/debarment", methods=["GET", "POST"])
@operator_page
def admin_debarment():
    form = _list_form()
    if form.validate_on_submit():
        upload = form.file.data
        limit = current_app.config["DEBARMENT_LIST_MAX_BYTES"]
        try:
            result = debarment.load_list(me(), upload.read(limit + 1), upload.filename)
        except debarment.DebarmentListError as exc:
            db.session.rollback()
            count = len(exc.problems)
            add_error(
                form,
                "file",
                f"The file has {count} problem{'' if count == 1 else 's'}. Nothing was loaded: "
                "fix the file and upload it again",
            )
            return _page(form, exc.messages())
        except ServiceError as exc:
            refused(form, exc, "file")
        else:
            flash(
                f"The debarment list now has {result.rows} row{'' if result.rows == 1 else 's'}. "
                f"{len(result.definite)} debarred at once, {len(result.possible)} possible "
                f"match{'' if len(result.possible) == 1 else 'es'} to review.",
                "success",
            )
            return redirect(url_for("dps.admin_debarment"))
    return _page(form)


@bp.route("/admin/debarment/matches/<int:match_id>", methods=["GET", "POST"])
@operator_page
def admin_debarment_match(match_id):
    match = found(debarment.match(match_id))
    form = MatchReviewForm()
    if match.status == MatchStatus.PENDING and form.validate_on_submit():
        action = (
            debarment.confirm_match if form.decision.data == "confirm" else debarment.dismiss_match
        )
        try:
            action(me(), match, form.reason.data)
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            name = match.organisation.display_name
            flash(
                f"{name} has been debarred and removed from every lot it held. We have "
                "emailed them."
                if match.status == MatchStatus.CONFIRMED
                else f"The match has been dismissed. {name} will not be flagged for this "
                "entry again.",
                "success",
            )
            return redirect(url_for("dps.admin_debarment"))
    return render_template(
        "dps/admin_debarment_match.html",
        match=match,
        organisation=match.organisation,
        form=form,
        exclusion=standing.active_exclusion(match.organisation_id),
        basis_labels=debarment.BASIS_LABELS,
    )
