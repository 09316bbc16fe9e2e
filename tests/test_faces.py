"""Face detection against the offline Akool over real HTTP: a real detector on real photos (the astronaut of
scikit-image, Grace Hopper of matplotlib), the documented 6 landmarks and their order, several faces,
single_face, no face, videos frame by frame, face crops, analyze_frames persons, the legacy /detect on its
own (configurable) host, validation before any request, the service's error answers, and the docs' example
request bodies sent exactly."""
from __future__ import annotations

import io
import math
from pathlib import Path

import httpx
import numpy as np
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.models.faces import FaceDetection
from akool_nb.sim import engines as fe

from .conftest import API_KEY
from .simctl import control, last_body

DETECT = "/interface/detect-api/detect_faces"
ANALYZE = "/interface/detect-api/faceswap/analyze_frames"


# -- helpers (also used by test_faceswap) -----------------------------------------------------------------
def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def upload(sim, img: Image.Image, name: str) -> str:
    """Host a picture on the offline Akool (what an asset host does) and return its URL."""
    r = httpx.post(f"{sim.base_url}/_sim/assets", params={"filename": name}, content=png(img),
                   headers={"x-api-key": API_KEY})
    return r.json()["data"]["url"]


def download(url: str) -> Image.Image:
    r = httpx.get(url)
    r.raise_for_status()
    return Image.open(io.BytesIO(r.content)).convert("RGB")


def face_clip(path: Path, frames: list[Image.Image], fps: int = 4) -> Path:
    """An MP4 of the given frames (same size), ``fps`` frames per second."""
    from akool_nb.sim.media import _X264, _ffmpeg

    w, h = frames[0].size
    _ffmpeg(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-framerate", str(fps), "-i", "-", *_X264,
             str(path)], frames=(f.convert("RGB").tobytes() for f in frames))
    return path


@pytest.fixture(scope="module")
def photos(sim):
    astronaut, grace, group = fe.sample_photo("astronaut"), fe.sample_photo("grace_hopper"), fe.sample_group()
    return {
        "astronaut": astronaut, "grace": grace, "group": group,
        "astronaut_url": upload(sim, astronaut, "astronaut.png"), "grace_url": upload(sim, grace, "grace.png"),
        "group_url": upload(sim, group, "group.png"),
    }


def near(point, expected, tolerance=8.0) -> bool:
    return math.dist(point, expected) <= tolerance


# -- detection on real photos ----------------------------------------------------------------------------------
def test_landmarks_are_on_the_real_face_in_the_documented_order(client, photos):
    det = client.faces.detect(photos["astronaut_url"])
    assert isinstance(det, FaceDetection) and det.error_code == 0 and len(det.faces) == 1
    face = det.face
    # Measured by hand on the photo (512×512): eyes, nose tip and mouth of Eileen Collins.
    assert near(face.left_eye, (203, 102)) and near(face.right_eye, (246, 104))
    assert near(face.nose, (225, 127)) and near(face.mouth_center, (224, 148))
    # Documented order: left eye, right eye, nose tip, mouth centre, left corner, right corner ("left" = image left).
    assert face.landmarks == (face.left_eye, face.right_eye, face.nose, face.mouth_center, face.mouth_left,
                              face.mouth_right)
    assert face.left_eye[0] < face.right_eye[0] and face.mouth_left[0] < face.mouth_right[0]
    assert max(face.left_eye[1], face.right_eye[1]) < face.nose[1] < face.mouth_center[1]
    assert face.mouth_left[0] < face.mouth_center[0] < face.mouth_right[0]
    assert face.mouth_center[0] == pytest.approx((face.mouth_left[0] + face.mouth_right[0]) / 2, abs=1)
    # landmarks_str: the first four points, "x,y:x,y:x,y:x,y" — the faceswap opts.
    assert face.opts == ":".join(f"{int(x)},{int(y)}" for x, y in face.landmarks[:4])
    x, y, w, h = face.region  # x, y, width, height around all the points
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in face.landmarks)
    assert 60 < w < 140 and 60 < h < 140
    assert face.frame_time is None and not det.is_video


