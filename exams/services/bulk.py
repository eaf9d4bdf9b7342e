"""Changing many questions at once: archive, restore, move to a category.

Every question must be in a bank whose owning unit ``by`` examines; one that is
not makes the whole change fail (``PermissionDenied``) and nothing changes.
Archiving keeps the question and its versions (past attempts still point at
them); it only leaves the question out of the bank's lists and new papers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from org import scope
from org.models import User

from ..models import Question, QuestionCategory


def _locked(by: User, questions: Iterable[Question]) -> QuerySet[Question]:
    """The questions, locked; all of them must be in banks ``by`` examines."""
    ids = {q.pk for q in questions}
    allowed = list(
        Question.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, bank__owner_unit__in=scope.examiner_units(by))
        .values_list("pk", flat=True)
    )
    if len(ids) != len(allowed):
        raise PermissionDenied
    return Question.objects.filter(pk__in=allowed)


@transaction.atomic
def questions_archive(*, by: User, questions: Iterable[Question]) -> int:
    """Archive the questions not archived yet; returns how many were."""
    return (
        _locked(by, questions)
        .filter(archived_at__isnull=True)
        .update(archived_at=timezone.now())
    )


@transaction.atomic
def questions_restore(*, by: User, questions: Iterable[Question]) -> int:
    """Bring archived questions back; returns how many were archived."""
    return (
        _locked(by, questions)
        .filter(archived_at__isnull=False)
        .update(archived_at=None)
    )


@transaction.atomic
def questions_move(
    *, by: User, questions: Iterable[Question], category: QuestionCategory | None
) -> int:
    """Put the questions in ``category`` (``None``: no category). The category
    must belong to the questions' bank."""
    locked = _locked(by, questions)
    if category is not None:
        if locked.exclude(bank_id=category.bank_id).exists():
            raise ValidationError(_("The category belongs to another question bank."))
        if not scope.examiner_units(by).filter(pk=category.bank.owner_unit_id).exists():
            raise PermissionDenied
    return locked.update(category=category)
