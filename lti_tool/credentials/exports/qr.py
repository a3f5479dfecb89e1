"""QR codes of a credential's public verification URL (segno, pure Python): PNG, SVG and the module matrix."""

from __future__ import annotations

import io

import segno

# Error correction "M" survives a crease or a stain on a printed certificate and keeps the code small.
_ERROR = "m"


def qr_code(url: str) -> segno.QRCode:
    """The QR code encoding ``url`` (byte mode, error correction M)."""
    return segno.make_qr(url, error=_ERROR)


def qr_png(url: str, scale: int = 8) -> bytes:
    """PNG bytes of the QR code, ``scale`` pixels per module, with the standard 4-module quiet zone."""
    out = io.BytesIO()
    qr_code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(url: str, scale: int = 4, title: str | None = None) -> str:
    """SVG markup of the QR code (no XML declaration, so it can be inlined in an HTML page)."""
    out = io.BytesIO()
    qr_code(url).save(
        out,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title,
        svgclass="qr-code",
        lineclass=None,
    )
    return out.getvalue().decode("utf-8")