def test_several_faces_left_to_right_and_single_face_keeps_the_largest(client, photos):
    det = client.faces.detect(photos["group_url"])
    assert len(det.faces) == 2
    left, right = det.faces
    assert left.box[2] < right.box[0]  # left to right, not overlapping
    assert right.area > left.area and det.face == right
    single = client.faces.detect(photos["group_url"], single_face=True)
    assert len(single.faces) == 1 and single.face.region == right.region


def test_single_face_is_sent_and_honoured(client, sim, photos):
    client.faces.detect(photos["group_url"], single_face=True)
    assert last_body(sim, DETECT) == {"url": photos["group_url"], "single_face": True}


def test_a_picture_without_a_face_has_no_faces(client, sim):
    from skimage import data

    coffee = Image.fromarray(data.coffee()).resize((240, 160))  # a cup of coffee: no face
    det = client.faces.detect(coffee)
    assert det.faces == [] and det.error_msg == "No faces detected" and len(det) == 0
    with pytest.raises(ak.AkoolError, match="no face was detected"):
        det.face
    # On the wire it is the docs' error envelope, with HTTP 400.
    r = httpx.post(f"{sim.base_url}{DETECT}", json={"img": last_body(sim, DETECT)["img"]},
                   headers={"x-api-key": API_KEY})
    assert r.status_code == 400 and r.json() == {"error_code": 1, "error_msg": "No faces detected", "faces_obj": {}}


def test_local_pictures_go_as_base64_img_without_any_asset_host(sim, photos, tmp_path):
    # PassThroughHost refuses every upload: detection must not need one.
    client = ak.Akool(api_key=API_KEY, base_url=sim.base_url, asset_host=ak.PassThroughHost(), journal=False)
    det = client.faces.detect(photos["astronaut"])
    sent = last_body(sim, DETECT)
    assert set(sent) == {"img"} and sent["img"].startswith("data:image/png;base64,")
    assert len(det.faces) == 1 and det.source_url is None and det.media is photos["astronaut"]
    path = tmp_path / "grace.jpg"
    photos["grace"].save(path, quality=90)
    assert len(client.faces.detect(path).faces) == 1
    assert last_body(sim, DETECT)["img"].startswith("data:image/jpeg;base64,")
    client.close()


def test_video_frames_are_analysed_with_times_and_removed_faces(client, tmp_path):
    face = fe.sample_photo("astronaut").resize((256, 256))
    blank = Image.new("RGB", (256, 256), (40, 90, 160))
    clip = face_clip(tmp_path / "clip.mp4", [face] * 4 + [blank] * 4, fps=4)  # 2 s: a face, then none
    det = client.faces.detect(clip, num_frames=4)
    assert det.is_video and det.source_url.endswith(".mp4")  # a local video is uploaded, then sent as url
    frames = det.frames
    assert [(i, t) for i, t, _ in frames] == [(0, 0.0), (1, 0.5), (2, 1.0), (3, 1.5)]
    counts = [len(faces) for _, _, faces in frames]
    assert counts == [1, 1, 0, 0]
    assert det.faces_obj["2"].removed == [list(frames[1][2][0].region)]  # the face left at frame 2
    assert det.faces_obj["3"].removed == []
    assert det.faces == frames[0][2] and frames[1][2][0].frame_time == 0.5


