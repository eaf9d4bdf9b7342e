"""The boards revision: a new token whenever what the boards show may have
changed, so that the member boards' snapshots (``selectors/board_snapshots``)
built before it are not used again. Called inside the transaction that makes the
change: a reader sees the new token only with the new data."""

import uuid

from ..models import BoardsRevision


def boards_changed() -> None:
    BoardsRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})
