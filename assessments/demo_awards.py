"""Demo 学习之星: a monthly rule for every branch of a company, last month's
proposal for one branch, and for another an award approved, published and with
its certificate made. Safe to run again: the rule is found by name and root,
a proposal is made once per unit and period, and approving, publishing and
making certificates are no-ops the second time."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from org.models import Unit, User

from .models import AwardRule, AwardScope, AwardStatus, PeriodKind
from .periods import period_of
from .services.awards import award_approve, award_propose_unit, award_publish
from .services.certificates import award_certificates

RULE_NAME = "月度学习之星（演示）"


def demo_awards(
    *,
    admin: User,
    company: Unit,
    proposed_branch: Unit,
    published_branch: Unit,
    now: datetime.datetime | None = None,
) -> dict:
    """``admin`` must administer ``company`` (the branches lie under it). The
    board totals must be folded already (``seed_boards``). Returns ``{"rule",
    "proposed", "published"}`` (an award is None when nobody in that branch
    studied last month)."""
    now = now or timezone.now()
    rule, _created = AwardRule.objects.get_or_create(
        root=company,
        name=RULE_NAME,
        defaults={
            "title": "学习之星",
            "period": PeriodKind.MONTH,
            "scope": AwardScope.BRANCHES,
            # the demo history is thin: show the scoring, not the pace rule
            "require_pace": False,
            "min_hours": Decimal(1),
            "weight_hours": Decimal(6),
            "weight_points": Decimal(3),
            "weight_exam": Decimal(1),
            "winners": 2,
            "created_by": admin,
        },
    )
    period = period_of(PeriodKind.MONTH, timezone.localdate(now)).previous()
    proposed = award_propose_unit(
        rule=rule, unit=proposed_branch, period=period, now=now
    )
    published = award_propose_unit(
        rule=rule, unit=published_branch, period=period, now=now
    )
    if published is not None:
        if published.status == AwardStatus.PROPOSED:
            published = award_approve(by=admin, award=published, note="演示")
        if published.status == AwardStatus.APPROVED:
            published = award_publish(by=admin, award=published, note="演示")
        award_certificates(award_id=published.pk)  # now, not when a worker runs
    return {"rule": rule, "proposed": proposed, "published": published}
