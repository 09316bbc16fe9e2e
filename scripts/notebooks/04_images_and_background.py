"""Cells of notebooks/04_images_and_background.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Images: generate, upscale, change the background

Text to image gives a 2×2 grid of candidates; **U1–U4** upscale one, **V1–V4** make a variant of one. Background
change puts a foreground on a new canvas over a colour, a template image, both, or neither, and you can
**preview** the layout locally before paying for it. Last, the AI model list tells which video models exist.

Without an API key this runs on the **offline Akool**: same calls, simulated pictures, no credits."""),
    ("code", """import akool_nb as ak

client = ak.connect()
client"""),
    ("md", """## 1. Text to image
`scale` is the aspect ratio: "1:1" (default), "4:3", "3:4", "16:9", "9:16", "3:2" or "2:3". The result is one
picture with four candidates, numbered 1 2 / 3 4."""),
    ("code", """art = client.images.generate("a red sun over blue mountains at sunset", scale="16:9").wait()
print(art.data.buttons)
art"""),
    ("md", """## 2. Upscale or vary one candidate
Each button press is a new job with its own `_id`."""),
    ("code", """big = client.images.upscale(art, 2).wait()
big"""),
    ("code", """variant = client.images.variation(art, 3).wait()
variant"""),
    ("md", """## 3. Image to image
`source_image` (a path, URL, PIL image or result) makes the prompt restyle a picture."""),
    ("code", """photo = ak.samples.portrait("portrait.png", size=512)
restyled = client.images.generate("green trees and flowers", source_image=photo).wait()
restyled"""),
    ("md", """## 4. Background change: preview first, for free
Sizes are "WIDTHxHEIGHT" (or tuples) and positions the upper-left corner, all in canvas pixels; offsets may
be negative. `remove_bg=True` cuts the foreground out of its own backdrop. `preview()` renders the layout
here with the same renderer the offline Akool uses, so what you see is what you get."""),
    ("code", """layout = dict(canvas_size="1920x1080", modify_origin_img_size="900x900", overlay_origin_x=960, overlay_origin_y=180,
              color_code="#1d3557", remove_bg=True)
client.background.preview("portrait.png", max_side=480, **layout)"""),
    ("code", """on_colour = client.background.change("portrait.png", **layout).wait()
on_colour"""),
    ("md", """A template image (here the upscaled picture from step 2) goes under the foreground, with its own size and
position; with a colour too, the colour shows where the template does not reach."""),
    ("code", """scene = dict(canvas_size="1920x1080", template_url=big, modify_template_size="1920x1080", overlay_template_x=0,
             overlay_template_y=0, modify_origin_img_size="700x700", overlay_origin_x=1150, overlay_origin_y=380,
             remove_bg=True)
client.background.preview("portrait.png", max_side=480, **scene)"""),
    ("code", """client.background.change("portrait.png", **scene).wait()"""),
    ("md", """### By dragging
The **BackgroundComposer** puts the foreground and the template on the canvas as layers: drag them, resize them
with the corner handles (Shift keeps the ratio), nudge with the arrow keys; they snap to the edges and the centre.
Set the canvas size and the colour on the side. The `bg/replace` parameters update live under the stage, in the
API's own field names. `from_params` opens existing parameters (here `scene`) and gives them back unchanged."""),
    ("code", """from akool_nb.widgets import BackgroundComposer

composer = BackgroundComposer(client, "portrait.png", template=big, canvas_size="1920x1080", color_code="#1d3557")
composer"""),
    ("code", """# The same in code: place layers in canvas pixels, read the parameters, preview and submit.
composer.set_layer("origin", x=1100, y=300, width=780, height=780)
print(composer.params)
again = BackgroundComposer.from_params(composer.params, client)
assert again.params == composer.params
composer.render_preview(max_side=480)"""),
    ("code", """composer.submit()                 # = client.background.change("portrait.png", **composer.change_kwargs())
composer.monitor.wait()[0]"""),
    ("md", """## 5. Which AI video models exist?
`client.ai_models.list()` lists models for image to video (1501), text to video (1502) and character swap
(2101). Pass a model's `value` as `model_name`, one of its `resolutions` and `durations`."""),
    ("code", """models = client.ai_models.list("image_to_video")
for m in models:
    print(f"{m.value:32} {'PRO ' if m.pro else '    '}{m.resolutions} {m.durations}")
models[0]"""),
    ("md", """## Bad input is caught before anything is paid for"""),
    ("code", """for call in (lambda: client.images.generate("a cat", scale="5:4"),
             lambda: client.images.upscale(art, 5),
             lambda: client.background.change("https://example.com/photo.png", color_code="#123456"),
             lambda: client.background.change("portrait.png", overlay_template_x=10)):
    try:
        call()
    except ValueError as err:
        print(type(err).__name__, "-", err)"""),
]
