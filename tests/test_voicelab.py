"""VoiceLab v4 beyond TTS: voice clone, voice changer, voice detail/list of clones, delete with partial success,
changer results (catalog §B.5): the real client against the offline Akool over loopback HTTP."""
from __future__ import annotations

import logging
import os

import httpx
import pytest

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.voices import Voice
from akool_nb.sim.media_voice import decode, estimate_f0, tone_sample, voice_pitch

from .docs_examples import example
from .simctl import control, last_body, webhooks

CLONE, CHANGE, DELETE = "/api/open/v4/voice/clone", "/api/open/v4/voice/change", "/api/open/v4/voice/del"
ARIA = "6889b628662160e2caad5dbc"  # an Akool Multilingual 1 voice of the offline catalogue (and the docs' example)
MARCUS = "akoolsim0en0marcus"  # Akool Multilingual 3: not a voice-changer target


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    """Voice-like samples at a low (110 Hz) and a high (220 Hz) pitch, and a silent one."""
    folder = tmp_path_factory.mktemp("voices")
    low, high = tone_sample(folder / "low.wav", 110), tone_sample(folder / "high.wav", 220)
    silent = folder / "silent.wav"
    tone_sample(silent, 150)
    import wave

    with wave.open(str(silent), "rb") as w:
        params, frames = w.getparams(), w.getnframes()
    with wave.open(str(silent), "wb") as w:
        w.setparams(params)
        w.writeframes(b"\0\0" * frames)
    return {"low": low, "high": high, "silent": silent, "folder": folder}


@pytest.fixture(scope="module")
def clones(sim, samples):
    """Two finished clones, made once for the module: the low and the high sample."""
    client = ak.Akool(api_key="test-key-0123456789abcde", base_url=sim.base_url, offline=True, poll_interval=0.05,
                      journal=False)
    jobs = [client.voices.clone(samples["low"], name="Low voice", gender="Male", style=["Calm"]),
            client.voices.clone(samples["high"], name="High voice", age="Young", scenario=["Education"])]
    return dict(zip(("low", "high"), client.jobs.wait_all(jobs, timeout=60)))


def pitch_of(url: str, tmp_path) -> float:
    path = tmp_path / os.path.basename(url)
    path.write_bytes(httpx.get(url).content)
    return estimate_f0(decode(path))


def seconds_of(url: str, tmp_path) -> float:
    from akool_nb.sim.media import media_duration

    path = tmp_path / os.path.basename(url)
    path.write_bytes(httpx.get(url).content)
    return media_duration(path)


def nothing_sent(sim) -> bool:
    return control(sim, "stats")["requests"] == 0


# ==================================================================================== voice clone
def test_a_clone_speaks_with_the_pitch_of_its_sample(clones, tmp_path):
    low, high = clones["low"], clones["high"]
    for result, hz in ((low, 110), (high, 220)):
        voice = result.data
        assert isinstance(voice, Voice)
        assert voice.status == 3 and voice.voice_id and voice.preview == result.url and voice.duration > 0
        assert result.media == "audio" and "<audio controls" in result._repr_html_()
        assert abs(pitch_of(result.url, tmp_path) - hz) / hz < 0.15  # the preview is pitch-matched
    assert low.data.voice_id != high.data.voice_id
    assert low.data.name == "Low voice" and low.data.gender == "Male" and low.data.style == ["Calm"]
    assert high.data.age == ["Young"] and high.data.scenario == ["Education"]
    assert high.data.gender == "Female"  # no gender tag: guessed from the sample's pitch


def test_create_answer_has_the_documented_fields_and_no_voice_yet(client, samples):
    job = client.voices.clone(samples["high"], name="Fresh")
    for field in ("uid", "team_id", "voice_id", "gender", "name", "preview", "text", "duration", "status",
                  "create_time", "style", "scenario", "age", "deduction_credit", "webhookUrl", "_id",
                  "source_voice_file"):
        assert field in job.record, field
    assert job.record["voice_id"] is None and job.record["preview"] is None and job.record["status"] == 1
    assert job.product.key == "voice_clone" and job.wait(timeout=30).data.voice_id


