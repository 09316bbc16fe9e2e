"""The panels' models against the offline Akool: selection, callbacks, payload round trips, error display,
static fallbacks. (The same panels in a real browser: tests/browser/.)"""
from __future__ import annotations

import logging

import pytest

from akool_nb.widgets import (AvatarPicker, JobMonitor, MediaPreview, Studio, TalkingAvatarComposer, VoicePicker,
                              register_deleter)


def _bundle(panel):
    data, _meta = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    return data


# ---------------------------------------------------------------- AvatarPicker
def test_avatar_picker_selection_gives_id_and_from(client):
    picker = AvatarPicker(client, source="official", page_size=4)
    assert len(picker.items) == 4 and picker.has_more
    assert all(i["thumb"].startswith("http") for i in picker.items)  # posters by URL
    seen = []
    picker.on_select(seen.append)
    target = picker.items[2]
    picker._dispatch(picker, {"action": "select", "avatar_id": target["key"]})  # what a click sends
    assert picker.value == {"avatar_id": target["avatar_id"], "from": 2}
    assert seen == [picker.value] and picker.avatar.name == target["name"] and picker.avatar_from == 2
    picker._dispatch(picker, {"action": "page", "delta": 1})
    assert picker.page == 2 and len(picker.items) == 2 and not picker.has_more


def test_avatar_picker_filters_by_from_and_type(client):
    picker = AvatarPicker(client)
    picker.source = "mine"  # other tests may have uploaded avatars to this session's offline Akool
    assert {i["from"] for i in picker.items} <= {3}
    picker.source, picker.kind = "official", "talking"
    assert len(picker.items) == 6 and {i["from"] for i in picker.items} == {2}
    picker.kind = "streaming"
    assert picker.items == [] and "No avatars" in picker.status
    with pytest.raises(ValueError, match="source"):
        AvatarPicker(client, source="everyone")


def test_avatar_picker_error_shows_in_the_panel_and_is_logged(client, sim, caplog):
    picker = AvatarPicker(client)
    sim.faults.set(answer_500=20, path_contains="avatar/list")
    with caplog.at_level(logging.WARNING, logger="akool_nb"):
        picker.refresh()
    assert picker.error["kind"] == "ServerError" and picker.error["fix"]
    assert any("AvatarPicker" in r.getMessage() for r in caplog.records)
    picker._dispatch(picker, {"action": "select", "avatar_id": "nope"})
    assert "unknown avatar" in picker.error["message"]
    sim.faults.reset()
    picker._dispatch(picker, {"action": "dismiss_error"})
    assert picker.error == {}


