"""When to ask Akool about a job again: one policy for ``Job.wait``, ``wait_all`` and the JobMonitor.

Akool reports states, not progress, and jobs of one product submitted together take about as long as each
other. So the schedule learns each product's duration from its first jobs and asks about the others when
they are due, rather than on a clock:

* While no job of a product has finished, only its oldest pending job (the sentinel) is asked about, at
  steps of ``FINE`` of its age (never closer than a third of the poll interval, never further apart than
  the cap): a job taking 10 s is seen at most about a second late, for about a dozen requests per product.
* Once one has finished, the product's duration is known within a bracket: the longest age seen pending
  and the shortest age seen done. While the bracket is wide, the next sibling is asked about at its
  middle (from its own creation) and each answer narrows it for all; once it is narrower than ``ON_TIME``
  of the duration, every sibling is asked about once, at its top. A job past the bracket is slower than
  its siblings and goes back to the fine steps.
* Products with a many-ids endpoint are asked about together: when one member is due, one request (per
  ``BATCH_SIZE`` ids) asks about every pending member; as each request answers for many jobs, their
  steps are half as long.
"""
from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, Callable

BATCH_SIZE = 50  # ids per many-ids request (they travel in a query string)
FINE = 0.1  # a job of unknown duration is asked about again after this share of its age
ON_TIME = 0.03  # a job whose siblings taught its duration is seen at most this share of it late
CLOSEST = 0.02  # seconds: never plan two looks at one job closer than this


@dataclass
class PollPolicy:
    """The pacing: ``interval`` is the poll interval the user chose (its third is the shortest step),
    ``cap`` the longest gap between two looks at a pending job."""

    interval: float
    cap: float

    def step(self, age: float, share: float = FINE) -> float:
        return min(max(share * age, self.interval / 3, CLOSEST), max(self.cap, self.interval))


@dataclass
class _Bracket:
    low: float = 0.0  # the longest age a job of this product was seen pending at
    high: float | None = None  # the shortest age one was seen done at

    def expect(self, seen_pending_at: float) -> float | None:
        """When (age) to look next at a job last seen pending at ``seen_pending_at``; None: unknown."""
        if self.high is None or seen_pending_at >= self.high:
            return None
        low = max(self.low, seen_pending_at)
        if self.high - low <= max(ON_TIME * self.high, CLOSEST):
            return self.high * (1 + ON_TIME / 3)  # known closely: one look, a little after the top
        return (low + self.high) / 2  # narrow the bracket (each answer narrows it for every sibling)


@dataclass
class _Track:
    job: Any
    late_looks: int = 0  # looks since it outlived its siblings' bracket
    seen_pending_at: float = -1.0  # age at the last answer that said pending (-1: never asked)


