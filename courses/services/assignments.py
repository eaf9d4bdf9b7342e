"""Writes for 学习任务 (study tasks): create, change, cancel, remind, and the Excel
report. A task is managed by the admins of its owner unit; every target (a unit
with its subtree, a post, a member) lies in that unit's subtree."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cms.notifications import notify
from org import scope
from org.models import Member, Unit, User

from ..models import Assignment, AssignmentReminder, AssignmentTarget, CoursePage
from ..selectors.assignments import (
    AssignmentReport,
    assigned_members,
    members_behind,
)
from .exports import BEHIND_FILL, styled_sheet

MAX_HOURS = Decimal("9999.99")


def _require_manager(by: User, unit_id: int) -> None:
    if not scope.managed_units(by).filter(pk=unit_id).exists():
        raise PermissionDenied


def _ids(items: Iterable) -> list[int]:
    return sorted({getattr(item, "pk", item) for item in items})


def _clean(
    *,
    by: User,
    title: str,
    courses: Iterable,
    starts_on: datetime.date,
    due_on: datetime.date,
    required_hours,
    owner_unit: Unit,
    units: Iterable,
    posts: Iterable[str],
    users: Iterable,
) -> dict:
    """Check a task's fields; return them cleaned, or raise ValidationError
    naming each field that is wrong."""
    errors: dict[str, str] = {}
    owner = Unit.objects.filter(pk=getattr(owner_unit, "pk", owner_unit)).first()
    if owner is None or not scope.managed_units(by).filter(pk=owner.pk).exists():
        errors["owner_unit"] = _("You do not manage this unit.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the task a title.")
    elif len(title) > 100:
        errors["title"] = _("The title is too long (at most 100 characters).")

    course_ids = _ids(courses)
    live = list(CoursePage.objects.live().filter(pk__in=course_ids))
    if not course_ids:
        errors["courses"] = _("Choose at least one course.")
    elif len(live) != len(course_ids):
        errors["courses"] = _("Only published courses can be assigned.")

    if not starts_on:
        errors["starts_on"] = _("Give the start date.")
    if not due_on:
        errors["due_on"] = _("Give the due date.")
    elif starts_on and due_on < starts_on:
        errors["due_on"] = _("The due date cannot be before the start date.")
    if required_hours in ("", None):
        required_hours = None
    else:
        try:
            required_hours = Decimal(str(required_hours)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            required_hours = Decimal(-1)
        if not Decimal(0) < required_hours <= MAX_HOURS:
            errors["required_hours"] = _(
                "Give the hours required as more than 0, or leave it empty to "
                "require every lesson."
            )

    unit_ids = _ids(units)
    target_units = list(Unit.objects.filter(pk__in=unit_ids))
    post_list = sorted({p.strip() for p in posts if p and p.strip()})
    user_ids = _ids(users)
    if not (unit_ids or post_list or user_ids):
        errors["units"] = _("Give the task to at least one unit, post or member.")
    if owner is not None:
        outside = [u for u in target_units if not u.path.startswith(owner.path)]
        if outside or len(target_units) != len(unit_ids):
            errors["units"] = _(
                "Every unit must belong to the organising unit: %(units)s."
            ) % {"units": "、".join(u.name for u in outside) or "?"}
        inside = Member.objects.filter(
            user_id__in=user_ids, unit__path__startswith=owner.path
        ).count()
        if inside != len(user_ids):
            errors["users"] = _("Every member must belong to the organising unit.")
    if any(len(p) > 50 for p in post_list):
        errors["posts"] = _("A post has at most 50 characters.")
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "courses": live,
        "starts_on": starts_on,
        "due_on": due_on,
        "required_hours": required_hours,
        "owner_unit": owner,
        "units": target_units,
        "posts": post_list,
        "user_ids": user_ids,
    }


def _set_targets(assignment: Assignment, cleaned: dict) -> None:
    assignment.targets.all().delete()
    AssignmentTarget.objects.bulk_create(
        [AssignmentTarget(assignment=assignment, unit=u) for u in cleaned["units"]]
        + [AssignmentTarget(assignment=assignment, post=p) for p in cleaned["posts"]]
        + [
            AssignmentTarget(assignment=assignment, user_id=pk)
            for pk in cleaned["user_ids"]
        ]
    )
    assignment.courses.set(cleaned["courses"])


def _task_url(assignment: Assignment) -> str:
    return reverse("study_task_detail", kwargs={"assignment_id": assignment.pk})


def _announce(assignment: Assignment) -> int:
    members = assigned_members(assignment=assignment).select_related("user")
    users = [m.user for m in members]
    notify(
        users=users,
        title=_("New study task: %(title)s") % {"title": assignment.title},
        body=_("Study from %(start)s to %(due)s.")
        % {"start": assignment.starts_on, "due": assignment.due_on},
        url=_task_url(assignment),
    )
    return len(users)


@transaction.atomic
def assignment_create(
    *,
    by: User,
    title: str,
    courses: Iterable[CoursePage],
    starts_on: datetime.date,
    due_on: datetime.date,
    required_hours: Decimal | None = None,
    owner_unit: Unit,
    units: Iterable[Unit] = (),
    posts: Iterable[str] = (),
    users: Iterable[User] = (),
    description: str = "",
    announce: bool = False,
) -> Assignment:
    """A new task; with ``announce`` every assigned member is notified."""
    cleaned = _clean(
        by=by,
        title=title,
        courses=courses,
        starts_on=starts_on,
        due_on=due_on,
        required_hours=required_hours,
        owner_unit=owner_unit,
        units=units,
        posts=posts,
        users=users,
    )
    assignment = Assignment.objects.create(
        title=cleaned["title"],
        description=(description or "").strip(),
        starts_on=starts_on,
        due_on=due_on,
        required_hours=cleaned["required_hours"],
        owner_unit=cleaned["owner_unit"],
        created_by=by,
    )
    _set_targets(assignment, cleaned)
    if announce:
        _announce(assignment)
    return assignment


@transaction.atomic
def assignment_update(
    *,
    assignment: Assignment,
    by: User,
    title: str,
    courses: Iterable[CoursePage],
    starts_on: datetime.date,
    due_on: datetime.date,
    required_hours: Decimal | None = None,
    owner_unit: Unit,
    units: Iterable[Unit] = (),
    posts: Iterable[str] = (),
    users: Iterable[User] = (),
    description: str = "",
) -> Assignment:
    """Change a task (not a cancelled one); its targets are replaced."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require_manager(by, assignment.owner_unit_id)
    if assignment.cancelled_at is not None:
        raise ValidationError(_("A cancelled task cannot be changed."))
    cleaned = _clean(
        by=by,
        title=title,
        courses=courses,
        starts_on=starts_on,
        due_on=due_on,
        required_hours=required_hours,
        owner_unit=owner_unit,
        units=units,
        posts=posts,
        users=users,
    )
    assignment.title = cleaned["title"]
    assignment.description = (description or "").strip()
    assignment.starts_on, assignment.due_on = starts_on, due_on
    assignment.required_hours = cleaned["required_hours"]
    assignment.owner_unit = cleaned["owner_unit"]
    assignment.save()
    _set_targets(assignment, cleaned)
    return assignment


