"""A chaos run and its ledger: many logical creates of a mix of products through :class:`ChaosProxy`, then
what the user got (results, errors, journal entries) set against what the service really created.

Every logical create carries a unique marker (``chaos00017``) in a field the service stores (a text, a
name, a prompt, or the query of an input URL), so the service's jobs can be traced back to the one call
that asked for them: two jobs with one marker are a duplicate create; a job whose id the user does not hold
and whose marker is in no journal entry is a paid job lost.
"""
from __future__ import annotations

import asyncio
import inspect
import io
import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

import httpx

MARK = re.compile(rb"chaos\d{5}")


def marker(index: int) -> str:
    return f"chaos{index:05d}"


def tag_of(method: str, path: str, body: bytes) -> str | None:
    """The proxy's tag for a request: the marker of the logical create it belongs to (creates only)."""
    found = MARK.search(body) if method == "POST" and body else None
    return found.group().decode() if found else None


# ----------------------------------------------------------------------------- inputs and products
@dataclass
class Inputs:
    voice_id: str
    changer_voice_id: str
    photo_url: str
    speech_url: str
    video_url: str
    scene_url: str
    scene_face: Any
    source_face: Any


def prepare_inputs(base_url: str, api_key: str) -> Inputs:
    """Upload the inputs and find voices, straight to the service (no proxy, no journal)."""
    import akool_nb as ak
    from akool_nb.sim import engines

    with ak.Akool(api_key=api_key, base_url=base_url, journal=False, offline=True, poll_interval=0.05) as setup:
        voices = setup.voices.list()
        changer = next(v for v in voices if v.voice_model_name == "Akool Multilingual 1")

        def upload(image: Any, name: str) -> str:
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            return setup._assets.upload(buffer.getvalue(), name, "image/png")

        photo_url = upload(ak.samples.portrait(None, size=256), "portrait.png")
        speech_url = setup.tts.create(text="Chaos speech", voice_id=voices[0]).wait(timeout=60).url
        video_url = setup.talking_photo.create(photo=photo_url, audio=speech_url).wait(timeout=120).url
        scene_url = upload(engines.sample_photo("astronaut"), "scene.png")
        source_url = upload(engines.sample_photo("grace_hopper"), "source.png")
        return Inputs(voices[0].voice_id, changer.voice_id, photo_url, speech_url, video_url, scene_url,
                      setup.faces.detect(scene_url).face, setup.faces.detect(source_url).face)


def _marked_url(url: str, mark: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}chaos={mark}"


@dataclass(frozen=True)
class Kind:
    """A product in the mix. ``findable``: the API has a list endpoint whose records show a field of the
    request, so a lost answer can be attached without its id (the voice changer's list shows none: absence
    can be proven there, presence cannot)."""

    name: str
    findable: bool
    create: Callable[[Any, Inputs, str], Awaitable[Any]]  # (AsyncAkool, inputs, marker) -> job or record


KINDS = (
    Kind("tts_v4", True, lambda c, i, m: c.tts.create(text=f"Chaos speech {m}", voice_id=i.voice_id)),
    Kind("voice_change", False, lambda c, i, m: c.voices.change(_marked_url(i.speech_url, m), i.changer_voice_id)),
    Kind("avatar", True, lambda c, i, m: c.avatars.create(i.video_url, avatar_id=m, name=f"Chaos {m}")),
    Kind("knowledge", True, lambda c, i, m: c.knowledge.create(name=m, prompt="Answer briefly.")),
    Kind("tts_v3", False, lambda c, i, m: c.tts.create_v3(text=f"Chaos speech {m}", voice_id=i.voice_id)),
    Kind("talking_photo", False, lambda c, i, m: c.talking_photo.create(photo=i.photo_url, audio=i.speech_url,
                                                                        prompt=f"Chaos {m}")),
    Kind("faceswap", False, lambda c, i, m: c.faceswap.image(_marked_url(i.scene_url, m), source=i.source_face,
                                                             target=i.scene_face)),
    Kind("image_to_video", False, lambda c, i, m: c.image_to_video.create(i.photo_url, f"slow zoom in {m}",
                                                                          video_length=5)),
)


