"""Jarvis Moderator (catalog §B.15) with the real client against the offline Akool over loopback HTTP.

The offline Jarvis is a deterministic rule set that explains itself in the docs' result format
(``"- label: why\\nResult: <conclusion>"``): keyword lists for text, colour statistics for pictures, silence
and known speech for audio, frames + sound for video.
"""
from __future__ import annotations

import io
import subprocess
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.moderation import Analysis

from .simctl import control, last_body, webhooks

SENTIMENT = "/api/open/v3/content/analysis/sentiment"
INFO = "/api/open/v3/content/analysis/infobyid"


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args],
                   check=True, capture_output=True)


def analysis(job) -> ak.Result:
    result = job.wait(timeout=30)
    assert result.data.status == 3 and result.data.result.endswith(f"Result: {result.data.final_conclusion}")
    return result


def labels(result) -> set[str]:
    return {f.label for f in result.data.findings}


def upload(client, name: str, data: bytes, ctype: str) -> str:
    return client._assets.upload(data, name, ctype)


def noisy(colour, size=(96, 64), seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.integers(-12, 12, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


# -- text ------------------------------------------------------------------------------------------------
def test_text_keywords_and_your_own_words_make_it_non_compliant(client, sim):
    job = client.moderation.analyze("Buy now and click here, you idiot! Pineapple on pizza.", "text",
                                    language="EN", input="pineapple; anchovies")
    assert job.product.key == "moderation" and job.status.label == "queued"
    assert last_body(sim, SENTIMENT) == {"type": 4, "content": "Buy now and click here, you idiot! Pineapple on "
                                         "pizza.", "language": "en", "input": "pineapple; anchovies"}
    result = analysis(job)
    assert result.data.final_conclusion == "Non-Compliant" and result.data.compliant is False
    assert labels(result) >= {"advertising", "cyberbullying", "customized"}
    custom = next(f for f in result.data.findings if f.label == "customized")
    assert '"pineapple"' in custom.explanation and "anchovies" not in custom.explanation
    assert result.url is None and result.media == "data" and result.data.content_type == "text"
    assert result.data.model_extra["labels"] == sorted(labels(result) - {"method"})


def test_clean_text_is_compliant_and_says_what_was_checked(client):
    result = analysis(client.moderation.text("A calm walk in the park with friends."))
    assert result.data.final_conclusion == "Compliant" and result.data.compliant is True
    assert "matched none of the 9 keyword lists" in result.data.result
    assert "offline rules" in result.data.result  # it never pretends to be Akool's model
    html = result._repr_html_()
    assert "Compliant" in html and "no label" in html and "save(path)" not in html


def test_non_english_text_is_checked_and_noted(client):
    result = analysis(client.moderation.text("Hola, esto es una bomb de sabor.", language="es"))
    assert "violence" in labels(result)
    assert any(f.label == "language" and "'es'" in f.explanation for f in result.data.findings)


def test_text_documents_by_url_are_read(client, sim, tmp_path):
    md = tmp_path / "notes.md"
    md.write_text("# Notes\nPlease buy now: limited offer!\n")
    assert "advertising" in labels(analysis(client.moderation.text(md)))  # a Path is uploaded, a str is text
    sent = last_body(sim, SENTIMENT)
    assert sent["type"] == 4 and sent["content"].startswith(sim.base_url) and sent["content"].endswith("notes.md")

    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>They smuggle cocaine.</w:t></w:r>"
                                        "</w:p></w:body></w:document>")
    url = upload(client, "report.docx", docx.getvalue(), "application/octet-stream")
    assert "contraband" in labels(analysis(client.moderation.text(url)))

    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (How to make a bomb) Tj ET")
    pdf = (b"%PDF-1.4\n1 0 obj<</Length " + str(len(stream)).encode() + b"/Filter/FlateDecode>>stream\n" + stream
           + b"\nendstream endobj\ntrailer<<>>\n%%EOF\n")
    result = analysis(client.moderation.text(upload(client, "leaflet.pdf", pdf, "application/pdf")))
    assert {"harmful", "violence"} <= labels(result)
    assert ".pdf document matched" in result.data.result


# -- images ----------------------------------------------------------------------------------------------
def test_images_are_judged_by_colour_statistics(client, tmp_path):
    portrait = ak.samples.portrait(tmp_path / "me.png", size=256)
    calm = analysis(client.moderation.image(portrait))
    assert calm.data.final_conclusion == "Compliant"
    assert "256x256 picture: blood-red area 0%" in calm.data.result

    gore = analysis(client.moderation.image(noisy((200, 20, 20))))
    assert gore.data.final_conclusion == "Non-Compliant" and labels(gore) >= {"violence"}
    share = int(gore.data.findings[0].explanation.split("%")[0])
    assert share > 90

    blank = analysis(client.moderation.image(Image.new("RGB", (64, 64), (128, 128, 128))))
    assert blank.data.final_conclusion == "Unknown" and "uniform" in blank.data.result


def test_words_embedded_in_an_image_are_checked(client, tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", "Free money, order now!")
    path = tmp_path / "ad.png"
    noisy((40, 90, 160)).save(path, pnginfo=info)
    result = analysis(client.moderation.image(path))
    assert "advertising" in labels(result)
    assert "text embedded in the image matched" in result.data.result


def test_a_non_animated_gif_is_accepted_and_an_animated_one_refused(client, sim, tmp_path):
    still = io.BytesIO()
    noisy((30, 160, 60)).save(still, format="GIF")
    assert analysis(client.moderation.image(still.getvalue())).data.final_conclusion == "Compliant"

    frames = [noisy((30, 160, 60), seed=i) for i in range(2)]
    animated = io.BytesIO()
    frames[0].save(animated, format="GIF", save_all=True, append_images=frames[1:])
    (tmp_path / "anim.gif").write_bytes(animated.getvalue())
    with pytest.raises(ak.InvalidParameterError, match="animated GIF"):
        client.moderation.image(tmp_path / "anim.gif")
    url = upload(client, "anim.gif", animated.getvalue(), "image/gif")  # by URL only the service can tell
    with pytest.raises(ak.JobFailedError) as info:
        client.moderation.image(url).wait(timeout=30)
    assert info.value.code == 1212 and "animated GIF" in str(info.value)


# -- audio and video -------------------------------------------------------------------------------------
def test_speech_made_offline_is_checked_by_its_words(client):
    speech = client.tts.create(text="Stop or I will shoot.", voice_id=client.voices.list()[0]).wait(timeout=30)
    result = analysis(client.moderation.audio(speech))
    assert result.data.final_conclusion == "Non-Compliant" and "violence" in labels(result)
    assert "made this speech from 'Stop or I will shoot.'" in result.data.result


def test_silence_is_flagged_and_unknown_speech_is_not_judged(client, tmp_path):
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "1.5", str(tmp_path / "quiet.wav"))
    quiet = analysis(client.moderation.audio(tmp_path / "quiet.wav"))
    assert quiet.data.final_conclusion == "Non-Compliant" and labels(quiet) >= {"silent audio"}
    assert "of 1.5 s of the audio is below -50 dBFS" in quiet.data.result

    ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=16000", "-t", "1", str(tmp_path / "tone.mp3"))
    tone = analysis(client.moderation.audio(tmp_path / "tone.mp3"))
    assert tone.data.final_conclusion == "Unknown" and "not transcribed offline" in tone.data.result


def test_video_frames_and_sound_are_checked(client, tmp_path):
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-f", "lavfi", "-i",
           "sine=frequency=300:sample_rate=16000", "-t", "1", "-pix_fmt", "yuv420p", "-shortest",
           str(tmp_path / "clip.mp4"))
    clip = analysis(client.moderation.video(tmp_path / "clip.mp4"))
    assert clip.data.final_conclusion == "Compliant"
    assert "160x120, 1.0 s; 4 frames checked" in clip.data.result and "sound track" in clip.data.result

    ffmpeg("-f", "lavfi", "-i", "color=c=0xC81010:size=96x64:rate=5", "-t", "1", "-pix_fmt", "yuv420p",
           str(tmp_path / "red.mp4"))
    red = analysis(client.moderation.video(tmp_path / "red.mp4"))
    assert "violence" in labels(red) and "the frame at" in red.data.result and "no sound track" in red.data.result

    ffmpeg("-f", "lavfi", "-i", "color=c=gray:size=1920x1200:rate=1", "-t", "1", "-c:v", "libx264", "-preset",
           "ultrafast", "-pix_fmt", "yuv420p", str(tmp_path / "big.mp4"))
    with pytest.raises(ak.JobFailedError, match="1920x1200; Jarvis takes video up to 1080p"):
        client.moderation.video(tmp_path / "big.mp4").wait(timeout=30)


