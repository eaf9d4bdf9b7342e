"""The Wagtail admin screens for units, members and imports, walked across scopes."""

import pytest
from django.urls import reverse

from org.models import Member, MemberTransfer, Unit


def object_urls(viewset: str, pk: int) -> list[str]:
    return [
        reverse(f"{viewset}:{view}", args=[pk])
        for view in ("edit", "delete", "history", "usage")
    ]


def test_unit_list_shows_the_tree_of_the_admins_subtree_only(tree, client_for):
    html = client_for(tree.admin_a).get(reverse("units:index")).content.decode()
    assert (
        "子分公司A党委" in html and "A一项目部党支部" in html and "第一党小组" in html
    )
    assert "子分公司B党委" not in html and "B一项目部党支部" not in html
    assert (
        html.index("子分公司A党委")
        < html.index("A一项目部党支部")
        < html.index("第一党小组")
    )


def test_every_object_screen_of_another_subtree_is_404(tree, client_for):
    client = client_for(tree.admin_a)
    urls = object_urls("units", tree.branch_b1.pk) + object_urls(
        "members", tree.member_b.pk
    )
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "x"}).status_code == 404, url
    assert Unit.objects.filter(pk=tree.branch_b1.pk).exists()
    assert Member.objects.get(pk=tree.member_b.pk).user.real_name == "王建国"


def test_io_screens_are_404_outside_scope_and_for_non_admins(tree, client_for):
    from org.models import ImportJob

    job = ImportJob.objects.create(
        kind="members", file="x.xlsx", original_name="x.xlsx", created_by=tree.admin_b
    )
    admin_a = client_for(tree.admin_a)
    assert admin_a.get(reverse("org_io_job", args=[job.pk])).status_code == 404
    assert admin_a.get(reverse("org_io_job_status", args=[job.pk])).status_code == 404
    assert (
        admin_a.get(
            reverse("org_io_export", args=["members"]), {"unit": tree.branch_b1.pk}
        ).status_code
        == 404
    )
    editor = client_for(tree.editor)
    for url in (reverse("org_io"), reverse("units:index"), reverse("members:index")):
        assert editor.get(url).status_code == 404, url


@pytest.mark.parametrize("role_user", ["member", "anonymous"])
def test_members_and_visitors_do_not_enter_the_admin(
    tree, client, client_for, role_user
):
    c = client_for(tree.member_a.user) if role_user == "member" else client
    response = c.get(reverse("units:index"))
    assert response.status_code in (302, 403, 404)
    assert "子分公司A党委" not in response.content.decode()


def test_unit_form_offers_only_parents_in_scope(tree, client_for):
    html = client_for(tree.admin_a).get(reverse("units:add")).content.decode()
    assert "A二项目部党支部" in html
    assert "B一项目部党支部" not in html and "测试集团党委" not in html


def test_creating_a_unit_through_the_admin_uses_the_service(tree, client_for):
    response = client_for(tree.admin_a).post(
        reverse("units:add"),
        {
            "parent": tree.branch_a2.pk,
            "name": " 第一 党小组 ",
            "code": "A2T1",
            "unit_type": "group",
            "sort_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    unit = Unit.objects.get(code="A2T1")
    assert unit.name == "第一党小组"
    assert unit.get_parent() == tree.branch_a2


def test_a_unit_admin_cannot_move_their_own_unit(tree, client_for):
    form = client_for(tree.admin_a).get(reverse("units:edit", args=[tree.company_a.pk]))
    assert 'name="parent"' not in form.content.decode()


def test_deleting_a_unit_with_members_is_refused_with_a_message(tree, client_for):
    client = client_for(tree.admin_a)
    response = client.post(reverse("units:delete", args=[tree.team_a1.pk]), follow=True)
    assert Unit.objects.filter(pk=tree.team_a1.pk).exists()
    assert "转接" in response.content.decode()


def test_editing_a_members_unit_records_a_transfer(tree, client_for):
    m = tree.member_a
    response = client_for(tree.admin_a).post(
        reverse("members:edit", args=[m.pk]),
        {
            "real_name": "李红梅",
            "phone": m.user.phone,
            "employee_no": m.employee_no,
            "unit": tree.branch_a2.pk,
            "gender": "female",
            "status": "full",
            "post": "",
            "birth_date": "",
            "joined_party_on": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Member.objects.get(pk=m.pk).unit == tree.branch_a2
    assert MemberTransfer.objects.filter(member=m, transferred_by=tree.admin_a).exists()


def test_member_form_errors_come_back_in_chinese(tree, client_for):
    response = client_for(tree.admin_a).post(
        reverse("members:add"),
        {
            "real_name": "赵六",
            "phone": "123",
            "employee_no": "Z6",
            "unit": tree.branch_a1.pk,
            "status": "full",
        },
    )
    assert response.status_code == 200
    assert "11 位" in response.content.decode()
    assert not Member.objects.filter(employee_no="Z6").exists()


def test_members_are_not_deleted_from_the_admin(tree, client_for):
    client_for(tree.admin_a).post(reverse("members:delete", args=[tree.member_a.pk]))
    assert Member.objects.filter(pk=tree.member_a.pk).exists()


def test_member_list_filters_by_subtree(tree, client_for):
    html = (
        client_for(tree.admin_a)
        .get(reverse("members:index"), {"unit": tree.branch_a1.pk})
        .content.decode()
    )
    assert "李红梅" in html
    assert "周管理" not in html  # a member of company A itself, outside branch A1


def test_admin_is_in_chinese(tree, client_for):
    html = client_for(tree.admin_a).get(reverse("units:index")).content.decode()
    assert "组织机构" in html and "组织名称" in html


def test_roles_screen_lists_and_grants_only_within_scope(tree, client_for):
    from org.models import RoleAssignment

    client = client_for(tree.admin_a)
    html = client.get(reverse("roles:index")).content.decode()
    assert "周管理" in html and "吴管理" not in html and "平台管理员" not in html
    form = client.get(reverse("roles:add")).content.decode()
    assert "B一项目部党支部" not in form and "王建国" not in form
    assert 'value="platform_admin"' not in form
    granted = client.post(
        reverse("roles:add"),
        {"user": tree.member_a.user.pk, "role": "editor", "unit": tree.branch_a1.pk},
    )
    assert granted.status_code == 302
    assert RoleAssignment.objects.filter(
        user=tree.member_a.user, role="editor"
    ).exists()
    refused = client.post(
        reverse("roles:add"),
        {
            "user": tree.member_b.user.pk,
            "role": "unit_admin",
            "unit": tree.branch_b1.pk,
        },
    )
    assert refused.status_code == 200
    assert not RoleAssignment.objects.filter(user=tree.member_b.user).exists()
    foreign = RoleAssignment.objects.get(user=tree.admin_b)
    assert client.get(reverse("roles:edit", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("roles:delete", args=[foreign.pk])).status_code == 404
    assert RoleAssignment.objects.filter(pk=foreign.pk).exists()


def test_a_granted_unit_admin_role_opens_that_subtree(tree, client_for):
    from org.models import RoleAssignment

    client_for(tree.admin_a).post(
        reverse("roles:add"),
        {
            "user": tree.member_a.user.pk,
            "role": "unit_admin",
            "unit": tree.branch_a1.pk,
        },
    )
    assert RoleAssignment.objects.filter(user=tree.member_a.user).exists()
    html = client_for(tree.member_a.user).get(reverse("units:index")).content.decode()
    assert "A一项目部党支部" in html and "A二项目部党支部" not in html
