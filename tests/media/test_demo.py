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
    again = demo.seed_media()
    assert [a.pk for a in again] == [lesson.pk]
    assert MediaAsset.objects.count() == 1