@dataclass
class Schedule:
    """Which jobs to ask about now, and when the next one falls due. Jobs leave when they are done.
    Use: ``due()`` gives groups to ask about (a batch request and its jobs, or one job); ask; then
    ``observe(jobs)`` with the jobs asked about; ``sleep()`` says how long until the next is due."""

    policy: PollPolicy
    clock: Callable[[], float] = time.time  # epoch seconds, as jobs' created_at (a test's virtual clock)
    listener: Any = None  # webhook deliveries (akool_nb.webhook._listen): jobs they cover are polled when overdue
    _tracks: dict[int, _Track] = field(default_factory=dict)
    _brackets: dict[str, _Bracket] = field(default_factory=dict)
    _parked: dict[str, list[Any]] = field(default_factory=dict)  # behind a product's sentinel
    _sentinel: dict[str, Any] = field(default_factory=dict)
    _members: dict[str, dict[int, Any]] = field(default_factory=dict)  # many-ids products: asked together
    _tokens: dict[Any, int] = field(default_factory=dict)  # the live heap entry of each job or product
    _heap: list[tuple[float, int, int, Any]] = field(default_factory=list)
    _seq: Any = field(default_factory=itertools.count)

    def add(self, jobs: list[Any]) -> None:
        now = self.clock()
        for job in sorted(jobs, key=lambda j: j.created_at):
            if job.done or id(job) in self._tracks:
                continue
            self._tracks[id(job)] = _Track(job)
            key = job.product.key
            bracket = self._bracket(key)
            if self._webhooked(job):
                self._push(job, self.listener.due(job))
            elif job.product.batch_request is not None:
                self._members.setdefault(key, {})[id(job)] = job
                if key not in self._tokens:
                    self._push(key, now)
            elif bracket.high is not None:
                self._push(job, job.created_at + (bracket.expect(0.0) or 0.0))
            elif key not in self._sentinel:
                self._sentinel[key] = job
                self._push(job, now)  # the first look is at once: it may have finished long ago
            else:
                self._parked.setdefault(key, []).append(job)

    @property
    def pending(self) -> list[Any]:
        return [t.job for t in self._tracks.values()]

    def discard(self, job: Any) -> None:
        """Stop planning looks at ``job`` (the monitor's Stop watching)."""
        if self._tracks.pop(id(job), None) is not None:
            self._members.get(job.product.key, {}).pop(id(job), None)
            self._tokens.pop(id(job), None)
            if self._sentinel.get(job.product.key) is job:
                del self._sentinel[job.product.key]
                parked = self._parked.get(job.product.key)
                if parked:  # the next oldest takes its place
                    self._sentinel[job.product.key] = nxt = parked.pop(0)
                    self._push(nxt, self.clock())

    def __len__(self) -> int:
        return len(self._tracks)

    def due(self, last: bool = False) -> list[tuple[Any, list[Any]]]:
        """The groups to ask about now: ``(batch_request, jobs)`` for many-ids products, ``(None, [job])``.
        ``last``: the deadline allows no later look, so every pending job is asked about now."""
        if self.listener is not None:  # deliveries first: a job they finished needs no request
            self.observe([t.job for t in list(self._tracks.values()) if self.listener.apply(t.job)], asked=False)
        if last:
            now = float("inf")
            for parked in self._parked.values():
                for job in parked:
                    self._push(job, 0.0)
            self._parked.clear()
        else:
            now = self.clock()
        groups: list[tuple[Any, list[Any]]] = []
        while self._heap and self._heap[0][0] <= now + CLOSEST / 2:
            _, _, token, item = heapq.heappop(self._heap)
            if self._tokens.get(self._key(item)) != token:
                continue  # replaced by a later plan
            del self._tokens[self._key(item)]
            if isinstance(item, str):  # a many-ids product: every pending member in one request per chunk
                members = list(self._members.get(item, {}).values())
                for i in range(0, len(members), BATCH_SIZE):
                    chunk = members[i:i + BATCH_SIZE]
                    groups.append((chunk[0].product.batch_request([j.id for j in chunk]), chunk))
            elif self._webhooked(item) and not last:
                when = self.listener.due(item)
                if when > now + CLOSEST / 2 and self._tracks[id(item)].seen_pending_at < 0:
                    self._push(item, when)  # its delivery may still come: not overdue yet
                else:
                    groups.append((None, [item]))
            else:
                when = self._replanned(item)
                if when is not None and when > now + CLOSEST / 2:
                    self._push(item, when)  # the bracket moved since this look was planned
                else:
                    groups.append((None, [item]))
        return groups

    def _replanned(self, job: Any) -> float | None:
        """When a job planned from its siblings' bracket is due by the bracket as it is now."""
        track = self._tracks[id(job)]
        expected = self._bracket(job.product.key).expect(max(track.seen_pending_at, 0.0))
        return None if expected is None else job.created_at + expected

    def observe(self, jobs: list[Any], asked: bool = True) -> None:
        """After asking: learn from each answer, drop the done, plan the next look at the rest.
        ``asked=False``: what webhook deliveries said (a pending job keeps its plan)."""
        now = self.clock()
        for job in jobs:
            track = self._tracks.get(id(job))
            if track is None:
                continue
            age = now - job.created_at
            key = job.product.key
            bracket = self._bracket(key)
            if job.done:
                del self._tracks[id(job)]
                self._members.get(key, {}).pop(id(job), None)
                self._tokens.pop(id(job), None)
                bracket.high = age if bracket.high is None else min(bracket.high, age)
                if self._sentinel.get(key) is job:
                    self._release(key, now)
                continue
            if not asked:
                continue
            if bracket.high is None or age < bracket.high:
                bracket.low = max(bracket.low, age)
            track.seen_pending_at = age
        if not asked:
            return
        products: set[str] = set()
        for job in jobs:
            track = self._tracks.get(id(job))
            if track is None:
                continue
            if job.product.batch_request is None or self._webhooked(job):
                self._push(job, self._next_look(track, now))
            else:
                products.add(job.product.key)
        for key in products:
            self._plan_product(key, now)

    def sleep(self) -> float:
        """Seconds until the next job falls due (0: now)."""
        while self._heap:
            due, _, token, item = self._heap[0]
            if self._tokens.get(self._key(item)) == token:
                return max(0.0, due - self.clock())
            heapq.heappop(self._heap)
        return self.policy.interval

    # -- inside -----------------------------------------------------------------------------------
    def _webhooked(self, job: Any) -> bool:
        return self.listener is not None and getattr(job, "_webhooked", False)

    def _bracket(self, key: str) -> _Bracket:
        return self._brackets.setdefault(key, _Bracket())

    def _next_look(self, track: _Track, now: float) -> float:
        job = track.job
        bracket = self._bracket(job.product.key)
        expected = bracket.expect(track.seen_pending_at)
        if expected is not None:
            return max(job.created_at + expected, now + CLOSEST)
        age = now - job.created_at
        if bracket.high is None:  # many-ids requests are cheap: finer steps, as each answers for many jobs
            return now + self.policy.step(age, FINE if job.product.batch_request is None else FINE / 2)
        # slower than its siblings, probably not by much: close looks first, widening to the fine steps
        track.late_looks += 1
        return now + min(self.policy.step(age), max(ON_TIME * age * 1.5 ** (track.late_looks - 1), CLOSEST))

    def _release(self, key: str, now: float) -> None:
        """The sentinel finished: its siblings fall due from their own creation."""
        del self._sentinel[key]
        bracket = self._bracket(key)
        for job in self._parked.pop(key, []):
            track = self._tracks.get(id(job))
            if track is not None:
                self._push(job, max(job.created_at + (bracket.expect(0.0) or 0.0), now))

    def _plan_product(self, key: str, now: float) -> None:
        """A many-ids product is asked about when its first member falls due, but not again sooner than
        a third of ON_TIME of its oldest member's age: members due close together share one request."""
        members = [self._tracks[i] for i in self._members.get(key, {})]
        if not members:
            return
        first = min(self._next_look(t, now) for t in members)
        oldest = max(now - t.job.created_at for t in members)
        self._push(key, max(first, now + max(ON_TIME / 3 * oldest, CLOSEST)))

    @staticmethod
    def _key(item: Any) -> Any:
        return item if isinstance(item, str) else id(item)

    def _push(self, item: Any, when: float) -> None:
        seq = next(self._seq)
        self._tokens[self._key(item)] = seq
        heapq.heappush(self._heap, (when, seq, seq, item))
