"""Phase-2 panels against the offline Akool: FacePanel / FaceSwapPanel (selection, request, submit),
BackgroundComposer (bg/replace parameters, round trip, preview, submit), EffectPicker, ModelPicker, and
JobMonitor's Delete / Cancel for the families whose API can delete. (In a real browser: tests/browser/.)"""
from __future__ import annotations

import logging

import pytest
from PIL import Image

from akool_nb.sim import engines as fe
from akool_nb.widgets import (BackgroundComposer, EffectPicker, FacePanel, FaceSwapPanel, JobMonitor, ModelPicker)


def _bundle(panel):
    data, _meta = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    return data


@pytest.fixture(scope="module")
def pictures():
    return {"group": fe.sample_group(), "grace": fe.sample_photo("grace_hopper")}


# ---------------------------------------------------------------- FacePanel
def test_face_panel_detects_draws_and_selects_by_click(client, pictures):
    panel = FacePanel(client, pictures["group"])
    assert panel.size == [900, 500] and len(panel.faces) == 2 and panel.kind == "image"
    assert panel.image.startswith("data:image/jpeg") and len(panel.image) < 150_000
    assert all(len(f["landmarks"]) == 6 and f["opts"].count(":") == 3 for f in panel.faces)
    assert panel.faces[0]["box"][0] < panel.faces[1]["box"][0]  # left to right
    seen = []
    panel.on_select(seen.append)
    before = panel.image
    panel._dispatch(panel, {"action": "toggle", "index": 1})  # what a click sends
    assert panel.selected == [1] and panel.value[0].region == tuple(panel.faces[1]["box"])
    assert seen[-1] == panel.value and panel.face is panel.value[0]
    assert panel.image != before  # the selected face is outlined in the drawing
    panel._dispatch(panel, {"action": "toggle", "index": 0})
    assert panel.selected == [1, 0]  # click order
    panel._dispatch(panel, {"action": "toggle", "index": 1})
    assert panel.selected == [0]
    single = FacePanel(client, pictures["group"], multiple=False)
    single.select(0)
    single._dispatch(single, {"action": "toggle", "index": 1})
    assert single.selected == [1]
    single.select_largest()
    assert single.value[0].area == max(f.area for f in single.all_faces)
    html = _bundle(panel)["text/html"]
    assert "<img" in html and panel.faces[0]["opts"] in html and "run the cell" in html


def test_face_panel_errors_and_empty_pictures(client, sim, caplog):
    blank = FacePanel(client, Image.new("RGB", (200, 160), "white"))
    assert blank.faces == [] and "No face" in blank.status and blank.image
    blank._dispatch(blank, {"action": "toggle", "index": 0})
    assert "no face 0" in blank.error["message"]
    blank._dispatch(blank, {"action": "detect", "media": "nowhere/missing.png"})
    assert blank.error["kind"] == "FileNotFoundError" and blank.error["fix"]
    sim.faults.set(answer_500=20, path_contains="detect_faces")
    with caplog.at_level(logging.WARNING, logger="akool_nb"):
        with pytest.raises(Exception):
            blank.detect(fe.sample_photo("grace_hopper"))
    assert blank.error["kind"] == "ServerError" and any("FacePanel" in r.getMessage() for r in caplog.records)
    with pytest.raises(Exception, match="client"):
        FacePanel(None, "x.png")


def test_face_panel_on_video_frames(client, tmp_path):
    clip = fe.make_face_clip(fe.sample_photo("astronaut"), tmp_path / "a.mp4", seconds=1, fps=6, size=240)
    panel = FacePanel(client, str(clip), num_frames=3)
    assert panel.kind == "video" and len(panel.frames) == 3 and panel.faces
    assert max(panel.size) == 240  # the frame's real pixels (the clip is 240 px on its longer side)
    first = panel.faces[0]["box"]
    panel.frame = 2  # the front end's frame chips set this
    assert panel.selected == [] and panel.faces[0]["box"] != first  # the face moves in the clip
    panel.select(0)
    assert panel.value[0].frame_time == panel.frames[2]["time"] and panel.value[0].face_url  # crops for video swaps


def test_face_swap_panel_builds_the_request_and_submits(client, pictures):
    source = FacePanel(client, pictures["grace"])
    target = FacePanel(client, pictures["group"])
    swap = FaceSwapPanel(client, source, target)
    assert swap.value == {} and "source" in swap.problem() and not swap.can_submit
    target.select(1)
    source.select(0)
    request = swap.value
    assert request["endpoint"] == "POST /api/open/v3/faceswap/highquality/specifyimage"
    assert request["pairs"] == [(0, 1)] and request["body"]["targetImage"][0]["opts"] == target.faces[1]["opts"]
    assert request["body"]["sourceImage"][0]["opts"] == source.faces[0]["opts"] and swap.can_submit
    job = swap.submit()
    result = swap.monitor.wait(timeout=60)[0]
    assert job.product.key == "faceswap_image" and result.url
    # two targets, one source: the source face is used for both
    target.select(0, 1)
    assert len(swap.value["body"]["sourceImage"]) == 2 and swap.value["pairs"] == [(0, 0), (0, 1)]
    swap.mode = "pro"
    assert "single face" in swap.problem()
    target.select(1)
    assert swap.value["endpoint"].endswith("/faceswapByImage") and "opts" not in swap.value["body"]["targetImage"][0]
    pro = swap.submit()
    assert pro.product.key == "faceswap_pro"
    assert swap.monitor.wait(timeout=60)[-1].url
    html = _bundle(swap)["text/html"]
    assert "faceswapByImage" in html and html.count("<img") >= 2


