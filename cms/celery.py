"""The one Celery app. Tasks are autodiscovered from each app's tasks.py."""

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("zhixue")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The whole periodic schedule, in one place. django-celery-beat's DatabaseScheduler
# copies it into the database, where operators can pause or retime an entry.
BEAT_SCHEDULE = {
    "media-sweep-stuck": {
        "task": "media.tasks.media_sweep_stuck_task",
        "schedule": crontab(minute="*/10"),
    },
    "courses-close-silent-sessions": {
        "task": "courses.tasks.watch_sessions_close_task",
        "schedule": crontab(minute="*/5"),
    },
    "exams-close-overdue-attempts": {
        "task": "exams.tasks.attempts_close_overdue_task",
        "schedule": 60.0,
    },
    "assessments-fold-board-totals": {
        "task": "assessments.tasks.boards_fold_task",
        "schedule": 60.0,
    },
    "assessments-rebuild-board-totals": {
        "task": "assessments.tasks.boards_rebuild_task",
        "schedule": crontab(hour=2, minute=40),
    },
    "assessments-propose-awards": {
        "task": "assessments.tasks.awards_propose_task",
        "schedule": crontab(hour=3, minute=20),
    },
    "wagtail-publish-scheduled": {
        "task": "cms.tasks.publish_scheduled_task",
        "schedule": 60.0,
    },
    "org-import-files-cleanup": {
        "task": "org.tasks.import_files_cleanup_task",
        "schedule": crontab(hour=3, minute=30),
    },
}
app.conf.beat_schedule = BEAT_SCHEDULE


@signals.worker_init.connect
def _warm_up_search(**kwargs) -> None:
    """Load jieba and OpenCC once in the worker's main process (pool processes
    forked from it share them) instead of in the first indexing task."""
    from search.analysis import warm_up

    warm_up()
