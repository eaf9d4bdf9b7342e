"""学习之星: proposing winners from a rule, approving, replacing a winner,
publishing. Every step is written to the award's history (``AwardEvent``).

Scoring, for one unit and period (see docs/assessments-awards.md):

* candidates are the active members of the unit's subtree who are on the boards
  (opted-out and excluded members never compete);
* eligibility: the 学时 pace (this year's hours up to the period's last day at
  least the member's annual target × months elapsed / 12), then the rule's
  minimums of hours, points and exam score in the period;
* each weighted metric is normalised as a share of the best value among the
  eligible candidates (the best scores 1, half the best 0.5), and the score is
  100 × Σ weight × share / Σ weight, rounded to 0.01;
* order: score, then the rule's tie-break metrics, then the lower user id (the
  older account) so that the order is always the same; candidates scoring 0 do
  not win.

Only an admin whose subtree holds the award's unit may act on it
(PermissionDenied otherwise; views turn it into 404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.selectors.targets import annual_targets
from org import scope
from org.models import Member, Unit, User

from ..models import (
    Award,
    AwardEvent,
    AwardRule,
    AwardStatus,
    AwardWinner,
    Metric,
)
from ..models.awards import new_certificate_code
from ..periods import Period, custom_period, period_of
from ..selectors.awards import active_rules, rule_units
from ..selectors.boards import board_members, is_off_boards, member_values

METRICS = ("hours", "points", "exam")
TWO = Decimal("0.01")
#: how many of the best eligible candidates a proposal records (at least)
RECORDED = 10

Action = AwardEvent.Action


@dataclass
class Candidate:
    user_id: int
    values: dict[str, Decimal | None]
    score: Decimal = Decimal(0)
    eligible: bool = True
    #: why not eligible: "pace", "min_hours", "min_points", "min_exam"
    failed: list[str] = field(default_factory=list)

    def as_record(self, rank: int, name: str) -> dict:
        return {
            "rank": rank,
            "user_id": self.user_id,
            "name": name,
            "score": str(self.score),
            **{m: None if v is None else str(v) for m, v in self.values.items()},
        }


def _pace_share(period: Period) -> Decimal:
    """The share of the annual target due by the period's last day: award
    periods end on a month's last day, so it is whole months."""
    return Decimal(period.end.month) / Decimal(12)


def _candidates(*, rule: AwardRule, unit: Unit, period: Period) -> list[Candidate]:
    members = list(board_members(unit))
    # every metric, even one without a weight: the tie-break may need it
    values = {
        metric: member_values(unit=unit, metric=Metric(metric), period=period)
        for metric in METRICS
    }
    candidates = [
        Candidate(
            user_id,
            {
                "hours": Decimal(values["hours"].get(user_id, 0)),
                "points": Decimal(values["points"].get(user_id, 0)),
                "exam": values["exam"].get(user_id),
            },
        )
        for user_id in members
    ]
    if rule.require_pace:
        year = custom_period(period.end.replace(month=1, day=1), period.end)
        to_date = member_values(unit=unit, metric=Metric.HOURS, period=year)
        targets = annual_targets(user_ids=members)
        share = _pace_share(period)
        for c in candidates:
            due = (targets.get(c.user_id, Decimal(0)) * share).quantize(TWO)
            if Decimal(to_date.get(c.user_id, 0)) < due:
                c.failed.append("pace")
    minimums = {
        "hours": rule.min_hours,
        "points": rule.min_points,
        "exam": rule.min_exam,
    }
    for c in candidates:
        for metric, least in minimums.items():
            value = c.values[metric]
            if least is not None and (value is None or value < Decimal(least)):
                c.failed.append(f"min_{metric}")
        c.eligible = not c.failed
    return candidates


def _score(candidates: list[Candidate], rule: AwardRule) -> None:
    weights = {m: Decimal(w) for m, w in rule.weights.items() if w}
    total = sum(weights.values(), Decimal(0))
    best = {
        metric: max((c.values[metric] or Decimal(0) for c in candidates), default=0)
        for metric in weights
    }
    for c in candidates:
        points = Decimal(0)
        for metric, weight in weights.items():
            if best[metric] > 0:
                points += weight * (c.values[metric] or Decimal(0)) / best[metric]
        c.score = (points * 100 / total).quantize(TWO, ROUND_HALF_UP)


