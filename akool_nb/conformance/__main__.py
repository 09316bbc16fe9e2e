"""``python -m akool_nb.conformance``: compare the real Akool's answers with the offline Akool's (shapes only).

    python -m akool_nb.conformance                       # free reads; the key from AKOOL_API_KEY (or a prompt)
    python -m akool_nb.conformance --job 66a1a02d591ad3  # also the detail of one of your jobs (free)
    python -m akool_nb.conformance --paid                # one cheapest job per product, after a confirmation
    python -m akool_nb.conformance --save tests/conformance   # keep the recorded shapes in the repository

Exit status: 0 no differences, 1 differences found, 2 usage error or nothing recorded.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TextIO

from . import calls, report, runner

DEFAULT_BASE_URL = "https://openapi.akool.com"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m akool_nb.conformance",
                                description="Record the shapes of the real Akool's answers and compare them with "
                                            "the offline Akool's. Only free reads unless --paid.")
    p.add_argument("--api-key", default=None, help="your Akool API key (default: $AKOOL_API_KEY, else a prompt)")
    p.add_argument("--base-url", default=DEFAULT_BASE_URL, help=f"the service to check (default {DEFAULT_BASE_URL})")
    p.add_argument("--job", action="append", default=[], metavar="ID",
                   help="also read the detail of this existing job (free; repeatable)")
    p.add_argument("--paid", action="store_true",
                   help="also create one cheapest job per product (asks first, showing the credit cost)")
    p.add_argument("--save", type=Path, default=None, metavar="DIR",
                   help="write the recorded shapes as JSON here (e.g. tests/conformance)")
    p.add_argument("--poll-every", type=float, default=3.0, help="seconds between detail polls (--paid)")
    p.add_argument("--poll-cap", type=float, default=240.0, help="give up polling a job after this many seconds")
    return p


def _key(args: argparse.Namespace, stdin: TextIO) -> str:
    key = args.api_key or os.environ.get("AKOOL_API_KEY", "")
    if not key and stdin.isatty():
        key = getpass.getpass("Akool API key (not echoed, never written): ")
    return key.strip()


def confirm_paid(stdin: TextIO, out: TextIO) -> bool:
    total = sum(p.credits for p in calls.PAID_CALLS)
    out.write("--paid creates these jobs on your account (expected cost, estimated):\n")
    for p in calls.PAID_CALLS:
        out.write(f"  {p.product}: {p.create.describe()}  ~{p.credits:g} credits\n")
    out.write(f"  total ~{total:g} credits. Type 'yes' to spend them: ")
    out.flush()
    answer = stdin.readline().strip().lower()
    return answer == "yes"


def main(argv: list[str] | None = None, *, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin, out = stdin or sys.stdin, out or sys.stdout
    args = _parser().parse_args(argv)
    key = _key(args, stdin)
    if not key:
        out.write("error: no API key: pass --api-key or set AKOOL_API_KEY\n")
        return 2
    paid = args.paid and confirm_paid(stdin, out)
    if args.paid and not paid:
        out.write("not confirmed: no paid calls made; only the free reads.\n")
    real = runner.Service(args.base_url, key)
    secrets = (key,)
    try:
        real_recs, jobs = [], []
        for call in calls.FREE_CALLS:
            real_recs.append(runner.record(real, call)[0])
        for job_id in args.job:
            found = runner.find_job(real, job_id)
            if found is None:
                out.write(f"note: job {job_id} was not found by any detail endpoint; skipped\n")
                continue
            kind = found[0]  # read until it finishes, as the offline job is (a running job lacks result fields)
            rec, _ = runner.poll_detail(real, kind, job_id, every=args.poll_every, cap=args.poll_cap)
            rec.name = f"detail_{kind}"
            real_recs.append(rec)
            jobs.append(kind)
        if paid:
            for p in calls.PAID_CALLS:
                real_recs += runner.run_paid(real, p, every=args.poll_every, cap=args.poll_cap)
    finally:
        real.close()
    if all(r.error for r in real_recs):
        out.write(report.render([report.compare(r, r) for r in real_recs], real_label=args.base_url, secrets=secrets))
        out.write("\nerror: nothing could be recorded (is the base URL right?)\n")
        return 2

    offline_recs: dict[str, runner.Recording] = {}
    with runner.offline_service() as offline:
        for call in calls.FREE_CALLS:
            offline_recs[call.name] = runner.record(offline, call)[0]
        for kind in jobs:
            job_id = runner.offline_job(offline, kind)
            rec, _ = runner.poll_detail(offline, kind, job_id, every=0.1, cap=60)
            rec.name = f"detail_{kind}"
            offline_recs[rec.name] = rec
        if paid:
            for p in calls.PAID_CALLS:
                for rec in runner.run_paid(offline, p, every=0.1, cap=60):
                    offline_recs[rec.name] = rec

    comparisons = [report.compare(r, offline_recs.get(r.name)) for r in real_recs]
    out.write(report.render(comparisons, real_label=args.base_url, secrets=secrets) + "\n")
    if args.save is not None:
        source = "real" if "akool.com" in args.base_url else "offline-baseline"
        written = report.save(real_recs, args.save, source=source, secrets=secrets)
        out.write(f"saved {len(written)} shapes to {args.save}\n")
    return 1 if any(not c.same for c in comparisons) else 0


if __name__ == "__main__":
    sys.exit(main())
