"""The 学习之星 API: published awards I may see, one award, my certificates
(and their download), and the public verification of a certificate's code."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.awards import (
    access_award,
    access_certificate,
    my_wins,
    period_label,
    verify_certificate,
    visible_awards,
)
from ..views_awards import certificate_response


class AwardWinnerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField(source="user.display_name")
    unit = serializers.SerializerMethodField()

    def get_unit(self, winner) -> str:
        member = getattr(winner.user, "member", None)
        return member.unit.name if member else ""


class AwardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    unit = serializers.CharField(source="unit.name")
    period = serializers.CharField(source="period_kind")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    period_label = serializers.SerializerMethodField()
    published_at = serializers.DateTimeField()
    winners = AwardWinnerSerializer(many=True, source="winners.all")

    def get_period_label(self, award) -> str:
        return period_label(award)


class CertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    award = serializers.IntegerField(source="award_id")
    title = serializers.CharField(source="award.title")
    unit = serializers.CharField(source="award.unit.name")
    period_label = serializers.SerializerMethodField()
    ready = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    def get_period_label(self, winner) -> str:
        return period_label(winner.award)

    def get_ready(self, winner) -> bool:
        return bool(winner.certificate)

    def get_download(self, winner) -> str | None:
        if not winner.certificate:
            return None
        return reverse("me-certificate-download", args=[winner.pk])


class VerifiedSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.display_name")
    unit = serializers.CharField(source="award.unit.name")
    title = serializers.CharField(source="award.title")
    period_label = serializers.SerializerMethodField()
    awarded_by = serializers.CharField(source="award.rule.root.name")
    date = serializers.SerializerMethodField()

    def get_period_label(self, winner) -> str:
        return period_label(winner.award)

    def get_date(self, winner) -> str:
        return timezone.localtime(winner.award.published_at).date().isoformat()


class AwardListView(ListAPIView):
    """Published 学习之星 of my units (and of the units I administer)."""

    serializer_class = AwardSerializer

    def get_queryset(self):
        return visible_awards(viewer=self.request.user)

    @extend_schema(tags=["awards"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AwardDetailView(APIView):
    @extend_schema(tags=["awards"], responses=AwardSerializer)
    def get(self, request, award_id: int):
        award = access_award(viewer=request.user, award_id=award_id)
        return Response(AwardSerializer(award).data)


class MyCertificatesView(APIView):
    """The awards I won; ``download`` is set once the certificate is made."""

    @extend_schema(tags=["awards"], responses=CertificateSerializer(many=True))
    def get(self, request):
        return Response(
            CertificateSerializer(my_wins(viewer=request.user), many=True).data
        )


class CertificateDownloadView(APIView):
    """The certificate PDF (mine, or one of a member of the units I administer)."""

    @extend_schema(
        tags=["awards"], responses={(200, "application/pdf"): OpenApiTypes.BINARY}
    )
    def get(self, request, winner_id: int):
        winner = access_certificate(viewer=request.user, winner_id=winner_id)
        return certificate_response(winner)


class VerifyView(APIView):
    """Public: the award a certificate's code belongs to (404: no such
    certificate)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(tags=["awards"], responses=VerifiedSerializer, auth=[])
    def get(self, request, code: str):
        return Response(VerifiedSerializer(verify_certificate(code=code)).data)