def _rank(candidates: list[Candidate], rule: AwardRule) -> list[Candidate]:
    eligible = [c for c in candidates if c.eligible]
    _score(eligible, rule)
    order = rule.tie_break.split(",")

    def key(c: Candidate):
        return (
            -c.score,
            *(-(c.values.get(metric) or Decimal(0)) for metric in order),
            c.user_id,
        )

    return sorted((c for c in eligible if c.score > 0), key=key)


def award_ranking(*, rule: AwardRule, unit: Unit, period: Period) -> list[Candidate]:
    """The eligible candidates of ``unit`` with a score above 0, best first."""
    return _rank(_candidates(rule=rule, unit=unit, period=period), rule)


def _names(user_ids) -> dict[int, str]:
    return {user.pk: user.display_name for user in User.objects.filter(pk__in=user_ids)}


def _propose_one(rule, unit, period, now) -> Award | None:
    candidates = _candidates(rule=rule, unit=unit, period=period)
    ranking = _rank(candidates, rule)
    if not ranking:
        return None
    recorded = ranking[: max(RECORDED, rule.winners * 3)]
    names = _names([c.user_id for c in recorded])
    with transaction.atomic():
        award = Award.objects.create(
            rule=rule,
            unit=unit,
            period_kind=period.kind,
            period_start=period.start,
            period_end=period.end,
            title=rule.title,
            proposed_at=now,
            scores=[
                c.as_record(rank, names.get(c.user_id, ""))
                for rank, c in enumerate(recorded, start=1)
            ],
        )
        AwardWinner.objects.bulk_create(
            AwardWinner(
                award=award,
                user_id=c.user_id,
                rank=rank,
                score=c.score,
                values=c.as_record(rank, names.get(c.user_id, "")),
                code=new_certificate_code(),
            )
            for rank, c in enumerate(ranking[: rule.winners], start=1)
        )
        failed: dict[str, int] = {}
        for c in candidates:
            for reason in c.failed:
                failed[reason] = failed.get(reason, 0) + 1
        AwardEvent.objects.create(
            award=award,
            action=Action.PROPOSED,
            at=now,
            data={
                "rule": rule.name,
                "weights": {m: str(w) for m, w in rule.weights.items()},
                "tie_break": rule.tie_break,
                "require_pace": rule.require_pace,
                "members": len(candidates),
                "eligible": sum(1 for c in candidates if c.eligible),
                "ineligible": failed,
            },
        )
    return award


def _check_period(rule: AwardRule, period: Period, now) -> None:
    if period.kind != rule.period:
        raise ValidationError(
            _("This rule gives its award per %(period)s.")
            % {"period": rule.get_period_display()}
        )
    if period.end >= timezone.localdate(now):
        raise ValidationError(_("Winners are proposed once the period is over."))


def award_propose_unit(
    *,
    rule: AwardRule,
    unit: Unit,
    period: Period,
    now: datetime.datetime | None = None,
) -> Award | None:
    """The award of ``rule`` for one unit and period: the one proposed before,
    or a new proposal; None when nobody is eligible."""
    now = now or timezone.now()
    _check_period(rule, period, now)
    existing = Award.objects.filter(
        rule=rule, unit=unit, period_kind=period.kind, period_start=period.start
    ).first()
    if existing is not None:
        return existing
    try:
        return _propose_one(rule, unit, period, now)
    except IntegrityError:  # another run proposed it first
        return Award.objects.get(
            rule=rule, unit=unit, period_kind=period.kind, period_start=period.start
        )


def awards_propose(
    *, rule: AwardRule, period: Period, now: datetime.datetime | None = None
) -> list[Award]:
    """Propose the winners of ``rule`` for ``period`` in every unit of its scope
    that has none yet and has an eligible candidate; the awards made. Running it
    again proposes nothing new (one award per rule, unit and period: a database
    constraint, so two concurrent runs cannot both succeed)."""
    now = now or timezone.now()
    _check_period(rule, period, now)
    done = set(
        Award.objects.filter(
            rule=rule, period_kind=period.kind, period_start=period.start
        ).values_list("unit_id", flat=True)
    )
    made = []
    for unit in rule_units(rule=rule):
        if unit.pk in done:
            continue
        try:
            award = _propose_one(rule, unit, period, now)
        except IntegrityError:  # another run proposed it first
            continue
        if award is not None:
            made.append(award)
    return made


