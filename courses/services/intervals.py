"""The watched parts of a lesson's timeline: sorted, disjoint [start, end] pairs."""

from __future__ import annotations

Intervals = list[list[float]]


def measure(intervals: Intervals) -> float:
    return sum(end - start for start, end in intervals)


def merged(intervals: Intervals, start: float, end: float) -> Intervals:
    """The union of ``intervals`` and [start, end] (touching pairs join)."""
    result: Intervals = []
    for a, b in sorted([*intervals, [start, end]]):
        if result and a <= result[-1][1]:
            result[-1][1] = max(result[-1][1], b)
        else:
            result.append([a, b])
    return result


def frontier(intervals: Intervals) -> float:
    """How far the member has watched: members may seek freely up to here."""
    return max((end for _start, end in intervals), default=0.0)
