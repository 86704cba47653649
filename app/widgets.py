"""The GOV.UK widgets for fields shown as a fieldset (radios, checkboxes, a date), each with a legend.

govuk-frontend-wtf makes the field's label the fieldset's legend only when a template passes no
``fieldset`` of its own: a template that passes one to size the legend
(``params={'fieldset': {'legend': {'classes': 'govuk-fieldset__legend--m'}}}``) loses the legend's
text, and the question is then neither shown nor read out. These widgets keep the label as the
legend's text unless the template gives a text or html of its own, and leave out a hint with
nothing in it (an empty hint that the fieldset would still be described by)."""

from govuk_frontend_wtf import wtforms_widgets as gov

__all__ = ["GovCheckboxInput", "GovCheckboxesInput", "GovDateInput", "GovRadioInput"]


class _LegendFromLabel:
    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        fieldset = params.get("fieldset")
        if fieldset is not None:
            legend = fieldset.get("legend") or {}
            if not (legend.get("text") or legend.get("html")):
                # A copy: the template's own dictionary may be passed again, for another field.
                legend = {**legend, "text": field.label.text}
                params["fieldset"] = {**fieldset, "legend": legend}
        hint = params.get("hint")
        if hint is not None and not (hint.get("text") or hint.get("html")):
            del params["hint"]
        return params


class GovRadioInput(_LegendFromLabel, gov.GovRadioInput):
    pass


class GovCheckboxesInput(_LegendFromLabel, gov.GovCheckboxesInput):
    pass


class GovCheckboxInput(_LegendFromLabel, gov.GovCheckboxInput):
    """One checkbox (a BooleanField): it has no fieldset, so only an empty hint is left out."""


class GovDateInput(_LegendFromLabel, gov.GovDateInput):
    pass
