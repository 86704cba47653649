"""Times are stored in UTC and shown in the DPS's timezone (Europe/London by default)."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow():
    return datetime.now(timezone.utc)


def as_utc(value):
    """SQLite hands back naive datetimes: treat them as the UTC they were stored as."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def local_tz():
    return ZoneInfo(current_app.config.get("DPS_TIMEZONE", "Europe/London"))


def to_local(value):
    value = as_utc(value)
    return value.astimezone(local_tz()) if value else None


def format_datetime(value):
    """'3:00pm on 14 December 2026', the GOV.UK style."""
    local = to_local(value)
    if local is None:
        return ""
    hour = local.strftime("%I").lstrip("0") or "12"
    minute = local.strftime("%M")
    ampm = local.strftime("%p").lower()
    time = f"{hour}{'' if minute == '00' else ':' + minute}{ampm}"
    if time == "12pm":
        time = "midday"
    elif time == "12am":
        time = "midnight"
    return f"{time} on {local.day} {local.strftime('%B %Y')}"


def format_date(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return f"{value.day} {value.strftime('%B %Y')}"
