"""Register numbers, postcodes and web addresses: normalise what people type, and say if it is
valid.

Each ``normalise_*`` returns the stored form, or None when the value is not in a valid format. They
are pure functions; the services decide which are required and what the error messages say.
"""

import re
from urllib.parse import urlsplit

# England and Wales: up to 8 digits, with "-N" for a linked charity. Registered numbers began at
# 200000, so fewer than 6 digits is a typing mistake.
_CHARITY_EW = re.compile(r"\d{6,8}(-\d{1,3})?")
_CHARITY_SCOTLAND = re.compile(r"SC\d{6}")
_CHARITY_NI = re.compile(r"NIC\d{6}")
# Companies House: 8 characters, either 8 digits or 2 letters and 6 digits (SC, NI, OC, SO...).
_COMPANY = re.compile(r"\d{8}|[A-Z]{2}\d{6}")
# The FCA's Mutuals Public Register: a registered society's number, as the register writes it
# ("Full Registration Number"): digits with the register's suffix ("31234R", Scottish "2446RS",
# credit unions "213C", or none: "8765"), or the newer "RS" and six digits ("RS007372").
_SOCIETY = re.compile(r"\d{1,6}[A-Z]{0,2}|RS\d{6}")
# A full UK postcode: outward code (A9, A99, A9A, AA9, AA99, AA9A) then inward code (9AA).
_POSTCODE = re.compile(r"([A-Z]{1,2}\d[A-Z\d]?|GIR)(\d[A-Z]{2})")
_WORD = re.compile(r"\S+")


def _compact(value):
    return re.sub(r"\s+", "", value or "").upper()


def normalise_charity_number(value):
    """'sc 012345' -> 'SC012345'; '1234567-1' stays; None if not a charity number."""
    number = _compact(value)
    for pattern in (_CHARITY_EW, _CHARITY_SCOTLAND, _CHARITY_NI):
        if pattern.fullmatch(number):
            return number
    return None


def normalise_company_number(value):
    """'sc 123456' -> 'SC123456'; '01234567' keeps its leading zero; None if not valid."""
    number = _compact(value)
    return number if _COMPANY.fullmatch(number) else None


def normalise_society_number(value):
    """'31234 r' -> '31234R'; '2446R(S)' -> '2446RS'; 'rs007372' -> 'RS007372'; None if not
    a Mutuals Public Register number."""
    number = _compact(value).replace("(", "").replace(")", "")
    return number if _SOCIETY.fullmatch(number) else None


def normalise_postcode(value):
    """'sw1a1aa' -> 'SW1A 1AA'; None if it is not a full UK postcode."""
    match = _POSTCODE.fullmatch(_compact(value))
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def normalise_website(value):
    """A web address with http or https. 'www.example.org' becomes 'https://www.example.org'.
    None if it is not a web address."""
    url = (value or "").strip()
    if not url or any(c.isspace() for c in url):
        return None
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or "." not in host or port == 0:
        return None
    if not re.fullmatch(r"[A-Za-z0-9.-]+", host) or host.startswith(".") or host.endswith("."):
        return None
    if parts.username or parts.password:
        return None
    return url


def word_count(text):
    return len(_WORD.findall(text or ""))