def test_face_swap_panel_shows_problems_in_the_panel(client, pictures):
    swap = FaceSwapPanel(client, FacePanel(client, pictures["group"]), FacePanel(client, pictures["group"]))
    swap.source.select(0, 1)
    swap.target.select(0)
    assert "2 source faces and 1 target" in swap.problem()
    with pytest.raises(ValueError):
        swap.submit()
    assert "2 source faces" in swap.error["message"] and "outline" in swap.error["fix"]
    assert "2 source faces" in swap.bar.summary["problem"] and "2 source faces" in swap.bar.error["message"]


# ---------------------------------------------------------------- BackgroundComposer
@pytest.fixture
def layout_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    import akool_nb as ak

    ak.samples.portrait("portrait.png", size=256)
    Image.new("RGB", (640, 360), "#2a9d8f").save("template.png")
    return tmp_path


def test_background_composer_gives_the_exact_bg_replace_parameters(client, layout_files):
    composer = BackgroundComposer(client, "portrait.png", template="template.png", color_code="#1d3557")
    params = composer.params
    assert params == {"canvas_size": "640x360", "origin_img": "portrait.png", "modify_origin_img_size": "324x324",
                      "overlay_origin_x": 158, "overlay_origin_y": 36, "template_url": "template.png",
                      "modify_template_size": "640x360", "overlay_template_x": 0, "overlay_template_y": 0,
                      "color_code": "#1d3557"}
    assert composer.value == params
    from akool_nb.models.images import BackgroundChangeRequest

    BackgroundChangeRequest.build(**{**params, "origin_img": "https://x/a.png", "template_url": "https://x/t.png"})
    changes = []
    composer.observe(lambda ch: changes.append(ch["new"]), "value")
    # what a drag does: the front end writes the layers back in canvas pixels
    elements = composer.elements
    elements[1].update(offset_x=-20, offset_y=10, width=300, height=310)
    composer.stage.elements = elements
    assert changes[-1]["overlay_origin_x"] == -20 and changes[-1]["modify_origin_img_size"] == "300x310"
    composer.stage.canvas = [800, 450]  # the canvas fields
    composer.stage.color = ""  # the colour checkbox off: transparent
    composer.stage.remove_bg = True
    assert composer.value["canvas_size"] == "800x450" and "color_code" not in composer.value
    assert composer.value["removeBg"] is True and composer.stage.nudge == 2
    composer.set_layer("template", x=5, y=6, width=700, height=400)
    assert composer.params["overlay_template_x"] == 5 and composer.params["modify_template_size"] == "700x400"
    composer.stage._dispatch(composer.stage, {"action": "remove", "index": 1})  # the foreground stays
    assert "foreground stays" in composer.error["message"]
    composer.stage._dispatch(composer.stage, {"action": "remove", "index": 0})
    assert "template_url" not in composer.params and len(composer.elements) == 1


def test_background_composer_round_trips_parameters(client, layout_files):
    params = {"canvas_size": "1000x600", "origin_img": "portrait.png", "modify_origin_img_size": "400x400",
              "overlay_origin_x": -30, "overlay_origin_y": 200, "template_url": "template.png",
              "modify_template_size": "1000x600", "overlay_template_x": 0, "overlay_template_y": 0,
              "color_code": "#aabbcc", "removeBg": True}
    composer = BackgroundComposer.from_params(params, client)
    assert composer.params == params and composer.stage.canvas == [1000, 600]
    bare = {"canvas_size": "256x256", "origin_img": "portrait.png", "modify_origin_img_size": "256x256",
            "overlay_origin_x": 0, "overlay_origin_y": 0}
    assert BackgroundComposer.from_params(bare).params == bare
    with pytest.raises(ValueError, match="not bg/replace"):
        BackgroundComposer.from_params({**bare, "offset_x": 3})
    with pytest.raises(ValueError, match="origin_img"):
        BackgroundComposer.from_params({"canvas_size": "10x10"})


def test_background_composer_preview_matches_the_service_and_submits(client, layout_files):
    composer = BackgroundComposer(client, "portrait.png", template="template.png", color_code="#1d3557")
    still = composer.render_preview()
    assert still.size == (640, 360) and composer.stage.preview.startswith("data:image/jpeg")
    assert still.getpixel((5, 5)) == (0x2a, 0x9d, 0x8f)  # the template covers the canvas
    same = client.background.preview("portrait.png", max_side=640, **composer.change_kwargs())
    assert list(same.getdata()) == list(still.getdata())  # the same renderer as client.background.preview
    job = composer.submit()
    result = composer.monitor.wait(timeout=60)[0]
    assert job.product.key == "background_change" and result.url and composer.monitor in composer.children
    assert "bg/replace" in _bundle(composer)["text/html"]


