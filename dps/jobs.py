"""The DPS's scheduled job."""

from dps.services import condition_flags, expiry, renewals


def run_daily():
    """What `flask dps daily` does: renewal reminders and lapses, document expiry reminders and
    suspensions, reinstatements, and flags for suppliers below a new living wage rate (each happens
    once, however often it runs)."""
    return {
        "renewals": renewals.process_renewals(),
        "documents": expiry.process_document_expiry(),
        "living_wage": condition_flags.check_wages(),
    }
