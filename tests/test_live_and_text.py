"""Live face swap (catalog §B.18) against the offline Akool over loopback HTTP.

A session's ``faceswap_status``: 1 queuing → 2 processing (Agora can be joined) → 3 once closed; a face that
cannot be read (or landmarks outside it) → 4. No status endpoint is documented (§F.50): the offline Akool
reports the current state in its update/close answers (an addition to the documented ``{code, msg}``), and
renders a SIMULATED preview of the faces it would swap in, cropped around their landmarks.
"""
from __future__ import annotations

import io
import time

import httpx
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.live import FaceswapStatus, LiveFaceswapSession
from akool_nb.sim.api import live_faceswap as sim_live_faceswap

from .docs_examples import example
from .simctl import control, last_body
from .test_streaming import stalled  # noqa: F401  (fixture: inputs answered only after release())

LF = "/api/open/v3/faceswap/live"
OPTS = "113,103:143,103:131,118:128,128"  # eyes, nose, mouth of the 256 px sample portrait


@pytest.fixture
def face(tmp_path):
    path = tmp_path / "face.png"
    ak.samples.portrait(path, size=256)
    return path


@pytest.fixture
def opened(client):
    made: list[LiveFaceswapSession] = []
    yield made
    for session in made:
        try:
            client.live_faceswap.close(session)
        except ak.APIError:
            pass


def service_status(sim, session, wanted: int, timeout: float = 10.0) -> int:
    """Wait until the offline Akool holds the session in state ``wanted``. There is no status endpoint to poll
    (§F.50), and every update changes the session, so the test looks into the in-process service instead."""
    deadline = time.monotonic() + timeout
    while True:
        job = sim.state.store.get_job(session.id if hasattr(session, "id") else session)
        status = sim_live_faceswap.faceswap_status(sim.state, job)
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.02)


def until_live(client, sim, session, face, opts=OPTS) -> LiveFaceswapSession:
    assert service_status(sim, session, 2) == 2
    return client.live_faceswap.update(session, face, opts=opts)  # the answer reports the state


def image_at(url: str) -> Image.Image:
    r = httpx.get(url, timeout=30)
    assert r.status_code == 200, url
    return Image.open(io.BytesIO(r.content))


def test_queuing_processing_update_closed(client, sim, face, opened):
    session = client.live_faceswap.create(face, opts=OPTS)
    opened.append(session)
    sent = last_body(sim, f"{LF}/create")
    assert sent == {"sourceImage": [{"path": sent["sourceImage"][0]["path"], "opts": OPTS}]}
    assert sent["sourceImage"][0]["path"].startswith(sim.base_url)  # the local face was uploaded
    assert session.faceswap_status == 1 and session.state is FaceswapStatus.QUEUING  # 1 queuing
    assert session.channel_id and session.front_user_id == "1" and session.algorithm_user_id == "3"
    assert session.front_rtc_token.startswith("SIMULATED") and session.app_id == ""

    live = until_live(client, sim, session, face)  # 1 → 2
    assert live.live and live.faceswap_status == 2 and live.channel_id == session.channel_id
    assert last_body(sim, f"{LF}/update") == {"_id": session.id,
                                              "sourceImage": [{"path": sent["sourceImage"][0]["path"], "opts": OPTS}]}
    first = live.model_extra["preview_url"]
    preview = image_at(first)
    assert preview.width >= 240  # a labelled crop around the landmarks

    swapped = client.live_faceswap.update(live, face, opts="60,60:90,60:75,80:75,95")  # 2 → 2, other face
    assert swapped.faceswap_status == 2  # still live while the new face is prepared
    deadline = time.monotonic() + 10
    while sim.state.store.get_job(session.id)["media_state"] != "done" and time.monotonic() < deadline:
        time.sleep(0.02)
    closed = client.live_faceswap.close(swapped)  # 2 → 3
    assert closed.model_extra["preview_url"] != first and closed.model_extra["preview_url"].endswith("faces_2.png")
    assert image_at(closed.model_extra["preview_url"]).tobytes() != preview.tobytes()

    assert closed.faceswap_status == 3 and closed.state.label == "closed" and closed.channel_id == session.channel_id
    assert last_body(sim, f"{LF}/close") == {"_id": session.id}
    for call, message in [(lambda: client.live_faceswap.update(closed, face, opts=OPTS), "is closed"),
                          (lambda: client.live_faceswap.close(closed), "is already closed")]:
        with pytest.raises(ak.InvalidRequestError) as info:
            call()
        assert info.value.code == 1003 and "_id" in str(info.value) and message in str(info.value)


def test_closing_while_queuing(client, sim, face, stalled):
    session = client.live_faceswap.create(stalled.url("face.png", face.read_bytes()), opts=OPTS)
    assert session.faceswap_status == 1
    assert service_status(sim, session, 1) == 1  # the face is still being fetched
    assert client.live_faceswap.close(session.id).faceswap_status == 3  # 1 → 3
    stalled.release()
    assert service_status(sim, session, 3) == 3


def test_landmarks_outside_the_face_image_fail_the_session(client, sim, face):
    session = client.live_faceswap.create(face, opts="10,10:20,10:15,20:900,900")
    assert service_status(sim, session, 4) == 4  # 1 → 4
    with pytest.raises(ak.InvalidRequestError) as info:  # an update names the reason
        client.live_faceswap.update(session, face, opts=OPTS)
    assert "failed" in str(info.value) and "lies outside the 256x256 image" in str(info.value)
    closed = client.live_faceswap.close(session)  # a failed session can still be closed; it stays failed
    assert closed.faceswap_status == 4 and closed.model_extra["error_code"] == 1016


