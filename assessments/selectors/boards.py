"""Leaderboards: members and units ranked by 学时, 积分 or exam score in a period,
within a unit's subtree the viewer may see.

Ranking is competition ranking ("1224"): equal values share a rank and the next
rank counts everyone ahead. Members with nothing in the period are not ranked;
members who opted out or whom an admin excluded are left off (and not counted
in a unit's head count). Unit boards compare the units directly below the scope
by per-capita value (or participation rate), never by head count.

学时 and 积分 come from ``MemberTotal`` (folded from the ledgers every minute; a
custom range sums its day rows); exam scores from ``exams.selectors.grades``
(each exam in % of its paper, averaged over the exams that closed in the period).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404

from courses.selectors.assignments import tasks_completed
from exams.selectors.grades import exam_percentages
from org import scope
from org.models import Member, Role, Unit, User

from ..models import BoardExclusion, MemberTotal, Metric
from ..periods import Period
from .board_snapshots import board_snapshot

LIMIT = 50
TWO = Decimal("0.01")


@dataclass
class BoardRow:
    rank: int
    user_id: int
    name: str
    unit: str
    value: Decimal | int
    is_me: bool = False


@dataclass
class MemberBoard:
    unit: Unit
    metric: str
    period: Period
    rows: list[BoardRow]
    #: how many members have a value (are ranked) in the scope
    ranked: int
    my_value: Decimal | int | None = None
    my_rank: int | None = None
    #: False: the viewer is not in this scope, or is off the boards
    me_on_board: bool = False


@dataclass
class UnitRow:
    rank: int
    unit: Unit
    members: int
    participants: int
    total: Decimal
    per_capita: Decimal
    participation: Decimal  # 0–100 (%)
    is_mine: bool = False
    #: the ranking value as a share of the best unit's (0–100), for a bar
    bar: int = 0


@dataclass
class UnitBoard:
    unit: Unit
    metric: str
    period: Period
    order: str
    rows: list[UnitRow] = field(default_factory=list)


# --- scopes -----------------------------------------------------------------------


def board_units(*, viewer: User) -> list[Unit]:
    """The scopes the viewer may pick: their own unit and every unit above it
    (党小组, 支部, 子公司, 集团), then the top units they administer."""
    chain: list[Unit] = []
    member = Member.objects.select_related("unit").filter(user_id=viewer.pk).first()
    if member is not None:
        step = Unit.steplen
        path = member.unit.path
        ancestors = [path[:i] for i in range(step, len(path) + 1, step)]
        chain = list(Unit.objects.filter(path__in=ancestors).order_by("path"))
    if scope.is_platform_admin(viewer):
        managed = list(Unit.get_root_nodes())
    else:
        managed = scope.role_units(viewer, Role.UNIT_ADMIN)
    seen = {u.pk for u in chain}
    return chain + [u for u in managed if u.pk not in seen]


def access_board_unit(*, viewer: User, unit_id) -> Unit:
    """A unit whose boards the viewer may see (Http404 for any other)."""
    try:
        return scope.visible_units(viewer).get(pk=int(unit_id))
    except (Unit.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def _excluded() -> QuerySet:
    return BoardExclusion.objects.values("user_id")


def exclusions_managed(*, viewer: User) -> list[BoardExclusion]:
    """Who of the viewer's managed members is off the boards, and why."""
    return list(
        BoardExclusion.objects.filter(user__in=scope.managed_users(viewer))
        .select_related("user__member__unit", "created_by")
        .order_by("-created_at")
    )


def find_managed_member(*, viewer: User, who: str) -> Member | None:
    """A member of the viewer's units by employee number, phone or login."""
    who = who.strip()
    if not who:
        return None
    return (
        scope.managed_members(viewer)
        .filter(Q(employee_no=who) | Q(user__phone=who) | Q(user__username=who))
        .select_related("user")
        .first()
    )


def is_off_boards(user: User) -> bool:
    return BoardExclusion.objects.filter(user_id=user.pk).exists()


# --- member boards ----------------------------------------------------------------


def _ranked(
    pairs: Iterable[tuple[int, Decimal | int]],
) -> list[tuple[int, int, object]]:
    """(rank, user_id, value) with competition ranking over pairs sorted by
    value, highest first."""
    out = []
    previous = None
    rank = 0
    for index, (user_id, value) in enumerate(pairs, start=1):
        if value != previous:
            rank, previous = index, value
        out.append((rank, user_id, value))
    return out


