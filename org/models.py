"""Organisation tree, accounts, member profiles, roles and their history.

Models are thin: fields, choices and constraints. Writes go through org/services/,
reads of anything organisation-scoped through org/scope.py.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class User(AbstractUser):
    """A login account. Party-specific data lives on Member."""

    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    phone = models.CharField(
        _("mobile phone"), max_length=11, unique=True, null=True, blank=True
    )
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.real_name or self.username

    @property
    def display_name(self) -> str:
        return self.real_name or self.get_full_name() or self.username


class UnitType(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General Party branch")
    BRANCH = "branch", _("Party branch")
    JOINT_BRANCH = "joint_branch", _("Joint Party branch")
    MOBILE_BRANCH = "mobile_branch", _("Mobile Party branch")
    GROUP = "group", _("Party group")


class Unit(MP_Node):
    """One Party organisation. "This unit and everything below it" is a
    ``path__startswith`` query on an indexed column."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=50, unique=True)
    unit_type = models.CharField(_("type"), max_length=20, choices=UnitType.choices)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    name_pinyin = models.CharField(max_length=400, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    node_order_by = ["sort_order", "name_pinyin", "code"]
    # Units and members hold no content references; skip Wagtail's reference index.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class PoliticalStatus(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")
    ACTIVIST = "activist", _("Activist applying for membership")
    MASSES = "masses", _("Non-member")


class Member(models.Model):
    """A person in the organisation: the account plus the Party profile."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="member",
        verbose_name=_("account"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="members", verbose_name=_("unit")
    )
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, blank=True
    )
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    joined_party_on = models.DateField(
        _("date joined the Party"), null=True, blank=True
    )
    status = models.CharField(
        _("political status"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.FULL,
    )
    post = models.CharField(_("Party post"), max_length=50, blank=True)
    name_pinyin = models.CharField(max_length=200, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name_pinyin", "employee_no"]

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.employee_no}）"


class MemberTransfer(models.Model):
    """组织关系转接: the record of a member moving between units."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="transfers"
    )
    from_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="transfers_in"
    )
    transferred_at = models.DateTimeField(_("transferred at"))
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("membership transfer")
        verbose_name_plural = _("membership transfers")
        ordering = ["-transferred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.from_unit_id} → {self.to_unit_id}"


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    UNIT_ADMIN = "unit_admin", _("Unit administrator")
    EDITOR = "editor", _("Editor")
    EXAMINER = "examiner", _("Examiner")


class RoleAssignment(models.Model):
    """A role held over a unit's subtree (platform admins hold theirs over all)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("unit"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "unit"], name="org_role_unique_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(role="platform_admin", unit__isnull=True)
                | (~Q(role="platform_admin") & Q(unit__isnull=False)),
                name="org_role_unit_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.unit_id}"


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("Members")
    UNITS = "units", _("Units")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    PROCESSING = "processing", _("Processing")
    DONE = "done", _("Imported")
    REJECTED = "rejected", _("Rejected: nothing imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """An uploaded Excel sheet and what became of it."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to="org-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    failure_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name
