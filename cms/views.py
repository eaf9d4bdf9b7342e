from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

# Sections whose apps arrive with later work. Each says plainly what is coming
# rather than pretending to work.
SECTIONS = {
    "ranking": (_("Ranking"), _("Leaderboards and Study Stars will appear here.")),
}


@login_required
def section_view(request, section: str):
    title, message = SECTIONS[section]
    context = {"title": title, "message": message}
    return render(request, "cms/section_pending.html", context)
