"""Reads of 学习之星: the units a rule gives awards to, the awards a viewer may
see (published ones of their units) or manage (any status, in their subtrees),
certificates and their public verification.

A published award is seen by the members of its unit's subtree, by members of
the units above it (a company's members see its branches' stars only when the
award is the company's own), and by the admins who manage the unit. Anything
else is "not found".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from org import scope
from org.models import Member, Unit, User

from ..models import Award, AwardPeriod, AwardRule, AwardScope, AwardStatus, AwardWinner
from ..models.awards import BRANCH_TYPES
from .boards import board_members


def rule_units(*, rule: AwardRule) -> QuerySet[Unit]:
    """The active units that each get one award of ``rule``, in tree order."""
    root = Unit.objects.get(pk=rule.root_id)  # paths move when siblings are added
    if rule.scope == AwardScope.ROOT:
        units = Unit.objects.filter(pk=root.pk)
    else:
        units = Unit.objects.filter(path__startswith=root.path, depth__gt=root.depth)
        if rule.scope == AwardScope.BRANCHES:
            units = units.filter(unit_type__in=BRANCH_TYPES)
        elif rule.scope == AwardScope.UNIT_TYPE:
            units = units.filter(unit_type=rule.scope_unit_type)
        elif rule.scope == AwardScope.DEPTH:
            units = units.filter(depth=root.depth + (rule.scope_depth or 1))
    return units.filter(is_active=True).order_by("path")


def managed_rules(*, viewer: User) -> QuerySet[AwardRule]:
    """Rules whose root unit lies in the viewer's administered subtrees."""
    return AwardRule.objects.filter(root__in=scope.managed_units(viewer))


def active_rules() -> QuerySet[AwardRule]:
    return AwardRule.objects.filter(is_active=True, root__is_active=True)


def period_label(award: Award) -> str:
    """The award's period as people say it (2026年3月, 2026年第1季度, 2026年度)."""
    start = award.period_start
    if award.period_kind == AwardPeriod.MONTH:
        return _("%(month)d/%(year)d") % {"year": start.year, "month": start.month}
    if award.period_kind == AwardPeriod.QUARTER:
        quarter = (start.month - 1) // 3 + 1
        return _("Q%(quarter)d %(year)d") % {"year": start.year, "quarter": quarter}
    return _("Year %(year)d") % {"year": start.year}


# --- awards -----------------------------------------------------------------------


def _with_winners(queryset: QuerySet[Award]) -> QuerySet[Award]:
    return queryset.select_related("unit", "rule").prefetch_related(
        "winners__user__member__unit"
    )


def _own_units_q(viewer: User) -> Q | None:
    """Units of the viewer's chain (their unit and those above) and below it."""
    member = Member.objects.select_related("unit").filter(user_id=viewer.pk).first()
    if member is None:
        return None
    path, step = member.unit.path, Unit.steplen
    ancestors = [path[:i] for i in range(step, len(path) + 1, step)]
    return Q(unit__path__in=ancestors) | Q(unit__path__startswith=path)


def visible_awards(*, viewer: User) -> QuerySet[Award]:
    """Published awards of the viewer's units, newest first."""
    if not viewer.is_authenticated:
        return Award.objects.none()
    published = Award.objects.filter(status=AwardStatus.PUBLISHED)
    if not scope.is_platform_admin(viewer):
        parts = Q(unit__in=scope.managed_units(viewer))
        own = _own_units_q(viewer)
        published = published.filter(parts | own if own is not None else parts)
    return _with_winners(published).order_by("-published_at", "-pk")


def access_award(*, viewer: User, award_id) -> Award:
    try:
        return visible_awards(viewer=viewer).get(pk=int(award_id))
    except (Award.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def managed_awards(*, viewer: User, status: str | None = None) -> QuerySet[Award]:
    """Awards of any status whose unit the viewer administers."""
    awards = Award.objects.filter(unit__in=scope.managed_units(viewer))
    if status:
        awards = awards.filter(status=status)
    return _with_winners(awards).order_by("-period_start", "unit__path", "pk")


def access_managed_award(*, viewer: User, award_id) -> Award:
    try:
        return (
            managed_awards(viewer=viewer)
            .prefetch_related("events__by")
            .get(pk=int(award_id))
        )
    except (Award.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def award_candidates(*, award: Award) -> list[dict]:
    """The ranking the proposal recorded, with names as they are now."""
    rows = list(award.scores or [])
    names = dict(
        User.objects.filter(pk__in=[row["user_id"] for row in rows]).values_list(
            "pk", "real_name"
        )
    )
    return [
        {**row, "name": names.get(row["user_id"]) or row.get("name")} for row in rows
    ]


# --- winners and certificates -------------------------------------------------------


def _published_winners() -> QuerySet[AwardWinner]:
    return AwardWinner.objects.filter(
        award__status=AwardStatus.PUBLISHED
    ).select_related("award__unit", "award__rule", "user")


def my_wins(*, viewer: User) -> QuerySet[AwardWinner]:
    """The viewer's own published awards (and certificates), newest first."""
    if not viewer.is_authenticated:
        return AwardWinner.objects.none()
    return (
        _published_winners().filter(user=viewer).order_by("-award__period_start", "-pk")
    )


def access_certificate(*, viewer: User, winner_id) -> AwardWinner:
    """A made certificate the viewer may download: their own, or one of a member
    or a unit they administer."""
    if not viewer.is_authenticated:
        raise Http404
    winners = _published_winners().exclude(certificate="")
    if not scope.is_platform_admin(viewer):
        winners = winners.filter(
            Q(user=viewer)
            | Q(user__in=scope.managed_users(viewer))
            | Q(award__unit__in=scope.managed_units(viewer))
        )
    try:
        return winners.get(pk=int(winner_id))
    except (AwardWinner.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def verify_certificate(*, code: str) -> AwardWinner:
    """The published award a certificate's code belongs to (Http404 for a
    forged or withdrawn one). Public: the code is the secret."""
    try:
        return _published_winners().get(code=str(code)[:40])
    except AwardWinner.DoesNotExist as exc:
        raise Http404 from exc


def recent_stars(*, unit: Unit, limit: int = 10) -> list[dict]:
    """The latest published winners in ``unit``'s subtree (for the lobby
    display): ``[{"name", "unit", "title", "period"}]``."""
    winners = (
        _published_winners()
        .filter(award__unit__path__startswith=unit.path)
        .order_by("-award__period_end", "award__unit__path", "rank")[:limit]
    )
    return [
        {
            "name": w.user.display_name,
            "unit": w.award.unit.name,
            "title": w.award.title,
            "period": period_label(w.award),
        }
        for w in winners
    ]


def replacement_candidates(*, award: Award) -> QuerySet[Member]:
    """Who may replace a winner: members on the boards of the award's unit who
    have not won it (what ``award_replace`` accepts)."""
    unit = Unit.objects.get(pk=award.unit_id)
    return (
        Member.objects.filter(user_id__in=board_members(unit))
        .exclude(user_id__in=award.winners.values("user_id"))
        .select_related("user", "unit")
    )
