"""A campaign killed mid-run and resumed (issue 12): N rows (default 2,000), each TTS -> talking photo, against
the offline Akool in fast mode in its own process.

1. Baseline, same run: the same N rows as a campaign run without interruption (its own name and journal).
2. The measured campaign: a worker process runs it and is SIGKILLed once a third of the rows are done; a second
   run (this process) resumes it. Creates whose answer died with the worker and that no list can show (talking
   photo has no list endpoint) hold their row; they are settled by hand, as a user would from a webhook or the
   dashboard (here from the offline Akool's job list), and a third run finishes.

Prints: duplicate creates (from the service's GET /_sim/jobs fingerprints; must be 0), rows done and saved,
manifest correctness (every row once, in order; its job ids are the service's; every file's SHA-256 matches),
rows held and settled by hand, wall times and the ratio of killed+resumed to the uninterrupted baseline.
Run: python benchmarks/bench_campaign.py [rows] [--concurrency 16]
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

KEY = "bench-key-0123456789abcd"
HERE = Path(__file__).resolve()


def rows(n: int, tag: str) -> list[dict]:
    return [{"id": f"{tag}{i:05d}", "text": f"Hello {tag} customer {i}, welcome!"} for i in range(n)]


CLIENT_ID = "akoolnbsimclient"  # the offline Akool's default clientId (the webhook IV)


def client_for(base: str, journal: Path, webhooks=None):
    import akool_nb as ak

    # Fast-mode jobs finish in well under a second: poll often (the default 3 s is for real jobs).
    return ak.Akool(api_key=KEY, base_url=base, offline=True, poll_interval=0.05, max_poll_interval=0.5,
                    journal=journal, reconcile_grace=0.5, webhooks=webhooks)


def make_for(voice: str, photo: str):
    def make(c, row):
        speech = c.tts.create(row["text"], voice).wait(timeout=300)
        return c.talking_photo.create(photo=photo, audio=speech, resolution="720")
    return make


def run_campaign(base: str, journal: Path, save_to: Path, n: int, tag: str, photo: str, concurrency: int,
                 webhooks=None):
    with client_for(base, journal, webhooks) as client:
        voice = client.voices.list()[0].voice_id
        campaign = client.campaign(f"bench-{tag}", rows(n, tag), make_for(voice, photo))
        report = campaign.run(concurrency=concurrency, save_to=save_to, progress=False, panel=False)
        return campaign, report


def worker(argv: list[str]) -> None:
    base, journal, save_to, n, tag, photo, concurrency = argv
    run_campaign(base, Path(journal), Path(save_to), int(n), tag, photo, int(concurrency))


def start_service(data_dir: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "akool_nb.sim", "--fast", "--port", "0", "--api-key", KEY,
                             "--data-dir", str(data_dir)], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().split()
    if not line or not line[0].startswith("http://"):
        proc.kill()
        raise RuntimeError("the offline Akool did not start")
    return proc, line[0]


def requests_made(base: str) -> int:
    return int(httpx.get(f"{base}/_sim/stats", timeout=60).json()["requests"])


def done_rows(journal: Path) -> int:
    try:
        with sqlite3.connect(journal.with_name("campaigns.sqlite"), timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM rows WHERE status='done'").fetchone()[0]
    except sqlite3.Error:
        return 0


def sim_jobs(base: str, since: float) -> list[dict]:
    return httpx.get(f"{base}/_sim/jobs", params={"since": since}, timeout=120).json()["data"]


def settle_by_hand(base: str, journal: Path, name: str, since: float) -> int:
    with client_for(base, journal) as client:
        made = sim_jobs(base, since)
        by_audio = {j["params"].get("audio_url"): j["id"] for j in made if j["kind"] == "talking_photo"}
        settled = 0
        for entry in client._journal.recent(client._service_key, None, meta={"campaign": name}):
            if entry.state in ("sending", "unknown"):
                found = by_audio.get((entry.body or {}).get("audio_url"))
                if found:
                    client.jobs.reconcile(entry, job_id=found)
                else:
                    client.jobs.reconcile(entry, resend=True)
                settled += 1
        return settled


def check(base: str, since: float, tag: str, n: int, save_to: Path) -> dict:
    """The service's view: this campaign's TTS jobs (by text) and talking photos (by the speech they use)."""
    made = sim_jobs(base, since)
    tts = [j for j in made if j["kind"] == "tts_v4" and f"Hello {tag} customer" in j["params"].get("input_text", "")]
    tts_ids = {j["id"] for j in tts}
    tp = [j for j in made if j["kind"] == "talking_photo"
          and any(part in tts_ids for part in str(j["params"].get("audio_url", "")).split("/"))]
    duplicates = sum(n - 1 for n in Counter(j["fingerprint"] for j in tts + tp).values() if n > 1)
    manifest = list(csv.DictReader(open(save_to / "manifest.csv")))
    listed = [m["job_id"] for m in manifest]
    ok = ([m["row"] for m in manifest] == [r["id"] for r in rows(n, tag)]
          and all(m["status"] == "done" for m in manifest) and set(listed) == {j["id"] for j in tp}
          and len(set(listed)) == n
          and all(s.split(":")[1] in tts_ids for m in manifest for s in m["steps"].split(";") if s.startswith("tts:"))
          and all(hashlib.sha256(Path(m["file"]).read_bytes()).hexdigest() == m["sha256"] for m in manifest))
    return {"duplicates": duplicates, "creates": f"{len(tts)} tts + {len(tp)} talking photo",
            "saved": sum(1 for m in manifest if m["file"] and Path(m["file"]).exists()), "manifest ok": ok}


def compare_waiting(base: str, tmp_path: Path, n: int, photo: str, concurrency: int) -> list[tuple[str, dict]]:
    """Requests per job for the same n rows: each row polling its own jobs (before), the run's one waiting loop
    (after), and that loop with the webhook receiver (deliveries finish the jobs; polls only when overdue)."""
    import akool_nb.campaign.sync as campaign_sync
    from akool_nb.webhook import Receiver

    out = []
    for label, shared, hooked in (("each row polls its own jobs (before)", False, False),
                                  ("one waiting loop for all rows (after)", True, False),
                                  ("one loop + webhook receiver", True, True)):
        tag = f"cmp{len(out)}"
        campaign_sync.SHARED_WAIT = shared
        r0, started = requests_made(base), time.monotonic()
        try:
            if hooked:
                with Receiver(client_id=CLIENT_ID, client_secret=KEY).serve() as receiver:
                    _, report = run_campaign(base, tmp_path / tag / "jobs.sqlite", tmp_path / tag / "out", n, tag,
                                             photo, concurrency, webhooks=receiver)
            else:
                _, report = run_campaign(base, tmp_path / tag / "jobs.sqlite", tmp_path / tag / "out", n, tag,
                                         photo, concurrency)
        finally:
            campaign_sync.SHARED_WAIT = True
        wall = time.monotonic() - started
        out.append((label, {"requests_per_job": (requests_made(base) - r0) / (2 * n), "wall": wall,
                            "done": report.counts["done"]}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--compare", type=int, default=200, help="rows for the requests-per-job comparison (0: skip)")
    parser.add_argument("--compare-only", action="store_true")
    args = parser.parse_args()
    n = args.rows
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as tmp:
        tmp_path = Path(tmp)
        os.environ["AKOOL_NB_HOME"] = str(tmp_path / "home")
        service, base = start_service(tmp_path / "sim")
        try:
            from akool_nb.media.portraits import make_sample_portrait

            photo = tmp_path / "photo.png"
            make_sample_portrait(photo, size=128)
            compared = compare_waiting(base, tmp_path, args.compare, str(photo), args.concurrency) \
                if args.compare else []
            for label, r in compared:
                print(f"  {args.compare} rows, {label:40s}: {r['done']}/{args.compare} done, "
                      f"{r['requests_per_job']:.2f} API requests per job, wall {r['wall']:.1f}s", flush=True)
            if args.compare_only:
                return

            t0 = time.time()
            r0 = requests_made(base)
            started = time.monotonic()
            _, base_report = run_campaign(base, tmp_path / "a" / "jobs.sqlite", tmp_path / "a" / "out", n, "base",
                                          str(photo), args.concurrency)
            baseline = time.monotonic() - started
            base_requests = requests_made(base) - r0
            base_check = check(base, t0, "base", n, tmp_path / "a" / "out")
            r1 = requests_made(base)

            t1 = time.time()
            journal, save_to = tmp_path / "b" / "jobs.sqlite", tmp_path / "b" / "out"
            journal.parent.mkdir(parents=True)
            started = time.monotonic()
            proc = subprocess.Popen([sys.executable, str(HERE), "--worker", base, str(journal), str(save_to),
                                     str(n), "kill", str(photo), str(args.concurrency)])
            while done_rows(journal) < n // 3 and proc.poll() is None:
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            at_kill = done_rows(journal)
            _, report = run_campaign(base, journal, save_to, n, "kill", str(photo), args.concurrency)
            held = report.counts["ambiguous"]
            settled = 0
            if held:
                settled = settle_by_hand(base, journal, "bench-kill", t1)
                _, report = run_campaign(base, journal, save_to, n, "kill", str(photo), args.concurrency)
            total = time.monotonic() - started
            kill_requests = requests_made(base) - r1
            result = check(base, t1, "kill", n, save_to)
        finally:
            service.kill()
    print(f"bench_campaign: {n} rows (TTS -> talking photo), concurrency {args.concurrency}, offline Akool fast "
          "mode in its own process")
    print(f"  baseline (uninterrupted): {base_report.counts['done']}/{n} done, {base_check['saved']} saved, "
          f"manifest ok {base_check['manifest ok']}, duplicates {base_check['duplicates']}, wall {baseline:.1f}s "
          f"({n / baseline:.1f} rows/s), {base_requests / (2 * n):.2f} API requests per job")
    print(f"  killed at {at_kill}/{n} rows done, resumed: {report.counts['done']}/{n} done, {result['saved']} saved, "
          f"manifest ok {result['manifest ok']}, duplicate creates {result['duplicates']} "
          f"(creates: {result['creates']}), rows held for a create no list shows {held} (settled by hand "
          f"{settled}), wall {total:.1f}s = {total / baseline:.2f}x the baseline, "
          f"{kill_requests / (2 * n):.2f} API requests per job (both runs)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2:])
    else:
        main()
