"""The admission clock: working days in the DPS's calendar, and today's date where the DPS is."""

from app.timeutil import to_local, utcnow
from dps.working_days import add_working_days, working_days_between


def today():
    return to_local(utcnow()).date()


def due_date(application, dps):
    """Received date + the time limit + any working days the clock was stopped."""
    if application.received_on is None:
        return None
    limit = (application.time_limit_days or dps.admission_days) + (
        application.paused_working_days or 0
    )
    return add_working_days(application.received_on, limit, dps.calendar)


def working_days_left(application, dps, on=None):
    """Working days from ``on`` (today) to the deadline; negative when overdue. While the clock
    is stopped, the days left stay as they were when it stopped."""
    due = application.decision_due_on or due_date(application, dps)
    if due is None:
        return None
    on = application.clock_stopped_on or on or today()
    return working_days_between(on, due, dps.calendar)
