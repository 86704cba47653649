"""The one place a whole number or an id typed into a form, a query string or a JSON body is
parsed and bounded: a tampered 99999999999999 is "not found" or a message, never a 500. Forms
take these from ``app.forms``; services (which the coming API calls too) from here."""

import re

# The largest PostgreSQL integer: every id and whole number from a form or a query string is
# bounded by it (and usually by much less) before it reaches a query, so a tampered
# 99999999999999 is "not found" or a message, never a 500.
DATABASE_INT_MAX = 2**31 - 1


def whole_number(text, minimum=0, maximum=DATABASE_INT_MAX):
    """Digits (commas allowed between them), or an int already, as an int from ``minimum`` to
    ``maximum``; ValueError for anything else, a sign or a decimal point included."""
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        text = str(text)
    cleaned = (text or "").replace(",", "").strip() if isinstance(text, str) else ""
    if not re.fullmatch(r"[0-9]{1,10}", cleaned):
        raise ValueError(text)
    value = int(cleaned)
    if not minimum <= value <= (maximum if maximum is not None else DATABASE_INT_MAX):
        raise ValueError(text)
    return value


def database_id(text):
    """An id from a form field or a query string: a whole number a database can hold, else
    ValueError, so ``request.args.get(name, type=database_id)`` is None for a tampered one."""
    return whole_number(text, minimum=1)


def optional_id(text):
    """``database_id``, or None for anything that is not one."""
    try:
        return database_id(text)
    except ValueError:
        return None
