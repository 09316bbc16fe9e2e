"""Background change, image generate (prompt + U/V buttons), the shared image result and the AI model list:
the real client against the offline Akool over loopback HTTP (catalog §B.8, B.9, B.20)."""
from __future__ import annotations

import contextlib
import http.server
import io
import threading

import httpx
import numpy as np
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb._base_client import APIRequest
from akool_nb.sim.media import LABEL, _badge
from akool_nb.sim.media_image import BG_MAX_SIDE_FAST, TILE_FAST, UPSCALE_FAST, VARIATION_FAST

from .docs_examples import example
from .simctl import control, last_body, webhooks

BG = "/api/open/v3/content/image/bg/replace"
PROMPT, BUTTON = "/api/open/v3/content/image/createbyprompt", "/api/open/v3/content/image/createbybutton"
MODELS = "/api/open/v4/aigModel/list"


@pytest.fixture(scope="module")
def portrait(tmp_path_factory):
    from akool_nb.media.portraits import make_sample_portrait

    path = tmp_path_factory.mktemp("img") / "portrait.png"
    make_sample_portrait(path, size=256)
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A 400×300 template: left half orange, right half teal (so its placement is measurable)."""
    path = tmp_path_factory.mktemp("img") / "template.png"
    img = Image.new("RGB", (400, 300), (240, 130, 30))
    img.paste((20, 140, 140), (200, 0, 400, 300))
    img.save(path)
    return path


def fetch(url: str) -> Image.Image:
    response = httpx.get(url)
    assert response.status_code == 200
    img = Image.open(io.BytesIO(response.content))
    img.load()
    return img


def arr(img: Image.Image, mode: str = "RGB") -> np.ndarray:
    return np.asarray(img.convert(mode)).astype(int)


def reset(sim):
    control(sim, "reset", {})


def requests_sent(sim) -> int:
    return control(sim, "stats")["requests"]


# ============================================================================ background change
def changed_pixels_are_only_the_label(result: Image.Image, preview: Image.Image) -> None:
    """The offline result equals the local preview except inside the SIMULATED badge (bottom right)."""
    assert result.size == preview.size and result.mode == preview.mode
    badge, (bx, by) = _badge(result.size, LABEL)
    differ = np.argwhere((arr(result, result.mode) != arr(preview, preview.mode)).any(axis=2))
    assert differ.size, "the result carries no SIMULATED label"
    assert differ[:, 1].min() >= bx and differ[:, 0].min() >= by, "pixels differ outside the label"
    assert differ[:, 1].max() < bx + badge.width and differ[:, 0].max() < by + badge.height


GEOMETRY = dict(canvas_size="1920x1080", modify_origin_img_size="600x600", overlay_origin_x=660, overlay_origin_y=240)
SCALE = BG_MAX_SIDE_FAST / 1920  # the fast offline Akool renders the 1920-wide canvas 480 wide


def box(x, y, w, h):
    """A canvas rectangle in result pixels."""
    return round(x * SCALE), round(y * SCALE), round((x + w) * SCALE), round((y + h) * SCALE)


def test_colour_background_matches_the_preview_pixel_for_pixel(client, portrait):
    job = client.background.change(portrait, color_code="#c9aafb", **GEOMETRY)
    assert job.request["color_code"] == "#c9aafb" and "template_url" not in job.request
    result = job.wait(timeout=30)
    assert result.media == "image" and "<img" in result._repr_html_()
    img = fetch(result.url)
    assert img.size == (480, 270) and img.mode == "RGB"
    assert tuple(arr(img)[5, 5]) == (0xc9, 0xaa, 0xfb)  # the colour fills the canvas
    x0, y0, x1, y1 = box(660, 240, 600, 600)
    inside = arr(img)[y0 + 2:y1 - 2, x0 + 2:x1 - 2]
    assert not (inside == (0xc9, 0xaa, 0xfb)).all(axis=2).any(), "the foreground covers its box"
    assert (arr(img)[y0 + 2:y1 - 2, x0 - 3] == (0xc9, 0xaa, 0xfb)).all(), "…and nothing left of it"
    preview = client.background.preview(portrait, color_code="#c9aafb", max_side=BG_MAX_SIDE_FAST, **GEOMETRY)
    changed_pixels_are_only_the_label(img, preview)


def test_template_background_is_placed_and_sized_as_asked(client, portrait, template):
    geometry = dict(GEOMETRY, template_url=template, modify_template_size="960x1080", overlay_template_x=960,
                    overlay_template_y=0)
    img = fetch(client.background.change(portrait, **geometry).wait(timeout=30).url)
    a = arr(img, "RGBA")
    assert a[10, 5, 3] == 0, "left of the template there is no background: transparent"
    # The template fills the right half: its orange half, then its teal half.
    assert tuple(a[10, 300, :3]) == (240, 130, 30) and tuple(a[10, 420, :3]) == (20, 140, 140)
    assert a[10, 300, 3] == 255
    changed_pixels_are_only_the_label(img, client.background.preview(portrait, max_side=BG_MAX_SIDE_FAST,
                                                                     **geometry))


def test_template_and_colour_with_negative_offsets(client, portrait, template):
    geometry = dict(canvas_size="1920x1080", modify_origin_img_size="800x800", overlay_origin_x=-200,
                    overlay_origin_y=-100, template_url=template, modify_template_size="400x300",
                    overlay_template_x=1400, overlay_template_y=700, color_code="#aafbe3")
    img = fetch(client.background.change(portrait, **geometry).wait(timeout=30).url)
    a = arr(img)
    assert tuple(a[5, 300]) == (0xaa, 0xfb, 0xe3)  # colour where neither the template nor the photo is
    x0, y0, x1, y1 = box(1400, 700, 400, 300)
    assert tuple(a[y0 + 3, x0 + 3]) == (240, 130, 30) and tuple(a[y0 + 3, x1 - 3]) == (20, 140, 140)
    assert tuple(a[y0 + 3, x1 + 2]) == (0xaa, 0xfb, 0xe3)  # and ends 400 canvas pixels later
    assert tuple(a[y0 - 2, x0 + 3]) == (0xaa, 0xfb, 0xe3)  # the template starts exactly at its offset
    # The 800-wide photo drawn at (-200, -100) covers the canvas up to x=600, y=700 (150, 175 in the result).
    x1, y1 = round(600 * SCALE), round(700 * SCALE)
    assert tuple(a[5, x1 - 2]) != (0xaa, 0xfb, 0xe3) and tuple(a[5, x1 + 1]) == (0xaa, 0xfb, 0xe3)
    assert tuple(a[y1 - 2, 60]) != (0xaa, 0xfb, 0xe3) and tuple(a[y1 + 1, 60]) == (0xaa, 0xfb, 0xe3)
    changed_pixels_are_only_the_label(img, client.background.preview(portrait, max_side=BG_MAX_SIDE_FAST,
                                                                     **geometry))


def test_neither_colour_nor_template_leaves_a_transparent_canvas(client, portrait):
    img = fetch(client.background.change(portrait, **GEOMETRY).wait(timeout=30).url)
    assert img.mode == "RGBA"
    a = arr(img, "RGBA")
    assert a[5, 5, 3] == 0 and a[135, 240, 3] == 255  # outside vs inside the foreground box
    changed_pixels_are_only_the_label(img, client.background.preview(portrait, max_side=BG_MAX_SIDE_FAST,
                                                                     **GEOMETRY))


def test_remove_bg_cuts_the_foreground_out(client, portrait):
    keep = fetch(client.background.change(portrait, color_code="#ff00ff", **GEOMETRY).wait(timeout=30).url)
    cut = fetch(client.background.change(portrait, color_code="#ff00ff", remove_bg=True, **GEOMETRY)
                .wait(timeout=30).url)
    x0, y0, x1, y1 = box(660, 240, 600, 600)
    magenta = lambda a: (np.abs(a - (255, 0, 255)).sum(axis=2) < 30)  # noqa: E731
    inside_keep, inside_cut = arr(keep)[y0:y1, x0:x1], arr(cut)[y0:y1, x0:x1]
    assert magenta(inside_keep).mean() < 0.01  # the photo's own backdrop is kept
    assert magenta(inside_cut).mean() > 0.3  # its backdrop is gone: the colour shows through
    assert not magenta(inside_cut[inside_cut.shape[0] // 2:, inside_cut.shape[1] // 2 - 2:][:5]).all()  # body stays
    preview = client.background.preview(portrait, color_code="#ff00ff", remove_bg=True, max_side=BG_MAX_SIDE_FAST,
                                        **GEOMETRY)
    changed_pixels_are_only_the_label(cut, preview)


def test_local_images_default_to_their_own_size(client, portrait):
    job = client.background.change(portrait, color_code="#000000")
    assert job.request["canvas_size"] == "256x256" and job.request["modify_origin_img_size"] == "256x256"
    assert job.request["overlay_origin_x"] == 0 and job.request["overlay_origin_y"] == 0
    assert fetch(job.wait(timeout=30).url).size == (256, 256)


@pytest.mark.parametrize("kwargs, message", [
    (dict(origin_img="https://x.com/p.png"), "modify_origin_img_size: is required when origin_img is a URL"),
    (dict(canvas_size="1920x", **{k: v for k, v in GEOMETRY.items() if k != "canvas_size"}),
     "canvas_size='1920x': is not a size"),
    (dict(GEOMETRY, modify_origin_img_size=(0, 10)), "modify_origin_img_size=(0, 10): (0, 10) is not a size"),
    (dict(GEOMETRY, color_code="purple"), "color_code='purple': is not a hex colour"),
    (dict(GEOMETRY, overlay_origin_x=1.5), "overlay_origin_x=1.5: is not a whole number"),
    (dict(GEOMETRY, overlay_template_x=3), "overlay_template_x: only applies with a template"),
    (dict(GEOMETRY, modify_template_size="10x10"), "modify_template_size: only applies with a template"),
    (dict(GEOMETRY, template_url="https://x.com/t.gif"), "template_url: .gif files are not accepted"),
    (dict(GEOMETRY, webhook_url="ftp://hook"), "webhook_url='ftp://hook' (sent as webhookUrl): is not an http(s) URL"),
])
def test_background_change_refuses_bad_input_before_any_request(client, sim, portrait, kwargs, message):
    reset(sim)
    origin = kwargs.pop("origin_img", portrait)
    with pytest.raises(ak.InvalidParameterError) as info:
        client.background.change(origin, **kwargs)
    assert message in str(info.value)
    assert requests_sent(sim) == 0  # nothing uploaded, nothing paid


@pytest.mark.parametrize("body, field", [
    ({"origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1", "overlay_origin_x": 0,
      "overlay_origin_y": 0}, "canvas_size is required"),
    ({"canvas_size": "10x10", "modify_origin_img_size": "1x1", "overlay_origin_x": 0, "overlay_origin_y": 0},
     "origin_img is required"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.png", "overlay_origin_x": 0, "overlay_origin_y": 0},
     "modify_origin_img_size is required"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
      "overlay_origin_y": 0}, "overlay_origin_x is required"),
    ({"canvas_size": "10 by 10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
      "overlay_origin_x": 0, "overlay_origin_y": 0}, "canvas_size must be"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
      "overlay_origin_x": 0.5, "overlay_origin_y": 0}, "overlay_origin_x must be an integer"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
      "overlay_origin_x": 0, "overlay_origin_y": 0, "overlay_template_y": 4}, "overlay_template_y is only allowed"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
      "overlay_origin_x": 0, "overlay_origin_y": 0, "color_code": "blue"}, "color_code must be a hexadecimal"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.mp3", "modify_origin_img_size": "1x1",
      "overlay_origin_x": 0, "overlay_origin_y": 0}, "origin_img must be an image URL"),
    ({"canvas_size": "10x10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
      "overlay_origin_x": 0, "overlay_origin_y": 0, "removeBg": "yes"}, "removeBg must be a boolean"),
])
def test_offline_background_change_answers_1003_naming_the_field(client, body, field):
    with pytest.raises(ak.InvalidRequestError) as info:
        client._request(APIRequest("POST", BG, json=body))
    assert info.value.code == 1003 and field in str(info.value)


def test_background_change_without_webhook_is_accepted(client):
    """webhookUrl is 'required' in the table but none of the four examples sends it (docs F.39)."""
    data = client._request(APIRequest("POST", BG, json={
        "canvas_size": "10x10", "origin_img": "https://x.com/p.png", "modify_origin_img_size": "1x1",
        "overlay_origin_x": 0, "overlay_origin_y": 0}))
    assert data["image_status"] == 1 and len(data["_id"]) == 24 and data["type"] == 3


def test_a_failed_background_change_carries_code_1206(client, sim, portrait):
    control(sim, "faults", {"fail_next_jobs": 1, "path_contains": "bg/replace"})
    job = client.background.change(portrait, **GEOMETRY)
    with pytest.raises(ak.JobFailedError) as info:
        job.wait(timeout=30)
    assert info.value.code == 1206 and info.value.job_id == job.id


def test_an_unreachable_image_fails_the_job_with_the_reason(client):
    job = client.background.change("https://127.0.0.1:9/missing.png", **GEOMETRY)
    with pytest.raises(ak.JobFailedError) as info:
        job.wait(timeout=30)
    assert "origin_img" in str(info.value)


# -- contract: the docs' four example bodies (catalog §B.8.1 and the original section s02) -------------------
BG_COMBINATION_2 = {"color_code": "#c9aafb", "canvas_size": "3840x3840",
                    "origin_img": "https://drz0f01yeq1cx.cloudfront.net/1712132369637-69a946c0-b2a7-4fe6-92c8-2729b36cc13e-0183.png",
                    "modify_origin_img_size": "3060x3824", "overlay_origin_x": 388, "overlay_origin_y": 8}
BG_COMBINATION_3 = {"color_code": "#aafbe3", "canvas_size": "3840x3840",
                    "template_url": "https://d3c24lvfmudc1v.cloudfront.net/public/background_change/ROne.png",
                    "modify_template_size": "3828x3828", "overlay_template_x": 2049, "overlay_template_y": -6,
                    "origin_img": "https://drz0f01yeq1cx.cloudfront.net/1712132369637-69a946c0-b2a7-4fe6-92c8-2729b36cc13e-0183.png",
                    "modify_origin_img_size": "3062x3828", "overlay_origin_x": -72, "overlay_origin_y": -84}
BG_COMBINATION_4 = {"canvas_size": "3840x3840",
                    "origin_img": "https://drz0f01yeq1cx.cloudfront.net/1712132369637-69a946c0-b2a7-4fe6-92c8-2729b36cc13e-0183.png",
                    "modify_origin_img_size": "3060x3824", "overlay_origin_x": 388, "overlay_origin_y": 8}


@pytest.mark.parametrize("body", ["#### B.8.1", BG_COMBINATION_2, BG_COMBINATION_3, BG_COMBINATION_4],
                         ids=["template", "colour", "template+colour", "neither"])
def test_background_change_examples_go_on_the_wire_unchanged(client, sim, body):
    if isinstance(body, str):  # read from the docs when the test runs (a skip if they are not beside us)
        body = example(body)
    kwargs = dict(body)
    client.background.change(kwargs.pop("origin_img"), **kwargs)
    assert last_body(sim, BG) == body


# ================================================================================= image generate
def tiles(grid: Image.Image) -> list[Image.Image]:
    w, h = grid.width // 2, grid.height // 2
    return [grid.crop(((i % 2) * w, (i // 2) * h, (i % 2 + 1) * w, (i // 2 + 1) * h)) for i in range(4)]


def middle(img: Image.Image, size: tuple[int, int]) -> np.ndarray:
    """The central band of ``img`` at ``size`` (away from the caption and the label)."""
    a = arr(img.resize(size, Image.Resampling.BILINEAR))
    return a[size[1] // 4: 3 * size[1] // 4, size[0] // 8: 7 * size[0] // 8]


def diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).mean())


@pytest.mark.parametrize("scale", ["1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3"])
def test_every_scale_gives_a_grid_of_four_in_that_aspect_ratio(client, scale):
    result = client.images.generate(f"stars over the sea, {scale}", scale=scale).wait(timeout=30)
    grid = fetch(result.url)
    a, b = (int(v) for v in scale.split(":"))
    w, h = grid.width // 2, grid.height // 2
    assert max(w, h) == TILE_FAST and abs(w / h - a / b) < 0.02
    assert result.data.buttons == ["U1", "U2", "U3", "U4", "V1", "V2", "V3", "V4"]
    assert result.data.prompt == f"stars over the sea, {scale}"


def test_the_picture_follows_the_prompt(client):
    jobs = [client.images.generate(p) for p in ("a red circle", "a blue circle", "a red circle")]
    red, blue, red_again = (arr(fetch(r.url)) for r in client.jobs.wait_all(jobs, timeout=30))
    reddish = lambda a: ((a[..., 0] > 150) & (a[..., 2] < 90)).mean()  # noqa: E731
    bluish = lambda a: ((a[..., 2] > 150) & (a[..., 0] < 90)).mean()  # noqa: E731
    assert reddish(red) > 0.03 and bluish(red) < 0.01
    assert bluish(blue) > 0.03 and reddish(blue) < 0.01
    assert (red == red_again).all()  # the same prompt draws the same picture
    four = tiles(fetch(jobs[0].url))
    assert diff(arr(four[0]), arr(four[1])) > 3  # four different candidates


def test_image_to_image_starts_from_the_source(client, portrait):
    plain, sourced = client.jobs.wait_all([client.images.generate("green trees"),
                                           client.images.generate("green trees", source_image=portrait)], timeout=30)
    assert sourced.data.source_image.startswith("http") and plain.data.source_image in ("", None)
    target = middle(Image.open(portrait), (TILE_FAST, TILE_FAST))
    assert diff(middle(tiles(fetch(sourced.url))[0], (TILE_FAST, TILE_FAST)), target) < \
        diff(middle(tiles(fetch(plain.url))[0], (TILE_FAST, TILE_FAST)), target) - 10


def test_upscale_and_variation_pick_the_chosen_candidate(client):
    generated = client.images.generate("a red sun over blue mountains at sunset", scale="16:9").wait(timeout=30)
    grid = tiles(fetch(generated.url))
    size = grid[0].size
    up = client.images.upscale(generated, 2)
    assert up.id != generated.id and up.request == {"_id": generated.id, "button": "U2"}
    upscaled = up.wait(timeout=30)
    assert upscaled.data.op_button == "U2" and upscaled.data.image_content_model_id == generated.id
    big = fetch(upscaled.url)
    assert max(big.size) == UPSCALE_FAST and abs(big.width / big.height - 16 / 9) < 0.02
    distances = [diff(middle(big, size), middle(t, size)) for t in grid]
    assert distances.index(min(distances)) == 1 and min(distances) < 8  # it is candidate 2, larger

    variant = fetch(client.images.variation(generated.job, 3).wait(timeout=30).url)
    assert max(variant.size) == VARIATION_FAST
    distances = [diff(middle(variant, size), middle(t, size)) for t in grid]
    assert distances.index(min(distances)) == 2 and min(distances) > 0.5  # like candidate 3, not equal

    info = client.images.info(generated.id)
    assert info.used_buttons == ["U2", "V3"] and len(info.upscaled_urls) == 4
    assert info.upscaled_urls[1] == upscaled.url and upscaled.url not in info.upscaled_urls[::2]
    assert client.images.info(upscaled.id).buttons == []


def test_button_misuse_is_refused_before_any_request(client, sim):
    generated = client.images.generate("a yellow star").wait(timeout=30)
    upscaled = client.images.upscale(generated, 1).wait(timeout=30)
    reset(sim)
    cases = [
        (lambda: client.images.button(generated, "U5"), "button: 'U5' is not allowed"),
        (lambda: client.images.upscale(generated, 0), "n: 0 is not a candidate number"),
        (lambda: client.images.variation(generated, 5), "n: 5 is not a candidate number"),
        (lambda: client.images.upscale(upscaled, 1), "buttons apply to images made by images.generate()"),
        (lambda: client.images.button("", "U1"), "image='' (sent as _id): is empty"),
        (lambda: client.images.generate("   "), "prompt='   ': is empty"),
        (lambda: client.images.generate("cat", scale="5:4"), "scale='5:4': must be one of '1:1'"),
        (lambda: client.images.generate("cat", source_image="https://x.com/a.gif"),
         "source_image: .gif files are not accepted"),
        (lambda: client.images.generate("cat", webhook_url="hook"),
         "webhook_url='hook' (sent as webhookUrl): is not an http(s) URL"),
    ]
    for call, message in cases:
        with pytest.raises(ak.InvalidParameterError) as info:
            call()
        assert message in str(info.value)
    assert requests_sent(sim) == 0


@contextlib.contextmanager
def held_image():
    """A PNG URL whose answer waits until ``release()`` is called."""
    gate = threading.Event()
    png = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 160, 60)).save(png, "PNG")

    class Held(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            gate.wait(30)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png.getvalue())))
            self.end_headers()
            self.wfile.write(png.getvalue())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Held)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/held.png", gate.set
    finally:
        gate.set()
        server.shutdown()


def test_offline_image_generate_errors_use_the_documented_codes(client, sim):
    with pytest.raises(ak.InvalidRequestError, match="prompt is required") as info:
        client._request(APIRequest("POST", PROMPT, json={"scale": "1:1"}))
    assert info.value.code == 1003
    with pytest.raises(ak.InvalidRequestError, match='scale must be "1:1"'):
        client._request(APIRequest("POST", PROMPT, json={"prompt": "cat", "scale": "1:3"}))
    with pytest.raises(ak.InvalidRequestError, match="button must be"):
        client._request(APIRequest("POST", BUTTON, json={"_id": "x", "button": "X1"}))
    with pytest.raises(ak.NotFoundError) as info:
        client.images.button("0123456789abcdef01234567", "U1")
    assert info.value.code == 1008
    with held_image() as (url, release):  # the source image is served only on release: the job stays pending
        pending = client.images.generate("a slow green square", source_image=url)
        with pytest.raises(ak.APIError) as info:  # not completed yet: "You can not operate this content"
            client.images.upscale(pending.id, 1)
        assert info.value.code == 1010
        release()
        upscaled = client.images.upscale(pending.wait(timeout=30), 1).wait(timeout=30)
    with pytest.raises(ak.APIError) as info:  # a U result has no buttons of its own
        client.images.button(upscaled.id, "U1")
    assert info.value.code == 1010
    with pytest.raises(ak.NotFoundError):
        client.images.info("0123456789abcdef01234567")


def test_a_failed_generation_carries_code_1108(client, sim):
    control(sim, "faults", {"fail_next_jobs": 1, "path_contains": "createbyprompt"})
    with pytest.raises(ak.JobFailedError) as info:
        client.images.generate("never").wait(timeout=30)
    assert info.value.code == 1108


def test_image_webhooks_say_image_and_background_change(client, sim, portrait, hook_server):
    url, received = hook_server
    jobs = [client.images.generate("a pink heart", webhook_url=url),
            client.background.change(portrait, color_code="#123456", webhook_url=url, **GEOMETRY)]
    results = client.jobs.wait_all(jobs, timeout=30)
    decoded = webhooks(sim, received, until=lambda ds: len({d["_id"] for d in ds if d["status"] == 3}) == 2)
    final = {d["_id"]: d for d in decoded if d["status"] == 3}
    assert final[jobs[0].id]["type"] == "image" and final[jobs[0].id]["url"] == results[0].url
    assert final[jobs[1].id]["type"] == "background change" and final[jobs[1].id]["url"] == results[1].url


def test_prompt_example_goes_on_the_wire_unchanged(client, sim):
    body = {"prompt": "Sun Wukong is surrounded by heavenly soldiers and generals",
            "source_image": "https://drz0f01yeq1cx.cloudfront.net/1708333063911-9cbe39b7-3c5f-4a35-894c-359a6cbb76c3-3283.png",
            "scale": "1:1", "webhookUrl": ""}  # catalog §B.9.1 (the cURL --data of s18; the JSONC body has comments)
    client.images.generate(body["prompt"], scale=body["scale"], source_image=body["source_image"],
                           webhook_url=body["webhookUrl"])
    assert last_body(sim, PROMPT) == body


def test_button_example_goes_on_the_wire_unchanged(client, sim):
    body = {"_id": "65d3206b83ccf5ab7d46cdc6", "button": "U2", "webhookUrl": ""}  # catalog §B.9.2 (s18 cURL)
    with pytest.raises(ak.NotFoundError):  # that image is not on this service; the request was still sent
        client.images.button(body["_id"], body["button"], webhook_url=body["webhookUrl"])
    assert last_body(sim, BUTTON) == body


@pytest.mark.anyio
async def test_async_generate_and_upscale(aclient):
    generated = await (await aclient.images.generate("a silver moon")).wait(timeout=30)
    upscaled = await (await aclient.images.upscale(generated, 4)).wait(timeout=30)
    assert upscaled.data.op_button == "U4" and fetch(upscaled.url).size == (UPSCALE_FAST, UPSCALE_FAST)


# ================================================================================== AI model list
def test_model_list_by_type_with_resolutions_durations_and_pro_flag(client, sim):
    image_to_video = client.ai_models.list(1501)
    assert image_to_video and {m.type for m in image_to_video} == {1501}
    assert [m.sort for m in image_to_video] == sorted((m.sort for m in image_to_video), reverse=True)
    assert control(sim, "requests")[-1]["query"] == {"types[]": "1501"}  # encoded as types[]=1501
    first = image_to_video[0]
    assert first.value and first.resolutions and all(r.width and r.height for r in first.resolutionList)
    assert first.durations and all(isinstance(d, int) for d in first.durations)
    assert any(m.pro for m in image_to_video) and not all(m.pro for m in image_to_video)
    assert "seedance-1-0-lite-i2v-250428" in [m.value for m in image_to_video]  # the docs' model_name
    assert "model_name" in first._repr_html_()

    both = client.ai_models.list(["image_to_video", 2101])
    assert {m.type for m in both} == {1501, 2101}
    assert {m.type for m in client.ai_models.list()} == {1501, 1502, 2101}


def test_model_list_refuses_unknown_types_before_any_request(client, sim):
    reset(sim)
    for types, message in (([], "types: needs at least one model type"), (9999, "types: 9999 is not a model type"),
                           ("video", "types: 'video' is not a model type"), ([True], "types: True is not")):
        with pytest.raises(ak.InvalidParameterError, match=message.replace("(", r"\(")):
            client.ai_models.list(types)
    assert requests_sent(sim) == 0


def test_offline_model_list_needs_types_and_ignores_unimplemented_ones(client):
    with pytest.raises(ak.InvalidRequestError, match="types is required") as info:
        client._request(APIRequest("GET", MODELS))
    assert info.value.code == 1003
    with pytest.raises(ak.InvalidRequestError, match="types must be an array of model type numbers"):
        client._request(APIRequest("GET", MODELS, params={"types[]": "abc"}))
    assert client._request(APIRequest("GET", MODELS, params={"types[]": "7777"})) == []  # "an empty array"
    two = client._request(APIRequest("GET", MODELS, params={"types[]": ["1502", "2101"]}))
    assert {m["type"] for m in two} == {1502, 2101}
