"""API tokens in the organisation area: an owner of a buyer organisation lists them, makes one
(shown once, on the page that confirms it, and never again) and revokes one."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.errors import NotFound, ServiceError
from app.forms import ConfirmForm
from app.organisations import queries as organisation_queries
from app.web import found, me, refused
from publishing.api import tokens
from publishing.api.blueprint import bp
from publishing.api.forms import NewTokenForm
from publishing.api.models import SCOPE_HINTS, SCOPE_LABELS, Scope
from publishing.api.permissions import may_manage_tokens


def _organisation(organisation_id):
    organisation = found(organisation_queries.organisation(organisation_id))
    if not may_manage_tokens(me(), organisation):
        abort(403)
    return organisation


def _token(organisation, token_id):
    try:
        return tokens.token_of(organisation.id, token_id)
    except NotFound:
        abort(404)


@bp.route("/organisations/<int:organisation_id>/api-tokens")
@login_required
def api_tokens(organisation_id):
    organisation = _organisation(organisation_id)
    return render_template(
        "publishing/tokens.html",
        organisation=organisation,
        tokens=tokens.tokens_of(organisation.id),
        scope_labels=SCOPE_LABELS,
        Scope=Scope,
    )


@bp.route("/organisations/<int:organisation_id>/api-tokens/new", methods=["GET", "POST"])
@login_required
def new_api_token(organisation_id):
    organisation = _organisation(organisation_id)
    form = NewTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(
                me(), organisation, form.name.data, form.scopes.data
            )
        except ServiceError as exc:
            refused(form, exc, "name")
        else:
            # Shown here once: never in a link, a flash message, a log or the database.
            return render_template(
                "publishing/token_created.html",
                organisation=organisation,
                token=token,
                secret=secret,
                scope_labels=SCOPE_LABELS,
            )
    return render_template(
        "publishing/token_new.html",
        form=form,
        organisation=organisation,
        hints=[SCOPE_HINTS[s] for s in Scope],
    )


@bp.route(
    "/organisations/<int:organisation_id>/api-tokens/<int:token_id>/revoke",
    methods=["GET", "POST"],
)
@login_required
def revoke_api_token(organisation_id, token_id):
    organisation = _organisation(organisation_id)
    token = _token(organisation, token_id)
    if token.is_revoked:
        flash(f"The token ‘{token.name}’ has already been revoked.", "info")
        return redirect(url_for(".api_tokens", organisation_id=organisation.id))
    form = ConfirmForm()
    form.submit.label.text = "Yes, revoke it"
    if form.validate_on_submit():
        try:
            tokens.revoke_token(me(), token)
        except ServiceError as exc:
            refused(form, exc, "submit")
        else:
            flash(f"The token ‘{token.name}’ has been revoked. It no longer works.", "success")
            return redirect(url_for(".api_tokens", organisation_id=organisation.id))
    return render_template(
        "publishing/token_revoke.html", form=form, organisation=organisation, token=token
    )