# -- the job: result endpoint, failures, webhook, async -----------------------------------------------------
def test_result_endpoint_and_unknown_ids(client, sim):
    job = client.moderation.text("hello there")
    job.wait(timeout=30)
    record = client.moderation.result(job.id)
    assert isinstance(record, Analysis)
    assert record.id == job.id and record.status == 3 and record.final_conclusion == "Compliant"
    assert control(sim, "requests")[-1]["query"] == {"_id": job.id}
    with pytest.raises(ak.NotFoundError) as info:
        client.moderation.result("0" * 24)
    assert info.value.code == 1008
    with pytest.raises(ak.InvalidRequestError, match="_id is required"):
        client._request(APIRequest("GET", INFO))
    with pytest.raises(ak.InvalidParameterError):
        client.moderation.result("")


def test_a_failed_analysis_raises_with_code_1212(client, sim):
    control(sim, "faults", {"fail_next_jobs": 1, "path_contains": "analysis/sentiment"})
    job = client.moderation.text("anything")
    with pytest.raises(ak.JobFailedError) as info:
        job.wait(timeout=30)
    assert info.value.code == 1212 and info.value.job_id == job.id


def test_unreachable_content_fails_the_job(client, sim):
    job = client.moderation.image(f"{sim.base_url}/_sim/files/nothing-here.png")
    with pytest.raises(ak.JobFailedError, match="could not fetch content"):
        job.wait(timeout=30)


