"""The DPS's scheduled job."""

from dps.services import standing


def run_daily():
    """What `flask dps daily` does: renewal reminders and lapses, document expiry reminders and
    suspensions, reinstatements (each happens once, however often it runs)."""
    return {
        "renewals": standing.process_renewals(),
        "documents": standing.process_document_expiry(),
    }
