"""The boards revision: a new one whenever what the boards show may have
changed, so that the member boards' snapshots (``selectors/board_snapshots``)
built before it are not used again. Called inside the transaction that makes the
change: a reader sees the new revision only with the new data."""

from ..models import BoardsRevision

#: revisions the nightly rebuild keeps
KEEP = 100


def boards_changed() -> None:
    BoardsRevision.objects.create()


def boards_revisions_prune() -> None:
    latest = BoardsRevision.objects.order_by("-pk").values_list("pk", flat=True)
    newest = next(iter(latest[:1]), None)
    if newest is not None:
        BoardsRevision.objects.filter(pk__lte=newest - KEEP).delete()
