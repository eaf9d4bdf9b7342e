from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Sections whose apps arrive with later work. Each says plainly what is coming
# rather than pretending to work.
SECTIONS = {
    "study": (_("Study"), _("Courses and study hours will appear here.")),
    "exams": (_("Exams"), _("Your exams, practice and daily quiz will appear here.")),
    "ranking": (_("Ranking"), _("Leaderboards and Study Stars will appear here.")),
}


@login_required
def section_view(request, section: str):
    title, message = SECTIONS[section]
    context = {"title": title, "message": message}
    if section == "study":  # what already works: the micro-lessons
        context["link"] = (_("Watch the micro-lessons"), reverse("media-lessons"))
    return render(request, "cms/section_pending.html", context)
