"""Admin → 排行榜排除: unit admins leave members of their units off the boards."""

from assessments.models import BoardExclusion
from assessments.services.exclusions import board_opt_out

URL = "/admin/boards/exclusions/"


def test_an_admin_leaves_a_member_of_their_units_off_and_back_on(tree, client_for):
    admin = client_for(tree.admin_a)
    page = admin.get(URL).content.decode()
    assert "排行榜排除" in page
    done = admin.post(URL, {"who": tree.member_a.employee_no, "note": "测试账号"})
    assert done.status_code == 302
    entry = BoardExclusion.objects.get(user=tree.member_a.user)
    assert (entry.reason, entry.note, entry.created_by) == (
        "excluded",
        "测试账号",
        tree.admin_a,
    )
    page = admin.get(URL).content.decode()
    assert "李红梅" in page and "管理员排除" in page
    # another company's admin neither sees nor lifts it
    other = client_for(tree.admin_b)
    assert "李红梅" not in other.get(URL).content.decode()
    remove = f"{URL}{tree.member_a.user.pk}/remove/"
    assert other.post(remove).status_code == 404
    assert admin.post(remove).status_code == 302
    assert not BoardExclusion.objects.exists()


def test_a_member_of_another_company_cannot_be_found(tree, client_for):
    page = client_for(tree.admin_a).post(URL, {"who": tree.member_b.employee_no})
    assert "你管理的组织中没有这个党员" in page.content.decode()
    assert not BoardExclusion.objects.exists()


def test_a_members_own_opt_out_is_shown_but_not_lifted_by_an_admin(tree, client_for):
    board_opt_out(user=tree.member_a.user, opted_out=True)
    admin = client_for(tree.admin_a)
    page = admin.get(URL).content.decode()
    assert "本人退出" in page and "移回排行榜" not in page
    admin.post(f"{URL}{tree.member_a.user.pk}/remove/")
    assert BoardExclusion.objects.filter(user=tree.member_a.user).exists()


def test_the_screen_is_not_there_for_examiners(tree, client_for):
    assert client_for(tree.examiner).get(URL).status_code == 404
