"""Money: amounts are whole pence (GBP, excluding VAT unless said), parsed from what people type
and written back the way people write them. Templates use the ``money`` filter."""

import re
from decimal import Decimal

# £100 billion: far above any public contract, far inside a BIGINT of pence.
LIMIT = Decimal(10) ** 11


def parse_pence(text, whole_pounds=False):
    """'£1,500.50' -> 150050. Raises ValueError for anything that is not an amount of money: a
    sign, an exponent or other characters, more than two decimal places (any with
    ``whole_pounds``), or £100 billion or more."""
    cleaned = (text or "").replace(",", "").replace("£", "").strip()
    if not (_WHOLE if whole_pounds else _AMOUNT).fullmatch(cleaned):
        raise ValueError(text)
    amount = Decimal(cleaned)
    if amount >= LIMIT:
        raise ValueError(text)
    return int(amount * 100)


_AMOUNT = re.compile(r"[0-9]+(\.[0-9]{1,2})?|\.[0-9]{1,2}")
_WHOLE = re.compile(r"[0-9]+")


def pence_to_pounds(pence):
    """150050 -> '1500.50', 150000 -> '1500': the amount as it goes back into a form field."""
    if pence is None:
        return ""
    return f"{pence // 100}" if pence % 100 == 0 else f"{pence // 100}.{pence % 100:02d}"


def money(pence, none="Not given"):
    """150050 -> '£1,500.50', 150000 -> '£1,500': the amount as a page or an email shows it."""
    if pence is None:
        return none
    if pence < 0:  # a credit: '-£12.50', not divmod's '£-13.50'
        return "-" + money(-pence)
    pounds, rest = divmod(int(pence), 100)
    return f"£{pounds:,}" if rest == 0 else f"£{pounds:,}.{rest:02d}"


def init_app(app):
    app.add_template_filter(money, "money")
