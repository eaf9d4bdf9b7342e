import datetime

from library.models import CasePage, Category, LibraryIndexPage
from library.services.categories import category_ensure


def test_listing_filters_by_category_status_year_and_tag(tree, publish, client_for):
    three = category_ensure(
        path_names=[("handbook", "党支部工作手册"), ("three-one", "三会一课")]
    )
    dues = category_ensure(
        path_names=[("handbook", "党支部工作手册"), ("dues", "党费收缴")]
    )
    publish(
        "三会一课通知",
        category=three,
        status="current",
        issued_on=datetime.date(2024, 6, 3),
    )
    old = publish(
        "三会一课旧细则",
        category=three,
        status="revised",
        issued_on=datetime.date(2019, 4, 12),
    )
    old.tags.add("三会一课")
    old.save_revision().publish()
    publish("党费办法", category=dues, issued_on=datetime.date(2023, 3, 1))
    client = client_for(tree.member_a.user)

    def titles(query=""):
        html = client.get(f"/policies/{query}").content.decode()
        return {t for t in ("三会一课通知", "三会一课旧细则", "党费办法") if t in html}

    assert titles() == {"三会一课通知", "三会一课旧细则", "党费办法"}
    assert titles("?category=three-one") == {"三会一课通知", "三会一课旧细则"}
    assert titles("?category=handbook") == {
        "三会一课通知",
        "三会一课旧细则",
        "党费办法",
    }
    assert titles("?status=revised") == {"三会一课旧细则"}
    assert titles("?year=2023") == {"党费办法"}
    assert titles("?tag=三会一课") == {"三会一课旧细则"}
    empty = client.get("/policies/?year=1999").content.decode()
    assert "没有符合条件的文件" in empty


def test_listing_paginates(tree, publish, client_for):
    for n in range(25):
        publish(
            f"文件{n:02d}", issued_on=datetime.date(2024, 1, 1) + datetime.timedelta(n)
        )
    client = client_for(tree.member_a.user)
    first = client.get("/policies/").content.decode()
    second = client.get("/policies/?page=2").content.decode()
    assert "文件24" in first and "文件00" not in first
    assert "文件00" in second
    assert "第 1 页，共 2 页" in first


def test_a_document_limited_to_a_subtree_is_invisible_outside_it(
    tree, publish, client_for
):
    page = publish("A公司内部通知", audience_unit=tree.company_a)
    url = page.url
    assert client_for(tree.member_a.user).get(url).status_code == 200
    assert client_for(tree.admin_a).get(url).status_code == 200
    assert client_for(tree.member_b.user).get(url).status_code == 404
    assert client_for(tree.admin_b).get(url).status_code == 404
    listing_b = client_for(tree.member_b.user).get("/policies/").content.decode()
    assert "A公司内部通知" not in listing_b


def test_case_pages_show_unit_and_highlights(tree, home, client_for):
    cases = LibraryIndexPage(title="案例库", slug="cases", kind="case")
    home.add_child(instance=cases)
    cases.save_revision().publish()
    case = CasePage(
        title="党建+安全", case_unit=tree.branch_a1, highlights="<p>连续600天零事故</p>"
    )
    cases.add_child(instance=case)
    case.save_revision().publish()
    html = client_for(tree.member_a.user).get(case.url).content.decode()
    assert "A一项目部党支部" in html and "连续600天零事故" in html


def test_library_overview_counts_visible_documents(tree, publish, client_for):
    publish("公开文件")
    publish("B公司内部", audience_unit=tree.company_b)
    html = client_for(tree.member_a.user).get("/library/").content.decode()
    assert "制度库" in html and "1 份文件" in html


def test_categories_form_a_tree(db):
    leaf = category_ensure(path_names=[("a", "甲"), ("b", "乙"), ("c", "丙")])
    assert leaf.depth == 3
    assert Category.objects.get(code="a").get_descendant_count() == 2


def test_an_editor_can_create_a_document_draft_in_the_admin(tree, policies, client_for):
    from library.models import DocumentPage

    client = client_for(tree.editor)
    url = f"/admin/pages/add/library/documentpage/{policies.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "编辑起草的通知",
            "slug": "draft-notice",
            "status": "current",
            "videos-count": "0",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
            "attachments-MIN_NUM_FORMS": "0",
            "attachments-MAX_NUM_FORMS": "1000",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = DocumentPage.objects.get(slug="draft-notice")
    assert not page.live  # a draft until a moderator publishes it


def test_a_scheduled_document_goes_live_and_into_search_on_time(
    tree, policies, client_for
):
    import time
    from datetime import timedelta

    from django.utils import timezone

    from cms.tasks import publish_scheduled_task
    from library.models import DocumentPage

    page = DocumentPage(title="年度党费收缴通知", body="<p>按月交纳党费</p>")
    policies.add_child(instance=page)
    page.go_live_at = timezone.now() + timedelta(seconds=2)
    page.save_revision().publish()
    page.refresh_from_db()
    client = client_for(tree.member_a.user)

    def found():
        results = client.get("/api/v1/search/", {"q": "党费收缴"}).json()["results"]
        return [r["title"] for r in results]

    assert not page.live
    assert found() == []
    publish_scheduled_task()  # not yet
    assert not DocumentPage.objects.get(pk=page.pk).live

    time.sleep(2.5)
    publish_scheduled_task()
    assert DocumentPage.objects.get(pk=page.pk).live
    assert found() == ["年度党费收缴通知"]
