"""The DPS's scheduled job."""

from dps.services import expiry, renewals


def run_daily():
    """What `flask dps daily` does: renewal reminders and lapses, document expiry reminders and
    suspensions, reinstatements (each happens once, however often it runs)."""
    return {
        "renewals": renewals.process_renewals(),
        "documents": expiry.process_document_expiry(),
    }
