"""Demo boards and awards: the ledgers' history (courses.demo) folded into the
totals, a 学习之星 rule of the first company with a proposed and a published award,
and a lobby display link of the company."""

import datetime

from django.utils import timezone

from .services.totals import totals_rebuild


def seed_boards() -> int:
    """Fold every ledger row now (the demo history is all "settled")."""
    return totals_rebuild(now=timezone.now() + datetime.timedelta(minutes=5))


def seed_awards():
    """Returns the display link of the first company (None without the demo
    accounts)."""
    from org.models import Member, Unit, UnitType, User

    from .demo_awards import demo_awards
    from .models import DisplayLink
    from .services.display import display_link_create

    admin = User.objects.filter(username="unitadmin1").first()
    member = Member.objects.filter(user__username="member").select_related("unit")
    member = member.first()
    if admin is None or member is None:
        return None
    company = member.unit.get_ancestors().filter(depth=2).first()
    branches = list(
        Unit.objects.filter(
            path__startswith=company.path, unit_type=UnitType.BRANCH
        ).order_by("path")
    )
    mine = next((b for b in branches if member.unit.path.startswith(b.path)), None)
    others = [b for b in branches if b != mine]
    if mine is None or not others:
        return None
    demo_awards(
        admin=admin, company=company, proposed_branch=others[0], published_branch=mine
    )
    link = DisplayLink.objects.filter(unit=company, revoked_at__isnull=True).first()
    return link or display_link_create(by=admin, unit=company, name="机关大厅")