@transaction.atomic
def assignment_cancel(*, assignment: Assignment, by: User) -> Assignment:
    """Withdraw a task: members no longer see it; its records stay. Cancelling
    twice is harmless."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require_manager(by, assignment.owner_unit_id)
    if assignment.cancelled_at is None:
        assignment.cancelled_at = timezone.now()
        assignment.save(update_fields=["cancelled_at"])
    return assignment


#: the shortest time between two reminders of one task (nobody is nagged hourly)
REMIND_INTERVAL = datetime.timedelta(hours=12)


@transaction.atomic
def assignment_remind(
    *, assignment: Assignment, by: User, only_behind: bool = True
) -> int:
    """Notify the assigned members who have not finished (all of them with
    ``only_behind=False``); log the reminder. Returns how many were notified."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require_manager(by, assignment.owner_unit_id)
    if assignment.cancelled_at is not None:
        raise ValidationError(_("A cancelled task needs no reminder."))
    last = assignment.reminders.order_by("-sent_at").first()
    if last is not None and timezone.now() < last.sent_at + REMIND_INTERVAL:
        raise ValidationError(
            _(
                "A reminder went out at %(sent)s; members are reminded at most "
                "every %(hours)s hours, the next one from %(next)s."
            )
            % {
                "sent": timezone.localtime(last.sent_at).strftime("%Y-%m-%d %H:%M"),
                "hours": int(REMIND_INTERVAL.total_seconds() // 3600),
                "next": timezone.localtime(last.sent_at + REMIND_INTERVAL).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            }
        )
    if only_behind:
        members = members_behind(assignment=assignment)
    else:
        members = list(assigned_members(assignment=assignment).select_related("user"))
    notify(
        users=[m.user for m in members],
        title=_("Reminder: %(title)s") % {"title": assignment.title},
        body=_("You have not finished this study task yet. It is due on %(due)s.")
        % {"due": assignment.due_on},
        url=_task_url(assignment),
    )
    AssignmentReminder.objects.create(
        assignment=assignment, sent_by=by, recipients=len(members)
    )
    return len(members)


# --- the Excel report ---------------------------------------------------------


def assignment_workbook(*, report: AssignmentReport) -> bytes:
    """Sheet 1: completion per unit; sheet 2: every assigned member."""
    assignment = report.assignment
    by_hours = assignment.required_hours is not None
    workbook = Workbook()
    workbook.remove(workbook.active)
    units = styled_sheet(
        workbook,
        _("Completion by unit"),
        [_("Unit"), _("Assigned"), _("Done"), _("Completion rate")],
        [30, 10, 10, 14],
    )
    for row in report.rows:
        name = row.unit.name
        if row.direct and len(report.rows) > 1:
            name = _("%(unit)s (members of this unit)") % {"unit": name}
        units.append([name, row.assigned, row.done, row.rate])
        units.cell(row=units.max_row, column=4).number_format = "0%"
    units.append([_("Total"), report.assigned, report.done, report.rate])
    units.cell(row=units.max_row, column=4).number_format = "0%"
    units.append([])
    units.append(
        [f"{assignment.title}（{assignment.starts_on} — {assignment.due_on}）"]
    )

    progress_header = _("Hours required") if by_hours else _("Lessons completed")
    members = styled_sheet(
        workbook,
        _("Members"),
        [_("Name"), _("Employee number"), _("Unit"), _("Party post"),
         _("Progress"), _("Hours"), progress_header, _("Done")],
        [10, 14, 30, 12, 10, 10, 14, 8],
    )  # fmt: skip
    for row in report.members:
        member, progress = row.member, row.progress
        members.append(
            [
                member.user.real_name,
                member.employee_no,
                member.unit.name,
                member.post,
                progress.share,
                float(progress.hours),
                float(assignment.required_hours)
                if by_hours
                else f"{progress.lessons_done}/{progress.lessons_total}",
                _("Yes") if progress.done else _("No"),
            ]
        )
        members.cell(row=members.max_row, column=5).number_format = "0%"
        if not progress.done:
            for cell in members[members.max_row]:
                cell.fill = BEHIND_FILL
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
