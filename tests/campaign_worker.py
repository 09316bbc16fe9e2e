"""A campaign run in a process of its own (tests/test_campaign_resume.py SIGKILLs it mid-run).

    python -m tests.campaign_worker BASE_URL JOURNAL SAVE_TO ROWS PHOTO
"""
from __future__ import annotations

import sys

import akool_nb as ak

from .conftest import API_KEY

NAME = "resume-after-kill"


def rows(n: int) -> list[dict]:
    return [{"id": f"row{i:04d}", "text": f"Hello customer number {i}, welcome!"} for i in range(n)]


def make_for(voice: str, photo: str):
    def make(c, row):
        speech = c.tts.create(row["text"], voice).wait(timeout=120)
        return c.talking_photo.create(photo=photo, audio=speech, resolution="720")
    return make


def main(base_url: str, journal: str, save_to: str, n: str, photo: str) -> None:
    with ak.Akool(api_key=API_KEY, base_url=base_url, offline=True, poll_interval=0.05, max_poll_interval=0.2,
                  journal=journal, reconcile_grace=0.5) as client:
        voice = client.voices.list()[0].voice_id
        client.campaign(NAME, rows(int(n)), make_for(voice, photo)).run(concurrency=4, save_to=save_to,
                                                                        progress=False, panel=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
