"""Face swap (v3 image and video, v4 Pro) and reage against the offline Akool over real HTTP: the faces really
change (a face recogniser sees the new person; reage adds or removes fine detail), jobs poll through
listbyids (many jobs, one request), results are listed and deleted, credits run out with 1006, reage jobs are
cancelled, webhooks say "faceswap", every limit is checked before any request and by the service, and the
docs' example bodies go on the wire exactly."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.sim import engines as fe

from .simctl import control, creates, last_body, webhooks
from . import test_faces
from .test_faces import download

IMAGE = "/api/open/v3/faceswap/highquality/specifyimage"
VIDEO = "/api/open/v3/faceswap/highquality/specifyvideo"
PRO = "/api/open/v4/faceswap/faceswapByImage"
LIST = "/api/open/v3/faceswap/result/listbyids"
DELETE = "/api/open/v3/faceswap/result/delbyids"
IMG_REAGE = "/api/open/v3/faceswap/highquality/imgreage"
VID_REAGE = "/api/open/v3/faceswap/highquality/vidreage"
CANCEL = "/api/open/v3/faceswap/job/del"
JPEG_NOISE = 5.0  # mean pixel difference of an untouched area after JPEG encoding


photos = test_faces.photos  # the module's photo fixture: astronaut, Grace Hopper, both on one picture


def identity(img: Image.Image, box: tuple[int, int, int, int]) -> np.ndarray:
    """The face descriptor of the face found nearest to ``box`` in ``img``."""
    faces = fe.detect(img, descriptors=True)
    return min(faces, key=lambda f: -fe.iou(f.box, box)).descriptor


def changed(a: Image.Image, b: Image.Image, box: tuple[int, int, int, int]) -> float:
    x, y, w, h = box
    pa = np.asarray(a.crop((x, y, x + w, y + h)), float)
    pb = np.asarray(b.crop((x, y, x + w, y + h)), float)
    return float(np.abs(pa - pb).mean())


def streams(path) -> str:
    import imageio_ffmpeg

    return subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                          text=True).stderr


@pytest.fixture(scope="module")
def people(photos):
    grace = fe.detect(photos["grace"], descriptors=True)[0]
    astronaut = fe.detect(photos["astronaut"], descriptors=True)[0]
    return {"grace": grace.descriptor, "astronaut": astronaut.descriptor}


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    return fe.make_face_clip(fe.sample_photo("astronaut"), tmp_path_factory.mktemp("clip") / "astronaut.mp4",
                             seconds=1.5, fps=8, size=256, audio=True)


@pytest.fixture
def credit(sim):
    """Set the simulated credit balance (through the service handle) for one test; restored afterwards."""
    from akool_nb.sim.api._face import credit_of, set_credit

    before = credit_of(sim.state)
    yield lambda value: set_credit(sim.state, value)
    set_credit(sim.state, before)


# -- face swap really swaps ---------------------------------------------------------------------------------
def test_two_detections_make_a_faceswap_that_really_swaps(client, sim, photos, people):
    scene = client.faces.detect(photos["group_url"])
    me = client.faces.detect(photos["grace_url"])
    astronaut = scene.faces[0]
    job = client.faceswap.image(scene, source=me, target=astronaut)
    assert job.request == last_body(sim, IMAGE) == {
        "targetImage": [{"path": photos["group_url"], "opts": astronaut.opts}],
        "sourceImage": [{"path": photos["grace_url"], "opts": me.face.opts}],
        "modifyImage": photos["group_url"]}
    assert job.record["url"] and job.job_id  # docs: the future URL and a job_id come back at once
    result = job.wait(timeout=30)
    assert result.media == "image" and result.data.faceswap_status == 3 and result.data.id == job.id
    out = download(result.url)
    assert out.size == photos["group"].size
    box = astronaut.region
    # The left face is now Grace Hopper's (a face recogniser says so), the right one is untouched.
    new = identity(out, box)
    assert np.linalg.norm(new - people["grace"]) < 0.45 < np.linalg.norm(new - people["astronaut"])
    assert changed(photos["group"], out, box) > 15
    assert changed(photos["group"], out, scene.faces[1].region) < JPEG_NOISE
    assert changed(photos["group"], out, (0, 0, 120, 60)) < JPEG_NOISE  # background
    w, h = out.size
    assert np.asarray(out.crop((w - 60, h - 25, w - 10, h - 10))).mean() < np.asarray(
        photos["group"].crop((w - 60, h - 25, w - 10, h - 10))).mean() - 40  # the dark SIMULATED badge


def test_local_pictures_and_target_none_swap_the_largest_face(client, sim, photos, people):
    job = client.faceswap.image(photos["astronaut"], source=photos["grace"], face_enhance=1, webhook_url="")
    body = last_body(sim, IMAGE)
    assert body["modifyImage"] == body["targetImage"][0]["path"]  # the picture itself, with its landmarks
    assert body["face_enhance"] == 1 and body["webhookUrl"] == ""
    astronaut = fe.detect(photos["astronaut"])[0]
    assert body["targetImage"][0]["opts"] == astronaut.landmarks_str
    out = download(job.wait(timeout=30).url)
    assert np.linalg.norm(identity(out, astronaut.box) - people["grace"]) < 0.45


def test_face_crops_from_return_face_url_are_matched_in_the_picture(client, sim, photos, people):
    scene = client.faces.detect(photos["group_url"], return_face_url=True)
    grace = scene.faces[1]
    job = client.faceswap.image(scene, source=photos["astronaut_url"], target=grace)
    assert last_body(sim, IMAGE)["targetImage"] == [{"path": grace.face_url, "opts": grace.crop_landmarks}]
    out = download(job.wait(timeout=30).url)
    assert np.linalg.norm(identity(out, grace.region) - people["astronaut"]) < 0.45
    assert changed(photos["group"], out, scene.faces[0].region) < JPEG_NOISE


def test_two_faces_swapped_at_once(client, photos, people):
    scene = client.faces.detect(photos["group_url"])
    job = client.faceswap.image(scene, source=[photos["grace_url"], photos["astronaut_url"]], target=scene.faces)
    out = download(job.wait(timeout=30).url)
    left, right = scene.faces
    assert np.linalg.norm(identity(out, left.region) - people["grace"]) < 0.45
    assert np.linalg.norm(identity(out, right.region) - people["astronaut"]) < 0.45


def test_a_target_that_is_not_in_the_picture_fails_the_job(client, photos):
    grace = client.faces.detect(photos["grace_url"]).face
    job = client.faceswap.image(photos["astronaut_url"], source=photos["grace_url"], target=grace)
    with pytest.raises(ak.JobFailedError) as info:
        job.wait(timeout=30)
    assert info.value.code == 1016 and "no face in modifyImage matches" in str(info.value)


def test_face_swap_pro_swaps_a_single_face(client, sim, photos, people):
    job = client.faceswap.pro(target=photos["astronaut_url"], source=photos["grace_url"], face_enhance=True)
    assert last_body(sim, PRO) == {"targetImage": [{"path": photos["astronaut_url"]}],
                                   "sourceImage": [{"path": photos["grace_url"]}],
                                   "model_name": "akool_faceswap_image_hq", "face_enhance": True}
    assert "url" not in job.record  # v4 answers no url (removed 2025-11-27)
    out = download(job.wait(timeout=30).url)
    assert np.linalg.norm(identity(out, fe.detect(photos["astronaut"])[0].box) - people["grace"]) < 0.45


def test_video_faceswap_swaps_every_frame_and_keeps_the_audio(client, sim, photos, people, clip, tmp_path):
    job = client.faceswap.video(clip, source=photos["grace"])
    body = last_body(sim, VIDEO)
    assert body["modifyVideo"].endswith(".mp4") and "/faces/" in body["targetImage"][0]["path"]  # a face crop
    result = job.wait(timeout=60)
    assert result.media == "video"
    saved = result.save(tmp_path / "swapped.mp4")
    info = streams(saved)
    assert "Video: h264" in info and "Audio:" in info
    video = fe.probe(saved)
    assert video.duration == pytest.approx(1.5, abs=0.2) and (video.width, video.height) == (256, 256)
    for t in (0.2, 1.2):
        before, after = fe.frame_at(clip, t), fe.frame_at(saved, t)
        face = fe.detect(before)[0]
        assert changed(before, after, face.box) > 8
        assert np.linalg.norm(identity(after, face.box) - people["grace"]) < 0.5


# -- reage ------------------------------------------------------------------------------------------------------
def test_reage_older_adds_detail_younger_smooths(client, sim, photos):
    scene = fe.detect(photos["group"])
    older = client.reage.image(photos["group_url"], 30)
    younger = client.reage.image(photos["group_url"], -30, target=client.faces.detect(photos["group_url"]).faces[1])
    assert last_body(sim, IMG_REAGE)["face_reage"] == -30 and len(last_body(sim, IMG_REAGE)["targetImage"]) == 1
    assert len(older.request["targetImage"]) == 2  # target=None: every face
    old, young = (download(r.url) for r in client.jobs.wait_all([older, younger], timeout=30))
    for face in scene:
        assert fe.texture(old, face.box) > fe.texture(photos["group"], face.box) * 1.3
    left, right = scene
    assert fe.texture(young, right.box) < fe.texture(photos["group"], right.box) * 0.85
    assert changed(photos["group"], young, left.region) < JPEG_NOISE  # only the chosen face
    assert changed(photos["group"], old, (0, 0, 120, 60)) < JPEG_NOISE


def test_video_reage(client, sim, clip, tmp_path):
    job = client.reage.video(clip, 25)
    assert last_body(sim, VID_REAGE)["face_reage"] == 25
    saved = job.wait(timeout=60).save(tmp_path / "older.mp4")
    assert "Audio:" in streams(saved)
    before, after = fe.frame_at(clip, 0.7), fe.frame_at(saved, 0.7)
    box = fe.detect(before)[0].box
    assert fe.texture(after, box) > fe.texture(before, box) * 1.2


def test_cancel_a_reage_job(client, sim, clip):
    job = client.reage.video(clip, 10)
    client.reage.cancel(job)
    assert last_body(sim, CANCEL) == {"job_ids": job.job_id} and job.job_id != job.id
    with pytest.raises(ak.JobFailedError, match="Cancelled"):
        job.wait(timeout=30)
    with pytest.raises(ak.NotFoundError):
        client.reage.cancel("20240102082900592-5653")


# -- results, deletion, credit -------------------------------------------------------------------------------
def test_wait_all_polls_many_jobs_with_one_request_per_round(client, sim, photos):
    jobs = [client.faceswap.image(photos["group_url"], source=photos["grace_url"]) for _ in range(3)]
    control(sim, "reset", {})
    results = client.jobs.wait_all(jobs, timeout=30)
    assert [r.id for r in results] == [j.id for j in jobs]
    polls = [r for r in control(sim, "requests") if r["path"].startswith("/api/")]
    assert polls and all(r["path"] == LIST for r in polls)
    asked = [r["query"]["_ids"].split(",") for r in polls]
    assert asked[0] == [j.id for j in jobs]  # one request for all three
    assert all(set(ids) <= {j.id for j in jobs} for ids in asked)  # later rounds: the ones still pending


def test_results_and_delete(client, sim, photos):
    job = client.faceswap.image(photos["group_url"], source=photos["grace_url"])
    job.wait(timeout=30)
    (record,) = client.faceswap.results(job)
    assert record.id == job.id and record.faceswap_status == 3 and record.url == job.url and record.image == 1
    assert client.reage.results([job.id]) == [record]
    client.faceswap.delete([job])
    assert last_body(sim, DELETE) == {"_ids": job.id}
    assert client.faceswap.results(job.id) == []
    with pytest.raises(ak.NotFoundError):
        job.refresh()
    with pytest.raises(ak.NotFoundError) as info:
        client.faceswap.delete(job.id)  # already gone
    assert info.value.code == 1008


def test_credits_are_spent_and_1006_when_they_run_out(client, sim, photos, credit, clip):
    credit(1)
    assert client.faceswap.credit() == 1.0
    client.faceswap.image(photos["group_url"], source=photos["grace_url"])
    assert client.faceswap.credit() == 0.0
    before = creates(sim, "faceswap")
    with pytest.raises(ak.QuotaError) as info:
        client.faceswap.image(photos["group_url"], source=photos["grace_url"])
    assert info.value.code == 1006 and creates(sim, "faceswap") == before
    credit(4)
    with pytest.raises(ak.QuotaError):
        client.reage.video(clip, 5)  # a video costs 5
    client.reage.image(photos["group_url"], 5)
    assert client.faceswap.credit() == 3.0


# -- webhooks ------------------------------------------------------------------------------------------------
def test_webhook_says_faceswap(client, sim, photos, hook_server):
    url, received = hook_server
    job = client.reage.image(photos["astronaut_url"], 12, webhook_url=url)
    assert last_body(sim, IMG_REAGE)["webhookUrl"] == url
    job.wait(timeout=30)
    decoded = webhooks(sim, received, until=lambda ds: any(d["status"] == 3 for d in ds))
    final = [d for d in decoded if d["status"] == 3][0]
    assert final == {"_id": job.id, "status": 3, "type": "faceswap", "url": job.url}


# -- validation ---------------------------------------------------------------------------------------------
def test_bad_arguments_are_refused_before_any_request(client, sim):
    face = {"path": "https://x.com/face.png", "opts": "1,2:3,4:5,6:7,8"}
    pic = "https://x.com/p.jpg"
    control(sim, "reset", {})
    cases = [
        (lambda: client.faceswap.image(pic, source=[face] * 9, target=[face] * 9), "at most 8 faces"),
        (lambda: client.faceswap.image(pic, source=[face] * 2, target=[face]), "1 target faces for 2 source"),
        (lambda: client.faceswap.image(pic, source=face, target=face, face_enhance=2), "face_enhance=2: is not"),
        (lambda: client.faceswap.image(pic, source=face, target=face, webhook_url="ftp://x"), "webhook_url"),
        (lambda: client.faceswap.image(pic, source={"path": pic, "opts": "1,2:3,4"}, target=face),
         "opts='1,2:3,4': is not a landmarks_str"),
        (lambda: client.faceswap.image(pic, source={"path": pic, "opts": face["opts"], "x": 1}, target=face),
         "source[0]: a face dict needs exactly"),
        (lambda: client.faceswap.image("https://x.com/p.gif", source=face, target=face), "modify_image: .gif"),
        (lambda: client.faceswap.image(pic, source=[], target=face), "source: needs at least one face"),
        (lambda: client.faceswap.video("https://x.com/v.mp4", source=face, target=pic), "target[0]: a video's faces"),
        (lambda: client.faceswap.video("https://x.com/v.jpg", source=face, target=face), "modify_video: .jpg"),
        (lambda: client.faceswap.video("https://x.com/v.mp4", source=face, target=face, face_enhance=5),
         "face_enhance=5: is not allowed"),
        (lambda: client.faceswap.pro(pic, pic, face_enhance=1), "Face enhance must be a boolean"),
        (lambda: client.faceswap.pro(pic, pic, model_name="other"), "model_name"),
        (lambda: client.faceswap.pro([pic, pic], pic), "target: Face Swap Pro swaps a single face"),
        (lambda: client.reage.image(pic, 31, target=face), "face_reage=31: is outside -30…30"),
        (lambda: client.reage.image(pic, -31, target=face), "face_reage=-31: is outside"),
        (lambda: client.reage.image(pic, 2.5, target=face), "face_reage=2.5: is not allowed"),
        (lambda: client.reage.image(pic, True, target=face), "face_reage=True: is not allowed"),
        (lambda: client.reage.image(pic, 10, target=[face] * 9), "target: needs 1 to 8 faces"),
        (lambda: client.reage.video(pic, 10, target=face), "modify_video: .jpg"),
        (lambda: client.reage.image(pic, 10, target=face, webhook_url="x"), "webhook_url"),
        (lambda: client.reage.cancel([]), "jobs: needs at least one"),
        (lambda: client.faceswap.results(""), "ids='': needs at least one id"),
        (lambda: client.faceswap.delete([]), "ids=[]: needs at least one id"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as info:
            call()
        assert message in str(info.value), str(info.value)
    assert control(sim, "stats")["requests"] == 0


def test_the_service_checks_every_limit_too(client, sim):
    face = {"path": "https://x.com/face.png", "opts": "1,2:3,4:5,6:7,8"}

    def send(path, body):
        return client._request(APIRequest("POST", path, json=body))

    base = {"targetImage": [face], "sourceImage": [face], "modifyImage": "https://x.com/p.jpg"}
    cases = [
        (IMAGE, {**base, "targetImage": [face] * 9, "sourceImage": [face] * 9}, ak.InvalidRequestError, 1007,
         "cannot exceed 8"),
        (IMAGE, {**base, "targetImage": [{"path": face["path"]}]}, ak.InvalidRequestError, 1003, "targetImage[0].opts"),
        (IMAGE, {**base, "targetImage": [{"path": "x", "opts": face["opts"]}]}, ak.InvalidRequestError, 1003,
         "targetImage[0].path must be an http(s) URL"),
        (IMAGE, {**base, "sourceImage": [face, face]}, ak.InvalidRequestError, 1003, "sourceImage must have one"),
        (IMAGE, {**base, "face_enhance": True}, ak.InvalidRequestError, 1003, "face_enhance must be 0"),
        (IMAGE, {k: v for k, v in base.items() if k != "modifyImage"}, ak.InvalidRequestError, 1003,
         "modifyImage is required"),
        (VIDEO, {**base, "modifyVideo": "https://x.com/v.jpg"}, ak.InvalidRequestError, 1003, "modifyVideo must be"),
        (PRO, {"targetImage": [{"path": "https://x.com/a.jpg"}], "sourceImage": [{"path": "https://x.com/b.jpg"}],
               "model_name": "akool_faceswap_image_hq", "face_enhance": 1}, ak.InvalidRequestError, 1003,
         "Face enhance must be a boolean"),
        (PRO, {"targetImage": [{"path": "https://x.com/a.jpg"}] * 2, "sourceImage": [{"path": "https://x.com/b.jpg"}],
               "model_name": "akool_faceswap_image_hq"}, ak.InvalidRequestError, 1003, "exactly one image"),
        (PRO, {"targetImage": [{"path": "https://x.com/a.jpg"}], "sourceImage": [{"path": "https://x.com/b.jpg"}]},
         ak.InvalidRequestError, 1003, "model_name is required"),
        (IMG_REAGE, {"targetImage": [face], "face_reage": 31, "modifyImage": "https://x.com/p.jpg"},
         ak.InvalidRequestError, 1003, "face_reage must be between -30 and 30"),
        (IMG_REAGE, {"targetImage": [face] * 9, "face_reage": 3, "modifyImage": "https://x.com/p.jpg"},
         ak.InvalidRequestError, 1007, "cannot exceed 8"),
        (VID_REAGE, {"targetImage": [face], "modifyVideo": "https://x.com/v.mp4"}, ak.InvalidRequestError, 1003,
         "face_reage is required"),
        (DELETE, {"_ids": ["a", "b"]}, ak.InvalidRequestError, 1003, "_ids must be a comma-separated string"),
        (CANCEL, {}, ak.InvalidRequestError, 1003, "job_ids is required"),
    ]
    for path, body, error, code, message in cases:
        with pytest.raises(error) as info:
            send(path, body)
        assert info.value.code == code and message in str(info.value), (path, str(info.value))
    with pytest.raises(ak.InvalidRequestError, match="_ids is required"):
        client._request(APIRequest("GET", LIST))
    outsider = ak.Akool(api_key="wrong-key-wrong-key-1234", base_url=sim.base_url, journal=False)
    with pytest.raises(ak.AuthError):
        outsider.faceswap.credit()
    outsider.close()


# -- the docs' example bodies, sent exactly ---------------------------------------------------------------
def test_contract_faceswap_examples(client, sim):
    image = {  # catalog §B.7.1 [SUPPLEMENT]
        "targetImage": [{"path": "https://d21ksh0k4smeql.cloudfront.net/crop_1694593694387-4562-0-1694593694575-0526.png",
                         "opts": "262,175:363,175:313,215:272,279"}],
        "sourceImage": [{"path": "https://d21ksh0k4smeql.cloudfront.net/crop_1705462509874-9254-0-1705462510015-9261.png",
                         "opts": "239,364:386,366:317,472:266,539"}],
        "face_enhance": 0,
        "modifyImage": "https://d21ksh0k4smeql.cloudfront.net/bdd1c994c4cd7a58926088ae8a479168-1705462506461-1966.jpeg",
        "webhookUrl": ""}
    client.faceswap.image(image["modifyImage"], source=image["sourceImage"], target=image["targetImage"],
                          face_enhance=0, webhook_url="")
    assert last_body(sim, IMAGE) == image
    pro = {"targetImage": [{"path": "https://example.com/original.jpg"}],  # §B.7.2, verbatim
           "sourceImage": [{"path": "https://example.com/replacement-face.jpg"}],
           "model_name": "akool_faceswap_image_hq", "face_enhance": False}
    client.faceswap.pro(target="https://example.com/original.jpg", source="https://example.com/replacement-face.jpg",
                        face_enhance=False)
    assert last_body(sim, PRO) == pro
    video = {  # §B.7.3 [SUPPLEMENT]
        "sourceImage": [{"path": "https://d21ksh0k4smeql.cloudfront.net/crop_1705475757658-3362-0-1705475757797-3713.png",
                         "opts": "239,364:386,366:317,472:266,539"}],
        "targetImage": [{"path": "https://d21ksh0k4smeql.cloudfront.net/crop_1705479323786-0321-0-1705479323896-7695.png",
                         "opts": "176,259:243,259:209,303:183,328"}],
        "face_enhance": 0,
        "modifyVideo": "https://d21ksh0k4smeql.cloudfront.net/avatar_01-1705479314627-0092.mp4",
        "webhookUrl": ""}
    client.faceswap.video(video["modifyVideo"], source=video["sourceImage"], target=video["targetImage"],
                          face_enhance=0, webhook_url="")
    assert last_body(sim, VIDEO) == video
    with pytest.raises(ak.NotFoundError):  # §B.7.5 [SUPPLEMENT]: ids unknown here
        client.faceswap.delete(["64ef2f27b33f466877701c6a", "64ef2f27b33f466877701c6b"])
    assert last_body(sim, DELETE) == {"_ids": "64ef2f27b33f466877701c6a,64ef2f27b33f466877701c6b"}
    assert client.faceswap.results("64ef2f27b33f466877701c6a") == []  # §B.7.4 cURL
    listed = [r for r in control(sim, "requests") if r["path"] == LIST][-1]
    assert listed["query"] == {"_ids": "64ef2f27b33f466877701c6a"}


def test_contract_reage_examples(client, sim):
    # The reage pages' cURL --data (the JSONC body without its // comments, which the docs also send).
    image = {"targetImage": [{"path": "https://d21ksh0k4smeql.cloudfront.net/crop_1695201103793-0234-0-1695201106985-2306.png",
                              "opts": "2804,2182:3607,1897:3341,2566:3519,2920"}],
             "face_reage": 10,
             "modifyImage": "https://d3t6pcz7y7ey7x.cloudfront.net/material1__a92671d0-7960-4028-b2fc-aadd3541f32d.jpg",
             "webhookUrl": ""}
    client.reage.image(image["modifyImage"], 10, target=image["targetImage"], webhook_url="")
    assert last_body(sim, IMG_REAGE) == image
    video = {"targetImage": [{"path": "https://static.website-files.org/assets/images/faceswap/crop_1719224038759-3888-0-"
                                      "1719224039439-1517.jpg", "opts": "1408,786:1954,798:1653,1091:1447,1343"}],
             "face_reage": 10,
             "modifyVideo": "https://d3t6pcz7y7ey7x.cloudfront.net/Video10__d2a8cf85-10ae-4c2d-8f4b-d818c0a2e4a4.mp4",
             "webhookUrl": ""}
    client.reage.video(video["modifyVideo"], 10, target=video["targetImage"], webhook_url="")
    assert last_body(sim, VID_REAGE) == video
    with pytest.raises(ak.NotFoundError):  # job/del with the job_id of the docs' create answer
        client.reage.cancel("20240102082900592-5653")
    assert last_body(sim, CANCEL) == {"job_ids": "20240102082900592-5653"}


@pytest.mark.anyio
async def test_async_faceswap_and_reage(aclient, photos):
    job = await aclient.faceswap.image(photos["group_url"], source=photos["grace_url"])
    older = await aclient.reage.image(photos["astronaut_url"], 20)
    results = await aclient.jobs.wait_all([job, older], timeout=30)
    assert all(r.url.endswith(".jpg") for r in results)
    assert await aclient.faceswap.credit() > 0
