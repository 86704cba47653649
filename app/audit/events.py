"""Every kind of state change the audit log records: snake_case verbs."""
import enum


class AuditEventType(enum.StrEnum):
    # accounts
    REGISTER_ACCOUNT = "register_account"
    CONFIRM_EMAIL = "confirm_email"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_OUT = "sign_out"
    REQUEST_PASSWORD_RESET = "request_password_reset"
    RESET_PASSWORD = "reset_password"
    CHANGE_PASSWORD = "change_password"
    CREATE_ADMIN = "create_admin"
    # organisations
    CREATE_ORGANISATION = "create_organisation"
    UPDATE_ORGANISATION = "update_organisation"
    INVITE_MEMBER = "invite_member"
    ACCEPT_INVITATION = "accept_invitation"
    REVOKE_INVITATION = "revoke_invitation"
    REMOVE_MEMBER = "remove_member"
    TRANSFER_OWNERSHIP = "transfer_ownership"