def _totals(unit: Unit, period: Period, metric: str) -> QuerySet:
    """``{user_id, value}`` rows of members in the scope with a value, left-off
    members removed."""
    base = MemberTotal.objects.filter(unit_path__startswith=unit.path).exclude(
        user_id__in=_excluded()
    )
    if period.kind == "custom":
        return (
            base.filter(kind="day", start__gte=period.start, start__lte=period.end)
            .values("user_id")
            .annotate(value=Sum(metric))
            .filter(value__gt=0)
        )
    return (
        base.filter(kind=period.kind, start=period.start, **{f"{metric}__gt": 0})
        .annotate(value=F(metric))  # one row per member and period
        .values("user_id", "value")
    )


def _ledger_board(viewer, unit, metric, period, limit) -> MemberBoard:
    """学时 and 积分: the board's snapshot (built once per boards revision) and
    the viewer's own value, read from the totals."""
    totals = _totals(unit, period, metric)
    snapshot = board_snapshot(
        (unit.path, period.kind, period.start, period.end, metric),
        lambda: totals.order_by("-value", "user_id").values_list("user_id", "value"),
        kept=limit,
    )
    board = MemberBoard(unit, metric, period, [], ranked=snapshot.ranked)
    if viewer.pk is not None:
        mine = totals.filter(user_id=viewer.pk).values_list("value", flat=True)
        board.my_value = next(iter(mine), None)
    if board.my_value is not None:
        board.my_rank = snapshot.rank_of(board.my_value)
    board.rows = _rows(_ranked(snapshot.top[:limit]), viewer)
    return board


def board_members(unit: Unit) -> QuerySet:
    """The user ids of the members on the boards of ``unit``'s subtree (active,
    not left off): who is ranked, counted and may win an award."""
    return (
        Member.objects.filter(unit__path__startswith=unit.path, user__is_active=True)
        .exclude(user_id__in=_excluded())
        .values_list("user_id", flat=True)
    )


def _exam_values(unit: Unit, period: Period, exam_id: int | None) -> dict:
    members = board_members(unit)
    if exam_id is not None:
        grades = exam_percentages(exam_id=exam_id, user_ids=members)
    else:
        grades = exam_percentages(
            closed_from=period.start, closed_to=period.end, user_ids=members
        )
    return {
        user_id: (sum(marks, Decimal(0)) / len(marks)).quantize(TWO)
        for user_id, marks in grades.items()
        if marks
    }


def _task_values(unit: Unit, period: Period) -> dict:
    """学习任务 due in the period and completed (left-off members removed)."""
    done = tasks_completed(
        due_from=period.start, due_to=period.end, unit_path=unit.path
    )
    excluded = set(BoardExclusion.objects.values_list("user_id", flat=True))
    return {user_id: n for user_id, n in done.items() if user_id not in excluded}


def member_values(
    *, unit: Unit, metric: str, period: Period, exam_id: int | None = None
) -> dict[int, Decimal | int]:
    """``{user_id: value}`` of every ranked member of ``unit``'s subtree (a value
    above 0 for 学时 and 积分, an exam grade for exam scores; left-off members
    are not in it): what awards and the lobby display score from."""
    if metric == Metric.EXAM:
        return _exam_values(unit, period, exam_id)
    if metric == Metric.TASKS:
        return _task_values(unit, period)
    if metric not in (Metric.HOURS, Metric.POINTS):
        raise ValueError(f"unknown metric {metric!r}")
    return dict(_totals(unit, period, metric).values_list("user_id", "value"))


def _computed_board(viewer, unit, metric, period, limit, exam_id) -> MemberBoard:
    """Exam scores and tasks: ranked in Python from the other app's selector."""
    values = member_values(unit=unit, metric=metric, period=period, exam_id=exam_id)
    ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    ranked = _ranked(ordered)
    board = MemberBoard(unit, metric, period, [], ranked=len(ranked))
    for rank, user_id, value in ranked:
        if user_id == viewer.pk:
            board.my_rank, board.my_value = rank, value
    board.rows = _rows(ranked[:limit], viewer)
    return board


def _rows(ranked: list[tuple[int, int, object]], viewer: User) -> list[BoardRow]:
    names = {
        user_id: (real_name or username, unit_name)
        for user_id, real_name, username, unit_name in Member.objects.filter(
            user_id__in=[user_id for _r, user_id, _v in ranked]
        ).values_list("user_id", "user__real_name", "user__username", "unit__name")
    }
    return [
        BoardRow(
            rank=rank,
            user_id=user_id,
            name=names.get(user_id, ("", ""))[0],
            unit=names.get(user_id, ("", ""))[1],
            value=value,
            is_me=user_id == viewer.pk,
        )
        for rank, user_id, value in ranked
    ]


