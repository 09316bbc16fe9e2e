"""Campaigns: the same product for every row of a table, resumable, previewed, with the results kept.

    campaign = client.campaign("welcome-2026", "customers.csv", make)
    campaign.preview()                 # jobs per row, invalid rows (field and fix), estimated credits: nothing paid
    campaign.run(concurrency=8, budget=50, save_to="out/")
    campaign.results()                 # the manifest: row -> job ids -> files -> URLs -> credits

``make(c, row)`` creates the row's job(s) with ``c``'s ordinary resource methods and returns them (a Job or a
list of Jobs); it may chain steps (``c.tts.create(...).wait()`` then ``c.talking_photo.create(...)``). On
AsyncAkool, ``make`` may be ``async def`` and ``preview()``/``run()`` are awaited.

Resume: the campaign's name is its identity in the job journal. Every create a row makes is journaled with
``{campaign, row, step}`` before its POST leaves; a rerun (the same cell again, after a kernel restart or a
kill -9) skips rows recorded done, settles the campaign's creates whose outcome is unknown
(``client.jobs.reconcile``), and replays each row's ``make`` with a client that answers an already-made step
with its journaled job instead of sending it: nothing is submitted twice. A row's key is its ``id`` column, else
a hash of its values. A row that fails (a refused create, a failed job, 1005 after the retries) is recorded
with its error and tried again on the next run. A run stops starting rows before ``budget=`` would be exceeded
(:class:`BudgetStop`) or once Akool says the account is out of credits (:class:`CreditStop`); both are in the
report, and the next run goes on from there.

Modules: ``rows`` (input and keys), ``view`` (the row and dry-run clients), ``preview``, ``state`` (row outcomes
and saved files, ``campaigns.sqlite`` beside the journal), ``save`` (downloads, manifest), ``sync``/``aio``
(the runs), ``progress`` (tqdm bar and the CampaignTable panel).
"""
from __future__ import annotations

from typing import Any

from .base import BudgetStop, CreditStop, RunReport
from .preview import Preview, RowPlan


def new_campaign(client: Any, name: Any, rows: Any, make: Any) -> Any:
    if client._is_async:
        from .aio import AsyncCampaign

        return AsyncCampaign(client, name, rows, make)
    from .sync import Campaign

    return Campaign(client, name, rows, make)


__all__ = ["BudgetStop", "CreditStop", "Preview", "RowPlan", "RunReport", "new_campaign"]