def test_return_face_url_gives_crops_with_their_own_landmarks(client, photos):
    det = client.faces.detect(photos["group_url"], return_face_url=True)
    assert len(det.faces) == 2
    for face in det.faces:
        crop = download(face.face_url)
        cx, cy, cw, ch = face.crop_region
        assert crop.size == (cw, ch)
        assert cx <= face.region[0] and cy <= face.region[1]  # the crop contains the face
        shifted = ":".join(f"{int(x - cx)},{int(y - cy)}" for x, y in face.landmarks[:4])
        assert face.crop_landmarks == shifted
        again = fe.detect(crop, single=True)[0]  # the real detector finds the same face in the crop
        assert all(math.dist(p, q) < 4 for p, q in zip(again.six[:4], fe.parse_opts(face.crop_landmarks)))
        assert face.as_ref() == {"path": face.face_url, "opts": face.crop_landmarks}
    plain = client.faces.detect(photos["group_url"])
    assert plain.faces[0].face_url is None and plain.faces_obj["0"].face_urls is None
    assert plain.faces[0].as_ref() == {"path": photos["group_url"], "opts": plain.faces[0].opts}


def test_detection_renders_and_draws(client, photos):
    det = client.faces.detect(photos["group_url"])
    html = det._repr_html_()
    assert "2 face(s)" in html and det.faces[0].opts in html and "data:" not in html
    drawn = det.draw(photos["group"])
    assert drawn.size == photos["group"].size
    diff = np.abs(np.asarray(drawn, int) - np.asarray(photos["group"], int)).sum(axis=2)
    x, y, w, h = det.faces[0].region
    assert diff[y, x:x + w].max() > 100  # the box outline is drawn along the face's top edge
    assert diff[:40, :40].max() == 0  # nothing else changed


# -- analyze_frames ------------------------------------------------------------------------------------------
def test_analyze_frames_merges_one_person_across_frames(client, photos):
    result = client.faces.analyze_frames([photos["astronaut"], photos["group_url"], photos["grace_url"]],
                                         timestamps=[0, 1.5, 3], expand_ratio=0.5)
    assert result.success and result.frame_count == 3 and len(result.persons) == 2
    first, second = result.persons
    assert [p.person_id for p in result.persons] == ["person_0", "person_1"] and [p.index for p in result.persons] == [0, 1]
    assert first.bbox[0] < second.bbox[0]  # index: left to right
    assert [(a.frame_idx, a.timestamp) for a in first.appearances] in ([(0, 0.0), (1, 1.5)], [(1, 1.5), (2, 3.0)])
    by_frames = sorted([a.frame_idx for a in p.appearances] for p in result.persons)
    assert by_frames == [[0, 1], [1, 2]]  # the astronaut in frames 0 and 1, Grace Hopper in 1 and 2
    for person in result.persons:
        x1, y1, x2, y2 = person.bbox
        assert x2 > x1 and y2 > y1 and person.region == (x1, y1, x2 - x1, y2 - y1)
        assert person.first_seen == person.appearances[0].timestamp and person.last_seen == person.appearances[-1].timestamp
        assert 0 < person.confidence <= 1 and download(person.face_url).size[0] > x2 - x1  # expanded crop
    single = client.faces.analyze_frames(photos["group_url"])
    assert len(single.persons) == 2 and all(len(p.appearances) == 1 for p in single.persons)
    empty = client.faces.analyze_frames(Image.new("RGB", (200, 200), "white"))
    assert empty.success and empty.persons == []  # no faces: success with no persons (docs)
    assert "2 person(s)" in single._repr_html_()


def test_analyze_frames_errors(client, sim):
    with pytest.raises(ak.InvalidParameterError, match="timestamps"):
        client.faces.analyze_frames(["https://x.com/a.jpg", "https://x.com/b.jpg"], timestamps=[0.0])
    with pytest.raises(ak.InvalidParameterError, match="expand_ratio"):
        client.faces.analyze_frames(["https://x.com/a.jpg"], expand_ratio=1.5)
    with pytest.raises(ak.InvalidParameterError, match="frames"):
        client.faces.analyze_frames([])
    r = httpx.post(f"{sim.base_url}{ANALYZE}", json={"frame_urls": []}, headers={"x-api-key": API_KEY})
    assert r.status_code == 400
    assert r.json() == {"success": False, "error": "frame_urls is required and must not be empty"}
    with pytest.raises(ak.APIError, match="Failed to download image from URL"):
        client.faces.analyze_frames(["http://127.0.0.1:9/missing.jpg"])


