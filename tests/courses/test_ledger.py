"""The 学时 ledger: append-only, corrections as new entries, the yearly total."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from courses.models import StudyHourEntry, StudyKind
from courses.selectors import annual_target, hours_in_year
from courses.services.ledger import ledger_correct, ledger_record


@pytest.fixture
def entry(tree):
    return ledger_record(
        member=tree.member_a.user,
        kind=StudyKind.TRAINING,
        hours=Decimal("4"),
        studied_on=datetime.date(2026, 3, 5),
        source="2026年春季集中培训（半天）",
        by=tree.admin_a,
    )


def test_a_correction_is_a_new_entry_and_the_original_stays(tree, entry):
    fix = ledger_correct(
        entry=entry, hours=Decimal("3.5"), by=tree.admin_a, note="迟到半小时"
    )
    entry.refresh_from_db()
    assert entry.hours == Decimal("4.000")  # never edited
    assert fix.hours == Decimal("-0.500") and fix.corrects == entry
    again = ledger_correct(
        entry=entry, hours=Decimal("8"), by=tree.admin_a, note="改为全天"
    )
    assert again.hours == Decimal("4.500")  # from 3.5 (after the first fix) to 8
    total = sum(e.hours for e in StudyHourEntry.objects.filter(user=entry.user))
    assert total == Decimal("8.000")


def test_a_correction_needs_a_reason_and_a_change(tree, entry):
    with pytest.raises(ValidationError):
        ledger_correct(entry=entry, hours=Decimal("3"), by=tree.admin_a, note=" ")
    with pytest.raises(ValidationError):
        ledger_correct(entry=entry, hours=Decimal("4"), by=tree.admin_a, note="无变化")
    assert StudyHourEntry.objects.count() == 1


def test_recorded_hours_must_be_positive_and_of_a_known_kind(tree):
    for kind, hours in (("online", Decimal("0")), ("party", Decimal("1"))):
        with pytest.raises(ValidationError):
            ledger_record(
                member=tree.member_a.user,
                kind=kind,
                hours=hours,
                studied_on=datetime.date(2026, 1, 1),
                source="x",
                by=tree.admin_a,
            )


def test_the_year_boundary_follows_the_date_studied(tree, entry):
    user = tree.member_a.user
    for day, hours in (
        (datetime.date(2025, 12, 31), "2"),
        (datetime.date(2027, 1, 1), "1"),
    ):
        ledger_record(
            member=user,
            kind=StudyKind.SELF,
            hours=Decimal(hours),
            studied_on=day,
            source="个人自学",
            by=tree.admin_a,
        )
    assert hours_in_year(viewer=user, year=2025) == Decimal("2")
    assert hours_in_year(viewer=user, year=2026) == Decimal("4")
    assert hours_in_year(viewer=user, year=2027) == Decimal("1")


def test_annual_targets_follow_the_post(tree, settings):
    member = tree.member_a
    assert annual_target(viewer=member.user) == 32
    member.post = "党支部书记"
    member.save()
    assert annual_target(viewer=member.user) == 56
    member.post = "组织委员"
    member.save()
    assert annual_target(viewer=member.user) == 56
    settings.ZHIXUE_STUDY_TARGETS = {"default": 40, "书记": 60}
    assert annual_target(viewer=member.user) == 40