# ----------------------------------------------------------------------------- running
@dataclass
class Outcome:
    """What one logical create gave the user."""

    index: int
    kind: Kind
    mark: str
    status: str = "pending"  # result | job_failed | create_error | wait_error | undocumented
    job_id: str | None = None
    error: str | None = None  # the exception's class name
    create_error: str | None = None  # the class of the exception the create raised, if it did
    message: str = ""
    rewaits: int = 0
    recovered: bool = False  # the result came from the journal after the run (reconcile + attach)


async def run_one(client: Any, kind: Kind, inputs: Inputs, index: int, *, wait_timeout: float,
                  rewaits: int = 3) -> Outcome:
    """Create, then wait (again after a poll that ran out of retries, as a user would)."""
    import akool_nb as ak

    out = Outcome(index, kind, marker(index))
    try:
        made = await kind.create(client, inputs, out.mark)
    except ak.AkoolError as exc:
        out.status, out.error, out.message = "create_error", type(exc).__name__, str(exc)
        out.create_error = out.error
        return out
    except Exception as exc:  # noqa: BLE001 - exactly what the chaos run looks for
        out.status, out.error, out.message = "undocumented", type(exc).__name__, repr(exc)
        out.create_error = out.error
        return out
    out.job_id = getattr(made, "id", None)
    if not hasattr(made, "wait"):  # a synchronous create (knowledge base): the record is the result
        out.status = "result"
        return out
    await _wait(made, out, time.monotonic() + wait_timeout, rewaits)
    return out


async def _wait(job: Any, out: Outcome, deadline: float, rewaits: int) -> None:
    import akool_nb as ak

    while True:
        try:
            await job.wait(timeout=max(0.1, deadline - time.monotonic()))
            out.status = "result"
            return
        except ak.JobFailedError as exc:
            out.status, out.error, out.message = "job_failed", type(exc).__name__, str(exc)
            return
        except (ak.APIConnectionError, ak.ServerError, ak.RateLimitError) as exc:
            if out.rewaits >= rewaits or time.monotonic() >= deadline:
                out.status, out.error, out.message = "wait_error", type(exc).__name__, str(exc)
                return
            out.rewaits += 1
        except ak.AkoolError as exc:
            out.status, out.error, out.message = "wait_error", type(exc).__name__, str(exc)
            return
        except Exception as exc:  # noqa: BLE001
            out.status, out.error, out.message = "undocumented", type(exc).__name__, repr(exc)
            return


async def run_batch(client: Any, inputs: Inputs, n: int, *, kinds: tuple[Kind, ...] = KINDS,
                    concurrency: int = 32, wait_timeout: float = 120.0) -> list[Outcome]:
    limit = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Outcome:
        async with limit:
            return await run_one(client, kinds[i % len(kinds)], inputs, i, wait_timeout=wait_timeout)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def settle_from_journal(client: Any, outcomes: list[Outcome], *, wait_timeout: float = 60.0) -> None:
    """After the storm: ``client.jobs.reconcile()`` where the client has it, then attach to and wait for
    each job the journal now names for a create that left the user without a job."""
    import akool_nb as ak

    reconcile = getattr(client.jobs, "reconcile", None)
    if reconcile is not None:
        settled = reconcile()
        if inspect.isawaitable(settled):
            await settled
    journal = journal_entries(client)
    for out in outcomes:
        if out.job_id is not None or out.status == "result":
            continue
        for job_id, _ in journal.get(out.mark, []):
            try:
                job = await client.jobs.attach(job_id) if job_id else None
            except ak.AkoolError:
                continue
            except Exception as exc:  # noqa: BLE001
                out.status, out.error, out.message = "undocumented", type(exc).__name__, repr(exc)
                break
            if job is None:
                continue
            out.job_id = job_id
            await _wait(job, out, time.monotonic() + wait_timeout, 3)
            out.recovered = out.status == "result"
            break


@dataclass
class ChaosRun:
    outcomes: list[Outcome]
    ledger: "Ledger"
    wall: float
    requests: dict[str, int]


