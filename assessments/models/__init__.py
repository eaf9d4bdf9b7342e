"""考核评比's models, one module per subject: ``boards`` (the leaderboards' read
model), ``awards`` (学习之星 rules, awards, certificates) and ``display`` (the lobby
display's links)."""

from .awards import (
    Award,
    AwardEvent,
    AwardPeriod,
    AwardRule,
    AwardScope,
    AwardStatus,
    AwardWinner,
    TieBreak,
)
from .boards import (
    BoardExclusion,
    BoardsRevision,
    LedgerCursor,
    MemberTotal,
    Metric,
    PeriodKind,
)
from .display import DisplayLink

__all__ = [
    "Award",
    "AwardEvent",
    "AwardPeriod",
    "AwardRule",
    "AwardScope",
    "AwardStatus",
    "AwardWinner",
    "BoardExclusion",
    "BoardsRevision",
    "DisplayLink",
    "LedgerCursor",
    "MemberTotal",
    "Metric",
    "PeriodKind",
    "TieBreak",
]
