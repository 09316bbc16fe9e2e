"""Contract: for each valid-JSON example request body in the docs, the typed client method called with the
equivalent arguments puts the same JSON on the wire (as recorded by the offline Akool)."""
from __future__ import annotations

import pytest

from .docs_examples import example
from .simctl import last_body


def test_talking_photo_example(client, sim):
    body = example("#### B.2.1")
    client.talking_photo.create(photo=body["talking_photo_url"], audio=body["audio_url"],
                                resolution=body["resolution"], webhook_url=body["webhookUrl"])
    assert last_body(sim, "/api/open/v3/content/video/createbytalkingphoto") == body


def test_talking_avatar_example(client, sim):
    body = example("#### B.3.2")
    elements = [dict(e) for e in body["elements"]]
    client.talking_avatar.create(elements, avatar_from=body["avatar_from"], webhook_url=body["webhookUrl"],
                                 width=body["width"], height=body["height"])
    sent = last_body(sim, "/api/open/v3/talkingavatar/create")
    assert sent == body
    assert sent["elements"][0]["width"] == 780 and isinstance(sent["elements"][0]["width"], int)


def test_tts_v4_example(client, sim):
    body = example("#### B.5.2")
    client.tts.create(text=body["input_text"], voice_id=body["voice_id"], **body["voice_options"],
                      pitch=body["pitch"], webhook_url=body["webhookUrl"], language_code=body["language_code"],
                      extra_options=body["extra_options"])
    assert last_body(sim, "/api/open/v4/voice/tts") == body


def test_avatar_upload_example(client, sim):
    body = {"url": "https://drz0f01yeq1cx.cloudfront.net/1721197444322-leijun000.mp4",
            "avatar_id": "HHdEKhn7k7vVBlR5FSi0e", "name": "My Talking Avatar", "type": 1}  # catalog B.3.5 (cURL)
    client.avatars.create(body["url"], avatar_id=body["avatar_id"], name=body["name"], type=body["type"])
    assert last_body(sim, "/api/open/v3/avatar/create") == body


def test_tts_v3_example(client, sim):
    body = {"input_text": "Hello from the docs", "voice_id": "LcfcDJNUP1GQjkzn1xUU", "rate": "100%",
            "webhookUrl": ""}  # catalog B.4.2 [SUPPLEMENT] example (input text shortened)
    client.tts.create_v3(text=body["input_text"], voice_id=body["voice_id"], rate=body["rate"],
                         webhook_url=body["webhookUrl"])
    assert last_body(sim, "/api/open/v3/audio/create") == body


@pytest.mark.parametrize("heading", ["#### B.2.1", "#### B.3.2", "#### B.5.2"])
def test_examples_are_found_in_the_docs(heading):
    assert isinstance(example(heading), dict)
