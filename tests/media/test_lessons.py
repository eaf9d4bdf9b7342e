"""Members watch lessons: list, watch page, API, resume positions, organisation scope,
search, and the StreamField block in library pages."""

import pytest
from django.conf import settings

from media.models import MediaAsset, PlaybackPosition
from media.services.processing import media_process


@pytest.fixture
def lesson(clips, upload):
    return media_process(asset_id=upload(clips["small"], title="党章学习第一讲").pk)


@pytest.fixture
def branch_lesson(tree, clips, upload):
    """A lesson only for company A's subtree."""
    asset = upload(clips["small"], title="A公司内部微党课")
    MediaAsset.objects.filter(pk=asset.pk).update(audience_unit=tree.company_a)
    return media_process(asset_id=asset.pk)


def test_a_lesson_for_one_company_is_not_found_elsewhere(
    tree, client_for, branch_lesson
):
    playlist = f"/lesson-media/{branch_lesson.pk}/master.m3u8"
    segment_folder = branch_lesson.renditions[0]["playlist"].rsplit("/", 1)[0]
    segment = f"/lesson-media/{branch_lesson.pk}/{segment_folder}/seg_000.ts"
    inside = client_for(tree.member_a.user)  # a 党小组 under company A
    assert inside.get(playlist).status_code == 200
    assert client_for(tree.admin_a).get(playlist).status_code == 200
    outside = client_for(tree.member_b.user)
    for url in (
        playlist,
        segment,
        f"/lesson-media/{branch_lesson.pk}/",
        f"/api/v1/media/{branch_lesson.pk}/",
        f"/api/v1/media/{branch_lesson.pk}/position/",
    ):
        assert outside.get(url).status_code == 404, url
    assert client_for(tree.admin_b).get(segment).status_code == 404


def test_the_segment_of_the_scope_test_exists(tree, client_for, branch_lesson):
    """The 404 above is the scope's doing: the same segment plays inside."""
    folder = branch_lesson.renditions[0]["playlist"].rsplit("/", 1)[0]
    url = f"/lesson-media/{branch_lesson.pk}/{folder}/seg_000.ts"
    assert client_for(tree.member_a.user).get(url).status_code == 200


def test_the_list_shows_only_ready_lessons_the_member_may_watch(
    tree, client_for, lesson, branch_lesson, clips, upload
):
    upload(clips["small"], title="还在排队的课")
    page = client_for(tree.member_b.user).get("/lesson-media/").content.decode()
    assert "党章学习第一讲" in page
    assert "A公司内部微党课" not in page and "还在排队的课" not in page
    page = client_for(tree.member_a.user).get("/lesson-media/").content.decode()
    assert "A公司内部微党课" in page