def test_webhook_carries_the_analysis_status(client, sim, hook_server):
    url, received = hook_server
    job = client.moderation.text("Click here", webhook_url=url)
    assert last_body(sim, SENTIMENT)["webhookUrl"] == url
    job.wait(timeout=30)
    decoded = webhooks(sim, received, until=lambda ds: any(d["status"] == 3 for d in ds))
    assert [d["status"] for d in decoded] == [2, 3]
    assert {d["_id"] for d in decoded} == {job.id} and {d["type"] for d in decoded} == {"sentiment analysis"}


@pytest.mark.anyio
async def test_async_client_moderates_too(aclient):
    job = await aclient.moderation.text("shut up, loser")
    result = await job.wait(timeout=30)
    assert result.data.final_conclusion == "Non-Compliant" and "cyberbullying" in labels(result)


# -- validation before any request ----------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda c: c.moderation.analyze("hi", 5), "type: 5 is not a content type"),
    (lambda c: c.moderation.analyze("hi", "pdf"), "type: 'pdf' is not a content type"),
    (lambda c: c.moderation.text("   "), "text (sent as content): is empty"),
    (lambda c: c.moderation.text(b"raw bytes"), "text (sent as content): cannot use a bytes as text"),
    (lambda c: c.moderation.text("hello", language="eng"), "language='eng': is not an ISO-639-1 code"),
    (lambda c: c.moderation.text("hello", webhook_url="ftp://x"), "webhook_url='ftp://x': is not an http(s) URL"),
    (lambda c: c.moderation.text("https://example.com/page.html"), "a URL of type .html is not accepted for text"),
    (lambda c: c.moderation.image("https://example.com/photo.bmp"), "a URL of type .bmp is not accepted for image"),
    (lambda c: c.moderation.audio("https://example.com/talk.txt"), "a URL of type .txt is not accepted for audio"),
    (lambda c: c.moderation.video("https://example.com/clip.mov"), "a URL of type .mov is not accepted for video"),
    (lambda c: c.moderation.video("clip.mkv"), "a file of type .mkv is not accepted for video"),
    (lambda c: c.moderation.image("missing.png"), "image (sent as content): file not found"),
    (lambda c: c.moderation.audio(Image.new("RGB", (4, 4))), "got an image, but this needs audio"),
    (lambda c: c.moderation.image(b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 1024 * 1024)), "Jarvis takes image up to 20MB"),
    (lambda c: c.moderation.audio(b"ID3" + b"\0" * (25 * 1024 * 1024)), "Jarvis takes audio up to 25MB"),
])
def test_bad_input_is_refused_before_any_request(client, sim, call, message):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError) as info:
        call(client)
    assert message in str(info.value)
    assert control(sim, "stats")["requests"] == 0


