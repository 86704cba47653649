"""Form fields the GOV.UK patterns need and WTForms lacks."""

from datetime import date

from wtforms import Field

from app.widgets import GovDateInput


def real_date_parts(parts):
    """Day, month and year boxes that could make a date: digits only, a day and a month of one or
    two digits, a year of four."""
    day, month, year = parts
    return all(p.isdigit() for p in parts) and len(day) <= 2 and len(month) <= 2 and len(year) == 4


class GovDateField(Field):
    """The GOV.UK date input: day, month and year boxes, with the Design System's messages.

    Empty boxes give None (use InputRequired to insist). Values that are not a real date keep what
    was typed and say which part is wrong.
    """

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, name_for_errors=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.name_for_errors = name_for_errors or (str(label) if label else "Date")

    def _value(self):
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist):
        if not valuelist:
            # Not in the request at all: treat it as never shown (the widget reads raw_data as
            # three boxes, and InputRequired sees no input).
            self.raw_data = None
            return
        parts = [v.strip() for v in (list(valuelist) + ["", "", ""])[:3]]
        self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        missing = [name for name, value in zip(("day", "month", "year"), parts) if not value]
        what = self.name_for_errors
        if missing:
            self.data = None
            raise ValueError(f"{what} must include a {' and a '.join(missing)}")
        # A day and a month have at most two digits: date() overflows, not refuses, on a huge one.
        if not real_date_parts(parts):
            self.data = None
            raise ValueError(f"{what} must be a real date")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.data = None
            raise ValueError(f"{what} must be a real date")
