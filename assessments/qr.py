"""QR codes as inline SVG (the display links, the member card)."""

from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str) -> SafeString:
    """``url`` as an inline SVG QR code (no image library needed)."""
    import qrcode
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(url, image_factory=SvgPathImage, border=2)
    # qrcode writes the markup itself from a URL we built: nothing to escape
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308
