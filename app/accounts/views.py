"""Account pages. Thin: parse the form, call one service, render or redirect."""

import secrets

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import services, sessions
from app.accounts.forms import (
    ChangePasswordForm,
    EmailOnlyForm,
    RegisterForm,
    ResetPasswordForm,
    SignInForm,
)
from app.accounts.tokens import ExpiredToken, InvalidToken
from app.errors import ServiceError
from app.extensions import limiter, login_manager
from app.forms import add_error
from app.urls import is_safe_redirect
from app.web import me, refused

bp = Blueprint("accounts", __name__)

REGISTERING_KEY = "registering"

login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"
login_manager.user_loader(services.load_user)


def _account_key():
    """Failed sign-ins count per account, with the owner's own addresses (where the account signed
    in successfully within KNOWN_ADDRESS_DAYS) counted apart from everyone else's: a stranger who
    guesses wrong five times locks out strangers, not the owner signing in from home."""
    email = services.normalise_email(request.form.get("email", ""))
    if sessions.is_known_address(email, request.remote_addr):
        return f"signin-account:{email}:known:{sessions.address_hash(request.remote_addr)}"
    return "signin-account:" + email


def _per_account():
    return current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"]


def _email_key():
    return "email-link:" + services.normalise_email(request.form.get("email", ""))


def _links_per_email():
    return current_app.config["EMAIL_LINK_LIMIT_PER_ACCOUNT"]


def _per_address():
    return current_app.config["SIGNIN_LIMIT_PER_ADDRESS"]


def _attempts_per_address():
    return current_app.config["SIGNIN_ATTEMPTS_PER_ADDRESS"]


def _address_key():
    return "signin-address-all:" + (request.remote_addr or "")


def _failed(response):
    return response.status_code != 302


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        # This browser's own secret: the confirmation link signs in only where it is kept.
        session[REGISTERING_KEY] = secrets.token_urlsafe(32)
        try:
            services.register(
                form.email.data,
                form.name.data,
                form.password.data,
                browser=session[REGISTERING_KEY],
            )
        except ServiceError as exc:
            refused(form, exc, "password")
        else:
            session["check_email"] = services.normalise_email(form.email.data)
            return redirect(url_for("accounts.check_email"))
    return render_template("accounts/register.html", form=form)


@bp.route("/register/check-your-email")
def check_email():
    return render_template("accounts/check_email.html", email=session.get("check_email"))


@bp.route("/confirm/<token>")
def confirm_email(token):
    try:
        user, signed_in = services.confirm_email(
            token, browser=session.get(REGISTERING_KEY), address=request.remote_addr
        )
    except ExpiredToken:
        return render_template("accounts/link_expired.html", kind="confirm"), 400
    except InvalidToken:
        return render_template("accounts/link_invalid.html"), 404
    if signed_in:
        login_user(user)  # into the fresh session the service started
        flash("Your email address is confirmed and you are signed in.", "success")
        return redirect(url_for("organisations.list_organisations"))
    flash("Your email address is confirmed. Sign in to continue.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/confirm/resend", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_links_per_email, key_func=_email_key, methods=["POST"])
def resend_confirmation():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_confirmation(form.email.data)
        session["check_email"] = services.normalise_email(form.email.data)
        return redirect(url_for("accounts.check_email"))
    return render_template("accounts/resend.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    _attempts_per_address, key_func=_address_key, methods=["POST"], error_message="address"
)
@limiter.limit(_per_address, methods=["POST"], deduct_when=_failed, error_message="address")
@limiter.limit(
    _per_account,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_failed,
    error_message="account",
)
def sign_in():
    form = SignInForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            add_error(form, "email", "Enter a correct email address and password")
        elif not user.is_confirmed:
            add_error(form, "email", "Confirm your email address first: use the link we sent you")
            return render_template("accounts/sign_in.html", form=form, unconfirmed=True), 200
        else:
            session.clear()  # a fresh session on sign-in (no fixation)
            login_user(user)
            services.mark_signed_in(user, request.remote_addr)
            if is_safe_redirect(next_url):
                return redirect(next_url)
            return redirect(url_for("organisations.list_organisations"))
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("pages.index"))
        return render_template("accounts/sign_out.html", form=EmailOnlyForm(meta={"csrf": True}))
    if current_user.is_authenticated:
        services.mark_signed_out(me())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("pages.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_per_address, methods=["POST"])
@limiter.limit(_links_per_email, key_func=_email_key, methods=["POST"])
def forgot_password():
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        session["check_email"] = services.normalise_email(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except ExpiredToken:
        return render_template("accounts/link_expired.html", kind="reset"), 400
    except InvalidToken:
        return render_template("accounts/link_invalid.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except ServiceError as exc:
            refused(form, exc, "password")
        except InvalidToken:
            return render_template("accounts/link_invalid.html"), 404
        else:
            logout_user()
            session.clear()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account")
@login_required
def account():
    return render_template("accounts/account.html")


@bp.route("/account/change-password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(me(), form.current_password.data, form.password.data)
        except ServiceError as exc:
            refused(form, exc, "password")
        else:
            login_user(user)  # this session carries on with the new session version
            flash("Your password has been changed.", "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)