def test_local_files_over_the_limits_are_refused_without_reading_them(client, tmp_path):
    for name, size, message in [
        ("huge.png", 20 * 1024 * 1024 + 1, "'huge.png' is 20.0MB; Jarvis takes image up to 20MB"),
        ("long.mp4", 1024 ** 3 + 1, "'long.mp4' is 1024.0MB; Jarvis takes video up to 1GB"),
    ]:
        path = tmp_path / name
        with open(path, "wb") as f:
            f.truncate(size)  # sparse: no disk space used
        kind = client.moderation.image if name.endswith(".png") else client.moderation.video
        with pytest.raises(ak.InvalidParameterError, match=message):
            kind(path)


# -- the service's own validation (raw bodies) -----------------------------------------------------------------
@pytest.mark.parametrize("body, message", [
    ({"content": "hi"}, "type is required"),
    ({"type": 5, "content": "hi"}, "type must be 1, 2, 3 or 4"),
    ({"type": "4", "content": "hi"}, "type must be an integer"),
    ({"type": 4}, "content is required"),
    ({"type": 4, "content": "  "}, "content must not be empty"),
    ({"type": 1, "content": "a picture of a cat"}, "content must be an http(s) URL when type is 1 (image)"),
    ({"type": 3, "content": "https://x.example/a.png"}, "content must be a audio URL"),
    ({"type": 4, "content": "https://x.example/a.html"}, "content must be a text URL"),
    ({"type": 4, "content": "hi", "language": "english"}, "language must be an ISO-639-1 code"),
    ({"type": 4, "content": "hi", "webhookUrl": "ftp://x"}, "webhookUrl must be an http(s) URL or empty"),
    ({"type": 4, "content": "hi", "input": 3}, "input must be a string"),
])
def test_service_answers_1003_naming_the_field(client, body, message):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", SENTIMENT, json=body))
    assert info.value.code == 1003 and message in str(info.value)


def test_create_answer_has_the_documented_fields(client):
    data = client._request(APIRequest("POST", SENTIMENT, json={"type": 4, "content": "hello", "webhookUrl": ""}))
    assert set(data) >= {"create_time", "uid", "type", "status", "webhookUrl", "result", "_id", "__v"}
    assert data["status"] == 1 and data["result"] == "" and data["type"] == 4


# -- contract: the docs' example bodies go on the wire unchanged -------------------------------------------------
def test_sentiment_examples(client, sim):
    # Catalog B.15.1: the example body is JSONC ("type":1, // 1:image ...); without its comment it reads as
    # below. The Java / JS / PHP / Python samples send it without webhookUrl.
    url = "https://drz0f01yeq1cx.cloudfront.net/1714023431475-food.jpg"
    for body in ({"type": 1, "content": url, "webhookUrl": ""}, {"type": 1, "content": url}):
        client.moderation.analyze(body["content"], body["type"], webhook_url=body.get("webhookUrl"))
        assert last_body(sim, SENTIMENT) == body


def test_infobyid_example(client, sim):
    with pytest.raises(ak.NotFoundError):  # curl '.../analysis/infobyid?_id=662e20b93baa7aa53169a325'
        client.moderation.result("662e20b93baa7aa53169a325")
    assert control(sim, "requests")[-1]["query"] == {"_id": "662e20b93baa7aa53169a325"}