async def chaos_run(service_url: str, api_key: str, inputs: Inputs, n: int, *, rate: float, seed: int,
                    journal: Any, client_timeout: float = 3.0, script: dict[str, list[str]] | None = None,
                    poll_interval: float = 0.2, max_poll_interval: float = 1.0, concurrency: int = 32,
                    wait_timeout: float = 120.0, kinds: tuple[Kind, ...] = KINDS) -> ChaosRun:
    """``n`` logical creates through a :class:`ChaosProxy` at ``rate``, then reconciliation with the
    faults off, then the ledger against what the service created."""
    import akool_nb as ak

    from .proxy import ChaosProxy

    since = time.time()
    with ChaosProxy(service_url, rates=rate, seed=seed, client_timeout=client_timeout, tag=tag_of,
                    script=script) as proxy:
        async with ak.AsyncAkool(api_key=api_key, base_url=proxy.url, offline=True, timeout=client_timeout,
                                 poll_interval=poll_interval, max_poll_interval=max_poll_interval,
                                 journal=journal) as client:
            start = time.perf_counter()
            outcomes = await run_batch(client, inputs, n, kinds=kinds, concurrency=concurrency,
                                       wait_timeout=wait_timeout)
            wall = time.perf_counter() - start
            proxy.set_rates(0)
            await settle_from_journal(client, outcomes)
            entries = journal_entries(client)
        creates = service_creates(service_url, api_key, since=since)
        ledger = account(outcomes, creates, entries, proxy.injected)
        return ChaosRun(outcomes, ledger, wall, dict(proxy.requests))


# ----------------------------------------------------------------------------- what the service holds
def service_creates(base_url: str, api_key: str, since: float = 0.0) -> dict[str, list[str]]:
    """marker -> ids of everything the service created for it (its jobs, and its knowledge bases), read
    straight from the service, not through the proxy."""
    by_mark: dict[str, list[str]] = {}
    jobs = httpx.get(f"{base_url}/_sim/jobs", params={"since": since}, timeout=30).json()["data"]
    for job in jobs:
        found = MARK.search(json.dumps(job["params"]).encode())
        if found:
            by_mark.setdefault(found.group().decode(), []).append(job["id"])
    page = 1
    while True:  # knowledge bases are records, not jobs: the service's own list shows them
        answer = httpx.get(f"{base_url}/api/open/v4/knowledge/list", params={"page": page, "size": 100},
                           headers={"x-api-key": api_key}, timeout=30).json()
        items = answer.get("data") or []
        for kb in items:
            if MARK.fullmatch(str(kb.get("name", "")).encode()):
                by_mark.setdefault(kb["name"], []).append(kb["_id"])
        if len(items) < 100:
            return by_mark
        page += 1


def journal_entries(client: Any, limit: int = 100_000) -> dict[str, list[tuple[str | None, str]]]:
    """marker -> [(job id or None, status label)] of the journal rows whose request carries it."""
    entries: dict[str, list[tuple[str | None, str]]] = {}
    for job in client.jobs.recent(limit=limit):
        found = MARK.search(json.dumps(getattr(job, "request", None), default=str).encode())
        if found:
            status = getattr(getattr(job, "status", None), "label", None) or str(getattr(job, "status", ""))
            entries.setdefault(found.group().decode(), []).append((getattr(job, "id", None), status))
    return entries


# ----------------------------------------------------------------------------- the ledger
SETTLEMENTS = ("attached", "resent", "unknown", "raised", "raised_orphan", "duplicate", "no_job")


@dataclass
class Ledger:
    """The figures of one run, overall and split by findable products."""

    n: dict[str, int] = field(default_factory=Counter)  # logical creates
    results: dict[str, int] = field(default_factory=Counter)
    recovered: dict[str, int] = field(default_factory=Counter)  # results found through the journal afterwards
    created: dict[str, int] = field(default_factory=Counter)  # jobs the service created
    reached: dict[str, int] = field(default_factory=Counter)  # created jobs held by id or journaled
    lost: dict[str, int] = field(default_factory=Counter)  # created jobs the user has no trace of
    duplicates: dict[str, int] = field(default_factory=Counter)  # extra jobs for one logical create
    ambiguous: dict[str, int] = field(default_factory=Counter)
    settled: dict[str, Counter] = field(default_factory=lambda: {"findable": Counter(), "other": Counter()})
    errors: Counter = field(default_factory=Counter)  # (status, exception class) of the non-results
    undocumented: list[str] = field(default_factory=list)
    faults: Counter = field(default_factory=Counter)

    @property
    def total(self) -> dict[str, int]:
        return {name: sum(getattr(self, name).values()) for name in
                ("n", "results", "recovered", "created", "reached", "lost", "duplicates", "ambiguous")}


