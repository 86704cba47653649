from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from app.forms import Form, email_field, password_field, submit


class RegisterForm(Form):
    name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your full name"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    email = email_field(description="We will send a link to confirm it")
    password = password_field(
        "Create a password",
        "Enter a password",
        "new-password",
        description="Use 10 characters or more. Three random words is a good way to make one",
    )
    submit = submit("Create account")


class SignInForm(Form):
    email = email_field()
    password = password_field()
    submit = submit("Sign in")


class EmailOnlyForm(Form):
    email = email_field()
    submit = submit("Send link")


class ResetPasswordForm(Form):
    password = password_field(
        "New password",
        "Enter a new password",
        "new-password",
        description="Use 10 characters or more",
    )
    submit = submit("Save password")


class ChangePasswordForm(Form):
    current_password = password_field("Current password", "Enter your current password")
    password = password_field(
        "New password",
        "Enter a new password",
        "new-password",
        description="Use 10 characters or more",
    )
    submit = submit("Change password")