def awards_propose_due(*, now: datetime.datetime | None = None) -> int:
    """For every active rule, propose the period that ended last (the daily
    beat job: a run after a missed day catches up, a second run does nothing)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    for rule in active_rules():
        period = period_of(rule.period, today).previous()
        made += len(awards_propose(rule=rule, period=period, now=now))
    return made


# --- decisions --------------------------------------------------------------------


def _locked(award: Award, by: User) -> Award:
    if not scope.managed_units(by).filter(pk=award.unit_id).exists():
        raise PermissionDenied
    return Award.objects.select_for_update().get(pk=award.pk)


def _event(award, action, by, note="", **data) -> AwardEvent:
    limit = AwardEvent._meta.get_field("note").max_length
    if len(note) > limit:
        raise ValidationError(
            _("Keep the note to %(limit)d characters.") % {"limit": limit}
        )
    return AwardEvent.objects.create(
        award=award, action=action, by=by, at=timezone.now(), note=note, data=data
    )


@transaction.atomic
def award_approve(*, by: User, award: Award, note: str = "") -> Award:
    """The admin agrees with the (possibly replaced) winners; a second approval
    is harmless."""
    award = _locked(award, by)
    if award.status != AwardStatus.PROPOSED:
        return award
    if not award.winners.exists():
        raise ValidationError(_("An award without winners cannot be approved."))
    award.status = AwardStatus.APPROVED
    award.approved_at, award.approved_by = timezone.now(), by
    award.save(update_fields=["status", "approved_at", "approved_by"])
    _event(award, Action.APPROVED, by, note.strip())
    return award


@transaction.atomic
def award_replace(
    *, by: User, award: Award, old_user: User, new_user: User, note: str
) -> AwardWinner:
    """Give ``old_user``'s place to ``new_user`` (a member of the award's unit
    who is on the boards), with a reason. Not after publishing: a certificate
    once out stays true."""
    award = _locked(award, by)
    note = (note or "").strip()
    if award.status == AwardStatus.PUBLISHED:
        raise ValidationError(_("A published award's winners cannot change."))
    if not note:
        raise ValidationError({"note": _("Say why the winner is replaced.")})
    winner = award.winners.select_for_update().filter(user=old_user).first()
    if winner is None:
        raise ValidationError(
            _("%(name)s is not a winner of this award.")
            % {"name": old_user.display_name}
        )
    unit = Unit.objects.get(pk=award.unit_id)
    in_unit = Member.objects.filter(
        user=new_user, user__is_active=True, unit__path__startswith=unit.path
    ).exists()
    if not in_unit:
        raise ValidationError(
            {"new_user": _("The new winner must be a member of the award's unit.")}
        )
    if is_off_boards(new_user):
        raise ValidationError(
            {"new_user": _("This member is off the boards and cannot win.")}
        )
    if award.winners.filter(user=new_user).exists():
        raise ValidationError({"new_user": _("This member already won this award.")})
    recorded = next(
        (row for row in award.scores if row.get("user_id") == new_user.pk), None
    )
    winner.user = new_user
    winner.code = new_certificate_code()
    winner.score = Decimal(recorded["score"]) if recorded else Decimal(0)
    winner.values = recorded or {}
    winner.save(update_fields=["user", "code", "score", "values"])
    _event(
        award,
        Action.REPLACED,
        by,
        note,
        old_user=old_user.pk,
        old_name=old_user.display_name,
        new_user=new_user.pk,
        new_name=new_user.display_name,
        rank=winner.rank,
    )
    return winner


@transaction.atomic
def award_publish(*, by: User, award: Award, note: str = "") -> Award:
    """Announce an approved award and make its certificates (a Celery task, once
    this commits); publishing twice is harmless."""
    award = _locked(award, by)
    if award.status == AwardStatus.PUBLISHED:
        return award
    if award.status != AwardStatus.APPROVED:
        raise ValidationError(_("Approve the award before publishing it."))
    award.status = AwardStatus.PUBLISHED
    award.published_at, award.published_by = timezone.now(), by
    award.save(update_fields=["status", "published_at", "published_by"])
    _event(award, Action.PUBLISHED, by, note.strip())
    from ..tasks import award_certificates_task

    award_id = award.pk
    transaction.on_commit(lambda: award_certificates_task.delay(award_id))
    return award
