"""THE permission gate: which units and members a user may see or change.

Every view, API endpoint and admin screen asks here. Anything outside the caller's
scope is reported as "not found" (Http404), never as "forbidden", so that no one
learns what exists in another subtree.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import ImportJob, Member, Role, RoleAssignment, Unit, User

ADMIN_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.UNIT_ADMIN})


def _assignments(user: User) -> list[RoleAssignment]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_zhixue_role_cache", None)
    if cached is None:
        cached = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
        user._zhixue_role_cache = cached
    return cached


def forget_roles(user: User) -> None:
    """Drop the per-object role cache after roles change."""
    user.__dict__.pop("_zhixue_role_cache", None)


def roles_of(user: User) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    roles = {a.role for a in _assignments(user)}
    if user.is_superuser:
        roles.add(Role.PLATFORM_ADMIN)
    return roles


def is_platform_admin(user: User) -> bool:
    return Role.PLATFORM_ADMIN in roles_of(user)


def has_role(user: User, role: str) -> bool:
    return is_platform_admin(user) or role in roles_of(user)


def can_manage_org(user: User) -> bool:
    """May this user open the organisation screens at all?"""
    return bool(roles_of(user) & ADMIN_ROLES)


def require_org_admin(user: User) -> None:
    """Organisation screens do not exist (404) for those who manage no unit."""
    if not can_manage_org(user):
        raise Http404


def _subtree_q(units: list[Unit], prefix: str = "") -> Q | None:
    if not units:
        return None
    return reduce(or_, (Q(**{f"{prefix}path__startswith": u.path}) for u in units))


def role_units(user: User, role: str) -> list[Unit]:
    """Top units of the subtrees in which the user holds ``role``."""
    return [a.unit for a in _assignments(user) if a.role == role and a.unit]


def managed_units(user: User) -> QuerySet[Unit]:
    """Units the user may change: the subtrees they administer."""
    if is_platform_admin(user):
        return Unit.objects.all()
    q = _subtree_q(role_units(user, Role.UNIT_ADMIN))
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()


def examiner_units(user: User) -> QuerySet[Unit]:
    """Units whose question banks and exams the user manages: the subtrees where
    they are an examiner (platform admins: all)."""
    if is_platform_admin(user):
        return Unit.objects.all()
    q = _subtree_q(role_units(user, Role.EXAMINER))
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()


def _own_unit_chain_q(user: User) -> Q | None:
    member = getattr(user, "member", None) if user.is_authenticated else None
    if member is None:
        return None
    unit = member.unit
    steplen = Unit.steplen
    ancestors = [unit.path[:i] for i in range(steplen, len(unit.path) + 1, steplen)]
    return Q(path__in=ancestors)


def visible_units(user: User) -> QuerySet[Unit]:
    """Units the user may see: what they manage plus their own unit and its parents."""
    if is_platform_admin(user):
        return Unit.objects.all()
    parts = [
        q
        for q in (
            _subtree_q(role_units(user, Role.UNIT_ADMIN)),
            _own_unit_chain_q(user),
        )
        if q is not None
    ]
    if not parts:
        return Unit.objects.none()
    return Unit.objects.filter(reduce(or_, parts))


def audience_q(viewer: User, field: str = "audience_unit") -> Q:
    """Content limited to a unit (its ``field``; empty means everyone) is seen by
    that unit's subtree and by the admins who manage the unit: exactly the viewers
    for whom the unit is among :func:`visible_units`."""
    if is_platform_admin(viewer):
        return Q()
    return Q(**{f"{field}__isnull": True}) | Q(
        **{f"{field}__in": visible_units(viewer).values("pk")}
    )


def managed_members(user: User) -> QuerySet[Member]:
    if is_platform_admin(user):
        return Member.objects.all()
    q = _subtree_q(role_units(user, Role.UNIT_ADMIN), prefix="unit__")
    return Member.objects.filter(q) if q is not None else Member.objects.none()


def visible_members(user: User) -> QuerySet[Member]:
    """Members the user may see: those they manage, and themselves."""
    if not user.is_authenticated:
        return Member.objects.none()
    if is_platform_admin(user):
        return Member.objects.all()
    q = _subtree_q(role_units(user, Role.UNIT_ADMIN), prefix="unit__")
    own = Q(user=user)
    return Member.objects.filter(q | own if q is not None else own)


def managed_users(user: User) -> QuerySet[User]:
    """Accounts whose member profile the user manages."""
    if is_platform_admin(user):
        return User.objects.all()
    return User.objects.filter(member__in=managed_members(user))


def managed_role_assignments(user: User) -> QuerySet[RoleAssignment]:
    """Role grants the user may see and revoke: those over units they manage."""
    if is_platform_admin(user):
        return RoleAssignment.objects.all()
    return RoleAssignment.objects.filter(
        unit__in=managed_units(user), user__in=managed_users(user)
    ).exclude(role=Role.PLATFORM_ADMIN)


def grantable_roles(user: User) -> list[str]:
    roles = [Role.UNIT_ADMIN, Role.EDITOR, Role.EXAMINER]
    return [Role.PLATFORM_ADMIN, *roles] if is_platform_admin(user) else roles


def _get_or_404(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def access_unit(*, user: User, unit_id, for_change: bool = False) -> Unit:
    queryset = managed_units(user) if for_change else visible_units(user)
    return _get_or_404(queryset, unit_id)


def access_member(*, user: User, member_id, for_change: bool = False) -> Member:
    queryset = managed_members(user) if for_change else visible_members(user)
    return _get_or_404(queryset.select_related("user", "unit"), member_id)


def visible_import_jobs(user: User) -> QuerySet[ImportJob]:
    if is_platform_admin(user):
        return ImportJob.objects.all()
    if not can_manage_org(user):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user)


def access_import_job(*, user: User, job_id) -> ImportJob:
    return _get_or_404(visible_import_jobs(user), job_id)


def subtree_members(*, user: User, unit: Unit) -> QuerySet[Member]:
    """Members of ``unit``'s subtree that the user may see (unit already checked)."""
    return visible_members(user).filter(unit__path__startswith=unit.path)