def test_clones_are_listed_as_your_voices_and_have_a_detail(client, clones):
    mine = client.voices.list(mine=True)
    ids = {v.id for v in mine}
    assert {clones["low"].id, clones["high"].id} <= ids
    assert all(v.voice_id for v in mine if v.status == 3)
    assert clones["low"].id in {v.id for v in client.voices.list(mine=True, gender="Male")}
    assert clones["high"].id not in {v.id for v in client.voices.list(mine=True, gender="Male")}
    assert clones["low"].id in {v.id for v in client.voices.list(mine=True, name="low voi")}
    detail = client.voices.detail(clones["high"].id)
    assert detail.voice_id == clones["high"].data.voice_id and detail.locale == "en"
    assert detail.source_voice_file == clones["high"].data.source_voice_file
    assert client.voices.detail(ARIA).voice_id == ARIA  # Akool voices have a detail too (by _id or voice_id)


def test_a_cloned_voice_works_for_text_to_speech(client, clones):
    speech = client.tts.create("Spoken by my clone.", voice_id=clones["low"].data).wait(timeout=30)
    assert speech.url and speech.data.voice_id == clones["low"].data.voice_id


def test_clone_jobs_reattach_by_id(client, samples):
    job = client.voices.clone(samples["low"], name="Reattach me")
    again = client.jobs.attach(job.id)
    assert again.product.key == "voice_clone"
    assert again.wait(timeout=30).data.name == "Reattach me"


def test_clone_prompt_options_go_with_multilingual_3(client, sim, samples):
    job = client.voices.clone(samples["high"], clone_prompt="Exactly these words.", need_volume_normalization=True,
                              voice_model_name="Akool Multilingual 3", language="en", remove_background_noise=True)
    sent = last_body(sim, CLONE)
    assert sent["voice_options"] == {"clone_prompt": "Exactly these words.", "need_volume_normalization": True,
                                     "language": "en", "remove_background_noise": True}
    assert sent["voice_model_name"] == "Akool Multilingual 3"
    assert job.wait(timeout=30).data.voice_model_name == "Akool Multilingual 3"


@pytest.mark.parametrize("kwargs, message", [
    (dict(language="english"), "language='english' (sent as voice_options.language): is not an ISO 639-1 language code"),
    (dict(voice_model_name="Akool Multilingual 2"), "voice_model_name='Akool Multilingual 2': must be one of 'Akool Multilingual 1'"),
    (dict(clone_prompt="Hi there."), None),  # allowed: no model named (Akool picks; offline uses M3)
    (dict(clone_prompt="Hi", voice_model_name="Akool Multilingual 1"), "clone_prompt: only Akool Multilingual 3"),
    (dict(need_volume_normalization=True, voice_model_name="Akool Multilingual 4"),
     "need_volume_normalization: only Akool Multilingual 3"),
    (dict(clone_prompt="   "), "clone_prompt='   ' (sent as voice_options.clone_prompt): is empty"),
    (dict(webhook_url="hook"), "webhook_url='hook' (sent as webhookUrl): is not an http(s) URL"),
    (dict(gender=[1]), "gender[0]=1: must be text (a string), not an int"),  # tags are words
])
def test_clone_options_are_checked_before_any_request(client, sim, samples, kwargs, message):
    control(sim, "reset", {})
    if message is None:
        client.voices.clone(samples["high"], **kwargs)
        return
    with pytest.raises(ak.InvalidParameterError) as info:
        client.voices.clone(samples["high"], **kwargs)
    assert message in str(info.value) and nothing_sent(sim)


