"""Badge images: one per unit (SVG and PNG: sector colour, title, EQF level), and baked badges.

Baking follows Open Badges 3.0 §5.3 ("Badge Baking"): a PNG carries the credential in one uncompressed iTXt
chunk with the keyword ``openbadgecredential``; an SVG carries it in an ``<openbadges:credential>`` element
(namespace ``https://purl.imsglobal.org/ob/v3p0``) right after the ``<svg>`` tag, the JSON in a CDATA section.
Pure: no Flask, no database.
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from lti_tool.credentials.exports.pdf import find_font
from lti_tool.locales import translations

PNG_KEYWORD = "openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SIZE = 400
# One colour per sector, each with at least 7:1 contrast against white text.
SECTOR_COLOURS = {"wood": "#5b3a1a", "agrofood": "#23562a", "building": "#1f3f66", "manufacturing": "#4b2d6b"}
DEFAULT_COLOUR = "#333333"


class BakingError(ValueError):
    """The image cannot carry a credential (not a PNG/SVG, or one is already baked in)."""


@dataclass(frozen=True)
class BadgeFacts:
    """What the badge shows."""

    title: str
    sector: str
    eqf_level: int
    language: str = "en"  # of the title, and of the accessible name's words

    @property
    def label(self) -> str:
        """The badge's accessible name, in its language."""
        return translations(self.language).gettext("%(title)s, EQF level %(level)s") % {
            "title": self.title, "level": self.eqf_level}

    @property
    def colour(self) -> str:
        """The sector's colour."""
        return SECTOR_COLOURS.get(self.sector, DEFAULT_COLOUR)

    def lines(self, width: int = 20, most: int = 4) -> list[str]:
        """The title wrapped for the badge (ellipsis after ``most`` lines)."""
        lines = textwrap.wrap(self.title, width) or [""]
        if len(lines) > most:
            lines = lines[:most]
            lines[-1] = lines[-1][: width - 1].rstrip() + "…"
        return lines


def badge_svg(facts: BadgeFacts) -> str:
    """The badge as SVG: a sector-coloured disc, the title, the EQF level; accessible name in <title>."""
    lines = facts.lines()
    first = 200 - (len(lines) - 1) * 14
    text = "".join(
        f'<tspan x="200" y="{first + i * 28}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    label = facts.label
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" height="{SIZE}" '
        f'role="img" aria-label={quoteattr(label)} xml:lang={quoteattr(facts.language)}>'
        f"<title>{escape(label)}</title>"
        f'<circle cx="200" cy="200" r="196" fill="{facts.colour}"/>'
        '<circle cx="200" cy="200" r="178" fill="none" stroke="#ffffff" stroke-width="4"/>'
        '<text x="200" y="92" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="20" '
        'font-weight="bold" fill="#ffffff" letter-spacing="2">MASTERY</text>'
        '<text text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="22" fill="#ffffff">'
        f"{text}</text>"
        '<rect x="130" y="300" width="140" height="44" rx="22" fill="#ffffff"/>'
        f'<text x="200" y="330" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-size="22" '
        f'font-weight="bold" fill="{facts.colour}">EQF {facts.eqf_level}</text>'
        "</svg>"
    )


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = find_font()
    if found is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(found[1] if bold else found[0]), size)


def badge_png(facts: BadgeFacts) -> bytes:
    """The same badge drawn as PNG (for LinkedIn, Open Graph previews and PNG baking)."""
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 396, 396), fill=facts.colour)
    draw.ellipse((22, 22, 378, 378), outline="#ffffff", width=4)
    draw.text((200, 85), "MASTERY", font=_font(20, bold=True), fill="#ffffff", anchor="mm")
    lines = facts.lines()
    first = 193 - (len(lines) - 1) * 14
    for i, line in enumerate(lines):
        draw.text((200, first + i * 28), line, font=_font(22), fill="#ffffff", anchor="mm")
    draw.rounded_rectangle((130, 300, 270, 344), radius=22, fill="#ffffff")
    draw.text((200, 322), f"EQF {facts.eqf_level}", font=_font(22, bold=True), fill=facts.colour, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _credential_text(credential: Mapping[str, Any] | str) -> str:
    return credential if isinstance(credential, str) else json.dumps(credential, ensure_ascii=False)


def bake_png(png: bytes, credential: Mapping[str, Any] | str) -> bytes:
    """The PNG with the credential (JSON, or a compact JWS) in one uncompressed iTXt chunk."""
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except OSError as exc:
        raise BakingError(f"not a PNG image: {exc}") from exc
    if image.format != "PNG":
        raise BakingError("only PNG images can be baked this way")
    if PNG_KEYWORD in getattr(image, "text", {}):
        raise BakingError("this PNG already carries a credential")
    info = PngImagePlugin.PngInfo()
    info.add_itxt(PNG_KEYWORD, _credential_text(credential), zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def bake_svg(svg: str, credential: Mapping[str, Any] | str) -> str:
    """The SVG with an <openbadges:credential> element right after the <svg> start tag."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        raise BakingError("not an SVG image")
    if "openbadges:credential" in svg:
        raise BakingError("this SVG already carries a credential")
    tag = svg[start:end]
    if "xmlns:openbadges" not in tag:
        tag += f' xmlns:openbadges="{OB_NAMESPACE}"'
    if isinstance(credential, str):
        element = f"<openbadges:credential verify={quoteattr(credential)}></openbadges:credential>"
    else:
        # "]]>" cannot occur inside CDATA: split it across two sections.
        body = _credential_text(credential).replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{body}]]></openbadges:credential>"
    return svg[:start] + tag + ">" + element + svg[end + 1:]
