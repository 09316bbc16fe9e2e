"""The contract as data (akool_nb/spec/): each documented limit is written once, and client and service agree on it.

* A stray copy of a documented limit anywhere else in akool_nb/ fails (numbers are read as Python tokens, so
  prose in docstrings and comments may still name them).
* Each request model's limits, just inside and just outside, go through the client's model and then, as the
  same wire body, to the offline Akool: the client refuses => the service refuses too (and a refused call
  sends nothing); the client accepts => the service accepts.
"""
from __future__ import annotations

import copy
import io
import json
import re
import tokenize
from pathlib import Path

import httpx
import pytest

import akool_nb as ak
from akool_nb import spec
from akool_nb._exceptions import InvalidParameterError
from akool_nb.models.faceswap import FaceswapImageRequest
from akool_nb.models.images import BackgroundChangeRequest
from akool_nb.models.live import SessionCreateRequest
from akool_nb.models.video import TalkingAvatarRequest
from akool_nb.models.voices import TTSRequest, VoiceChangeRequest

from .conftest import API_KEY

PACKAGE = Path(ak.__file__).resolve().parent
# Modules the concurrent sim/ re-layout (issue 9 item 2) is moving; they switch to akool_nb.spec once moved.
# Each keeps exactly the literals it has today: a new copy anywhere still fails.
PENDING = {"sim/jobs.py": 8, "sim/media.py": 1, "sim/media_image.py": 1}
CANVAS_NUMBERS = {str(n) for n in spec.TALKING_AVATAR_CANVAS}
SPEED_BOUNDS = {repr(spec.TTS_SPEED[0]), repr(spec.LIVE_VOICE_SPEED[0])}
GRAMMARS = (r"[0-9a-fA-F]{6}", r"\d+,\d+(?::", "{_NUM}\\s*,")  # hex colour and landmarks_str regexes


def _stray(path: Path) -> list[str]:
    found = []
    tokens = list(tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline))
    numbers = [(i, t) for i, t in enumerate(tokens) if t.type == tokenize.NUMBER]
    for n, (i, tok) in enumerate(numbers):
        if tok.string in CANVAS_NUMBERS:
            found.append(f"line {tok.start[0]}: {tok.string} (the talking-avatar canvas: spec.TALKING_AVATAR_CANVAS)")
        if tok.string in SPEED_BOUNDS and n + 1 < len(numbers):  # a speed range: lo followed closely by hi
            j, nxt = numbers[n + 1]
            if nxt.string == repr(spec.TTS_SPEED[1]) and j - i <= 6:
                found.append(f"line {tok.start[0]}: {tok.string}..{nxt.string} (a speed range: spec.audio)")
        if tok.string == "8" and "FACES" in tokens[i - 2].string:
            found.append(f"line {tok.start[0]}: faces per request (spec.MAX_FACES)")
    for tok in tokens:
        if tok.type == tokenize.STRING and any(g in tok.string for g in GRAMMARS):
            found.append(f"line {tok.start[0]}: a grammar regex (spec.common.HEX_COLOUR / spec.faceswap)")
    return found


