from celery import shared_task

from .services.attempts import attempts_close_overdue


@shared_task
def attempts_close_overdue_task() -> int:
    """Submit the attempts whose time ran out while nobody touched them."""
    return attempts_close_overdue()