# -- legacy /detect ------------------------------------------------------------------------------------------
def test_legacy_detect_on_its_own_host(client, sim, photos):
    assert client.faces._legacy_url() == f"{sim.base_url}/detect"  # offline: the same server
    online = ak.Akool(api_key=API_KEY, journal=False)
    assert online.faces._legacy_url() == "https://sg3.akool.com/detect"  # docs §B.6.3
    online.faces.legacy_base_url = sim.base_url + "/"  # any host, per resource (or AKOOL_NB_DETECT_LEGACY_BASE_URL)
    legacy = online.faces.detect_legacy(photos["astronaut_url"])
    online.close()
    assert last_body(sim, "/detect") == {"single_face": False, "image_url": photos["astronaut_url"]}
    assert legacy.error_code == 0 and legacy.trx_id and legacy.seconds >= 0
    assert legacy.landmarks_str == [legacy.face.opts] and legacy.face.region == tuple(legacy.region[0])
    new = client.faces.detect(photos["astronaut_url"])
    assert legacy.face.landmarks == new.face.landmarks
    group = client.faces.detect_legacy(photos["group"], single_face=True)
    assert len(group.faces) == 1 and last_body(sim, "/detect")["img"].startswith("data:image/png;base64,")
    r = httpx.post(f"{sim.base_url}/detect", json={"image_url": photos["group_url"]})  # as real apps call it
    assert r.status_code == 200 and len(r.json()["landmarks_str"]) == 1  # no single_face: the largest face
    with pytest.raises(ak.InvalidParameterError, match="image"):
        client.faces.detect_legacy("https://x.com/clip.mp4")  # pictures only


