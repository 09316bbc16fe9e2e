"""Cells of notebooks/08_campaigns.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Campaigns: one product for every row of a table

A welcome video per customer from a CSV, a dubbed copy per language, a face swap per photo: a **campaign** runs
the same `make(c, row)` for every row, and

* **previews** before anything is paid: jobs per row, invalid rows with the field and the fix, estimated credits;
* **runs** with bounded concurrency, a progress bar and a live table, stopping before a `budget`;
* **resumes**: rerunning the cell, or running it after a kernel restart or a crash, skips done rows and
  re-attaches the jobs already made (the job journal knows them), so nothing is paid twice;
* **keeps the results** before Akool deletes them (7 days): each file saved in `save_to`, with a manifest.

Without an API key this runs on the **offline Akool**: same calls, simulated videos, no credits."""),
    ("code", """import csv, tempfile
from pathlib import Path

import akool_nb as ak

# The offline Akool forgets its jobs when the kernel stops, so this tutorial keeps its journal in a fresh folder.
# With the real service, leave journal= out: the default journal (~/.akool_nb/jobs.sqlite) is what a rerun after
# a kernel restart reads.
work = Path(tempfile.mkdtemp(prefix="akool-campaign-"))
client = ak.connect(journal=work / "jobs.sqlite")
client"""),
    ("md", """## 1. The table
Any CSV with a header line, a list of dicts, or a pandas DataFrame. An `id` column names each row (reruns map
rows by it); without one, a row is known by a hash of its values."""),
    ("code", """names = ["Ana", "Ben", "Chloé", "Dev", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jia",
         "Kofi", "Lena", "Mateo", "Nia", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tove"]
with open(work / "customers.csv", "w", newline="") as fh:
    writer = csv.DictWriter(fh, fieldnames=["id", "name", "text"])
    writer.writeheader()
    for i, name in enumerate(names):
        writer.writerow({"id": f"c{i:02d}", "name": name, "text": f"Hi {name}, welcome aboard!"})
print(open(work / "customers.csv").read()[:200])"""),
    ("md", """## 2. What one row makes
`make(c, row)` uses the ordinary resource methods on `c` (the client, tagging each create with the campaign,
the row and the step) and returns the job(s) to keep. Steps may chain: speech first, then a talking photo."""),
    ("code", """ak.samples.portrait(work / "presenter.png", size=384)
voice = client.voices.list(language="en")[0]

def make(c, row):
    speech = c.tts.create(row["text"], voice).wait()
    return c.talking_photo.create(photo=work / "presenter.png", audio=speech, resolution="720")

campaign = client.campaign("welcome-videos", work / "customers.csv", make)
campaign"""),
    ("md", """## 3. Preview: nothing is paid
Each row's `make` runs against a dry-run client: the checks run, free lists are read, the paid creates are
recorded instead of sent. Costs come from what Akool charged for earlier jobs of the same product; a product
with no history is said to be unknown rather than guessed."""),
    ("code", """plan = campaign.preview()
plan"""),
    ("md", """A row with a problem is listed with the field and the fix, and nothing is sent for it:"""),
    ("code", """bad_rows = [{"id": "ok", "text": "Hello!"}, {"id": "empty", "text": ""}]
client.campaign("preview-only", bad_rows, make).preview()"""),
    ("md", """Ids are checked too: every create that takes `check=` runs with `check=True` in the preview, so a voice
(or avatar, model, effect) id that is not in Akool's free lists is refused with close matches, before any POST:"""),
    ("code", """def make_in_their_voice(c, row):
    speech = c.tts.create(row["text"], row["voice"]).wait()
    return c.talking_photo.create(photo=work / "presenter.png", audio=speech, resolution="720")

typo = voice.voice_id[:-1] + ("0" if voice.voice_id[-1] != "0" else "1")
voice_rows = [{"id": "right", "text": "Hello!", "voice": voice.voice_id}, {"id": "typo", "text": "Hi!", "voice": typo}]
ids_plan = client.campaign("preview-voices", voice_rows, make_in_their_voice).preview()
assert [r.row for r in ids_plan.invalid] == ["typo"] and ids_plan.invalid[0].field == "voice_id"
ids_plan"""),
    ("md", """## 4. Run
`concurrency` rows at a time (Akool's account limits bind first; the client backs off on 1005/429), a progress
bar, and in a notebook the live table: the rows running, the failures, the latest done, and the counts.
`budget=` stops before the estimate would exceed it. Every result file is saved into `save_to`."""),
    ("code", """report = campaign.run(concurrency=8, save_to=work / "videos")
report"""),
    ("md", """## 5. Rerun: nothing twice
The same cell again (or after a kernel restart, or a crash) skips what is done; rows that failed are tried
again, and jobs already made are re-attached instead of re-created."""),
    ("code", """again = campaign.run(concurrency=8, save_to=work / "videos")
assert again.counts["done"] == len(names)
again"""),
    ("md", """## 6. The manifest
One line per result: row → job ids (every step) → file (named by its SHA-256) → URL → credits → expiry. Also
written as `manifest.csv` (and `manifest.parquet` when pyarrow is installed) next to the files."""),
    ("code", """results = campaign.results()
results[["row", "status", "job_id", "file", "steps", "expires_at"]].head()"""),
    ("code", """from akool_nb.widgets import MediaPreview

MediaPreview(results["file"][0])"""),
    ("md", """## 7. Anything else finished but never saved
`client.jobs.save_pending(folder)` saves every journaled finished job whose file was never kept (here: the
speech of each row); `client.jobs.recent()` shows how many days each result has left."""),
    ("code", """kept = client.jobs.save_pending(work / "kept")
print(len(kept), "more files kept;", client.jobs.recent(1)[0])"""),
]
