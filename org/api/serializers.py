"""Shapes and types only; every rule lives in org/services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from org.models import (
    Gender,
    ImportJob,
    ImportKind,
    Member,
    MemberTransfer,
    PoliticalStatus,
    RoleAssignment,
    Unit,
    UnitType,
)
from org.services.import_jobs import import_job_progress


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True, required=False)
    unit_type_display = serializers.CharField(
        source="get_unit_type_display", read_only=True
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "code",
            "unit_type",
            "unit_type_display",
            "sort_order",
            "is_active",
            "depth",
            "parent",
            "member_count",
        ]

    def get_parent(self, unit: Unit) -> int | None:
        parents = self.context.get("parent_ids", {})
        return parents.get(unit.path[: -Unit.steplen]) if unit.depth > 1 else None


class UnitWriteSerializer(serializers.Serializer):
    parent = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("Parent unit id")
    )
    name = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=50)
    unit_type = serializers.ChoiceField(choices=UnitType.choices)
    sort_order = serializers.IntegerField(min_value=0, default=0)
    is_active = serializers.BooleanField(default=True)


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "code"]


class MemberSerializer(serializers.ModelSerializer):
    real_name = serializers.CharField(source="user.real_name")
    phone = serializers.CharField(source="user.phone", allow_null=True)
    username = serializers.CharField(source="user.username", read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    gender_display = serializers.CharField(source="get_gender_display", read_only=True)

    class Meta:
        model = Member
        fields = [
            "id",
            "username",
            "real_name",
            "phone",
            "employee_no",
            "gender",
            "gender_display",
            "birth_date",
            "joined_party_on",
            "status",
            "status_display",
            "post",
            "unit",
        ]


class MemberWriteSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text=_("Unit id"))
    real_name = serializers.CharField(max_length=50)
    employee_no = serializers.CharField(max_length=30)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True
    )
    birth_date = serializers.DateField(required=False, allow_null=True)
    joined_party_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=PoliticalStatus.choices, default="full")
    post = serializers.CharField(max_length=50, required=False, allow_blank=True)


class TransferWriteSerializer(serializers.Serializer):
    to_unit = serializers.IntegerField(help_text=_("Target unit id"))
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TransferSerializer(serializers.ModelSerializer):
    from_unit = UnitBriefSerializer(read_only=True)
    to_unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = MemberTransfer
        fields = ["id", "from_unit", "to_unit", "transferred_at", "note"]


class RoleSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "unit"]


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    real_name = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    must_change_password = serializers.BooleanField()
    member = MemberSerializer(allow_null=True)
    roles = RoleSerializer(many=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(help_text=_("Username or mobile phone"))
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(required=False, allow_blank=True)
    new_password = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    errors = serializers.JSONField(read_only=True)
    status = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    def get_status(self, job: ImportJob) -> str:
        return import_job_progress(job)[0]

    def get_progress(self, job: ImportJob) -> int:
        return import_job_progress(job)[1]

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "original_name",
            "status",
            "progress",
            "created_count",
            "updated_count",
            "errors",
            "failure_reason",
            "created_at",
            "finished_at",
        ]


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField()