def test_a_bad_face_in_an_update_fails_the_live_session(client, sim, face):
    session = until_live(client, sim, client.live_faceswap.create(face, opts=OPTS), face)
    assert session.faceswap_status == 2
    client.live_faceswap.update(session, f"{sim.base_url}/_sim/files/gone.png", opts=OPTS)
    assert service_status(sim, session, 4) == 4  # 2 → 4
    with pytest.raises(ak.InvalidRequestError, match="could not fetch sourceImage.0..path"):
        client.live_faceswap.update(session, face, opts=OPTS)
    assert client.live_faceswap.close(session).faceswap_status == 4


def test_several_faces_and_the_quota(client, sim, face, opened, monkeypatch):
    faces = [{"path": face, "opts": OPTS}, {"path": str(face), "opts": "60,60:90,60:75,80:75,95"}]
    session = client.live_faceswap.create(faces)
    opened.append(session)
    assert [i["opts"] for i in last_body(sim, f"{LF}/create")["sourceImage"]] == [OPTS, "60,60:90,60:75,80:75,95"]
    monkeypatch.setattr(sim_live_faceswap, "MAX_LIVE_FACESWAP", 1)  # this session uses the whole (offline) quota
    with pytest.raises(ak.QuotaError) as info:
        client.live_faceswap.create(face, opts=OPTS)
    assert info.value.code == 1104 and "Insufficient quota" in str(info.value)
    client.live_faceswap.close(session)
    opened.append(client.live_faceswap.create(face, opts=OPTS))  # closing gave the quota back


def test_unknown_sessions_are_a_parameter_error(client, face):
    for call in (lambda: client.live_faceswap.update("0" * 24, face, opts=OPTS),
                 lambda: client.live_faceswap.close("0" * 24)):
        with pytest.raises(ak.InvalidRequestError) as info:
            call()
        assert info.value.code == 1003 and "is not a live face swap session" in str(info.value)


@pytest.mark.anyio
async def test_async_live_faceswap(aclient, face):
    session = await aclient.live_faceswap.create(face, opts=OPTS)
    assert session.faceswap_status == 1
    assert (await aclient.live_faceswap.close(session)).faceswap_status == 3


# -- validation before any request ------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda c, f: c.live_faceswap.create(f), "opts: is required"),
    (lambda c, f: c.live_faceswap.create(f, opts="1,2:3,4"), "is not 4 landmark points"),
    (lambda c, f: c.live_faceswap.create(f, opts="a,b:c,d:e,f:g,h"), "is not 4 landmark points"),
    (lambda c, f: c.live_faceswap.create([]), "source_image: needs at least one face image"),
    (lambda c, f: c.live_faceswap.create([{"path": f, "opts": OPTS}], opts=OPTS), "opts: give opts inside each"),
    (lambda c, f: c.live_faceswap.create(["face.png"]), "source_image[0]='face.png': must be a dict"),
    (lambda c, f: c.live_faceswap.create("https://x.com/face.gif", opts=OPTS), "source_image: .gif files"),
    (lambda c, f: c.live_faceswap.create("nothere.png", opts=OPTS), "source_image: file not found"),
    (lambda c, f: c.live_faceswap.update("", f, opts=OPTS), "session='' (sent as _id): is empty"),
    (lambda c, f: c.live_faceswap.close(None), "session=None (sent as _id): must be the live session _id"),
])
def test_bad_input_is_refused_before_any_request(client, sim, face, call, message):
    control(sim, "reset", {})
    with pytest.raises(ak.InvalidParameterError) as info:
        call(client, face)
    assert message in str(info.value)
    assert control(sim, "stats")["requests"] == 0


@pytest.mark.parametrize("path, body, message", [
    ("create", {}, "sourceImage is required"),
    ("create", {"sourceImage": []}, "sourceImage must not be empty"),
    ("create", {"sourceImage": {"path": "x"}}, "sourceImage must be an array"),
    ("create", {"sourceImage": [{"opts": OPTS}]}, "sourceImage[0].path is required"),
    ("create", {"sourceImage": [{"path": "face.png", "opts": OPTS}]}, "sourceImage[0].path must be an http(s) URL"),
    ("create", {"sourceImage": [{"path": "https://x.com/f.png"}]}, "sourceImage[0].opts is required"),
    ("create", {"sourceImage": [{"path": "https://x.com/f.png", "opts": "1,2"}]}, "sourceImage[0].opts must match"),
    ("update", {"sourceImage": [{"path": "https://x.com/f.png", "opts": OPTS}]}, "_id is required"),
    ("close", {}, "_id is required"),
])
def test_service_answers_1003_naming_the_field(client, path, body, message):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", f"{LF}/{path}", json=body))
    assert info.value.code == 1003 and message in str(info.value)


# -- contract: the docs' example bodies go on the wire unchanged -------------------------------------------------
def test_create_example(client, sim):
    body = example("#### B.18.1")
    session = client.live_faceswap.create(body["sourceImage"])
    assert last_body(sim, f"{LF}/create") == body
    assert session.faceswap_status == 1 and set(session.model_dump(by_alias=True)) >= {
        "_id", "faceswap_status", "front_user_id", "algorithm_user_id", "front_rtc_token", "channel_id", "app_id"}
    client.live_faceswap.close(session)


def test_update_example(client, sim):
    body = example("#### B.18.2")
    with pytest.raises(ak.InvalidRequestError):  # the example's session does not exist offline
        client.live_faceswap.update(body["_id"], body["sourceImage"])
    assert last_body(sim, f"{LF}/update") == body


def test_close_example(client, sim):
    body = {"_id": "685ea0bb5aa150dd8b7116b1"}  # catalog B.18.3, verbatim
    with pytest.raises(ak.InvalidRequestError):
        client.live_faceswap.close(body["_id"])
    assert last_body(sim, f"{LF}/close") == body
