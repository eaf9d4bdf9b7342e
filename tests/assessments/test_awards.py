"""学习之星: rules as data, eligibility (pace, minimums, left-off members), scores
and tie-breaks, idempotent proposals, the approve / replace / publish path and
its history, certificates (a real PDF) and their verification, the pages, the
profile badge and the API's scope."""

import datetime
import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import tasks
from assessments.demo_awards import demo_awards
from assessments.models import (
    Award,
    AwardEvent,
    AwardRule,
    AwardScope,
    AwardStatus,
    PeriodKind,
    TieBreak,
)
from assessments.periods import period_of
from assessments.selectors.awards import recent_stars, rule_units
from assessments.services.awards import (
    award_approve,
    award_publish,
    award_replace,
    awards_propose,
    awards_propose_due,
)
from assessments.services.certificates import award_certificates
from assessments.services.exclusions import board_exclude, board_opt_out
from assessments.services.totals import totals_fold
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from courses.services.points import points_award
from org.models import Unit
from tests.factories import make_member, points_rules_ensure

MARCH = period_of(PeriodKind.MONTH, datetime.date(2026, 3, 15))
DAY = datetime.date(2026, 3, 10)
Action = AwardEvent.Action


def fresh(unit):
    """The unit as stored now (adding a sibling re-sorts treebeard paths)."""
    return Unit.objects.get(pk=unit.pk)


def study(tree, member, amount, day=DAY):
    ledger_record(
        member=member.user,
        kind=StudyKind.GROUP,
        hours=Decimal(amount),
        studied_on=day,
        source="集中学习",
        by=tree.admin_a,
    )


def earn(member, times, day=DAY):
    """10 积分 per passed exam (the default rule)."""
    points_rules_ensure()
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    for n in range(times):
        points_award(user=member.user, action="exam_passed", event_key=f"e{n}", at=at)


def fold():
    totals_fold(now=timezone.now() + timedelta(minutes=5))


def make_rule(tree, **fields):
    values = {
        "name": "A公司月度学习之星",
        "root": tree.company_a,
        "period": PeriodKind.MONTH,
        "scope": AwardScope.BRANCHES,
        "weight_hours": Decimal(1),
        "created_by": tree.admin_a,
    } | fields
    return AwardRule.objects.create(**values)


def winners(award):
    return [w.user.real_name for w in award.winners.order_by("rank")]


def award_of(rule, unit):
    return Award.objects.get(rule=rule, unit=unit)


@pytest.fixture
def branch(tree):
    """Three members of branch A1 who studied in March: 甲 9 h, 乙 12 h, 丙 10 h."""
    people = {name: make_member(tree.branch_a1, name) for name in "甲乙丙"}
    for name, amount in zip("甲乙丙", ["9", "12", "10"], strict=True):
        study(tree, people[name], amount)
    return people


@pytest.fixture
def run_certificates(monkeypatch):
    """The certificates task runs in this process when the publish commits."""
    monkeypatch.setattr(
        tasks.award_certificates_task,
        "delay",
        lambda award_id: tasks.award_certificates_task(award_id),
    )


def published_award(tree, branch, django_capture_on_commit_callbacks):
    rule = make_rule(tree)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    award_approve(by=tree.admin_a, award=award)
    with django_capture_on_commit_callbacks(execute=True):
        award_publish(by=tree.admin_a, award=award)
    award.refresh_from_db()
    return award


# --- rules and eligibility ------------------------------------------------------


def test_rule_scopes_pick_branches_types_depths_or_the_root(tree):
    root = {"root": tree.group}
    branches = make_rule(tree, **root)
    companies = make_rule(tree, scope=AwardScope.DEPTH, scope_depth=1, **root)
    groups = make_rule(
        tree, scope=AwardScope.UNIT_TYPE, scope_unit_type="group", **root
    )
    itself = make_rule(tree, scope=AwardScope.ROOT, **root)
    names = {
        rule.pk: sorted(u.name for u in rule_units(rule=rule))
        for rule in (branches, companies, groups, itself)
    }
    assert names[branches.pk] == [
        "A一项目部党支部",
        "A二项目部党支部",
        "B一项目部党支部",
    ]
    assert names[companies.pk] == ["子分公司A党委", "子分公司B党委"]
    assert names[groups.pk] == ["第一党小组"]
    assert names[itself.pk] == ["测试集团党委"]


