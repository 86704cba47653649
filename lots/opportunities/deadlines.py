"""How a deadline is put in words on pages and in lists."""

from datetime import datetime, timedelta

from app.timeutil import local_tz, to_local, utcnow


def closes_in_words(deadline, now=None):
    """'closes today', 'closes tomorrow', 'closes in 3 days', 'closed'."""
    now = now or utcnow()
    if deadline <= now:
        return "closed"
    days = (to_local(deadline).date() - to_local(now).date()).days
    if days == 0:
        return "closes today"
    if days == 1:
        return "closes tomorrow"
    return f"closes in {days} days"


def next_local_midnight(now):
    """When 'closes tomorrow' becomes 'closes today': the next midnight in the DPS's timezone."""
    local = now.astimezone(local_tz())
    midnight = datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), tzinfo=local.tzinfo
    )
    return midnight.astimezone(now.tzinfo)