# -- validation and errors -----------------------------------------------------------------------------------
def test_bad_detect_arguments_are_refused_before_any_request(client, sim):
    control(sim, "reset", {})
    cases = [
        (dict(media="https://x.com/a.jpg", num_frames=0), "num_frames: 0 is not allowed"),
        (dict(media="https://x.com/a.mp4", num_frames=101), "num_frames: 101 is not allowed"),
        (dict(media="https://x.com/a.mp4", num_frames=True), "num_frames"),
        (dict(media="https://x.com/a.jpg", single_face="yes"), "single_face: 'yes' is not allowed"),
        (dict(media="https://x.com/a.jpg", return_face_url=1), "return_face_url: 1 is not allowed"),
        (dict(media="not a url"), "media: 'not a url'"),
        (dict(media="https://x.com/a.gif"), "media: .gif files are not accepted"),
        (dict(media=b"not a picture"), "media: got bytes of an unrecognised format"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ak.InvalidParameterError) as info:
            client.faces.detect(**kwargs)
        assert message in str(info.value), str(info.value)
    assert control(sim, "stats")["requests"] == 0


def test_service_errors_use_the_detection_envelope(client, sim, photos):
    def post(body, path=DETECT, **headers):
        return httpx.post(f"{sim.base_url}{path}", json=body, headers={"x-api-key": API_KEY, **headers})

    cases = [
        ({}, "Either 'url' or 'img' parameter must be provided"),
        ({"url": "ftp:/nope"}, "Invalid URL format"),
        ({"url": "http://127.0.0.1:9/photo.jpg"}, "Failed to download media from URL"),
        ({"img": "bm90IGFuIGltYWdl"}, "Failed to process media"),
        ({"img": "x", "num_frames": 0}, "num_frames must be an integer between 1 and 100"),
        ({"img": "x", "single_face": "true"}, "single_face must be a boolean (true or false)"),
    ]
    for body, message in cases:
        r = post(body)
        assert r.status_code == 400 and r.json() == {"error_code": 1, "error_msg": message, "faces_obj": {}}, body
    both = post({"url": photos["astronaut_url"], "img": "not base64 at all"})  # url wins over img (docs)
    assert both.status_code == 200 and both.json()["error_code"] == 0 and len(both.json()["faces_obj"]["0"]["region"]) == 1
    assert httpx.post(f"{sim.base_url}{DETECT}", json={}).json()["code"] == 1102  # no key: Akool's auth error
    with pytest.raises(ak.APIError) as info:  # the client turns error_code 1 into a typed error
        client.faces.detect("http://127.0.0.1:9/photo.jpg")
    assert info.value.code == 1 and info.value.http_status == 400 and "Failed to download" in str(info.value)
    assert info.value.endpoint == f"POST {DETECT}"


def test_a_server_error_on_detection_is_retried(client, sim, photos):
    client._core.retry.initial_delay = client._core.retry.max_delay = 0.01
    control(sim, "faults", {"answer_500": 1, "path_contains": "detect_faces"})
    assert len(client.faces.detect(photos["astronaut_url"]).faces) == 1
    assert control(sim, "faults")["answer_500"]["value"] == 0  # the fault was used up, then retried


@pytest.mark.anyio
async def test_async_detection(aclient, photos):
    det = await aclient.faces.detect(photos["group"])
    assert len(det.faces) == 2
    none = await aclient.faces.detect(Image.new("RGB", (120, 120), "gray"))
    assert none.faces == []
    people = await aclient.faces.analyze_frames([photos["astronaut_url"]])
    assert len(people.persons) == 1



# -- the docs' example bodies, sent exactly ------------------------------------------------------------------
def test_contract_detect_faces_examples(client, sim):
    examples = [
        ({"url": "https://example.com/photo.jpg", "return_face_url": True},  # catalog §B.6.1
         dict(return_face_url=True)),
        ({"url": "https://example.com/photo.jpg"}, {}),  # detect-faces page, example 1
        ({"url": "https://example.com/video.mp4", "num_frames": 10}, dict(num_frames=10)),  # example 2
        ({"url": "https://example.com/group_photo.jpg", "single_face": True}, dict(single_face=True)),  # example 4
    ]
    for example, kwargs in examples:
        with pytest.raises(ak.APIError):  # the service cannot download example.com here
            client.faces.detect(example["url"], **kwargs)
        assert last_body(sim, DETECT) == example


def test_contract_analyze_frames_example(client, sim):
    example = {"frame_urls": ["https://example.com/frame_0.jpg", "https://example.com/frame_1.jpg",
                              "https://example.com/frame_2.jpg"], "timestamps": [0.0, 1.0, 2.0]}
    with pytest.raises(ak.APIError):
        client.faces.analyze_frames(example["frame_urls"], timestamps=[0.0, 1.0, 2.0])
    assert last_body(sim, ANALYZE) == example
    with pytest.raises(ak.APIError):
        client.faces.analyze_frames(["https://example.com/photo.jpg"], expand_ratio=0.5)
    assert last_body(sim, ANALYZE) == {"frame_urls": ["https://example.com/photo.jpg"], "expand_ratio": 0.5}


def test_contract_legacy_detect_example(client, sim):
    example = {"single_face": False, "image_url": "https://d21ksh0k4smeql.cloudfront.net/1745579943557-yr5w-crop_"
                                                  "1728989585247-3239-0-1728989585409-9277.png"}
    with pytest.raises(ak.APIError):
        client.faces.detect_legacy(example["image_url"], single_face=False)
    assert last_body(sim, "/detect") == example


def test_raw_detect_request_through_the_core(client, photos):
    data = client._request(APIRequest("POST", DETECT, json={"url": photos["astronaut_url"]}, envelope="detect"))
    assert data["error_code"] == 0 and data["faces_obj"]["0"]["frame_time"] is None