def test_clone_samples_are_checked_before_any_upload(client, sim, samples, tmp_path):
    control(sim, "reset", {})
    big = b"ID3" + bytes(30 * 1024 * 1024)
    cases = [
        (lambda: client.voices.clone(big), "sample: is 30.0 MB; the limit is 30 MB"),
        (lambda: client.voices.clone(b"ID3" + bytes(21 * 1024 * 1024), clone_prompt="Hi"),
         "sample: is 21.0 MB; the limit is 20 MB with clone_prompt"),
        (lambda: client.voices.clone("https://x.com/voice.m4a", clone_prompt="Hi"),
         "sample: must be mp3 or wav with clone_prompt (got .m4a)"),
        (lambda: client.voices.clone("https://x.com/voice.png"), "sample: .png is not an audio file"),
        (lambda: client.voices.clone(tmp_path / "missing.mp3"), "sample: file not found"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as info:
            call()
        assert message in str(info.value)
    assert nothing_sent(sim)
    client.voices.clone("https://127.0.0.1:9/voice.webm")  # webm is audio too (the docs' own example response)


@pytest.mark.parametrize("body, message", [
    ({}, "source_voice_file is required"),
    ({"source_voice_file": "voice.mp3"}, "source_voice_file must be an http(s) URL"),
    ({"source_voice_file": "https://x.com/v.mp3", "voice_options": {"style": "Calm"}},
     "voice_options.style must be an array"),
    ({"source_voice_file": "https://x.com/v.mp3", "voice_options": {"gender": [1]}},
     "voice_options.gender must be an array of strings"),
    ({"source_voice_file": "https://x.com/v.mp3", "voice_options": {"language": "EN"}},
     "voice_options.language must match"),
    ({"source_voice_file": "https://x.com/v.mp3", "voice_options": {"remove_background_noise": "yes"}},
     "voice_options.remove_background_noise must be a boolean"),
    ({"source_voice_file": "https://x.com/v.mp3", "voice_model_name": "Akool Multilingual 2"},
     "voice_model_name must be"),
    ({"source_voice_file": "https://x.com/v.mp3", "voice_model_name": "Akool Multilingual 1",
      "voice_options": {"clone_prompt": "Hi"}}, "voice_options.clone_prompt is only supported by"),
    ({"source_voice_file": "https://x.com/v.m4a", "voice_options": {"clone_prompt": "Hi"}},
     "source_voice_file must be an mp3 or wav file"),
    ({"source_voice_file": "https://x.com/v.mp3", "webhookUrl": "nope"}, "webhookUrl must be an http(s) URL"),
])
def test_offline_clone_answers_1003_naming_the_field(client, body, message):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", CLONE, json=body))
    assert info.value.code == 1003 and message in str(info.value)


def test_clones_fail_for_silence_long_prompt_samples_and_big_files(client, sim, samples):
    silent = client.voices.clone(samples["silent"])
    from akool_nb.sim.media_voice import tone_sample as make

    long_sample = make(samples["folder"] / "nine_seconds.wav", 150, seconds=9.0)
    long_prompt = client.voices.clone(long_sample, clone_prompt="Nine seconds of humming.")
    big = sim.state.files_dir / "assets" / "bigsample" / "big.mp3"
    big.parent.mkdir(parents=True, exist_ok=True)
    with open(big, "wb") as fh:  # sparse: 31 MB on paper, nothing on disk
        fh.truncate(31 * 1024 * 1024)
    too_big = client.voices.clone(f"{sim.base_url}/_sim/files/assets/bigsample/big.mp3")
    for job, reason in ((silent, "no voice was found"), (long_prompt, "must be shorter than 8 s"),
                        (too_big, "the limit is 30 MB")):
        with pytest.raises(ak.JobFailedError) as info:
            job.wait(timeout=30)
        assert reason in str(info.value) and info.value.code == 1112 and info.value.job_id == job.id


def test_clone_example_goes_on_the_wire_unchanged(client, sim):
    body = example("#### B.5.1")
    options = body["voice_options"]
    client.voices.clone(body["source_voice_file"], name=body["name"], voice_model_name=body["voice_model_name"],
                        webhook_url=body["webhookUrl"], **options)
    assert last_body(sim, CLONE) == body


# ==================================================================================== voice changer
def test_the_changer_says_the_same_words_in_the_target_voice(client, tmp_path):
    speech = client.tts.create("Please change my voice for me.", voice_id=MARCUS).wait(timeout=30)
    job = client.voices.change(speech, ARIA, speed=1.2, file_format="wav", stability=0.9)
    assert job.request == {"voice_id": ARIA, "source_voice_file": speech.url,
                           "voice_options": {"speed": 1.2, "file_format": "wav", "stability": 0.9}}
    result = job.wait(timeout=30)
    assert result.url.endswith(".wav") and result.data.source_voice_file == speech.url
    assert result.data.voice_id == ARIA and result.data.voice_options == {"stability": 0.9}
    target = voice_pitch("Female", ARIA)
    assert abs(pitch_of(result.url, tmp_path) - target) / target < 0.15  # Aria's pitch now
    assert abs(seconds_of(result.url, tmp_path) - seconds_of(speech.url, tmp_path) / 1.2) < 0.25  # 1.2× faster
    assert job.id in [r.id for r in client.voices.changes(size=100)]
    assert job.id in [r.id for r in client.tts.results(changer=True, size=100)]
    assert job.id not in [r.id for r in client.tts.results(size=100)]


def test_a_clone_can_be_the_changer_target(client, clones, tmp_path):
    speech = client.tts.create("From high to low.", voice_id=ARIA).wait(timeout=30)
    result = client.voices.change(speech, clones["low"]).wait(timeout=30)  # the clone's result is a voice too
    assert result.data.voice_id == clones["low"].data.voice_id
    assert result.url.endswith(".mp3")
    assert abs(pitch_of(result.url, tmp_path) - 110) / 110 < 0.15


def test_only_multilingual_1_voices_can_be_targets(client, sim):
    marcus = next(v for v in client.voices.list() if v.voice_id == MARCUS)
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError, match="is an Akool Multilingual 3 voice"):
        client.voices.change("https://x.com/a.mp3", marcus)  # known from the record: refused locally
    assert nothing_sent(sim)
    with pytest.raises(ak.InvalidRequestError, match="voice_id is an \"Akool Multilingual 3\" voice") as info:
        client.voices.change("https://x.com/a.mp3", MARCUS)  # a bare id: the service refuses it
    assert info.value.code == 1003
    with pytest.raises(ak.NotFoundError) as info:
        client.voices.change("https://x.com/a.mp3", "no-such-voice")
    assert info.value.code == 1008


@pytest.mark.parametrize("kwargs, message", [
    (dict(speed=1.3), "speed=1.3 (sent as voice_options.speed): must be between 0.7 and 1.2; pass e.g. speed=1.0"),
    (dict(speed=0.5), "speed=0.5 (sent as voice_options.speed): must be between 0.7 and 1.2"),
    (dict(stability=2), "stability=2 (sent as voice_options.stability): must be between 0 and 1"),
    (dict(similarity_boost=-0.1), "similarity_boost=-0.1 (sent as voice_options.similarity_boost): must be between 0 and 1"),
    (dict(style=1.5), "style=1.5 (sent as voice_options.style): must be between 0 and 1"),
    (dict(file_format="ogg"), "file_format='ogg' (sent as voice_options.file_format): must be one of 'mp3' or 'wav'"),
    (dict(voice_model_name="Akool Multilingual 3"), "voice_model_name='Akool Multilingual 3': must be one of 'Akool Multilingual 1'"),
    (dict(voice_id=" "), "voice_id=' ': is empty; pass the voice_id"),
])
def test_changer_options_are_checked_before_any_request(client, sim, kwargs, message):
    control(sim, "reset", {})
    voice = kwargs.pop("voice_id", ARIA)
    with pytest.raises(ak.InvalidParameterError) as info:
        client.voices.change(b"ID3" + bytes(100), voice, **kwargs)
    assert message in str(info.value) and nothing_sent(sim)


def test_changer_audio_over_50_mb_is_refused_locally(client, sim):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError, match="audio: is 50.0 MB; the limit is 50 MB"):
        client.voices.change(b"ID3" + bytes(50 * 1024 * 1024), ARIA)
    assert nothing_sent(sim)


