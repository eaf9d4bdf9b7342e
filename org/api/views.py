"""Thin API views: parse → org.scope → one service or selector → serialize."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from org import scope, selectors
from org.http import XLSX, xlsx_response
from org.models import Unit
from org.services import accounts, exports, import_jobs, members, units
from org.services.login import LoginRefused, login_authenticate

from . import serializers as s


def _parent_ids(units_page) -> dict[str, int]:
    paths = {u.path[: -Unit.steplen] for u in units_page if u.depth > 1}
    return dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))


@extend_schema(tags=["units"])
class UnitViewSet(viewsets.GenericViewSet):
    """Organisation units the caller may see; writes need a unit-admin scope."""

    serializer_class = s.UnitSerializer

    def get_queryset(self):
        return selectors.units_with_member_counts(user=self.request.user)

    def _serialize(self, units_list, many=True):
        context = {"parent_ids": _parent_ids(units_list if many else [units_list])}
        return s.UnitSerializer(units_list, many=many, context=context).data

    @extend_schema(
        parameters=[
            OpenApiParameter("root", int, description="Only this unit's subtree"),
            OpenApiParameter("q", str, description="Name or code contains"),
        ],
        responses=s.UnitSerializer(many=True),
    )
    def list(self, request):
        queryset = self.get_queryset()
        root = request.query_params.get("root")
        if root:
            root_unit = scope.access_unit(user=request.user, unit_id=root)
            queryset = queryset.filter(path__startswith=root_unit.path)
        query = request.query_params.get("q", "").strip()
        if query:
            queryset = queryset.filter(name__icontains=query) | queryset.filter(
                code__icontains=query
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self._serialize(page))

    @extend_schema(responses=s.UnitSerializer)
    def retrieve(self, request, pk=None):
        unit = scope.access_unit(user=request.user, unit_id=pk)
        return Response(self._serialize(unit, many=False))

    def _write_args(self, request, partial_unit=None):
        serializer = s.UnitWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parent_id = data.pop("parent", None)
        parent = (
            scope.access_unit(user=request.user, unit_id=parent_id, for_change=True)
            if parent_id
            else None
        )
        if parent is None and not scope.is_platform_admin(request.user):
            if partial_unit is None or partial_unit.depth == 1:
                raise ValidationError({"parent": [_("Choose the parent unit.")]})
        return parent, data

    @extend_schema(request=s.UnitWriteSerializer, responses={201: s.UnitSerializer})
    def create(self, request):
        parent, data = self._write_args(request)
        unit = units.unit_create(parent=parent, **data, by=request.user)
        return Response(
            self._serialize(unit, many=False), status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.UnitWriteSerializer, responses=s.UnitSerializer)
    def update(self, request, pk=None):
        unit = scope.access_unit(user=request.user, unit_id=pk, for_change=True)
        parent, data = self._write_args(request, partial_unit=unit)
        unit = units.unit_update(unit=unit, parent=parent, **data, by=request.user)
        return Response(self._serialize(unit, many=False))

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        unit = scope.access_unit(user=request.user, unit_id=pk, for_change=True)
        units.unit_delete(unit=unit, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"])
    def export(self, request):
        """The units the caller manages, as the Excel sheet the import reads."""
        scope.require_org_admin(request.user)
        content = exports.units_export_xlsx(units=scope.managed_units(request.user))
        return xlsx_response(content, "units.xlsx")


@extend_schema(tags=["members"])
class MemberViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.MemberSerializer

    def get_queryset(self):
        unit = None
        unit_id = self.request.query_params.get("unit")
        if unit_id:
            unit = scope.access_unit(user=self.request.user, unit_id=unit_id)
        return selectors.members_search(
            user=self.request.user,
            query=self.request.query_params.get("q", "").strip(),
            unit=unit,
        )

    def get_object(self):
        return scope.access_member(user=self.request.user, member_id=self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter("unit", int, description="Members of this unit's subtree"),
            OpenApiParameter("q", str, description="Name, pinyin, phone or number"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _member_fields(self, request):
        serializer = s.MemberWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["unit"] = scope.access_unit(
            user=request.user, unit_id=data["unit"], for_change=True
        )
        return data

    @extend_schema(request=s.MemberWriteSerializer, responses={201: s.MemberSerializer})
    def create(self, request):
        data = self._member_fields(request)
        member = members.member_create(**data, by=request.user)
        return Response(s.MemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.MemberWriteSerializer, responses=s.MemberSerializer)
    def update(self, request, pk=None):
        member = scope.access_member(user=request.user, member_id=pk, for_change=True)
        data = self._member_fields(request)
        member = members.member_update(member=member, **data, by=request.user)
        return Response(s.MemberSerializer(member).data)

    @extend_schema(request=s.TransferWriteSerializer, responses=s.MemberSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """组织关系转接: move the member to another unit, keeping their history."""
        member = scope.access_member(user=request.user, member_id=pk, for_change=True)
        serializer = s.TransferWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to_unit = scope.access_unit(
            user=request.user,
            unit_id=serializer.validated_data["to_unit"],
            for_change=True,
        )
        member = members.member_transfer(
            member=member,
            to_unit=to_unit,
            by=request.user,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(s.MemberSerializer(member).data)

    @extend_schema(responses=s.TransferSerializer(many=True))
    @action(detail=True, methods=["get"])
    def transfers(self, request, pk=None):
        member = scope.access_member(user=request.user, member_id=pk)
        history = member.transfers.select_related("from_unit", "to_unit")
        return Response(s.TransferSerializer(history, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("unit", int, description="Subtree to export")],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"])
    def export(self, request):
        """Members of a subtree the caller manages, as the sheet the import reads."""
        scope.require_org_admin(request.user)
        queryset = scope.managed_members(request.user)
        unit_id = request.query_params.get("unit")
        if unit_id:
            unit = scope.access_unit(
                user=request.user, unit_id=unit_id, for_change=True
            )
            queryset = queryset.filter(unit__path__startswith=unit.path)
        return xlsx_response(
            exports.members_export_xlsx(members=queryset), "members.xlsx"
        )


@extend_schema(tags=["me"])
class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        user = request.user
        data = {
            "id": user.pk,
            "username": user.username,
            "real_name": user.real_name,
            "phone": user.phone,
            "must_change_password": user.must_change_password,
            "member": getattr(user, "member", None),
            "roles": user.roles.select_related("unit"),
        }
        return Response(s.MeSerializer(data).data)


@extend_schema(tags=["me"])
class PasswordChangeView(APIView):
    @extend_schema(request=s.PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        from django.contrib.auth.password_validation import validate_password

        serializer = s.PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user
        if user.has_usable_password() and not user.check_password(
            serializer.validated_data.get("old_password", "")
        ):
            raise ValidationError({"old_password": [_("The old password is wrong.")]})
        validate_password(serializer.validated_data["new_password"], user)
        accounts.password_change(
            user=user, new_password=serializer.validated_data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["auth"])
class TokenView(APIView):
    """Exchange a username or phone and a password for an API token."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=s.TokenRequestSerializer, responses=s.TokenSerializer)
    def post(self, request):
        serializer = s.TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            user = login_authenticate(
                request=request,
                identifier=serializer.validated_data["username"],
                password=serializer.validated_data["password"],
            )
        except LoginRefused as exc:
            code = status.HTTP_429_TOO_MANY_REQUESTS if exc.throttled else 400
            return Response({"detail": exc.message}, status=code)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@extend_schema(tags=["imports"])
class ImportJobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excel imports of units and members; they run in the background."""

    serializer_class = s.ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_object(self):
        return scope.access_import_job(user=self.request.user, job_id=self.kwargs["pk"])

    def get_queryset(self):
        return scope.visible_import_jobs(self.request.user)

    @extend_schema(
        request=s.ImportUploadSerializer, responses={202: s.ImportJobSerializer}
    )
    def create(self, request):
        scope.require_org_admin(request.user)
        serializer = s.ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = import_jobs.import_job_create(
                kind=serializer.validated_data["kind"],
                upload=serializer.validated_data["file"],
                by=request.user,
            )
        except import_jobs.UploadRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        return Response(
            s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind", str, OpenApiParameter.PATH, enum=["members", "units"]
            )
        ],
        responses={(200, XLSX): OpenApiTypes.BINARY},
    )
    @action(
        detail=False, methods=["get"], url_path=r"templates/(?P<kind>members|units)"
    )
    def template(self, request, kind=None):
        """The empty Excel template, with Chinese headers and instructions."""
        builder = {
            "members": exports.members_template_xlsx,
            "units": exports.units_template_xlsx,
        }[kind]
        return xlsx_response(builder(), f"{kind}-template.xlsx")
