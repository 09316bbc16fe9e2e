"""Job timing: a job's status is computed from the wall clock, so it survives restarts.

A job is queued (1) for ``queue_s``, then processing (2) for at least ``process_s`` and until its media
exists, then completed (3) or failed (4). Every status field of the docs (``status``, ``video_status``)
uses these four values (catalog §D.1).
"""
from __future__ import annotations

from dataclasses import dataclass

QUEUED, PROCESSING, COMPLETED, FAILED = 1, 2, 3, 4


@dataclass(frozen=True)
class Timing:
    """How long the offline Akool keeps a job queued and processing (seconds)."""

    queue_s: float = 0.5
    process_s: float = 2.0

    @classmethod
    def fast(cls) -> "Timing":
        return cls(queue_s=0.05, process_s=0.2)


def job_status(elapsed: float, timing: Timing, media_state: str) -> int:
    """Status after ``elapsed`` seconds; ``media_state`` is "pending", "done" or "error"."""
    if elapsed < timing.queue_s:
        return QUEUED
    if elapsed < timing.queue_s + timing.process_s or media_state == "pending":
        return PROCESSING
    return COMPLETED if media_state == "done" else FAILED
