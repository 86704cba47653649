"""The figures of a spend report as the report's pages show them: each row of a table of shares
with its cells' text worked out once here, so the template loops over plain values (a macro
called for each cell of a 60-row table was half the time of the buyer's page)."""

from dataclasses import dataclass

from app.money import money
from spend import reports

# A supplier's kind as tags: (text, the tag's class).
VCSE_TAG = ("VCSE", "govuk-tag--green")
SME_TAG = ("SME", "govuk-tag--blue")
LOCAL_TAG = ("Local", "govuk-tag--turquoise")
UNCLASSIFIED_TAG = ("Unclassified", "govuk-tag--grey")


def percent(value):
    return f"{value:.1f}%"


def bar_width(value):
    """A share as the width of its bar (of 100): never below nothing or past the whole."""
    return f"{max(0, min(value, 100)):.1f}"


@dataclass(frozen=True)
class ShareCell:
    percent: str  # "12.5%"
    width: str  # its bar's width: "12.5"
    suppliers: str  # "3 of 8 suppliers"


@dataclass(frozen=True)
class ShareRow:
    label: str
    spend: str  # "£1,500"
    net_credits: str  # "£20 net credits not counted", or ""
    cells: tuple  # ShareCell per measure, in ``reports.MEASURES`` order
    unclassified: str  # the share of spend not known


def share_row(row):
    """A ``reports.Summary`` as a row of a table of shares."""
    plural = "" if row.suppliers == 1 else "s"
    cells = []
    for name, _label in reports.MEASURES:
        share = row.share(name)
        cells.append(
            ShareCell(
                percent(share),
                bar_width(share),
                f"{row.measures[name].suppliers_yes} of {row.suppliers} supplier{plural}",
            )
        )
    return ShareRow(
        label=row.label,
        spend=money(row.spend),
        net_credits=f"{money(row.net_credits)} net credits not counted" if row.net_credits else "",
        cells=tuple(cells),
        unclassified=percent(row.share("vcse", "unknown")),
    )


def share_rows(rows):
    return [share_row(row) for row in rows]


@dataclass(frozen=True)
class SupplierRow:
    label: str
    basis: str  # where its kind was found, when not the DPS's directory, else ""
    tags: tuple  # (text, class) of its kind, or () when it has none of them
    kind_text: str  # said instead of tags when it has none
    decile: object  # its neighbourhood's decile, or None
    place_method: str
    spend: str
    share: str
    width: str


def supplier_rows(report, headline):
    """The top suppliers of ``report``, each share of the year's spend counted (``headline``)."""
    out = []
    for row in report.suppliers:
        kind = row.kind
        share = 100 * row.spend / headline.counted if headline and headline.counted else 0
        if not kind.classified:
            tags = (UNCLASSIFIED_TAG,)
        else:
            tags = tuple(
                tag
                for tag, yes in (
                    (VCSE_TAG, kind.vcse),
                    (SME_TAG, kind.sme),
                    (LOCAL_TAG, kind.local),
                )
                if yes
            )
        basis = (
            kind.basis
            if kind.basis not in (None, "", "the DPS’s directory", "the DPS's directory")
            else ""
        )
        out.append(
            SupplierRow(
                label=row.label,
                basis=basis,
                tags=tags,
                kind_text="" if tags else reports.kind_label(kind),
                decile=kind.decile,
                place_method=kind.place_method,
                spend=money(row.spend),
                share=percent(share),
                width=bar_width(share),
            )
        )
    return out
