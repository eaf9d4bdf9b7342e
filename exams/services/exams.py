"""Setting up exams: the paper, window, duration, attempts, grading, release and
review policies, who sits it, and per-member overrides.

Only examiners manage exams: the organising unit and every target unit must lie
in the subtrees they examine (``org.scope.examiner_units``), and so must the
paper's bank. Who may sit an exam: members of the target units' subtrees and
the named members, once it is published.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org import scope
from org.models import Member, Unit, User

from ..models import (
    Exam,
    ExamOverride,
    GradingMethod,
    MultiplePolicy,
    Paper,
    ResultsRelease,
    ReviewAnswers,
)
from .papers import paper_total


def _require_examiner_of(by: User, units) -> None:
    allowed = set(scope.examiner_units(by).values_list("pk", flat=True))
    if any(unit.pk not in allowed for unit in units):
        raise PermissionDenied


def _check(exam: Exam) -> None:
    errors = {}
    if not exam.title.strip():
        errors["title"] = _("Give the exam a title.")
    if exam.closes_at <= exam.opens_at:
        errors["closes_at"] = _("The exam must close after it opens.")
    if exam.duration_minutes < 1 or exam.duration_minutes > 24 * 60:
        errors["duration_minutes"] = _("The duration is 1 to 1440 minutes.")
    total = paper_total(exam.paper)
    if exam.pass_mark < 0 or exam.pass_mark > total:
        errors["pass_mark"] = _(
            "The pass mark is between 0 and the full mark (%s)."
        ) % (total)
    if not Decimal(0) <= exam.partial_credit <= Decimal(1):
        errors["partial_credit"] = _("Partial credit is between 0 and 1.")
    for name, choices in [
        ("grading_method", GradingMethod),
        ("multiple_policy", MultiplePolicy),
        ("results_release", ResultsRelease),
        ("review_answers", ReviewAnswers),
    ]:
        if getattr(exam, name) not in choices.values:
            errors[name] = _("Choose one of the listed options.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def exam_create(
    *,
    by: User,
    paper: Paper,
    unit: Unit,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    duration_minutes: int,
    pass_mark,
    target_units=(),
    target_users=(),
    **options,
) -> Exam:
    """A draft exam; ``options`` are the other fields of ``Exam`` (attempts,
    grading method, multiple choice policy, release and review)."""
    target_units = list(target_units)
    _require_examiner_of(by, [unit, paper.bank.owner_unit, *target_units])
    outside = [u for u in target_units if not u.path.startswith(unit.path)]
    if outside:
        raise ValidationError(
            {"target_units": _("%s is not under the organising unit.") % outside[0]}
        )
    exam = Exam(
        title=" ".join(title.split())[:200],
        paper=paper,
        unit=unit,
        opens_at=opens_at,
        closes_at=closes_at,
        duration_minutes=duration_minutes,
        pass_mark=Decimal(str(pass_mark)),
        created_by=by,
        **options,
    )
    _check(exam)
    exam.save()
    exam.target_units.set(target_units)
    users = list(target_users)
    if users:
        members = Member.objects.filter(
            user__in=users, unit__path__startswith=unit.path
        ).count()
        if members != len(users):
            raise ValidationError(
                {"target_users": _("Every member must be under the organising unit.")}
            )
        exam.target_users.set(users)
    if not target_units and not users:
        raise ValidationError({"target_units": _("Choose who sits the exam.")})
    return exam


def exam_publish(*, by: User, exam: Exam) -> Exam:
    _require_examiner_of(by, [exam.unit])
    if exam.published_at is None:
        exam.published_at = timezone.now()
        exam.save(update_fields=["published_at"])
    return exam


def exam_is_for(exam: Exam, user: User) -> bool:
    """Whether ``user`` may sit the (published) exam."""
    if exam.published_at is None or not user.is_active:
        return False
    if exam.target_users.filter(pk=user.pk).exists():
        return True
    member = Member.objects.select_related("unit").filter(user=user).first()
    if member is None:
        return False
    return any(
        member.unit.path.startswith(path)
        for path in exam.target_units.values_list("path", flat=True)
    )


@transaction.atomic
def override_set(
    *,
    by: User,
    exam: Exam,
    user: User,
    extra_minutes: int = 0,
    closes_at: datetime | None = None,
    extra_attempts: int = 0,
    reason: str = "",
) -> ExamOverride:
    """More time, a later close or more attempts for one member (replaces any
    earlier override of that member)."""
    _require_examiner_of(by, [exam.unit])
    if closes_at is not None and closes_at <= exam.opens_at:
        raise ValidationError({"closes_at": _("The exam must close after it opens.")})
    override, _created = ExamOverride.objects.update_or_create(
        exam=exam,
        user=user,
        defaults={
            "extra_minutes": max(int(extra_minutes), 0),
            "closes_at": closes_at,
            "extra_attempts": max(int(extra_attempts), 0),
            "reason": reason[:200],
            "created_by": by,
        },
    )
    return override


def exam_results_release(*, by: User, exam: Exam) -> Exam:
    """Release the results of an exam whose results wait for the examiner."""
    _require_examiner_of(by, [exam.unit])
    if exam.results_released_at is None:
        exam.results_released_at = timezone.now()
        exam.save(update_fields=["results_released_at"])
    return exam