def account(outcomes: list[Outcome], creates: dict[str, list[str]], journal: dict[str, list[tuple]],
            injected: list[Any]) -> Ledger:
    """Set what the user got against what the service created. A logical create is *ambiguous* when a
    fault other than a 1005 hit one of its create requests, or the user was told so (AmbiguousSubmitError);
    it is *settled* as:

    * attached  - the user holds the job that the lost answer was about (one job, the request reached it);
    * resent    - the user holds the job of a later attempt (no faulted attempt reached the service);
    * unknown   - no job id, but a journal entry says the create may exist;
    * raised    - AmbiguousSubmitError (or another error) and nothing journaled; ``raised_orphan`` when the
                  service had in fact created the job (a paid job lost);
    * duplicate - the service created more than one job for it.
    """
    ledger = Ledger()
    create_faults: dict[str, list[Any]] = {}
    for fault in injected:
        ledger.faults[fault.kind] += 1
        if getattr(fault, "tag", None):
            create_faults.setdefault(fault.tag, []).append(fault)
    for out in outcomes:
        split = "findable" if out.kind.findable else "other"
        made = creates.get(out.mark, [])
        entries = journal.get(out.mark, [])
        held = {out.job_id} | {job_id for job_id, _ in entries}
        ledger.n[split] += 1
        ledger.results[split] += out.status == "result"
        ledger.recovered[split] += out.recovered
        ledger.created[split] += len(made)
        ledger.duplicates[split] += max(0, len(made) - 1)
        traced = [j for j in made if j in held or entries]
        ledger.reached[split] += len(traced)
        ledger.lost[split] += len(made) - len(traced)
        if out.status != "result":
            ledger.errors[(out.status, out.error)] += 1
        if out.status == "undocumented":
            ledger.undocumented.append(f"{out.mark} {out.kind.name}: {out.message[:200]}")
        faults = [f for f in create_faults.get(out.mark, []) if f.kind != "burst_1005"]
        if not faults and out.create_error != "AmbiguousSubmitError":
            continue
        ledger.ambiguous[split] += 1
        ledger.settled[split][_settlement(out, made, held, entries, faults)] += 1
    return ledger


def _settlement(out: Outcome, made: list[str], held: set, entries: list, faults: list) -> str:
    if len(made) > 1:
        return "duplicate"
    if made and made[0] in held:
        return "attached" if any(f.reached_service for f in faults) else "resent"
    if entries:
        return "unknown"
    if out.create_error:
        return "raised_orphan" if made else "raised"
    return "no_job"  # a result without a job at the service: cannot happen unless the ledger is wrong


def report(ledger: Ledger, *, title: str) -> str:
    """The printed figures."""
    lines = [title]
    for split in ("findable", "other"):
        settled = ", ".join(f"{k} {ledger.settled[split][k]}" for k in SETTLEMENTS if ledger.settled[split][k])
        lines.append(
            f"  {split:8s} results {ledger.results[split]:4d}/{ledger.n[split]:<4d} "
            f"(via the journal {ledger.recovered[split]}) created by the service "
            f"{ledger.created[split]:4d} (reached the user {ledger.reached[split]}, lost {ledger.lost[split]}) "
            f"duplicates {ledger.duplicates[split]}  ambiguous {ledger.ambiguous[split]}: {settled or '-'}")
    t = ledger.total
    lines.append(f"  all      results {t['results']:4d}/{t['n']:<4d} created {t['created']} reached {t['reached']} "
                 f"lost {t['lost']} duplicates {t['duplicates']} ambiguous {t['ambiguous']} "
                 f"undocumented exceptions {len(ledger.undocumented)}")
    if ledger.errors:
        lines.append("  not a result: " + ", ".join(f"{s}/{e} {n}" for (s, e), n in ledger.errors.most_common()))
    lines.append("  injected faults: " + ", ".join(f"{k} {n}" for k, n in sorted(ledger.faults.items())))
    lines += [f"  undocumented: {u}" for u in ledger.undocumented[:5]]
    return "\n".join(lines)
