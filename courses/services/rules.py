"""The study-time rules, from ``settings.ZHIXUE_STUDY`` (documented in
docs/courses.md), with defaults a 党建 inspection would accept."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.conf import settings


@dataclass(frozen=True)
class StudyRules:
    #: fastest playback that still earns time (10× earns nothing)
    max_rate: float = 1.5
    #: a lesson is complete once this share of its timeline was watched
    complete_coverage: float = 0.9
    #: no interaction for this long → "are you still there?" and no credit
    idle_seconds: int = 600
    #: seeking past the watched part is refused until the lesson was completed
    block_seek_until_complete: bool = True
    #: the most one heartbeat can credit, however long since the previous one
    max_gap_seconds: int = 45
    #: slack for timer jitter between the browser and the server
    tolerance_seconds: float = 2.0
    #: an open session with no heartbeat for this long is closed by the sweeper
    session_timeout_seconds: int = 300


def study_rules() -> StudyRules:
    configured = getattr(settings, "ZHIXUE_STUDY", {}) or {}
    known = {f.name for f in fields(StudyRules)}
    return StudyRules(**{k: v for k, v in configured.items() if k in known})
