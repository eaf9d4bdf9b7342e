"""学习之星 certificates: one PDF per winner of a published award, with the
winner's name, unit, period and title in an embedded Chinese font and a QR code
of the public verification page (/awards/verify/<code>/).

reportlab embeds TrueType fonts only: WenQuanYi Zen Hei (Debian's
``fonts-wqy-zenhei``) works, Noto CJK (CFF outlines) does not. The files go to
the protected storage and are served only through the permission-checked
download views.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import Award, AwardEvent, AwardStatus, AwardWinner
from ..selectors.awards import period_label

FONT_NAME = "WenQuanYiZenHei"
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
RED = (0.78, 0.06, 0.11)
GOLD = (0.75, 0.56, 0.17)


def verify_url(code: str) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    return base + reverse("award_verify", args=[code])


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = getattr(settings, "ZHIXUE_CERTIFICATE_FONT", FONT_PATH)
        pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
    return FONT_NAME


def _qr_png(url: str) -> io.BytesIO:
    import qrcode

    buffer = io.BytesIO()
    qrcode.make(url, border=1).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def _centred(canvas, text: str, y: float, size: float, width: float, font: str):
    canvas.setFont(font, size)
    canvas.drawCentredString(width / 2, y, text)


def certificate_pdf(*, winner: AwardWinner) -> bytes:
    """The certificate of one winner, in the site's language."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    award = winner.award
    font = _font()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    with translation.override(settings.LANGUAGE_CODE):
        canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
        canvas.setTitle(_("Certificate: %(title)s") % {"title": award.title})
        canvas.setAuthor(award.rule.root.name)
        canvas.setStrokeColorRGB(*RED)
        canvas.setLineWidth(6)
        canvas.rect(24, 24, width - 48, height - 48)
        canvas.setStrokeColorRGB(*GOLD)
        canvas.setLineWidth(1.5)
        canvas.rect(36, 36, width - 72, height - 72)

        canvas.setFillColorRGB(*RED)
        _centred(canvas, _("Certificate of Honour"), height - 120, 40, width, font)
        canvas.setFillColorRGB(0.1, 0.1, 0.1)
        canvas.setFont(font, 22)
        canvas.drawString(
            110,
            height - 200,
            _("Comrade %(name)s:") % {"name": winner.user.display_name},
        )
        canvas.setFont(font, 18)
        canvas.drawString(
            150,
            height - 245,
            _("For outstanding study in %(period)s, you are named")
            % {"period": period_label(award)},
        )
        canvas.drawString(150, height - 280, award.unit.name)
        canvas.setFillColorRGB(*RED)
        _centred(canvas, f"「{award.title}」", height - 345, 34, width, font)
        canvas.setFillColorRGB(0.1, 0.1, 0.1)
        canvas.setFont(font, 18)
        canvas.drawString(
            150, height - 395, _("This certificate is awarded in recognition.")
        )

        day = timezone.localtime(award.published_at or timezone.now()).date()
        canvas.setFont(font, 16)
        canvas.drawRightString(width - 110, 130, award.rule.root.name)
        canvas.drawRightString(
            width - 110,
            104,
            _("%(year)d-%(month)02d-%(day)02d")
            % {"year": day.year, "month": day.month, "day": day.day},
        )

        url = verify_url(winner.code)
        canvas.drawImage(ImageReader(_qr_png(url)), 70, 60, width=96, height=96)
        canvas.setFont(font, 10)
        canvas.drawString(176, 96, _("Scan to verify this certificate"))
        canvas.drawString(
            176, 80, _("Certificate number: %(code)s") % {"code": winner.code}
        )
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def award_certificates(*, award_id: int) -> int:
    """Make the certificates a published award's winners do not have yet; the
    number made (0 on a second run, and for an award not published)."""
    award = (
        Award.objects.select_related("unit", "rule__root")
        .filter(pk=award_id, status=AwardStatus.PUBLISHED)
        .first()
    )
    if award is None:
        return 0
    made = 0
    for winner_id in award.winners.filter(certificate="").values_list("pk", flat=True):
        with transaction.atomic():
            winner = (
                AwardWinner.objects.select_for_update()
                .select_related("user")
                .get(pk=winner_id)
            )
            if winner.certificate:  # another worker made it meanwhile
                continue
            winner.award = award
            pdf = certificate_pdf(winner=winner)
            winner.certificate.save(
                f"{award.pk}-{winner.pk}.pdf", ContentFile(pdf), save=False
            )
            winner.certificate_made_at = timezone.now()
            winner.save(update_fields=["certificate", "certificate_made_at"])
            made += 1
    if made:
        AwardEvent.objects.create(
            award=award,
            action=AwardEvent.Action.CERTIFICATES,
            at=timezone.now(),
            data={"made": made},
        )
    return made