@pytest.mark.parametrize("body, message", [
    ({"source_voice_file": "https://x.com/a.mp3"}, "voice_id is required"),
    ({"voice_id": ARIA}, "source_voice_file is required"),
    ({"voice_id": ARIA, "source_voice_file": "https://x.com/a.mp3", "voice_options": {"speed": 2}},
     "voice_options.speed must be between 0.7 and 1.2"),
    ({"voice_id": ARIA, "source_voice_file": "https://x.com/a.mp3", "voice_options": {"style": -1}},
     "voice_options.style must be between 0 and 1"),
    ({"voice_id": ARIA, "source_voice_file": "https://x.com/a.mp3", "voice_options": {"file_format": "flac"}},
     'voice_options.file_format must be "mp3" or "wav"'),
    ({"voice_id": ARIA, "source_voice_file": "https://x.com/a.mp3", "voice_options": {"speaker_boost": 1}},
     "voice_options.speaker_boost must be a boolean"),
    ({"voice_id": ARIA, "source_voice_file": "https://x.com/a.mp3", "voice_model_name": "Akool Multilingual 3"},
     'voice_model_name must be "Akool Multilingual 1"'),
])
def test_offline_changer_answers_1003_naming_the_field(client, body, message):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", CHANGE, json=body))
    assert info.value.code == 1003 and message in str(info.value)


