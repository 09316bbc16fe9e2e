"""Cells of notebooks/01_quickstart.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# akool_nb quickstart: voices → speech → talking photo → talking avatar

`ak.connect()` uses the real Akool when an API key is configured (`AKOOL_API_KEY`, `api_key=`, or a Colab
secret) and otherwise starts the **offline Akool** on this machine: the same API, simulated results, no credits.
It always tells you which one you got."""),
    ("code", """import akool_nb as ak

client = ak.connect()
client"""),
    ("md", """## 1. Pick a voice
`client.voices.list()` returns VoiceLab voices (filters: `gender`, `age`, `style`, `scenario`, `name`,
`language`). Each has a preview you can play. The v3 list is `client.voices.list_v3()`."""),
    ("code", """voices = client.voices.list(language="en")
print(len(voices), "English voices;", [v.name for v in voices[:5]])
voice = voices[0]
voice"""),
    ("md", """## 2. Text to speech
Every asynchronous product returns a **job**. `wait()` polls with backoff until it is done and returns the
result, which plays inline. The job is also written to a local journal, so a kernel restart loses nothing:
`client.jobs.recent()` and `client.jobs.attach(id)` bring it back."""),
    ("code", """speech = client.tts.create(text="Hello! I am a talking photo made with akool_nb.", voice_id=voice).wait()
speech"""),
    ("md", """## 3. Talking photo
Media parameters take a URL, a local path, bytes, a PIL image, or a result such as `speech`. Local files are
hosted for you by the offline Akool; with the real service, pass `asset_host=` to the client (or URLs)."""),
    ("code", """photo = ak.samples.portrait("portrait.png", size=512)   # or your own photo
photo.resize((160, 160))"""),
    ("code", """video = client.talking_photo.create(photo="portrait.png", audio=speech, resolution="720").wait()
video"""),
    ("code", """path = video.save("hello.mp4")          # streamed to disk
print(path, path.stat().st_size, "bytes; the link", video.expires_at.strftime("expires %Y-%m-%d %H:%M UTC"))"""),
    ("md", """## 4. Talking avatar
A talking avatar lays out elements on a 3840×2160 stage: offsets are each element's upper-left corner in those
pixels. The speech can be a file or `input_text` + `voice_id`."""),
    ("code", """avatars = client.avatars.list(from_=2)
avatar = avatars[0]
avatar"""),
    ("code", """elements = [
    {"type": "image", "url": "#1d3557", "width": 3840, "height": 2160,
     "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0},
    {"type": "avatar", "avatar_id": avatar.avatar_id, "width": 1440, "height": 1440,
     "scale_x": 1, "scale_y": 1, "offset_x": 1200, "offset_y": 720},
    {"type": "audio", "input_text": "Welcome to the akool_nb quickstart.", "voice_id": voice.voice_id},
]
presenter = client.talking_avatar.create(elements).wait()
presenter"""),
    ("md", """## 5. Nothing is lost
Every job created from this machine is in the journal, with its id and product."""),
    ("code", """for job in client.jobs.recent(limit=4):
    print(job.product.key, job.id, job.status.label)"""),
    ("md", """## Bad input is caught before anything is paid for"""),
    ("code", """try:
    client.tts.create_v3(text="Too fast", voice_id=voice, rate="150%")
except ValueError as err:
    print(type(err).__name__, "-", err)"""),
]