def test_background_composer_errors_and_fallback(client, layout_files):
    with pytest.raises(FileNotFoundError):
        BackgroundComposer(client, "missing.png")
    composer = BackgroundComposer(client, "portrait.png")
    assert composer.params["canvas_size"] == "256x256" and composer.params["modify_origin_img_size"] == "256x256"
    assert composer.fallback.layout.display != "none" and "canvas pixels" in composer.fallback_note.value
    composer.fallback_select.value = 0
    composer.fallback_fields["offset_x"].value = 40
    assert composer.params["overlay_origin_x"] == 40
    composer.stage.ready = True
    assert composer.fallback.layout.display == "none"
    with pytest.raises(ValueError, match="out of range"):
        composer.set_canvas(4, 4)
    composer.set_canvas("1920x1080")
    composer.set_color("abc")
    assert composer.params["canvas_size"] == "1920x1080" and composer.params["color_code"] == "#abc"
    lone = BackgroundComposer(None, "portrait.png")
    lone.stage._dispatch(lone.stage, {"action": "submit"})
    assert "client" in lone.error["message"]


# ---------------------------------------------------------------- EffectPicker, ModelPicker
def test_effect_picker_selection_and_errors(client, sim):
    picker = EffectPicker(client)
    assert len(picker.items) == 10 and all(i["logo"].startswith("http") and i["video"] for i in picker.items)
    chosen = []
    picker.on_select(chosen.append)
    code = picker.items[3]["effect_code"]
    picker._dispatch(picker, {"action": "select", "effect_code": code})
    assert picker.value == code == chosen[0] and picker.effect.name == picker.items[3]["name"]
    picker._dispatch(picker, {"action": "select", "effect_code": "nope"})
    assert "unknown effect" in picker.error["message"]
    html = _bundle(picker)["text/html"]
    assert code in html and "autoplay" not in html
    sim.faults.set(answer_500=20, path_contains="effects")
    picker.refresh()
    assert picker.error["kind"] == "ServerError"


def test_model_picker_filters_options_and_params(client):
    picker = ModelPicker(client)
    kinds = {i["type"] for i in picker.items}
    assert {1501, 1502, 2101} <= kinds and len(picker.visible) == len(picker.items)
    picker._dispatch(picker, {"action": "kind", "value": "image_to_video"})
    assert picker.visible and all(i["type"] == 1501 for i in picker.items if i["model_name"] in picker.visible)
    name = picker.visible[0]
    picker._dispatch(picker, {"action": "select", "model_name": name})
    model = picker.model
    assert picker.params == {"model_name": name, "resolution": model.resolutions[0], "video_length": model.durations[0]}
    picker._dispatch(picker, {"action": "option", "name": "resolution", "value": model.resolutions[-1]})
    picker._dispatch(picker, {"action": "option", "name": "duration", "value": 99})
    assert picker.params["resolution"] == model.resolutions[-1] and "not 99" in picker.error["message"]
    pro = next(i for i in picker.items if i["pro"])
    assert pro["resolutions"] and "PRO" in picker._static_html()
    with pytest.raises(ValueError):
        ModelPicker(client, kind="music")
    batch = client.image_to_video.create_batch(fe.sample_photo("grace_hopper"), "slow pan", count=1, **picker.params)
    assert len(batch) == 1


# ---------------------------------------------------------------- JobMonitor delete / cancel
def test_job_monitor_deletes_faceswap_and_image_to_video_results(client, pictures):
    swap = client.faceswap.pro(target=pictures["group"], source=pictures["grace"])
    clip = client.image_to_video.create(pictures["grace"], "slow zoom in")
    monitor = JobMonitor([swap, clip])
    monitor.wait(timeout=60)
    assert all(r["deletable"] and not r["deleted"] for r in monitor.rows)
    for job in (swap, clip):
        monitor._dispatch(monitor, {"action": "delete", "id": job.id})  # the Delete button
    assert [r["status"] for r in monitor.rows] == ["deleted", "deleted"] and monitor.error == {}
    assert all(r["note"] == "Deleted at Akool." and not r["url"] for r in monitor.rows) and monitor.value == []
    assert client.faceswap.results([swap.id]) == []
    assert client.image_to_video.results([clip.id]) == []


def test_job_monitor_cancels_a_running_reage(client, pictures):
    job = client.reage.image(pictures["grace"], 20)
    monitor = JobMonitor(job, autostart=False)
    assert monitor.rows[0]["cancellable"] and monitor.rows[0]["running"]
    monitor._dispatch(monitor, {"action": "delete", "id": job.id})
    assert monitor.rows[0]["note"] == "Cancelled at Akool." and monitor.rows[0]["status"] == "cancelled"
    tts = client.tts.create(text="Not deletable.", voice_id=client.voices.list()[0])
    other = JobMonitor(tts, autostart=False)
    assert not other.rows[0]["deletable"]
    other._dispatch(other, {"action": "delete", "id": tts.id})
    assert "no delete" in other.error["message"]