def test_a_rule_needs_a_weight_and_the_scope_details(tree):
    rule = AwardRule(
        name="x",
        root=tree.company_a,
        period=PeriodKind.MONTH,
        scope=AwardScope.UNIT_TYPE,
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert {"scope_unit_type", "weight_hours"} <= set(error.value.message_dict)


def test_members_behind_the_study_hour_pace_are_not_proposed(tree):
    # March: a quarter of the 32 h annual target (8 h) must be done by 31 March
    behind = make_member(tree.branch_a1, "慢慢")
    ahead = make_member(tree.branch_a1, "快快")
    secretary = make_member(tree.branch_a1, "书书", post="支部书记")  # 56 h: 14 h
    study(tree, behind, "7.5")
    study(tree, ahead, "3")
    study(tree, ahead, "5", day=datetime.date(2026, 1, 20))  # 8 h this year
    study(tree, secretary, "13")
    only_behind = make_member(tree.branch_a2, "也慢")
    study(tree, only_behind, "6")
    rule = make_rule(tree)
    fold()
    made = awards_propose(rule=rule, period=MARCH)
    assert [a.unit_id for a in made] == [tree.branch_a1.pk]  # A2: nobody eligible
    assert winners(made[0]) == ["快快"]
    proposed = made[0].events.get(action=Action.PROPOSED)
    assert proposed.data["ineligible"] == {"pace": 3}


def test_without_the_pace_rule_the_minimums_decide(tree, branch):
    rule = make_rule(tree, require_pace=False, min_hours=Decimal("10"), winners=5)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    assert winners(award) == ["乙", "丙"]  # 甲 (9 h) is below the minimum


def test_opted_out_and_excluded_members_never_win(tree, branch):
    board_opt_out(user=branch["乙"].user, opted_out=True)
    board_exclude(by=tree.admin_a, user=branch["丙"].user, note="测试账号")
    rule = make_rule(tree, winners=3)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    assert winners(award) == ["甲"]
    assert [row["name"] for row in award.scores] == ["甲"]


# --- scores, ties, winners ------------------------------------------------------------


def test_the_score_weighs_each_metric_as_a_share_of_the_best(tree):
    hours_only = make_member(tree.branch_a1, "学时多")  # 20 h, 0 points
    balanced = make_member(tree.branch_a1, "两头好")  # 10 h, 40 points
    study(tree, hours_only, "20")
    study(tree, balanced, "10")
    earn(balanced, 4)
    rule = make_rule(tree, weight_hours=Decimal(1), weight_points=Decimal(1), winners=2)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    # 两头好: (0.5 + 1) / 2 = 75; 学时多: (1 + 0) / 2 = 50
    assert [(row["name"], row["score"]) for row in award.scores] == [
        ("两头好", "75.00"),
        ("学时多", "50.00"),
    ]
    assert winners(award) == ["两头好", "学时多"]
    assert award.winners.get(rank=1).values["points"] == "40"


def test_ties_are_broken_in_the_rules_order(tree):
    first = make_member(tree.branch_a1, "先来")
    second = make_member(tree.branch_a1, "后到")
    for member in (first, second):
        study(tree, member, "10")
    earn(second, 1)
    by_points = make_rule(tree, tie_break=TieBreak.POINTS_HOURS_EXAM)
    fold()
    (award,) = awards_propose(rule=by_points, period=MARCH)
    assert award.scores[0]["score"] == award.scores[1]["score"] == "100.00"
    assert winners(award) == ["后到"]


def test_a_full_tie_goes_to_the_older_account(tree):
    first = make_member(tree.branch_a1, "先来")
    second = make_member(tree.branch_a1, "后到")
    for member in (second, first):
        study(tree, member, "10")
    rule = make_rule(tree)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    assert winners(award) == ["先来"]


def test_the_rule_says_how_many_win(tree, branch):
    rule = make_rule(tree, winners=2)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    assert [(w.rank, w.user.real_name) for w in award.winners.all()] == [
        (1, "乙"),
        (2, "丙"),
    ]
    assert len(award.scores) == 3  # the ranking behind it is kept


# --- proposals ----------------------------------------------------------------------


def test_proposing_twice_proposes_once(tree, branch):
    rule = make_rule(tree)
    fold()
    assert len(awards_propose(rule=rule, period=MARCH)) == 1
    assert awards_propose(rule=rule, period=MARCH) == []
    assert Award.objects.count() == 1
    award = Award.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.create(
            rule=rule,
            unit=award.unit,
            period_kind=award.period_kind,
            period_start=award.period_start,
            period_end=award.period_end,
            title="重复",
            proposed_at=timezone.now(),
        )


def test_a_period_is_proposed_only_once_it_is_over(tree, branch):
    rule = make_rule(tree)
    this_month = period_of(PeriodKind.MONTH)
    with pytest.raises(ValidationError):
        awards_propose(rule=rule, period=this_month)
    with pytest.raises(ValidationError):  # a monthly rule, a quarter
        awards_propose(rule=rule, period=period_of(PeriodKind.QUARTER, DAY))


def test_the_daily_job_proposes_the_period_that_ended(tree, branch):
    make_rule(tree)
    make_rule(tree, name="停用", is_active=False)
    fold()
    april = datetime.datetime(2026, 4, 1, 19, 20, tzinfo=datetime.UTC)  # 2 April
    assert awards_propose_due(now=april) == 1
    assert awards_propose_due(now=april + timedelta(days=1)) == 0
    award = Award.objects.get()
    assert (award.period_start, award.period_end) == (MARCH.start, MARCH.end)
    assert award.events.get().by is None  # the system proposed it


# --- decisions and history ------------------------------------------------------------


def test_an_admin_of_another_company_can_decide_nothing(tree, branch):
    rule = make_rule(tree)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    for decide in (award_approve, award_publish):
        with pytest.raises(PermissionDenied):
            decide(by=tree.admin_b, award=award)
    with pytest.raises(PermissionDenied):
        award_replace(
            by=tree.admin_b,
            award=award,
            old_user=branch["乙"].user,
            new_user=branch["甲"].user,
            note="x",
        )
    with pytest.raises(PermissionDenied):
        award_approve(by=tree.member_a.user, award=award)
    award.refresh_from_db()
    assert award.status == AwardStatus.PROPOSED
    assert winners(award) == ["乙"]


def test_the_history_records_who_did_what_and_why(
    tree, branch, run_certificates, django_capture_on_commit_callbacks
):
    rule = make_rule(tree)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    with pytest.raises(ValidationError):
        award_publish(by=tree.admin_a, award=award)  # approve first
    with pytest.raises(ValidationError):
        award_replace(
            by=tree.admin_a,
            award=award,
            old_user=branch["乙"].user,
            new_user=branch["丙"].user,
            note="  ",
        )
    award_replace(
        by=tree.admin_a,
        award=award,
        old_user=branch["乙"].user,
        new_user=branch["丙"].user,
        note="乙已获上月学习之星",
    )
    with pytest.raises(ValidationError):  # too long a note: nothing changes
        award_approve(by=tree.platform_admin, award=award, note="同" * 501)
    award.refresh_from_db()
    assert award.status == AwardStatus.PROPOSED
    award_approve(by=tree.platform_admin, award=award, note="同意")
    award_approve(by=tree.platform_admin, award=award)  # harmless
    with django_capture_on_commit_callbacks(execute=True):
        award_publish(by=tree.admin_a, award=award)
    events = list(award.events.values_list("action", "by__real_name", "note"))
    assert events == [
        (Action.PROPOSED, None, ""),
        (Action.REPLACED, "周管理", "乙已获上月学习之星"),
        (Action.APPROVED, "平台管理员", "同意"),
        (Action.PUBLISHED, "周管理", ""),
        (Action.CERTIFICATES, None, ""),
    ]
    replaced = award.events.get(action=Action.REPLACED)
    assert (replaced.data["old_name"], replaced.data["new_name"]) == ("乙", "丙")
    winner = award.winners.get()
    assert winner.user == branch["丙"].user
    assert winner.score == Decimal("83.33")  # 10 of the best 12 h, as recorded
    with pytest.raises(ValidationError):
        award_replace(
            by=tree.admin_a,
            award=award,
            old_user=branch["丙"].user,
            new_user=branch["甲"].user,
            note="已发布",
        )


def test_a_replacement_must_be_a_member_of_the_unit_on_the_boards(tree, branch):
    rule = make_rule(tree)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    outsider = make_member(tree.branch_a2, "外支部")
    board_opt_out(user=branch["甲"].user, opted_out=True)
    for user in (outsider.user, branch["甲"].user, branch["乙"].user):
        with pytest.raises(ValidationError):
            award_replace(
                by=tree.admin_a,
                award=award,
                old_user=branch["乙"].user,
                new_user=user,
                note="换人",
            )
    assert winners(award) == ["乙"]


# --- certificates --------------------------------------------------------------------


def test_publishing_makes_a_certificate_with_the_name_and_the_title(
    tree, branch, settings, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    winner = award.winners.get()
    assert winner.certificate.name.startswith("awards/certificates/")
    path = winner.certificate.storage.path(winner.certificate.name)
    assert path.startswith(str(settings.PROTECTED_MEDIA_ROOT))
    with winner.certificate.open("rb") as handle:
        text = pypdf.PdfReader(io.BytesIO(handle.read())).pages[0].extract_text()
    assert "乙" in text
    assert "学习之星" in text
    assert "A一项目部党支部" in text
    assert "2026年3月" in text
    made_at = winner.certificate_made_at
    assert award_certificates(award_id=award.pk) == 0  # a second run: nothing
    winner.refresh_from_db()
    assert winner.certificate_made_at == made_at


def test_the_verify_page_shows_the_award_and_a_forged_code_is_404(
    tree, branch, client, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    winner = award.winners.get()
    page = client.get(f"/awards/verify/{winner.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("乙", "A一项目部党支部", "学习之星", "2026年3月", "真实有效"):
        assert text in html
    forged = client.get("/awards/verify/not-a-real-code-123/")
    assert forged.status_code == 404
    assert "证书不存在" in forged.content.decode()


def test_an_unpublished_award_does_not_verify(tree, branch, client):
    rule = make_rule(tree)
    fold()
    (award,) = awards_propose(rule=rule, period=MARCH)
    award_approve(by=tree.admin_a, award=award)
    code = award.winners.get().code
    assert client.get(f"/awards/verify/{code}/").status_code == 404


def test_certificates_download_for_the_winner_and_their_admins_only(
    tree, branch, client_for, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    winner = award.winners.get()
    url = f"/awards/certificates/{winner.pk}/"
    for user in (branch["乙"].user, tree.admin_a, tree.platform_admin):
        response = client_for(user).get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for user in (branch["甲"].user, tree.admin_b, tree.member_b.user):
        assert client_for(user).get(url).status_code == 404, user


# --- pages and the profile badge ------------------------------------------------------


def test_the_awards_page_shows_published_stars_of_my_units(
    tree, branch, client_for, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    pending = make_rule(tree, name="季度", period=PeriodKind.QUARTER)
    fold()
    awards_propose(rule=pending, period=period_of(PeriodKind.QUARTER, DAY))
    page = client_for(tree.member_a.user).get("/awards/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-award="{award.pk}"' in html and "乙" in html
    assert html.count("data-award=") == 1  # the quarterly one is not published
    assert client_for(tree.member_a.user).get(f"/awards/{award.pk}/").status_code == 200
    other = client_for(tree.member_b.user)
    assert "data-award=" not in other.get("/awards/").content.decode()
    assert other.get(f"/awards/{award.pk}/").status_code == 404


def test_the_winner_has_a_badge_on_their_profile(
    tree, branch, client_for, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    winner = award.winners.get()
    me = client_for(branch["乙"].user).get("/me/").content.decode()
    assert "data-award-badges" in me
    assert "★ 学习之星" in me
    assert f"/awards/certificates/{winner.pk}/" in me
    other = client_for(branch["甲"].user).get("/me/").content.decode()
    assert "data-award-badges" not in other


def test_recent_stars_list_the_latest_published_winners(
    tree, branch, run_certificates, django_capture_on_commit_callbacks
):
    published_award(tree, branch, django_capture_on_commit_callbacks)
    assert recent_stars(unit=fresh(tree.company_a)) == [
        {
            "name": "乙",
            "unit": "A一项目部党支部",
            "title": "学习之星",
            "period": "2026年3月",
        }
    ]
    assert recent_stars(unit=fresh(tree.company_b)) == []


# --- admin screens --------------------------------------------------------------------


def test_admin_screens_hold_only_the_admins_units(tree, branch, client_for):
    mine = make_rule(tree)
    theirs = make_rule(tree, name="B公司", root=tree.company_b)
    study(tree, tree.member_b, "20")
    fold()
    (award,) = awards_propose(rule=mine, period=MARCH)
    (foreign,) = awards_propose(rule=theirs, period=MARCH)
    admin = client_for(tree.admin_a)
    listing = admin.get("/admin/awards/").content.decode()
    assert f'data-award="{award.pk}"' in listing
    assert f'data-award="{foreign.pk}"' not in listing
    assert admin.get(f"/admin/awards/{award.pk}/").status_code == 200
    assert admin.get(f"/admin/awards/{foreign.pk}/").status_code == 404
    assert admin.post(f"/admin/awards/{foreign.pk}/approve/").status_code == 404
    assert admin.get(f"/admin/award_rules/edit/{mine.pk}/").status_code == 200
    assert admin.get(f"/admin/award_rules/edit/{theirs.pk}/").status_code == 404
    rules = admin.get("/admin/award_rules/").content.decode()
    assert "A公司月度学习之星" in rules and "B公司" not in rules
    admin.post(f"/admin/awards/{award.pk}/approve/")
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    plain = client_for(tree.member_a.user).get("/admin/awards/")
    assert plain.status_code in (302, 403, 404)


def test_an_admin_adds_a_rule_rooted_in_their_units_only(tree, client_for):
    admin = client_for(tree.admin_a)
    data = {
        "name": "A季度之星",
        "title": "学习之星",
        "root": tree.company_a.pk,
        "period": "quarter",
        "scope": "branches",
        "require_pace": "on",
        "weight_hours": "2",
        "weight_points": "1",
        "weight_exam": "0",
        "winners": "1",
        "tie_break": TieBreak.HOURS_POINTS_EXAM,
        "is_active": "on",
    }
    assert admin.get("/admin/award_rules/new/").status_code == 200
    admin.post("/admin/award_rules/new/", data)
    rule = AwardRule.objects.get(name="A季度之星")
    assert rule.created_by == tree.admin_a
    admin.post(
        "/admin/award_rules/new/", data | {"name": "越权", "root": tree.company_b.pk}
    )
    assert not AwardRule.objects.filter(name="越权").exists()


# --- API ------------------------------------------------------------------------------


def test_the_api_shows_published_awards_of_my_units_only(
    tree, branch, api_for, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    theirs = make_rule(tree, name="B公司", root=tree.company_b)
    study(tree, tree.member_b, "20")
    fold()
    (unpublished,) = awards_propose(rule=theirs, period=MARCH)
    mine = api_for(tree.member_a.user).get("/api/v1/awards/").json()
    assert [a["id"] for a in mine["results"]] == [award.pk]
    assert mine["results"][0]["winners"][0]["name"] == "乙"
    assert mine["results"][0]["period_label"] == "2026年3月"
    for user in (tree.admin_a, tree.admin_b, tree.member_b.user):
        api = api_for(user)
        ids = [a["id"] for a in api.get("/api/v1/awards/").json()["results"]]
        assert unpublished.pk not in ids
        assert api.get(f"/api/v1/awards/{unpublished.pk}/").status_code == 404
    assert api_for(tree.admin_b).get(f"/api/v1/awards/{award.pk}/").status_code == 404
    assert api_for(tree.admin_a).get(f"/api/v1/awards/{award.pk}/").status_code == 200


def test_my_certificates_and_their_download_in_the_api(
    tree, branch, api_for, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    winner = award.winners.get()
    api = api_for(branch["乙"].user)
    (certificate,) = api.get("/api/v1/me/certificates/").json()
    assert certificate["ready"] is True
    assert certificate["download"] == f"/api/v1/me/certificates/{winner.pk}/download/"
    pdf = api.get(certificate["download"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert api_for(branch["甲"].user).get("/api/v1/me/certificates/").json() == []
    assert api_for(tree.admin_b).get(certificate["download"]).status_code == 404


def test_the_verify_endpoint_is_public(
    tree, branch, client, run_certificates, django_capture_on_commit_callbacks
):
    award = published_award(tree, branch, django_capture_on_commit_callbacks)
    winner = award.winners.get()
    found = client.get(f"/api/v1/awards/verify/{winner.code}/")
    assert found.status_code == 200
    assert found.json()["date"] == (
        timezone.localtime(award.published_at).date().isoformat()
    )
    assert found.json() | {"date": None} == {
        "name": "乙",
        "unit": "A一项目部党支部",
        "title": "学习之星",
        "period_label": "2026年3月",
        "awarded_by": "子分公司A党委",
        "date": None,
    }
    assert client.get("/api/v1/awards/verify/forged/").status_code == 404


# --- demo -----------------------------------------------------------------------------


def test_the_demo_awards_are_made_once(tree, branch):
    today = timezone.localdate()
    last_month = period_of(PeriodKind.MONTH, today).previous()
    day = last_month.start + timedelta(days=3)
    study(tree, branch["甲"], "3", day=day)
    other = make_member(tree.branch_a2, "二支部")
    study(tree, other, "4", day=day)
    fold()
    kwargs = {
        "admin": tree.admin_a,
        "company": tree.company_a,
        "proposed_branch": tree.branch_a2,
        "published_branch": tree.branch_a1,
    }
    first = demo_awards(**kwargs)
    second = demo_awards(**kwargs)
    assert first["proposed"].status == AwardStatus.PROPOSED
    assert first["published"].status == AwardStatus.PUBLISHED
    assert (second["proposed"].pk, second["published"].pk) == (
        first["proposed"].pk,
        first["published"].pk,
    )
    assert AwardRule.objects.count() == 1 and Award.objects.count() == 2
    assert first["published"].winners.get().certificate
    assert AwardEvent.objects.filter(action=Action.CERTIFICATES).count() == 1


def test_the_awards_page_and_api_cost_the_same_queries_for_more_awards(
    tree,
    branch,
    client_for,
    api_for,
    run_certificates,
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published_award(tree, branch, django_capture_on_commit_callbacks)
    client, api = client_for(tree.admin_a), api_for(tree.admin_a)

    def count():
        with CaptureQueriesContext(connection) as page:
            assert client.get("/awards/").status_code == 200
        with CaptureQueriesContext(connection) as listing:
            assert api.get("/api/v1/awards/").status_code == 200
        return len(page), len(listing)

    count()  # the first request warms caches (the site, the translations)
    before = count()
    second = make_member(tree.branch_a2, "二支部")
    study(tree, second, "12")
    fold()
    rule = AwardRule.objects.get()
    (award,) = awards_propose(rule=rule, period=MARCH)
    award_approve(by=tree.admin_a, award=award)
    with django_capture_on_commit_callbacks(execute=True):
        award_publish(by=tree.admin_a, award=award)
    assert count() == before
