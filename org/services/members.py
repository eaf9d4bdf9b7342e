"""Creating, updating and transferring members (account + Party profile)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Member, MemberTransfer, PoliticalStatus, Unit, User
from org.text import clean, clean_name, pinyin_key

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(value) -> str:
    digits = re.sub(r"[\s\-()+]", "", clean(value))
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def initial_password(phone: str, employee_no: str) -> str:
    """New accounts start with the last six digits of the phone (or the employee
    number) and must change it at first login."""
    return (phone[-6:] if phone else "") or employee_no


def _check_unique(*, phone: str, employee_no: str, member: Member | None) -> None:
    errors = {}
    users = User.objects.filter(phone=phone)
    members = Member.objects.filter(employee_no=employee_no)
    if member is not None:
        users = users.exclude(pk=member.user_id)
        members = members.exclude(pk=member.pk)
    if phone and users.exists():
        errors["phone"] = _("This phone number is already used by another account.")
    if members.exists():
        errors["employee_no"] = _("This employee number is already used.")
    if errors:
        raise ValidationError(errors)


def _validate(real_name: str, phone: str, employee_no: str, status: str) -> None:
    errors = {}
    if not real_name:
        errors["real_name"] = _("Enter the member's name.")
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = _("Enter an 11-digit mainland mobile number.")
    if not employee_no:
        errors["employee_no"] = _("Enter the employee number.")
    if status not in PoliticalStatus.values:
        errors["status"] = _("Unknown political status.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_create(
    *,
    unit: Unit,
    real_name: str,
    employee_no: str,
    phone: str = "",
    gender: str = "",
    birth_date: datetime.date | None = None,
    joined_party_on: datetime.date | None = None,
    status: str = PoliticalStatus.FULL,
    post: str = "",
    password: str | None = None,
    by: User | None = None,
) -> Member:
    real_name, employee_no = clean_name(real_name), clean(employee_no)
    phone = normalise_phone(phone)
    _validate(real_name, phone, employee_no, status)
    _check_unique(phone=phone, employee_no=employee_no, member=None)
    if User.objects.filter(username=employee_no).exists():
        raise ValidationError({"employee_no": _("An account with this login exists.")})
    user = User(username=employee_no, real_name=real_name, phone=phone or None)
    if password is None:
        # No hash to compute: the account accepts its initial password until the
        # member sets their own (see auth_backends). Imports of thousands stay fast.
        user.set_unusable_password()
        user.must_change_password = True
    else:
        user.set_password(password)
    user.save()
    return Member.objects.create(
        user=user,
        unit=unit,
        employee_no=employee_no,
        gender=gender,
        birth_date=birth_date,
        joined_party_on=joined_party_on,
        status=status,
        post=clean(post),
        name_pinyin=pinyin_key(real_name),
    )


@transaction.atomic
def member_update(
    *,
    member: Member,
    real_name: str,
    employee_no: str,
    phone: str = "",
    gender: str = "",
    birth_date: datetime.date | None = None,
    joined_party_on: datetime.date | None = None,
    status: str = PoliticalStatus.FULL,
    post: str = "",
    unit: Unit | None = None,
    by: User | None = None,
) -> Member:
    """Update a profile; a different unit is recorded as a transfer."""
    member = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
    real_name, employee_no = clean_name(real_name), clean(employee_no)
    phone = normalise_phone(phone)
    _validate(real_name, phone, employee_no, status)
    _check_unique(phone=phone, employee_no=employee_no, member=member)
    user = member.user
    user.real_name, user.phone = real_name, phone or None
    user.save(update_fields=["real_name", "phone"])
    member.employee_no, member.gender = employee_no, gender
    member.birth_date, member.joined_party_on = birth_date, joined_party_on
    member.status, member.post = status, clean(post)
    member.name_pinyin = pinyin_key(real_name)
    member.save()
    if unit is not None and unit.pk != member.unit_id:
        member = member_transfer(member=member, to_unit=unit, by=by)
    return member


@transaction.atomic
def member_transfer(
    *, member: Member, to_unit: Unit, by: User | None = None, note: str = ""
) -> Member:
    """组织关系转接: move the member, keep their history, record the move."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.unit_id == to_unit.pk:
        raise ValidationError({"unit": _("The member already belongs to this unit.")})
    MemberTransfer.objects.create(
        member=member,
        from_unit_id=member.unit_id,
        to_unit=to_unit,
        transferred_at=timezone.now(),
        transferred_by=by,
        note=clean(note)[:200],
    )
    member.unit = to_unit
    member.save(update_fields=["unit", "updated_at"])
    return member


def initial_password_for(user: User) -> str:
    member = getattr(user, "member", None)
    return initial_password(user.phone or "", member.employee_no if member else "")


@transaction.atomic
def password_reset_to_initial(*, user: User, by: User | None = None) -> str:
    """Reset to the initial password; the user must change it at next login."""
    user.set_unusable_password()
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    return initial_password_for(user)
