"""The one polling policy (akool_nb._polling): when Job.wait, wait_all and the JobMonitor look again.

Driven in virtual time against jobs that finish at a known moment, so each figure is exact: how late a
finished job is seen, and how many requests it took."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from akool_nb._polling import BATCH_SIZE, FINE, PollPolicy, Schedule


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@dataclass(frozen=True)
class FakeProduct:
    key: str
    batched: bool = False

    @property
    def batch_request(self) -> Any:
        return (lambda ids: ("many", tuple(ids))) if self.batched else None


class FakeJob:
    def __init__(self, clock: Clock, product: FakeProduct, created: float, duration: float) -> None:
        self.clock, self.product, self.created_at, self.duration = clock, product, created, duration
        self.id = f"{product.key}-{created:.3f}-{id(self)}"
        self.done = False
        self.seen_done_at: float | None = None

    def ask(self) -> None:
        if not self.done and self.clock.now >= self.created_at + self.duration:
            self.done, self.seen_done_at = True, self.clock.now

    @property
    def lateness(self) -> float:
        return self.seen_done_at - (self.created_at + self.duration)


def run(schedule: Schedule, clock: Clock, jobs: list[FakeJob], limit: float = 3600) -> int:
    """wait_all's loop in virtual time; returns the number of requests."""
    schedule.add(jobs)
    requests = 0
    start = clock.now
    while schedule and clock.now - start < limit:
        asked = []
        for request, chunk in schedule.due():
            requests += 1
            assert request is None or request == ("many", tuple(j.id for j in chunk))
            for job in chunk:
                job.ask()
            asked += chunk
        schedule.observe(asked)
        clock.now += max(schedule.sleep(), 0.001)
    assert not schedule, "jobs left pending"
    return requests


def batch_of(clock: Clock, product: FakeProduct, n: int, spread: float, duration: float) -> list[FakeJob]:
    """``n`` jobs created over the last ``spread`` seconds (wait_all starts once the creates are sent)."""
    return [FakeJob(clock, product, clock.now - spread + spread * i / n, duration) for i in range(n)]


def test_a_lone_job_is_seen_within_a_tenth_of_its_age_with_a_few_requests():
    clock = Clock()
    job = FakeJob(clock, FakeProduct("talking_photo"), clock.now, 60.0)
    requests = run(Schedule(PollPolicy(3.0, 15.0), clock), clock, [job])
    assert job.lateness <= FINE * 60 + 0.01
    assert requests <= 40  # 1 s steps to 10 s, then 10% steps


def test_the_gap_between_looks_never_exceeds_the_cap_nor_falls_below_a_third_of_the_interval():
    policy = PollPolicy(3.0, 15.0)
    assert policy.step(0) == 1.0 and policy.step(5) == 1.0
    assert policy.step(50) == pytest.approx(5.0)
    assert policy.step(10_000) == 15.0


@pytest.mark.parametrize("duration", [4.0, 10.0, 45.0])
def test_500_jobs_of_five_products_are_each_seen_within_5_percent_at_under_two_requests_each(duration):
    clock = Clock()
    products = [FakeProduct("tts"), FakeProduct("audio"), FakeProduct("talking_photo"),
                FakeProduct("faceswap", batched=True), FakeProduct("image_to_video", batched=True)]
    jobs = [job for p in products for job in batch_of(clock, p, 100, spread=3.0, duration=duration)]
    requests = run(Schedule(PollPolicy(3.0, 15.0), clock), clock, jobs)
    late = sorted(j.lateness for j in jobs)
    assert late[0] >= 0
    # the sentinels and the first siblings teach the duration; every job after them is seen on time
    assert late[int(0.95 * len(late))] <= 0.05 * duration, late[-10:]
    assert late[-1] <= FINE * duration + 1.0
    assert requests / len(jobs) <= 2.0, requests


def test_siblings_wait_behind_the_sentinel_until_one_job_has_finished():
    clock = Clock()
    jobs = batch_of(clock, FakeProduct("tts"), 10, spread=1.0, duration=20.0)
    schedule = Schedule(PollPolicy(3.0, 15.0), clock)
    schedule.add(jobs)
    asked_before_done = set()
    while not jobs[0].done:
        for _, chunk in schedule.due():
            for job in chunk:
                job.ask()
                asked_before_done.add(job.id)
            schedule.observe(chunk)
        clock.now += max(schedule.sleep(), 0.001)
    assert asked_before_done == {jobs[0].id}


def test_a_many_ids_product_asks_about_every_pending_member_in_one_request_per_chunk():
    clock = Clock()
    jobs = batch_of(clock, FakeProduct("faceswap", batched=True), BATCH_SIZE * 2 + 1, spread=0.5, duration=8.0)
    schedule = Schedule(PollPolicy(3.0, 15.0), clock)
    schedule.add(jobs)
    groups = schedule.due()
    assert [len(chunk) for _, chunk in groups] == [BATCH_SIZE, BATCH_SIZE, 1]
    schedule.observe([j for _, chunk in groups for j in chunk])
    assert run(schedule, clock, []) <= 3 * 20


def test_the_last_look_before_a_deadline_asks_about_every_pending_job_also_those_behind_a_sentinel():
    clock = Clock()
    jobs = batch_of(clock, FakeProduct("tts"), 5, spread=1.0, duration=100.0)
    schedule = Schedule(PollPolicy(3.0, 15.0), clock)
    schedule.add(jobs)
    schedule.observe([j for _, c in schedule.due() for j in c])
    clock.now += 0.5  # nothing is due yet
    assert schedule.due() == []
    assert sorted(j.id for _, c in schedule.due(last=True) for j in c) == sorted(j.id for j in jobs)


def test_a_job_slower_than_its_siblings_goes_back_to_fine_steps_and_is_still_seen():
    clock = Clock()
    product = FakeProduct("tts")
    jobs = batch_of(clock, product, 20, spread=1.0, duration=10.0)
    jobs[-1].duration = 30.0
    run(Schedule(PollPolicy(3.0, 15.0), clock), clock, jobs)
    assert jobs[-1].lateness <= FINE * 31 + 0.01


def test_discarding_the_sentinel_promotes_the_next_oldest():
    clock = Clock()
    jobs = batch_of(clock, FakeProduct("tts"), 3, spread=1.0, duration=10.0)
    schedule = Schedule(PollPolicy(3.0, 15.0), clock)
    schedule.add(jobs)
    schedule.discard(jobs[0])
    assert [c[0] for _, c in schedule.due()] == [jobs[1]]
    assert len(schedule) == 2
