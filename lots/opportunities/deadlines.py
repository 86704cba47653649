"""How a deadline is put in words on pages and in lists."""

from datetime import datetime, timedelta

from app.timeutil import as_utc, local_tz, utcnow


def closes_in_words(deadline, now=None):
    """'closes today', 'closes tomorrow', 'closes in 3 days', 'closed'."""
    return deadlines_in_words(now)(deadline)


def deadlines_in_words(now=None):
    """``closes_in_words`` for many deadlines at the same ``now``: the DPS's timezone and today's
    date in it are worked out once (a results page has twenty deadlines)."""
    now = now or utcnow()
    tz = local_tz()
    today = as_utc(now).astimezone(tz).date()

    def words(deadline):
        if deadline <= now:
            return "closed"
        days = (as_utc(deadline).astimezone(tz).date() - today).days
        if days == 0:
            return "closes today"
        if days == 1:
            return "closes tomorrow"
        return f"closes in {days} days"

    return words


def next_local_midnight(now):
    """When 'closes tomorrow' becomes 'closes today': the next midnight in the DPS's timezone."""
    local = now.astimezone(local_tz())
    midnight = datetime.combine(
        local.date() + timedelta(days=1), datetime.min.time(), tzinfo=local.tzinfo
    )
    return midnight.astimezone(now.tzinfo)
