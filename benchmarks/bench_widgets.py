"""Panel speed and size figures, each against a baseline measured in the same run.

* landmark overlay (FaceAnnotator: boxes, 6 landmarks, labels) on a 3840×2160 image — aim ≤ 40 ms;
  baseline: the bare ``image.copy()`` every annotation starts with;
* composer preview update at display size (960×540) with the shared layout renderer — aim ≤ 25 ms;
  baseline: a bare Pillow resize + paste of the same layers;
* background composer preview update (BackgroundComposer.render_preview at 720 px, 1920×1080 canvas, template +
  foreground) after a drag step; baseline: a bare Pillow resize + paste of the same two layers;
* a 100-avatar AvatarPicker page: built, serialised to widget state and rendered as the static HTML copy;
* the saved size of an executed notebook that previews a 100 MB video (widget state included) — aim ≤ 200 KB.

Run: python benchmarks/bench_widgets.py [rounds]
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image


def _median_ms(fn, rounds: int) -> float:
    fn()  # warm up
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _medians_alternating(rounds: int, **steps) -> dict[str, float]:
    """Median ms of each step, run in turn ``rounds`` times, the order reversed every other round so machine
    noise hits all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps.items())
    for i in range(rounds):
        for name, fn in order[:: 1 if i % 2 else -1]:
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(v) * 1000 for name, v in times.items()}


def bench_overlay(rounds: int) -> dict[str, float]:
    from akool_nb.media.annotate import FaceAnnotator

    image = Image.new("RGB", (3840, 2160), "#405060")
    faces = []
    for i in range(4):
        x, y, s = 300 + i * 850, 500 + (i % 2) * 300, 600
        faces.append({"box": [x, y, s, s * 1.2], "landmarks": [[x + s * 0.3, y + s * 0.45], [x + s * 0.7, y + s * 0.45],
                                                             [x + s * 0.5, y + s * 0.65], [x + s * 0.35, y + s * 0.85],
                                                             [x + s * 0.65, y + s * 0.85], [x + s * 0.5, y + s * 1.0]]})
    annotator = FaceAnnotator(faces)
    base = _median_ms(image.copy, rounds)
    overlay = _median_ms(lambda: annotator.annotate(image), rounds)
    print(f"landmark overlay, 4 faces on 3840×2160 (median of {rounds})")
    print(f"  baseline image.copy()        {base:7.1f} ms")
    print(f"  FaceAnnotator.annotate()     {overlay:7.1f} ms   ratio {overlay / base:4.2f}")
    print(f"RESULT overlay_ms={overlay:.1f} (aim <= 40)")
    return {"overlay_ms": overlay, "copy_ms": base}


def bench_composer(rounds: int, tmp: Path) -> dict[str, float]:
    from akool_nb.media.layout import TALKING_AVATAR_CANVAS
    from akool_nb.media.preview import ElementLoader, layout_still
    from akool_nb.media.thumbnails import data_uri
    from akool_nb.sim import media as sim_media

    made = sim_media.make_avatar_assets(tmp / "avatars", fast=False)
    backdrop = tmp / "backdrop.jpg"
    Image.radial_gradient("L").resize((1920, 1080)).convert("RGB").save(backdrop)
    logo = tmp / "logo.png"
    Image.new("RGBA", (400, 200), (255, 200, 0, 200)).save(logo)
    elements = [
        {"type": "image", "url": str(backdrop), "width": 3840, "height": 2160, "scale_x": 1, "scale_y": 1,
         "offset_x": 0, "offset_y": 0},
        {"type": "avatar", "url": str(made[0]["video"]), "width": 1440, "height": 1440, "scale_x": 1, "scale_y": 1,
         "offset_x": 1200, "offset_y": 720},
        {"type": "image", "url": str(logo), "width": 800, "height": 400, "scale_x": 1, "scale_y": 1,
         "offset_x": 2900, "offset_y": 100},
        {"type": "audio", "input_text": "hi", "voice_id": "v"},
    ]
    loader = ElementLoader()
    layout_still(elements, loader=loader, width=960)  # decode once, as a composer does on first show
    scale = 960 / TALKING_AVATAR_CANVAS[0]
    sources = [loader(e) for e in elements[:3]]

    def bare() -> Image.Image:
        canvas = Image.new("RGB", (960, 540), "#000000")
        for el, src in zip(elements[:3], sources):
            size = (round(el["width"] * scale), round(el["height"] * scale))
            patch = src.resize(size, Image.Resampling.BILINEAR)
            canvas.paste(patch, (round(el["offset_x"] * scale), round(el["offset_y"] * scale)),
                         patch if patch.mode == "RGBA" else None)
        return canvas

    def update() -> None:
        elements[1]["offset_x"] += 4  # a drag step
        layout_still(elements, loader=loader, width=960)

    def update_and_encode() -> None:
        elements[1]["offset_x"] -= 4
        data_uri(layout_still(elements, loader=loader, width=960), quality=72)

    def resize_step() -> None:
        elements[1]["width"] += 4  # a resize step: this one layer is resized again
        layout_still(elements, loader=loader, width=960)

    med = _medians_alternating(rounds, bare=bare, update=update, encode=update_and_encode, resize=resize_step)
    print(f"composer preview update at 960×540, 3 layers (median of {rounds})")
    print(f"  baseline bare Pillow resize+paste   {med['bare']:6.1f} ms")
    print(f"  layout renderer (render_layers)     {med['update']:6.1f} ms   ratio {med['update'] / med['bare']:4.2f}")
    print(f"  + JPEG data URI for the panel       {med['encode']:6.1f} ms")
    print(f"  a resize step (one layer re-scaled) {med['resize']:6.1f} ms")
    print(f"RESULT composer_update_ms={med['update']:.1f} (aim <= 25)")
    return med


