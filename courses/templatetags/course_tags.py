"""Small filters for the course templates.

``first_incomplete`` belongs in ``courses.selectors.course_outline`` (as a
"resume lesson"); it lives here until the selector returns it.
"""

from django import template

register = template.Library()


@register.filter
def first_incomplete(outline):
    """The first OutlineLesson of a course outline the viewer has not
    completed, or None."""
    for _chapter, items in outline or ():
        for item in items:
            if not item.completed:
                return item
    return None


@register.filter
def first_lesson(outline):
    """The course's first lesson (an OutlineLesson), or None."""
    for _chapter, items in outline or ():
        if items:
            return items[0]
    return None