def test_avatar_picker_makes_posters_for_video_only_avatars(client, sim):
    base = AvatarPicker(client).items[0]
    picker = AvatarPicker(avatars=[{"avatar_id": "own1", "name": "Own", "url": base["video"], "from": 3, "type": 1}])
    import time

    deadline = time.monotonic() + 20
    while not picker.items[0]["thumb"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert picker.items[0]["thumb"].startswith("data:image/jpeg") and len(picker.items[0]["thumb"]) < 30_000


def test_avatar_picker_static_fallback(client):
    picker = AvatarPicker(client, page_size=3)
    picker.select(picker.items[0]["avatar_id"])
    html = _bundle(picker)["text/html"]
    assert html.count("<img") == 3 and picker.items[0]["avatar_id"] in html and "run the cell" in html


# ---------------------------------------------------------------- VoicePicker
def test_voice_picker_filters_and_selection(client):
    picker = VoicePicker(client)
    assert {v["version"] for v in picker.voices} == {"v4"} or len(picker.voices) >= 12
    assert len(picker.visible) == len(picker.voices)
    assert "Spanish" in picker.options["language"] and "Calm" in picker.options["style"]
    picker.language = "es"
    assert [v.name for v in picker.filtered()] == ["Sofía (sim)", "Mateo (sim)"]
    picker.language, picker.gender = "", "Male"
    assert all(v.gender == "Male" for v in picker.filtered())
    picker.gender, picker.style = "", "calm"
    assert picker.visible and all("Calm" in v.style for v in picker.filtered())
    picker._dispatch(picker, {"action": "filter", "name": "search", "value": "ELEAN"})
    assert picker.visible == ["akoolsim0en0eleanor"]
    picker.search, picker.style = "", ""
    chosen = []
    picker.on_select(chosen.append)
    picker._dispatch(picker, {"action": "select", "voice_id": "akoolsim0fr0camille"})
    assert picker.value == "akoolsim0fr0camille" == chosen[0] and picker.voice.language == "French"
    assert all(v["preview"].startswith("http") for v in picker.voices)  # play buttons load by URL


def test_voice_picker_versions_and_errors(client):
    picker = VoicePicker(client, version="v3")
    assert picker.visible and all(v["version"] == "v3" for v in picker.voices if v["voice_id"] in picker.visible) \
        or picker.visible == []
    picker._dispatch(picker, {"action": "select", "voice_id": "missing"})
    assert "unknown voice" in picker.error["message"] and picker.value is None
    with pytest.raises(ValueError):
        VoicePicker(client, version="v5")
    panel = VoicePicker(voices=[{"voice_id": "x1", "name": "X", "gender": "Female", "locale": "en-US",
                                 "language": "English", "preview": "https://cdn.example/x1.mp3"}], language="en")
    assert panel.visible == ["x1"] and "x1.mp3" in _bundle(panel)["text/html"]


def test_panel_needs_a_client_to_load():
    picker = VoicePicker(load=False)
    with pytest.raises(Exception, match="client"):
        picker.refresh()


# ---------------------------------------------------------------- MediaPreview
def test_media_preview_of_a_result(client):
    voice = client.voices.list()[0]
    speech = client.tts.create(text="Preview me.", voice_id=voice).wait()
    panel = MediaPreview(speech)
    value = panel.wait()
    assert panel.media == "audio" and value["url"] == speech.url and value["duration"] > 0
    assert value["expires_at"].startswith(str(speech.expires_at.year)) and not value["expired"]
    assert panel.waveform.startswith("data:image/png") and len(panel.waveform) < 20_000
    html = _bundle(panel)["text/html"]
    assert speech.url in html and 'preload="none"' in html and "autoplay" not in html and "loop" not in html


def test_media_preview_of_a_local_video_keeps_only_a_poster(tmp_path, monkeypatch):
    from akool_nb.sim import media as sim_media

    made = sim_media.make_avatar_assets(tmp_path / "a", fast=True)
    monkeypatch.chdir(tmp_path)
    panel = MediaPreview(made[0]["video"])
    value = panel.wait()
    assert panel.local and panel.url == "a/simAnna01.mp4"
    assert (value["width"], value["height"]) == (256, 256) and value["size_bytes"] > 1000
    assert panel.poster.startswith("data:image/jpeg") and len(panel.poster) < 30_000


def test_media_preview_errors_in_the_panel(client, tmp_path):
    panel = MediaPreview(tmp_path / "nothing.mp4")
    assert panel.error["kind"] == "FileNotFoundError" and "path" in panel.error["fix"]
    job = client.tts.create(text="Not yet.", voice_id=client.voices.list()[0])
    job.status = type(job.status).PROCESSING
    assert "still" in MediaPreview(job).error["message"]
    assert "cannot preview" in MediaPreview(object()).error["message"]


# ---------------------------------------------------------------- JobMonitor
def test_job_monitor_follows_many_jobs_without_blocking(client):
    voices = client.voices.list()
    jobs = [client.tts.create(text=f"Job {i}", voice_id=voices[i]) for i in range(3)]
    monitor = JobMonitor(jobs)
    assert monitor._thread is not None  # polling in the background; the constructor returned at once
    completed = []
    monitor.on_complete(completed.append)
    results = monitor.wait(timeout=30)
    assert [r.id for r in results] == [j.id for j in jobs] and monitor.done
    assert {r["status"] for r in monitor.rows} == {"completed"} and all(r["url"] for r in monitor.rows)
    assert sorted(r.id for r in completed) == sorted(j.id for j in jobs)
    first, again = _bundle(monitor), _bundle(monitor)  # re-displaying shows the same live model
    assert first["application/vnd.jupyter.widget-view+json"] == again["application/vnd.jupyter.widget-view+json"]
    assert "<audio" in first["text/html"]


def test_job_monitor_failed_job_and_stop(client, sim):
    voice = client.voices.list()[0]
    sim.faults.set(fail_next_jobs=1)
    bad = client.tts.create(text="This one fails.", voice_id=voice)
    monitor = JobMonitor(bad, autostart=False)
    monitor.stop(bad.id)
    assert monitor.rows[0]["status"] == "stopped" and "attach" in monitor.rows[0]["note"]
    monitor._stopped.clear()
    monitor.wait(timeout=30)
    assert monitor.rows[0]["status"] == "failed" and monitor.rows[0]["error"] and monitor.value == []
    with pytest.raises(ValueError, match="not in this monitor"):
        monitor.stop("other")
    with pytest.raises(ValueError, match="no delete"):
        monitor.stop(bad.id, delete=True)


def test_job_monitor_delete_where_the_api_allows(client):
    deleted = []
    register_deleter("audio", lambda c, job: deleted.append(job.id))
    try:
        job = client.tts.create_v3(text="Delete me.", voice_id=client.voices.list_v3()[0])
        monitor = JobMonitor(job)
        monitor.wait(timeout=30)
        assert monitor.rows[0]["deletable"]
        monitor._dispatch(monitor, {"action": "delete", "id": job.id})
        assert deleted == [job.id] and monitor.rows[0]["note"] == "Deleted at Akool."
    finally:
        from akool_nb.widgets.monitor import DELETERS

        DELETERS.pop("audio", None)


def test_job_monitor_accepts_batches(client):
    class Batch:
        def __init__(self, jobs):
            self.jobs = jobs

    voice = client.voices.list()[0]
    batch = Batch([client.tts.create(text=f"b{i}", voice_id=voice) for i in range(2)])
    monitor = JobMonitor(batch, title="Batch")
    assert len(monitor.wait(timeout=30)) == 2 and monitor.title == "Batch"


# ---------------------------------------------------------------- TalkingAvatarComposer
def _layout(client):
    composer = TalkingAvatarComposer(client)
    composer.add_image("#1d3557")
    composer.add_avatar("simAnna01")
    composer.add_speech("Hello from the composer.", "akoolsim0en0leo")
    return composer


def test_composer_builds_the_exact_payload(client):
    composer = _layout(client)
    payload = composer.payload
    assert payload["width"] == 3840 and payload["height"] == 2160 and payload["avatar_from"] == 2
    assert [e["type"] for e in payload["elements"]] == ["image", "avatar", "audio"]
    avatar = payload["elements"][1]
    assert avatar == {"type": "avatar", "avatar_id": "simAnna01", "width": 1440, "height": 1440, "scale_x": 1,
                      "scale_y": 1, "offset_x": 1200, "offset_y": 720}
    assert composer.value == payload
    assert composer.stage.thumbs["simAnna01"].startswith("http")  # the avatar's poster, by URL
    from akool_nb.models.video import TalkingAvatarRequest

    TalkingAvatarRequest.build(**payload)  # the request model accepts it as is


def test_composer_round_trips_a_payload(client):
    original = _layout(client).payload
    again = TalkingAvatarComposer.from_payload(original, client)
    assert again.payload == original
    assert TalkingAvatarComposer.from_payload(original["elements"]).payload == original
    with pytest.raises(ValueError, match="not a talking-avatar element"):
        TalkingAvatarComposer.from_payload([{"type": "sticker"}])


def test_composer_drag_equivalents_and_zorder(client):
    composer = _layout(client)
    changes = []
    composer.observe(lambda ch: changes.append(ch["new"]), "value")
    # what the front end does on a drag: it writes the element list back with new canvas pixels
    elements = composer.elements
    elements[1].update(offset_x=1600, width=1600)
    composer.stage.elements = elements
    assert composer.payload["elements"][1]["offset_x"] == 1600 and changes[-1]["elements"][1]["width"] == 1600
    composer.set_box(1, x=10, y=20, width=300, height=400)
    assert {k: composer.elements[1][k] for k in ("offset_x", "offset_y", "width", "height")} == \
        {"offset_x": 10, "offset_y": 20, "width": 300, "height": 400}
    composer.stage._dispatch(composer.stage, {"action": "zorder", "index": 1, "delta": -1})
    assert [e["type"] for e in composer.elements] == ["avatar", "image", "audio"] and composer.stage.selected == 0
    composer.stage._dispatch(composer.stage, {"action": "remove", "index": 1})
    assert [e["type"] for e in composer.elements] == ["avatar", "audio"]
    composer.stage._dispatch(composer.stage, {"action": "add", "kind": "image", "value": "#ffcc00"})
    assert composer.elements[1]["url"] == "#ffcc00"  # new visual layers go on top, audio stays last
    assert composer.elements[-1]["type"] == "audio"


def test_composer_avatar_from_picker_and_own_video(client):
    picker = AvatarPicker(client)
    composer = TalkingAvatarComposer(client)
    with pytest.raises(ValueError, match="click an avatar"):
        composer.add_avatar(picker)
    composer.link(picker)
    picker.select(picker.items[3]["avatar_id"])
    assert composer.elements[0]["avatar_id"] == picker.items[3]["avatar_id"]
    composer.set_box(0, x=100)
    picker.select(picker.items[4]["avatar_id"])  # replaces the avatar, keeps its place
    assert len(composer.elements) == 1 and composer.elements[0]["offset_x"] == 100
    composer.add_avatar("https://cdn.example/me.mp4")
    assert composer.payload["avatar_from"] == 3 and composer.elements[0]["url"] == "https://cdn.example/me.mp4"


def test_composer_errors_show_in_the_panel(client):
    composer = TalkingAvatarComposer(client)
    composer.stage._dispatch(composer.stage, {"action": "add", "kind": "image", "value": "nowhere/x.png"})
    assert composer.stage.error["kind"] == "FileNotFoundError" and composer.error == composer.stage.error
    composer.stage._dispatch(composer.stage, {"action": "add", "kind": "speech", "value": "hi"})
    assert "pick a voice" in composer.stage.error["message"]


def test_composer_preview_clip_and_submit(client, tmp_path):
    composer = _layout(client)
    still = composer.render_preview()
    assert still.size == (960, 540) and composer.stage.preview.startswith("data:image/jpeg")
    assert len(composer.stage.preview) < 200_000
    assert still.getpixel((10, 10)) == (0x1d, 0x35, 0x57)
    clip = composer.render_clip(tmp_path / "clip.mp4", seconds=1.0, width=320)
    assert clip.is_file() and composer.stage.clip.startswith(str(clip.as_posix()))
    job = composer.submit()
    assert job.product.key == "talking_avatar" and composer.monitor in composer.children
    result = composer.monitor.wait(timeout=60)[0]
    assert result.url.endswith(".mp4")
    assert "<pre" in _bundle(composer)["text/html"]


def test_composer_fallback_fields_edit_the_layout(client):
    composer = _layout(client)
    assert composer.fallback.layout.display != "none"  # until the custom front end reports it loaded
    composer.fallback_select.value = 1
    composer.fallback_fields["offset_x"].value = 2000
    assert composer.elements[1]["offset_x"] == 2000
    composer.render_preview()
    # the fallback preview is an <img> with a data URI: Colab drops binary widget data (a W.Image's bytes)
    assert composer.fallback_preview.value.startswith('<img src="data:image/jpeg;base64,')
    composer.stage.ready = True
    assert composer.fallback.layout.display == "none"


# ---------------------------------------------------------------- Studio
def test_studio_chains_speech_and_avatar(client):
    studio = Studio(client)
    studio.run()
    assert "click an avatar" in studio.error["message"]
    studio.avatars.select(studio.avatars.items[0]["avatar_id"])
    studio.voices.select(studio.voices.visible[0])
    result = studio.run(wait=True, timeout=60)
    assert result is studio.value and result.url.endswith(".mp4") and studio.speech.url.endswith(".mp3")
    assert [r["product"] for r in studio.monitor.rows] == ["tts", "talking_avatar"]
    assert studio.preview.url == result.url and studio.error == {}
    assert "<video" in _bundle(studio)["text/html"]


def test_a_monitor_of_3000_jobs_syncs_and_saves_a_bounded_panel(client):
    from akool_nb.jobs import Job, JobStatus
    from akool_nb.widgets.monitor import SHOWN

    def jobs(n):
        made = [Job(client, "tts", f"job{i:05d}") for i in range(n)]
        for job in made[: n // 2]:
            job.status = JobStatus.COMPLETED
        made[-1].status = JobStatus.FAILED
        return made

    small, big = JobMonitor(jobs(SHOWN // 2), autostart=False), JobMonitor(jobs(3000), autostart=False)
    assert len(small.rows) == SHOWN // 2 and small.total == SHOWN // 2
    assert len(big.rows) == SHOWN and big.total == 3000 and big.finished == 1501
    statuses = [r["status"] for r in big.rows]
    assert "failed" in statuses and "completed" in statuses  # room is kept for the failure and the latest done
    assert statuses.count("queued") == SHOWN - 1 - SHOWN // 10  # the rest of the rows go to running jobs
    assert len(big._static_html()) < 3 * len(small._static_html()) and "not shown" in big._static_html()
