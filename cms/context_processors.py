from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .notifications import unread_count

# The five sections of the site, in the order of the phone's bottom bar.
NAVIGATION = [
    ("study", _("Study"), "section_study"),
    ("exams", _("Exams"), "section_exams"),
    ("library", _("Library"), "section_library"),
    ("ranking", _("Ranking"), "section_ranking"),
    ("me", _("Me"), "me"),
]


#: pages that belong to a section without living under its URL (Wagtail pages
#: say so themselves with a ``section`` in their context, e.g. the courses)
SECTION_PREFIXES = {"study": ("/lesson-media/",)}


def navigation(request):
    items = []
    for key, label, url_name in NAVIGATION:
        url = reverse(url_name)
        items.append(
            {
                "key": key,
                "label": label,
                "url": url,
                "active": request.path.startswith(
                    (url, *SECTION_PREFIXES.get(key, ()))
                ),
            }
        )
    unread = (
        unread_count(request.user)
        if getattr(request, "user", None) and request.user.is_authenticated
        else 0
    )
    return {"nav_items": items, "unread_notifications": unread}
