"""Cells of notebooks/07_panels.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Panels: pick, preview, compose and follow jobs by clicking

`akool_nb.widgets` turns the API into panels: you click a voice, drag an avatar, watch jobs finish. Each panel
keeps its result in `.value` (and `on_select(callback)` reacts to it), so every click has a programmatic
equivalent, shown right next to it. Media load by URL (the notebook stays small), nothing plays by itself, and a
static copy of each panel stays in the saved notebook for readers without a kernel."""),
    ("code", """import akool_nb as ak
from akool_nb.widgets import AvatarPicker, VoicePicker, MediaPreview, JobMonitor, TalkingAvatarComposer, Studio

client = ak.connect()   # the offline Akool without an API key
client"""),
    ("md", """## 1. Pick a voice
Filter by language, gender, age, style or scenario, search by name, press ▶ to hear a voice, click it to pick it."""),
    ("code", """voices = VoicePicker(client, language="en")
voices"""),
    ("code", """# The same choice in code (also what runs when nobody clicks):
if voices.value is None:
    voices.select(client.voices.list(language="en", gender="Female")[0].voice_id)
voices.value, voices.voice.name"""),
    ("md", """## 2. Pick an avatar
Official avatars (`from` 2), your own (`from` 3), talking or streaming ones; video avatars show their poster."""),
    ("code", """avatars = AvatarPicker(client, source="official", page_size=6)
avatars"""),
    ("code", """if avatars.value is None:
    avatars.select(client.avatars.list(from_=2)[0].avatar_id)
avatars.value              # {"avatar_id": ..., "from": 2}: what talking avatars need"""),
    ("md", """## 3. Follow jobs without blocking the notebook
A JobMonitor polls in the background: you can keep working while it updates. `wait()` is there when a script
needs the results."""),
    ("code", """speech_jobs = [client.tts.create(text=text, voice_id=voices.value)
               for text in ("Welcome to the panels tutorial.", "Every panel has a programmatic twin.")]
monitor = JobMonitor(speech_jobs, title="Speech")
monitor"""),
    ("code", """results = monitor.wait()          # the same in code: client.jobs.wait_all(speech_jobs)
[r.url for r in results]"""),
    ("md", """## 4. Preview media with its details
Size, duration, resolution, file size and expiry; the file stays where it is (a URL or a path)."""),
    ("code", """MediaPreview(results[0])"""),
    ("md", """## 5. Compose a talking avatar
Drag layers on the 3840×2160 stage, resize them with the corner handles (Shift keeps the ratio), nudge with the
arrow keys, reorder them in the layer list. The request body updates live below the stage."""),
    ("code", """composer = TalkingAvatarComposer(client)
composer.add_image("#1d3557")                 # a backdrop colour (or an image URL / path)
composer.add_avatar(avatars)                  # the picked avatar
composer.add_audio(results[0])                # the speech made above (or add_speech(text, voices))
composer.link(avatars, voices)                # picking another avatar or voice updates the layout
composer"""),
    ("code", """# The same layout in code: positions are the upper-left corner in canvas pixels.
composer.set_box(1, x=2200, y=520, width=1500, height=1500)
composer.payload"""),
    ("code", """composer.render_preview(scale=0.1)           # rendered locally, like the offline Akool renders results"""),
    ("code", """# A composer can start from an existing request body (and gives the same body back):
again = TalkingAvatarComposer.from_payload(composer.payload, client)
assert again.payload == composer.payload"""),
    ("code", """job = composer.submit()                       # client.talking_avatar.create(composer.elements)
video = composer.monitor.wait()[0]
video"""),
    ("md", """## 6. Everything in one panel
Studio chains the steps: avatar + voice + text → speech → talking avatar → preview."""),
    ("code", """studio = Studio(client, text="Hello! This video was made from the Studio panel.")
studio"""),
    ("code", """# Headless: select and run in code.
if studio.avatars.value is None:
    studio.avatars.select(avatars.value["avatar_id"])
if studio.voices.value is None:
    studio.voices.select(voices.value)
studio.run(wait=True)"""),
    ("md", """## 7. Faces: click the ones you mean
A FacePanel runs face detection and draws each face with its 6 landmarks; clicking selects (selected faces get
a white outline). Two of them make a FaceSwapPanel: the mapping and the ready request, live. Drop a photo or
video of your own on either panel (or press *Choose file…*) to analyse it instead."""),
    ("code", """from akool_nb.sim.engines import sample_group, sample_photo
from akool_nb.widgets import FacePanel, FaceSwapPanel

swap = FaceSwapPanel(client, FacePanel(client, sample_photo("grace_hopper"), display_width=360),
                     FacePanel(client, sample_group()))
swap"""),
    ("code", """if not swap.source.value:
    swap.source.select(0)
if not swap.target.value:
    swap.target.select(1)
swap.value["body"]"""),
    ("md", """## 8. Background layouts
The BackgroundComposer works like the talking-avatar composer, on a canvas of any size, and shows the
`bg/replace` parameters."""),
    ("code", """from akool_nb.widgets import BackgroundComposer

ak.samples.portrait("portrait.png", size=512)
background = BackgroundComposer(client, "portrait.png", canvas_size="1280x720", color_code="#264653")
background"""),
    ("code", """background.set_layer("origin", x=700, y=160, width=520, height=560)
background.params"""),
    ("md", """## 9. Effects and models
Image-to-video effects (▶ previews, never autoplayed) and the AI model list with resolutions, lengths and the
pro flag."""),
    ("code", """from akool_nb.widgets import EffectPicker, ModelPicker

EffectPicker(client)"""),
    ("code", """models = ModelPicker(client, kind="image_to_video")
if models.value is None:
    models.select(models.visible[0], resolution="720p")
models"""),
    ("code", """models.params                 # {"model_name", "resolution", "video_length"} for create_batch"""),
    ("md", """## 10. Annotations for face tools
The face panels draw boxes, landmarks and face numbers with `akool_nb.media.annotate`; it takes faces as plain
data, so it works with any detector's output."""),
    ("code", """from akool_nb.media.annotate import FaceAnnotator

portrait = ak.samples.portrait(None, size=512)
faces = [{"box": [150, 120, 212, 260], "landmarks": [[210, 230], [300, 230], [255, 275], [225, 320], [285, 320], [255, 340]]}]
FaceAnnotator(faces).annotate(portrait).resize((256, 256))"""),
]
