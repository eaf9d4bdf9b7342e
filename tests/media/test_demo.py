from media import demo
from media.models import MediaAsset, MediaStatus


def test_demo_lessons_are_generated_processed_and_not_duplicated(
    db, monkeypatch, settings, tmp_path
):
    monkeypatch.setattr(demo, "GENERATED", [("示例微党课", "320x240", 440, 2)])
    settings.DEMO_CORPUS_DIR = tmp_path / "policy_docs_zh"  # no corpus media here
    [lesson] = demo.seed_media()
    assert lesson.status == MediaStatus.READY, lesson.failure_reason
    assert lesson.renditions and lesson.thumbnail
    assert "第一议题" in lesson.subtitle_text  # the demo's searchable subtitles
    again = demo.seed_media()
    assert [a.pk for a in again] == [lesson.pk]
    assert MediaAsset.objects.count() == 1


def test_the_demo_resource_library_embeds_the_lessons(
    tree, client_for, monkeypatch, settings, tmp_path
):
    from cms.models import HomePage
    from library.demo import LESSON_PAGE_SLUG, attach_demo_lessons
    from library.models import DocumentPage, LibraryIndexPage

    monkeypatch.setattr(demo, "GENERATED", [("示例微党课", "320x240", 440, 2)])
    settings.DEMO_CORPUS_DIR = tmp_path / "policy_docs_zh"
    resources = LibraryIndexPage(title="资源库", slug="resources", kind="resource")
    HomePage.objects.get().add_child(instance=resources)
    lessons = demo.seed_media()
    attach_demo_lessons(lessons)
    attach_demo_lessons(lessons)  # again: nothing new
    page = DocumentPage.objects.get(slug=LESSON_PAGE_SLUG)
    assert page.revisions.count() == 1
    html = client_for(tree.member_a.user).get(page.url).content.decode()
    assert f"/lesson-media/{lessons[0].pk}/master.m3u8" in html
    assert "subtitles.zh.vtt" in html
