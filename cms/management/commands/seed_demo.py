from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from assessments.demo import seed_awards, seed_boards
from courses.demo import seed_courses, seed_study_history
from exams.demo import seed_exams
from library.demo import attach_demo_lessons, seed_library
from media.demo import seed_media
from org.demo import DEMO_PASSWORD, seed_org


class Command(BaseCommand):
    help = "Load the demo group, members and role accounts (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300)

    def handle(self, *args, members, **options):
        accounts = seed_org(members_total=members)
        documents = seed_library()
        lessons = seed_media()
        attach_demo_lessons(lessons)
        course_lessons = seed_courses(lessons)
        exam = seed_exams()
        seed_study_history()
        folded = seed_boards()
        display = seed_awards()
        self._rebuild_outdated_search_index()
        self.stdout.write(self.style.SUCCESS(_("Demo data is ready.")))
        self.stdout.write(
            _("Library documents added: %(count)s") % {"count": documents}
        )
        ready = sum(1 for lesson in lessons if lesson.status == "ready")
        self.stdout.write(
            _("Demo lessons ready: %(ready)s of %(count)s")
            % {"ready": ready, "count": len(lessons)}
        )
        self.stdout.write(
            _("Demo course lessons: %(count)s") % {"count": course_lessons}
        )
        self.stdout.write(
            _("Leaderboards: %(count)s ledger entries folded") % {"count": folded}
        )
        if display is not None:
            self.stdout.write(
                _("Lobby display (no login): /display/%(token)s/")
                % {"token": display.token}
            )
        if exam is not None:
            self.stdout.write(_("Demo exam: %(title)s") % {"title": exam.title})
        self.stdout.write(
            _("Demo logins (password for all: %(password)s):")
            % {"password": DEMO_PASSWORD}
        )
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<12} {account.role}（{account.unit}）"
            )

    def _rebuild_outdated_search_index(self) -> None:
        """A demo index built by an older version of the analysis is rebuilt."""
        from modelsearch.backends import get_search_backend

        from search.backend import WhooshSearchBackend

        backend = get_search_backend()
        if isinstance(backend, WhooshSearchBackend) and backend.outdated_indexes():
            self.stdout.write(_("Rebuilding the search index (new analysis)…"))
            call_command("update_index", stdout=self.stdout)
