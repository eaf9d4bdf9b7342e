from celery import shared_task

from .services.totals import totals_fold, totals_rebuild, totals_repath


@shared_task
def boards_fold_task() -> int:
    """Bring the board totals up to date with the ledgers (every minute)."""
    moved = totals_repath()
    return totals_fold() + moved


@shared_task
def boards_rebuild_task() -> int:
    """Refold every ledger row (nightly): repairs anything a cursor missed."""
    return totals_rebuild()
