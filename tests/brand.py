"""What a page of a service that is not on GOV.UK must never carry: the crown (GOV.UK's header
logo, favicons and icons), the Royal Arms (the footer's copyright crest), "Crown copyright" and the
GDS Transport font."""

CROWN_MARKS = {
    "Crown copyright": "“Crown copyright”",
    "govuk-header__logo": "the GOV.UK header and its crown",
    "govuk-logo": "the GOV.UK logotype",
    "govuk-footer__copyright-logo": "the Royal Arms in the footer",
    "govuk-footer__licence-logo": "the Open Government Licence logo",
    "govuk-crest": "the Royal Arms",
    "favicon.ico": "GOV.UK's crown favicon",
    "govuk-icon": "GOV.UK's crown icons",
    "govuk-opengraph-image": "GOV.UK's sharing image",
    "GDS Transport": "GOV.UK's typeface",
}


def crown_marks(html):
    """The GOV.UK-only marks found in ``html``, described."""
    return [what for mark, what in CROWN_MARKS.items() if mark in html]
