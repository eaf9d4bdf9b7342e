from celery import shared_task

from .services.awards import awards_propose_due
from .services.certificates import award_certificates
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


@shared_task
def awards_propose_task() -> int:
    """Propose 学习之星 for every active rule's period that ended (daily)."""
    return awards_propose_due()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def award_certificates_task(award_id: int) -> int:
    """Make a published award's certificates (each winner's PDF once)."""
    return award_certificates(award_id=award_id)