def test_each_documented_limit_is_written_once_in_the_spec():
    problems, pending = [], {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("spec/"):
            continue
        found = _stray(path)
        if rel in PENDING:
            pending[rel] = len(found)
            if len(found) > PENDING[rel]:
                problems.append(f"{rel}: {len(found) - PENDING[rel]} new copies: {found}")
        elif found:
            problems += [f"{rel} {f}" for f in found]
    assert not problems, "documented limits written outside akool_nb/spec/:\n" + "\n".join(problems)
    # The allowance shrinks as the sim modules move: a pending file that lost its copies must leave the list.
    stale = {rel: n for rel, n in pending.items() if n < PENDING[rel]}
    assert not stale, f"update PENDING in this test (fewer copies now): {stale}"


def test_the_stray_literal_check_can_fail(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("W, H = 3840, 2160\nspeed = Field(None, ge=0.7, le=1.2)\nMAX_FACES = 8\nC = r'^#[0-9a-fA-F]{6}$'\n"
                   '"""prose may say 3840x2160 and 0.7 to 1.2"""\n')
    assert len(_stray(bad)) == 5


# ----------------------------------------------------------------------------------------- boundaries
VOICE = "6889b628662160e2caad5dbc"
OPTS = "262,175:363,175:313,215:272,279"
TTS = {"input_text": "Hello", "voice_id": VOICE, "voice_options": {"speed": 1.0}}
CHANGE = {"voice_id": VOICE, "source_voice_file": "https://example.com/voice.mp3", "voice_options": {"speed": 1}}
TA = {"width": 3840, "height": 2160, "avatar_from": 3, "elements": [
    {"type": "image", "url": "#00ff00", "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1, "offset_x": 0,
     "offset_y": 0},
    {"type": "avatar", "url": "https://example.com/a.mp4", "width": 1080, "height": 1080, "scale_x": 1,
     "scale_y": 1, "offset_x": 1920, "offset_y": 1080},
    {"type": "audio", "input_text": "Hi", "voice_id": VOICE}]}
BG = {"canvas_size": "800x600", "origin_img": "https://example.com/p.png", "modify_origin_img_size": "400x300",
      "overlay_origin_x": 0, "overlay_origin_y": 0, "color_code": "#aafbe3"}
SWAP = {"targetImage": [{"path": "https://example.com/t.png", "opts": OPTS}],
        "sourceImage": [{"path": "https://example.com/s.png", "opts": OPTS}],
        "modifyImage": "https://example.com/m.png", "face_enhance": 0}


def _set(body: dict, path: str, value):
    out = copy.deepcopy(body)
    *parents, last = re.split(r"\.", path)
    node = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return out


def _faces(n: int) -> dict:
    return {**SWAP, "targetImage": SWAP["targetImage"] * n, "sourceImage": SWAP["sourceImage"] * n}


lo, hi = spec.TTS_SPEED
live_lo, live_hi = spec.LIVE_VOICE_SPEED
W, H = spec.TALKING_AVATAR_CANVAS
# (model, path, body, field, values just inside, values just outside)
LIMITS = [
    (TTSRequest, "/api/open/v4/voice/tts", TTS, "voice_options.speed", [lo, hi, 1], [lo - 0.01, hi + 0.01, 0]),
    (VoiceChangeRequest, "/api/open/v4/voice/change", CHANGE, "voice_options.speed", [lo, hi], [lo - 0.01, hi + 0.01]),
    (TalkingAvatarRequest, "/api/open/v3/talkingavatar/create", TA, "width", [W], [W - 1, W + 1, H]),
    (TalkingAvatarRequest, "/api/open/v3/talkingavatar/create", TA, "height", [H], [H - 1, H + 1, W]),
    (TalkingAvatarRequest, "/api/open/v3/talkingavatar/create", TA, "elements.1.type", ["avatar"], ["video", "clip"]),
    (TalkingAvatarRequest, "/api/open/v3/talkingavatar/create", TA, "elements.0.url",
     ["#abc", "#00FF00", "https://example.com/bg.png"], ["#abcd", "#00ff0", "not a link"]),
    (BackgroundChangeRequest, "/api/open/v3/content/image/bg/replace", BG, "color_code",
     ["#abc", "#aafbe3"], ["#abcd", "#aafbe", "#gggggg"]),
    (FaceswapImageRequest, "/api/open/v3/faceswap/highquality/specifyimage", SWAP, "targetImage.0.opts",
     [OPTS, "1.5,2:3,4:5,6:7,8"], ["1,2:3,4:5,6", "1,2;3,4;5,6;7,8", "a,b:c,d:e,f:g,h"]),
    (FaceswapImageRequest, "/api/open/v3/faceswap/highquality/specifyimage", SWAP, "webhookUrl",
     ["", "https://example.com/hook"], ["ftp://example.com/hook", "example.com/hook", "https://"]),
    (TTSRequest, "/api/open/v4/voice/tts", TTS, "webhookUrl",
     ["", "http://127.0.0.1:9/hook"], ["hook", "https://example.com/a b", "https://x/" + "a" * spec.URL_MAX_CHARS]),
]
CASES = [pytest.param(model, path, _set(body, field, value), inside, id=f"{model.__name__}.{field}={value!r:.40}")
         for model, path, body, field, good, bad in LIMITS
         for inside, values in ((True, good), (False, bad)) for value in values]
CASES += [pytest.param(FaceswapImageRequest, "/api/open/v3/faceswap/highquality/specifyimage", _faces(n),
                       n <= spec.MAX_FACES, id=f"faceswap.faces={n}") for n in (spec.MAX_FACES, spec.MAX_FACES + 1)]


@pytest.fixture(scope="module")
def api(sim):
    with httpx.Client(base_url=sim.base_url, headers={"x-api-key": API_KEY}, timeout=30) as c:
        yield c


@pytest.mark.parametrize("model,path,body,inside", CASES)
def test_client_and_service_agree_on_each_limit(api, model, path, body, inside):
    try:
        wire = model.build(**body).to_wire()
        client_accepts = True
    except InvalidParameterError as exc:
        client_accepts = False
        assert exc.param and str(exc), exc
        wire = body
    answer = api.post(path, json=wire).json()
    assert client_accepts is inside, f"the client {'refused' if inside else 'accepted'} {json.dumps(body)[:200]}"
    if inside:
        assert answer["code"] == 1000, f"the client accepts but the service refuses: {answer}"
    else:
        assert answer["code"] != 1000, f"the client refuses but the service accepts: {json.dumps(wire)[:200]}"


@pytest.mark.parametrize("value,inside", [(live_lo, True), (live_hi, True), (live_lo - 0.01, False),
                                          (live_hi + 0.01, False)])
def test_streaming_voice_speed_agrees(api, value, inside):
    listed = api.get("/api/open/v4/liveAvatar/avatar/list").json()["data"]
    avatar_id = (listed.get("result") or listed.get("list"))[0]["avatar_id"]
    body = {"avatar_id": avatar_id, "voice_params": {"speed": value}}
    try:
        SessionCreateRequest.build(**body)
        client_accepts = True
    except InvalidParameterError:
        client_accepts = False
    assert client_accepts is inside
    answer = api.post("/api/open/v4/liveAvatar/session/create", json=body).json()
    assert (answer["code"] == 1000) is inside, answer
    if inside:  # the account runs a few sessions at once: close this one
        api.post("/api/open/v4/liveAvatar/session/close", json={"id": answer["data"]["_id"]})


def test_a_refused_limit_sends_nothing_through_the_public_client(client, sim):
    before = sim.stats()["requests"]
    with pytest.raises(InvalidParameterError, match=r"speed.*between 0\.7 and 1\.2"):
        client.tts.create("Hello", VOICE, speed=spec.TTS_SPEED[1] + 0.01)
    elements = copy.deepcopy(TA["elements"])
    elements[1]["type"] = "video"
    with pytest.raises(InvalidParameterError, match="type='avatar'"):
        client.talking_avatar.create(elements)
    assert sim.stats()["requests"] == before


def test_the_composer_sends_a_video_as_an_avatar_element_the_service_accepts(api):
    from akool_nb.widgets.composer import TalkingAvatarComposer

    composer = TalkingAvatarComposer()
    composer.add_image("#1d3557")
    composer.add_video("https://example.com/presenter.mp4")
    composer.add_speech("Hello", VOICE)
    body = composer.payload
    assert [e["type"] for e in body["elements"]] == ["image", "avatar", "audio"]
    wire = TalkingAvatarRequest.build(**body).to_wire()
    assert api.post("/api/open/v3/talkingavatar/create", json=wire).json()["code"] == 1000
