from celery import shared_task

from .services.tracking import watch_sessions_close_silent


@shared_task
def watch_sessions_close_task() -> int:
    """Book the time of sessions whose page went away without saying so."""
    return watch_sessions_close_silent()
