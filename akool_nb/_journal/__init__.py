"""The job journal: a local SQLite file of every paid create a client sent, so nothing paid for is lost.

A kernel restart loses Python objects, not this file: ``client.jobs.recent()`` lists what was created (and
what may have been), ``client.jobs.attach(id)`` re-attaches by id alone, ``client.jobs.reconcile()`` settles
creates whose answer was lost. Campaigns keep their bookkeeping in the entries' ``meta``.

Life of an entry (``state``)::

    sending ──answer──▶ created            the service answered with the job id
       │
       └─answer lost──▶ (looked for in the product's list endpoint)
                           ├─ found ─────▶ created      attached, as if the create had answered
                           ├─ proven absent ─▶ sending (attempt n+1, same entry) … or absent
                           └─ undecidable ─▶ unknown    AmbiguousSubmitError names the entry
    sending ──refused (an Akool error code)──▶ rejected   nothing was created

A ``sending`` entry whose process died is "never answered": ``reconcile()`` treats it like ``unknown``.

Schema (``PRAGMA user_version`` = 2; version 0 with a ``jobs`` table is the first journal, migrated in place)::

    entries(
      key TEXT PRIMARY KEY,       -- the entry's id (12 hex digits): what AmbiguousSubmitError.entry names
      service TEXT NOT NULL,      -- the API base URL, or "offline" for the offline Akool
      product TEXT,               -- a jobs.PRODUCTS key ("tts", …) or a create kind ("knowledge", "session")
      endpoint TEXT,              -- "POST /api/open/v4/voice/tts"
      request TEXT,               -- the JSON body sent (canonical, secrets masked)
      fingerprint TEXT,           -- sha256 of product, endpoint and canonical body
      state TEXT NOT NULL,        -- sending | created | unknown | absent | rejected
      job_id TEXT,                -- the job's _id once known (unique per service: one job, one entry)
      status INTEGER, url TEXT,   -- the last job status (1–4) and result URL seen
      attempts INTEGER,           -- creates sent for this entry (a resend after proven absence adds one)
      first_sent REAL, sent_at REAL,   -- epoch seconds of the first and of the latest attempt
      failure TEXT, failed_at REAL,    -- why the latest answer was lost or refused, and when
      lease_until REAL,           -- a process is settling this entry until then (others leave it alone)
      owner TEXT,                 -- "host:pid" of the process that sent the latest attempt
      parent TEXT,                -- for the 2nd… job of a create that made several: the create's entry
      resendable INTEGER,         -- 0 when secrets were masked out of the journaled body
      history TEXT,               -- JSON list of "<UTC time> <event>" lines: what happened, in order
      meta TEXT,                  -- JSON object for callers (campaign name, row key, …)
      created_at REAL NOT NULL, updated_at REAL NOT NULL)

Durability: one long-lived connection per process and file, in WAL mode with ``synchronous=NORMAL``: a
committed write survives the process crashing or being killed (kill -9); a power cut or OS crash may lose the
last transactions. Writes run on one writer thread that commits everything queued in one transaction (group
commit), never on the asyncio event loop; the intent of a create is committed before the POST leaves.
Reads use per-thread connections (WAL readers never wait for the writer) and see this process's own queued
writes. A damaged file is moved aside (``jobs.sqlite.corrupt-<UTC time>``) with one warning; an unwritable
location turns the journal off with one warning. Secrets never reach the file (see :mod:`.entry`).
"""
from __future__ import annotations

import os
from pathlib import Path

from .entry import CREATED, OPEN_STATES, SENDING, UNKNOWN, VISIBLE_STATES, Entry
from .heal import JournalWarning
from .journal import Journal, tagged

ENV_HOME = "AKOOL_NB_HOME"


def default_path() -> Path:
    home = os.environ.get(ENV_HOME)
    return Path(home) / "jobs.sqlite" if home else Path.home() / ".akool_nb" / "jobs.sqlite"


__all__ = ["CREATED", "ENV_HOME", "Entry", "Journal", "JournalWarning", "OPEN_STATES", "SENDING", "UNKNOWN",
           "VISIBLE_STATES", "default_path", "tagged"]
