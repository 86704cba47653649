"""The operator's brand: name, logo, colours, footer links, licence line and phase banner, all from
configuration. The product is not a GOV.UK service, so it never shows the crown, the GOV.UK
logotype, the Royal Arms or "Crown copyright", and it uses the system's fonts (see
app/static/src/govuk.scss); every GOV.UK Frontend component and pattern stays.

The operator's colours are checked for contrast (WCAG 2.2 AA: 4.5:1 for text) when the app starts,
and a colour that fails stops it with the reason."""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, current_app, send_file

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOGO = ROOT / "app" / "static" / "brand" / "logo.svg"
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_TEXT = 4.5

bp = Blueprint("brand", __name__)


class BrandError(ValueError):
    """A brand setting the app cannot start with."""


@dataclass(frozen=True)
class Brand:
    service_name: str
    operator_name: str
    operator_url: str
    logo_alt: str
    colour: str
    text_colour: str
    link_colour: str
    phase: str
    licence: str
    footer_links: tuple


def _luminance(colour):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(first, second):
    """The WCAG contrast ratio of two #rrggbb colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _footer_links(raw):
    if isinstance(raw, list | tuple):
        links = raw
    else:
        try:
            links = json.loads(raw or "[]")
        except ValueError:
            raise BrandError('BRAND_FOOTER_LINKS must be JSON: [{"text": ..., "href": ...}]')
    if not isinstance(links, list) or not all(
        isinstance(link, dict) and {"text", "href"} <= set(link) for link in links
    ):
        raise BrandError('BRAND_FOOTER_LINKS must be a list of {"text": ..., "href": ...}')
    return tuple((str(link["text"]), str(link["href"])) for link in links)


def from_config(config):
    """The brand the configuration describes, or BrandError naming what is wrong."""
    colours = {
        name: config[name] for name in ("BRAND_COLOUR", "BRAND_TEXT_COLOUR", "BRAND_LINK_COLOUR")
    }
    for name, value in colours.items():
        if not COLOUR.match(value or ""):
            raise BrandError(f"{name} must be a colour written #rrggbb, not {value!r}")
    pairs = (
        ("BRAND_TEXT_COLOUR", "BRAND_COLOUR", "on the header"),
        ("BRAND_LINK_COLOUR", "#ffffff", "on the page"),
    )
    for foreground, background, where in pairs:
        fg = colours[foreground]
        bg = colours.get(background, background)
        ratio = contrast(fg, bg)
        if ratio < AA_TEXT:
            raise BrandError(
                f"{foreground} {fg} {where} has a contrast of {ratio:.2f}:1 against {bg}; "
                f"WCAG 2.2 AA needs at least {AA_TEXT}:1"
            )
    logo = config.get("BRAND_LOGO_PATH")
    if logo and not Path(logo).is_file():
        raise BrandError(f"BRAND_LOGO_PATH {logo} is not a file")
    if logo and Path(logo).suffix.lower() != ".svg":
        raise BrandError("BRAND_LOGO_PATH must be an SVG file")
    return Brand(
        service_name=config["SERVICE_NAME"],
        operator_name=config["OPERATOR_NAME"],
        operator_url=config["OPERATOR_URL"],
        logo_alt=config["BRAND_LOGO_ALT"],
        colour=colours["BRAND_COLOUR"],
        text_colour=colours["BRAND_TEXT_COLOUR"],
        link_colour=colours["BRAND_LINK_COLOUR"],
        phase=config["BRAND_PHASE"],
        licence=config["BRAND_LICENCE"],
        footer_links=_footer_links(config["BRAND_FOOTER_LINKS"]),
    )


def current():
    return current_app.extensions["brand"]


@bp.route("/brand/logo.svg")
def logo():
    path = current_app.config.get("BRAND_LOGO_PATH") or DEFAULT_LOGO
    return send_file(path, mimetype="image/svg+xml", max_age=3600)


@bp.route("/brand.css")
def stylesheet():
    """The operator's colours, as custom properties app.css uses."""
    brand = current()
    css = (
        ":root{"
        f"--app-brand-colour:{brand.colour};"
        f"--app-brand-text-colour:{brand.text_colour};"
        f"--app-brand-link-colour:{brand.link_colour};"
        "}"
    )
    return Response(css, mimetype="text/css", headers={"Cache-Control": "max-age=3600"})


def init_app(app):
    app.extensions["brand"] = from_config(app.config)
    app.register_blueprint(bp)

    @app.context_processor
    def _brand():
        return {"brand": app.extensions["brand"]}