def bench_background(rounds: int, tmp: Path) -> dict[str, float]:
    from akool_nb.widgets import BackgroundComposer

    fg, tpl = tmp / "fg.png", tmp / "tpl.jpg"
    Image.radial_gradient("L").resize((1024, 1024)).convert("RGB").save(fg)
    Image.linear_gradient("L").resize((1920, 1080)).convert("RGB").save(tpl)
    composer = BackgroundComposer(None, str(fg), template=str(tpl), color_code="#1d3557", display_width=720)
    composer.render_preview()  # decode once, as the panel does on first show
    loader = composer._element_loader()
    sources = [loader.picture(str(tpl)), loader.picture(str(fg))]
    scale = 720 / 1920

    def bare() -> Image.Image:
        canvas = Image.new("RGB", (720, 405), "#1d3557")
        for el, src in zip(composer.stage.elements, sources):
            patch = src.resize((round(el["width"] * scale), round(el["height"] * scale)), Image.Resampling.BILINEAR)
            canvas.paste(patch, (round(el["offset_x"] * scale), round(el["offset_y"] * scale)))
        return canvas

    def update() -> None:
        elements = composer.elements
        elements[1]["offset_x"] += 4  # a drag step, as the front end writes it back
        composer.stage.elements = elements
        composer.render_preview()

    med = _medians_alternating(rounds, bare=bare, update=update)
    print(f"background composer preview at 720 px, 1920×1080 canvas, 2 layers (median of {rounds})")
    print(f"  baseline bare Pillow resize+paste   {med['bare']:6.1f} ms")
    print(f"  params + render + JPEG for the panel {med['update']:5.1f} ms   ratio {med['update'] / med['bare']:4.2f}")
    print(f"RESULT background_update_ms={med['update']:.1f}")
    composer.close()
    return med


def bench_picker(rounds: int) -> dict[str, float]:
    from akool_nb.widgets import AvatarPicker

    records = [{"_id": f"id{i:04d}", "avatar_id": f"avatar{i:04d}", "name": f"Avatar {i}", "from": 2, "type": 1,
                "url": f"https://cdn.example.com/avatars/avatar{i:04d}.mp4",
                "thumbnailUrl": f"https://cdn.example.com/avatars/avatar{i:04d}.jpg", "gender": "female"}
               for i in range(100)]
    state_size = 0
    html_size = 0

    def build() -> None:
        nonlocal state_size, html_size
        picker = AvatarPicker(avatars=records, page_size=100)
        state = picker.get_state()
        state_size = len(json.dumps({k: v for k, v in state.items() if k not in ("_esm", "_css")}))
        html_size = len(picker._repr_mimebundle_()[0]["text/html"])
        picker.close()

    ms = _median_ms(build, rounds)
    print(f"100-avatar picker page: built + widget state + static HTML {ms:.1f} ms; state {state_size / 1024:.1f} KB "
          f"(thumbnails by URL), static copy {html_size / 1024:.1f} KB")
    print(f"RESULT picker_100_ms={ms:.1f}")
    return {"picker_ms": ms, "state_kb": state_size / 1024}


def bench_notebook_size(tmp: Path) -> float:
    import nbformat
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook

    from akool_nb.sim import media as sim_media

    made = sim_media.make_avatar_assets(tmp / "nbavatars", fast=True)
    big = tmp / "big.mp4"
    data = Path(made[0]["video"]).read_bytes()
    padding = 100 * 1024 * 1024 - len(data)
    with open(big, "wb") as fh:  # a valid MP4 padded to 100 MB with a 'free' box (players skip it)
        fh.write(data)
        fh.write((padding).to_bytes(4, "big") + b"free")
        fh.write(b"\0" * (padding - 8))
    nb = new_notebook(cells=[new_code_cell("from akool_nb.widgets import MediaPreview\nMediaPreview('big.mp4')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp)}}).execute()
    out = tmp / "preview.ipynb"
    nbformat.write(nb, out)
    size_kb = out.stat().st_size / 1024
    widget_state = "application/vnd.jupyter.widget-state+json" in nb.metadata.get("widgets", {})
    copies = [o for o in nb.cells[0].outputs if "data-aknb-static" in o.get("data", {}).get("text/html", "")]
    assert len(copies) == 1 and "<video" in copies[0]["data"]["text/html"], "the static copy must be saved"
    print(f"notebook previewing a {big.stat().st_size / 2**20:.0f} MiB video: executed in "
          f"{time.perf_counter() - start:.1f}s, saved {size_kb:.1f} KB (widget state saved: {widget_state}); "
          f"ratio to the video {size_kb * 1024 / big.stat().st_size:.5f}")
    print(f"RESULT notebook_kb={size_kb:.1f} (aim <= 200)")
    return size_kb


def main(rounds: int = 30) -> None:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        bench_overlay(rounds)
        bench_composer(rounds, tmp)
        bench_background(rounds, tmp)
        bench_picker(max(5, rounds // 3))
        bench_notebook_size(tmp)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
