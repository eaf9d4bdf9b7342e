"""Courses and lessons are found by the site search, within the viewer's scope."""

from courses.models import CoursePage
from search.selectors import site_search


def _titles(viewer, query):
    outcome = site_search(viewer=viewer, query=query)
    return [(hit.facets["type"], hit.title) for hit in outcome.page.object_list]


def test_courses_and_lessons_are_found_within_scope(tree, course):
    CoursePage.objects.filter(pk=course.course.pk).update(summary="新任支部委员必修")
    for page in (course.course, course.video, course.article):
        page.refresh_from_db()
        page.save_revision().publish()
    member_a = tree.member_a.user
    assert ("课程", "学习贯彻党章") in _titles(member_a, "支部委员")
    assert ("课时", "第二讲 阅读材料") in _titles(member_a, "党章原文")

    CoursePage.objects.filter(pk=course.course.pk).update(audience_unit=tree.company_b)
    course.course.refresh_from_db()
    course.course.save_revision().publish()
    assert _titles(member_a, "支部委员") == []
    assert _titles(member_a, "党章原文") == []
    assert ("课时", "第二讲 阅读材料") in _titles(tree.member_b.user, "党章原文")
