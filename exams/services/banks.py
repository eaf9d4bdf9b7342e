"""Creating a question bank from the admin (the command line uses
``imports.bank_ensure``, which also finds an existing bank by name)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org import scope
from org.models import Unit, User

from ..models import QuestionBank


def require_bank_examiner(by: User, bank: QuestionBank) -> None:
    """PermissionDenied unless ``by`` examines the bank's owning unit."""
    if not scope.examiner_units(by).filter(pk=bank.owner_unit_id).exists():
        raise PermissionDenied


@transaction.atomic
def bank_create(
    *,
    by: User,
    name: str,
    owner_unit: Unit,
    description: str = "",
    practice: bool = False,
) -> QuestionBank:
    """A new bank owned by ``owner_unit``, which must be in a subtree ``by``
    examines; bank names are unique across the platform."""
    if not scope.examiner_units(by).filter(pk=owner_unit.pk).exists():
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the bank a name.")})
    if QuestionBank.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A question bank with this name already exists.")}
        )
    return QuestionBank.objects.create(
        name=name,
        description=description.strip(),
        owner_unit=owner_unit,
        practice=practice,
        created_by=by,
    )


def bank_set_practice(*, by: User, bank: QuestionBank, practice: bool) -> QuestionBank:
    """Open the bank for members' practice (daily quiz, practice by category) or
    close it again."""
    require_bank_examiner(by, bank)
    bank.practice = bool(practice)
    bank.save(update_fields=["practice"])
    return bank