def member_board(
    *,
    viewer: User,
    unit: Unit,
    metric: str,
    period: Period,
    exam_id: int | None = None,
    limit: int = LIMIT,
) -> MemberBoard:
    """The top ``limit`` members of ``unit``'s subtree and the viewer's own rank
    (``unit`` must come from :func:`access_board_unit`)."""
    if metric in (Metric.EXAM, Metric.TASKS):
        board = _computed_board(viewer, unit, metric, period, limit, exam_id)
    elif metric in (Metric.HOURS, Metric.POINTS):
        board = _ledger_board(viewer, unit, metric, period, limit)
    else:
        raise ValueError(f"unknown metric {metric!r}")
    member = Member.objects.filter(user_id=viewer.pk).values_list(
        "unit__path", flat=True
    )
    in_scope = any(path.startswith(unit.path) for path in member)
    board.me_on_board = in_scope and not is_off_boards(viewer)
    return board


# --- unit boards ------------------------------------------------------------------


def _prefix_counts(queryset: QuerySet, path_field: str, length: int, **aggregates):
    return {
        row["prefix"]: row
        for row in queryset.annotate(prefix=Substr(path_field, 1, length))
        .values("prefix")
        .annotate(**aggregates)
    }


def unit_board(
    *,
    viewer: User,
    unit: Unit,
    metric: str,
    period: Period,
    order: str = "per_capita",
) -> UnitBoard:
    """The units directly below ``unit`` (and members attached to ``unit``
    itself, as its own row) by per-capita value or by participation rate."""
    length = len(unit.path) + Unit.steplen
    members = Member.objects.filter(
        unit__path__startswith=unit.path, user__is_active=True
    ).exclude(user_id__in=_excluded())
    heads = _prefix_counts(members, "unit__path", length, n=Count("pk"))
    if metric in (Metric.EXAM, Metric.TASKS):
        by_prefix: dict[str, list] = {}
        paths = dict(members.values_list("user_id", "unit__path"))
        values = member_values(unit=unit, metric=metric, period=period)
        for user_id, value in values.items():
            if user_id in paths:
                by_prefix.setdefault(paths[user_id][:length], []).append(value)
        sums = {
            prefix: {"total": sum(v, Decimal(0)), "participants": len(v)}
            for prefix, v in by_prefix.items()
        }
    else:
        totals = _totals(unit, period, metric)
        if period.kind == "custom":
            # the custom range's per-member sums, folded per unit in Python
            paths = dict(members.values_list("user_id", "unit__path"))
            sums = {}
            for user_id, value in totals.values_list("user_id", "value"):
                if user_id in paths:
                    row = sums.setdefault(
                        paths[user_id][:length], {"total": 0, "participants": 0}
                    )
                    row["total"] += value
                    row["participants"] += 1
        else:
            sums = _prefix_counts(
                MemberTotal.objects.filter(
                    kind=period.kind,
                    start=period.start,
                    unit_path__startswith=unit.path,
                    **{f"{metric}__gt": 0},
                ).exclude(user_id__in=_excluded()),
                "unit_path",
                length,
                total=Sum(metric),
                participants=Count("pk"),
            )
    children = {u.path: u for u in unit.get_children()}
    if unit.path in heads:
        children[unit.path] = unit  # members attached to the scope unit itself
    mine = Member.objects.filter(user_id=viewer.pk).values_list("unit__path", flat=True)
    my_paths = list(mine)
    rows = []
    for path, child in children.items():
        n = heads.get(path, {}).get("n", 0)
        got = sums.get(path, {})
        total = Decimal(got.get("total") or 0)
        participants = got.get("participants") or 0
        if metric == Metric.EXAM:
            per_capita = (
                (total / participants).quantize(TWO) if participants else Decimal(0)
            )
        else:
            per_capita = (total / n).quantize(TWO) if n else Decimal(0)
        rows.append(
            UnitRow(
                rank=0,
                unit=child,
                members=n,
                participants=participants,
                total=total,
                per_capita=per_capita,
                participation=(Decimal(participants * 100) / n).quantize(TWO)
                if n
                else Decimal(0),
                is_mine=any(
                    p == path if path == unit.path else p.startswith(path)
                    for p in my_paths
                ),
            )
        )
    key = (
        (lambda r: r.participation)
        if order == "participation"
        else (lambda r: r.per_capita)
    )
    rows.sort(key=lambda r: (-key(r), r.unit.path))
    best = key(rows[0]) if rows else 0
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        if key(row) != previous:
            rank, previous = index, key(row)
        row.rank = rank
        row.bar = int(key(row) * 100 / best) if best else 0
    return UnitBoard(unit, metric, period, order, rows)