def test_the_watch_page_carries_the_player(tree, client_for, lesson):
    page = client_for(tree.member_a.user).get(f"/lesson-media/{lesson.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/lesson-media/{lesson.pk}/master.m3u8" in html
    assert f"/lesson-media/{lesson.pk}/fallback.mp4" in html
    assert "vendor/hls.js/hls.min.js" in html and "media/player.js" in html


def test_the_api_gives_a_client_everything_to_play(tree, api_for, lesson):
    client = api_for(tree.member_a.user)
    listing = client.get("/api/v1/media/").json()
    assert [item["title"] for item in listing["results"]] == ["党章学习第一讲"]
    detail = client.get(f"/api/v1/media/{lesson.pk}/").json()
    assert detail["master_url"] == f"/lesson-media/{lesson.pk}/master.m3u8"
    assert detail["kind"] == "video" and detail["resume"] == 0
    assert detail["poster_url"].endswith("poster.jpg")


def test_the_resume_position_is_kept_per_member_and_clamped(tree, api_for, lesson):
    url = f"/api/v1/media/{lesson.pk}/position/"
    member = api_for(tree.member_a.user)
    assert member.post(url, {"position": 1.5}, format="json").status_code == 204
    assert member.post(url, {"position": 2.34}, format="json").status_code == 204
    assert member.get(url).json() == {"position": 2.3}
    assert member.post(url, {"position": 9999}, format="json").status_code == 204
    assert member.get(url).json()["position"] == pytest.approx(lesson.duration, 0.1)
    assert member.post(url, {"position": -3}, format="json").status_code == 400
    assert member.post(url, {"position": "半"}, format="json").status_code == 400
    assert api_for(tree.member_b.user).get(url).json() == {"position": 0}
    assert PlaybackPosition.objects.count() == 1
    detail = member.get(f"/api/v1/media/{lesson.pk}/").json()
    assert detail["resume"] == pytest.approx(lesson.duration, 0.1)


def test_the_position_is_saved_from_the_browser_with_the_csrf_token(
    tree, lesson, client
):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(tree.member_a.user)
    page = browser.get(f"/lesson-media/{lesson.pk}/")
    token = page.cookies[settings.CSRF_COOKIE_NAME].value
    url = f"/api/v1/media/{lesson.pk}/position/"
    body = '{"position": 1.0}'
    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    saved = browser.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert saved.status_code == 204


def test_uploaded_originals_stay_out_of_the_public_media_root(tree, client_for, lesson):
    source = lesson.file.path
    assert str(settings.PROTECTED_MEDIA_ROOT) in source
    assert str(settings.MEDIA_ROOT) not in source
    assert lesson.file.url.startswith("/lesson-media/source/")
    assert client_for(tree.member_a.user).get(lesson.file.url).status_code == 404
    download = client_for(tree.editor).get(lesson.file.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[4:8] == b"ftyp"
    escape = "/lesson-media/source/../secret_key"
    assert client_for(tree.editor).get(escape).status_code == 404


def test_subtitle_words_find_the_lesson_in_the_site_search(
    tree, client_for, lesson, branch_lesson
):
    MediaAsset.objects.filter(pk=lesson.pk).update(
        subtitle_text="今天我们学习塔吊防碰撞的安全要求"
    )
    MediaAsset.objects.filter(pk=branch_lesson.pk).update(
        subtitle_text="塔吊防碰撞是A公司的内部要求"
    )
    for asset in MediaAsset.objects.all():
        asset.save()  # re-index, as the subtitles service's save does
    page = client_for(tree.member_b.user).get("/search/", {"q": "防碰撞"})
    html = page.content.decode()
    assert "党章学习第一讲" in html and f"/lesson-media/{lesson.pk}/" in html
    assert "A公司内部微党课" not in html
    html = client_for(tree.member_a.user).get("/search/", {"q": "防碰撞"}).content
    assert "A公司内部微党课" in html.decode()


def test_a_library_page_embeds_the_player_through_its_streamfield_block(
    tree, client_for, lesson, branch_lesson
):
    from cms.models import HomePage
    from library.models import DocumentPage, LibraryIndexPage

    library = LibraryIndexPage(title="资源库", slug="resources", kind="resource")
    HomePage.objects.get().add_child(instance=library)
    page = DocumentPage(
        title="安全生产微党课合集",
        videos=[("lesson", lesson), ("lesson", branch_lesson)],
    )
    library.add_child(instance=page)
    page.save_revision().publish()

    html = client_for(tree.member_b.user).get(page.url).content.decode()
    assert html.count("data-zx-player") == 1  # company B sees the shared lesson
    assert f"/lesson-media/{lesson.pk}/master.m3u8" in html
    assert f"/lesson-media/{branch_lesson.pk}/" not in html
    assert "暂不可用" in html
    html = client_for(tree.member_a.user).get(page.url).content.decode()
    assert html.count("data-zx-player") == 2


def test_posters_in_the_list_come_through_the_scope_checked_view(
    tree, client_for, branch_lesson
):
    import re
    from pathlib import Path

    poster = f"/lesson-media/{branch_lesson.pk}/poster.jpg"
    inside = client_for(tree.member_a.user)
    page = inside.get("/lesson-media/").content.decode()
    assert f'src="{poster}"' in page
    assert branch_lesson.thumbnail.url not in page  # the public copy is the admin's
    assert inside.get(poster)["Content-Type"] == "image/jpeg"
    assert client_for(tree.member_b.user).get(poster).status_code == 404
    # … and that copy's name gives away neither the lesson nor a way to guess it
    assert re.fullmatch(r"[0-9a-f]{16}\.jpg", Path(branch_lesson.thumbnail.name).name)


def test_an_original_downloads_only_for_editors_who_may_see_its_lesson(
    tree, client_for, branch_lesson
):
    from django.contrib.auth.models import Group

    editors = Group.objects.get(name="Editors")
    tree.admin_a.groups.add(editors)  # may change media, and sees company A
    tree.admin_b.groups.add(editors)  # may change media, but not company A's
    source = branch_lesson.file.url
    assert client_for(tree.admin_a).get(source).status_code == 200
    assert client_for(tree.platform_admin).get(source).status_code == 200  # no group
    assert client_for(tree.admin_b).get(source).status_code == 404
    assert client_for(tree.editor).get(source).status_code == 404  # 集团 level only
    assert client_for(tree.member_a.user).get(source).status_code == 404  # no right


def test_the_source_view_serves_no_file_of_a_lesson_folder(tree, client_for, lesson):
    for user in (tree.editor, tree.platform_admin):
        client = client_for(user)
        for name in ("master.m3u8", "fallback.mp4", "poster.jpg"):
            path = f"/lesson-media/source/{lesson.output_dir}/{name}"
            assert client.get(path).status_code == 404, (user, name)
        assert client.get(lesson.file.url).status_code == 200


def test_an_editor_downloads_the_subtitle_file_too(tree, client_for, lesson):
    from django.core.files.base import ContentFile

    lesson.subtitles.save("第一讲字幕.srt", ContentFile(b"1\n"), save=True)
    response = client_for(tree.editor).get(lesson.subtitles.url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"1\n"
    assert client_for(tree.member_a.user).get(lesson.subtitles.url).status_code == 404


def test_a_chinese_file_name_downloads_directly_and_behind_nginx(
    tree, client_for, clips, upload, tmp_path, settings
):
    import shutil
    from urllib.parse import quote

    named = tmp_path / "党史学习第一讲.mp4"
    shutil.copy(clips["small"], named)
    asset = upload(named)
    assert asset.file.name == "lessons/sources/党史学习第一讲.mp4"
    disposition = "attachment; filename*=utf-8''" + quote("党史学习第一讲.mp4")
    client = client_for(tree.editor)
    direct = client.get(asset.file.url)
    assert direct.status_code == 200
    assert direct["Content-Disposition"] == disposition
    assert b"".join(direct.streaming_content)[4:8] == b"ftyp"

    settings.X_ACCEL_REDIRECT_PREFIX = "/protected/"
    proxied = client.get(asset.file.url)
    assert proxied.status_code == 200 and proxied.content == b""
    # nginx percent-decodes the redirect; Latin-1-only header, so nothing mangled
    assert proxied["X-Accel-Redirect"] == (
        "/protected/lessons/sources/" + quote("党史学习第一讲.mp4")
    )
    assert proxied["Content-Disposition"] == disposition