def test_changer_example_goes_on_the_wire_unchanged(client, sim):
    body = example("#### B.5.3")
    client.voices.change(body["source_voice_file"], body["voice_id"], voice_model_name=body["voice_model_name"],
                         webhook_url=body["webhookUrl"], **body["voice_options"])
    sent = last_body(sim, CHANGE)
    assert sent == body
    assert isinstance(sent["voice_options"]["speed"], int)  # 1 stays 1 on the wire, as in the docs


def test_a_failed_change_reports_the_reason(client):
    job = client.voices.change("https://127.0.0.1:9/gone.mp3", ARIA)
    with pytest.raises(ak.JobFailedError, match="source_voice_file") as info:
        job.wait(timeout=30)
    assert info.value.code == 1112


# ==================================================================================== delete
def test_delete_reports_partial_success_clearly(client, sim, samples, caplog):
    mine = client.voices.clone(samples["low"], name="Delete me").wait(timeout=30)
    aria = client.voices.detail(ARIA)
    caplog.set_level(logging.WARNING, logger="akool_nb")
    outcome = client.voices.delete([mine.job, aria, "0123456789abcdef01234567"])
    assert last_body(sim, DELETE) == {"_ids": [mine.id, aria.id, "0123456789abcdef01234567"]}  # an ARRAY
    assert outcome.deleted == [mine.id] and not outcome.ok
    assert set(outcome.failed) == {aria.id, "0123456789abcdef01234567"}
    assert "resource not found" in outcome.failed["0123456789abcdef01234567"]
    assert str(outcome).startswith("deleted 1 of 3 voice(s); NOT deleted:")
    assert "NOT deleted" in outcome._repr_html_() and "NOT deleted" in caplog.text
    assert mine.id not in {v.id for v in client.voices.list(mine=True)}
    with pytest.raises(ak.NotFoundError):
        client.voices.detail(mine.id)
    with pytest.raises(ak.AkoolError, match="deleted 0 of 1"):
        client.voices.delete(mine.id, raise_on_failure=True)  # already gone


def test_delete_needs_at_least_one_id(client, sim):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError, match="voices: is empty"):
        client.voices.delete([])
    assert nothing_sent(sim)
    with pytest.raises(ak.InvalidRequestError, match="_ids must be an array") as info:
        client._request(APIRequest("POST", DELETE, json={"_ids": "a,b"}))  # a string is not what VoiceLab takes
    assert info.value.code == 1003
    with pytest.raises(ak.InvalidRequestError, match="_ids must not be empty"):
        client._request(APIRequest("POST", DELETE, json={"_ids": []}))


def test_delete_example_goes_on_the_wire_unchanged(client, sim):
    body = example("#### B.5.6")
    outcome = client.voices.delete(body["_ids"])
    assert last_body(sim, DELETE) == body
    assert outcome.deleted == [] and len(outcome.failed) == 2


# ==================================================================================== webhooks, async
def test_clone_and_change_webhooks(client, sim, samples, hook_server):
    url, received = hook_server
    jobs = [client.voices.clone(samples["high"], name="Hooked", webhook_url=url),
            client.voices.change(samples["low"], ARIA, webhook_url=url)]
    results = client.jobs.wait_all(jobs, timeout=60)
    decoded = webhooks(sim, received, until=lambda ds: len({d["_id"] for d in ds if d["status"] == 3}) == 2)
    final = {d["_id"]: d for d in decoded if d["status"] == 3}
    for job, result in zip(jobs, results):
        assert final[job.id]["type"] == "audio" and final[job.id]["url"] == result.url


@pytest.mark.anyio
async def test_async_clone_and_delete(aclient, samples):
    job = await aclient.voices.clone(samples["high"], name="Async clone")
    result = await job.wait(timeout=30)
    assert isinstance(job, ak.AsyncJob) and result.data.voice_id
    outcome = await aclient.voices.delete(result.data)
    assert outcome.ok and outcome.deleted == [job.id]
