"""Search finds only what the viewer may see, in the page, the API and autocomplete."""


def test_restricted_documents_are_not_found_outside_their_subtree(
    tree, publish, client_for
):
    publish(
        "A公司塔吊安全专项通知",
        body="<p>塔吊安全检查要求</p>",
        audience_unit=tree.company_a,
    )
    publish("全集团塔吊安全通报", body="<p>塔吊安全检查通报</p>")
    inside, outside = client_for(tree.member_a.user), client_for(tree.member_b.user)

    def api_titles(client):
        results = client.get("/api/v1/search/", {"q": "塔吊"}).json()["results"]
        return {r["title"] for r in results}

    assert api_titles(inside) == {"A公司塔吊安全专项通知", "全集团塔吊安全通报"}
    assert api_titles(outside) == {"全集团塔吊安全通报"}
    assert "A公司" not in outside.get("/search/", {"q": "塔吊"}).content.decode()
    suggestions = outside.get("/api/v1/search/autocomplete/", {"q": "A公司"}).json()
    assert suggestions == []
    assert inside.get("/api/v1/search/autocomplete/", {"q": "A公司"}).json()


def test_search_page_shows_facets_snippets_and_an_empty_state(
    tree, publish, client_for
):
    publish("党费收缴办法", body="<p>党员应当按月交纳党费</p>", status="current")
    client = client_for(tree.member_a.user)
    html = client.get("/search/", {"q": "党费"}).content.decode()
    assert "<mark>党费</mark>" in html
    assert "制度库" in html and "现行有效" in html
    empty = client.get("/search/", {"q": "完全不存在的词"}).content.decode()
    assert "没有找到" in empty and "浏览资料库" in empty
    assert client.get("/search/").status_code == 200


def test_search_requires_login(db, client):
    assert client.get("/search/", {"q": "党费"}).status_code == 302
    assert client.get("/api/v1/search/", {"q": "党费"}).status_code in (401, 403)


def test_a_hit_found_only_in_its_attachments_is_typed_attachment(
    tree, publish, client_for
):
    from library.models import DocumentPage

    inside = publish("安全管理规定", body="<p>见附件</p>")
    DocumentPage.objects.filter(pk=inside.pk).update(
        attachment_text="塔吊防碰撞监测系统操作规程"
    )
    inside.refresh_from_db()
    inside.save_revision().publish()  # reindex with the attachment text
    publish("塔吊防碰撞监测通报", body="<p>各项目部开展塔吊防碰撞监测</p>")
    client = client_for(tree.member_a.user)
    results = client.get("/api/v1/search/", {"q": "塔吊防碰撞监测"}).json()
    types = {r["title"]: r["facets"]["type"] for r in results["results"]}
    assert types == {"安全管理规定": "附件", "塔吊防碰撞监测通报": "文件"}
    only = client.get("/api/v1/search/", {"q": "塔吊防碰撞监测", "type": "附件"})
    assert [r["title"] for r in only.json()["results"]] == ["安全管理规定"]
