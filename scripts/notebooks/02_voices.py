"""Cells of notebooks/02_voices.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Voices: choose, clone, change, clean up

VoiceLab in four steps: pick one of Akool's voices, **clone** a voice from a recording, **change** the voice of
a recording, and **delete** clones you no longer need. Every step that costs credits returns a job; `wait()`
returns a result that plays inline.

Without an API key this runs on the **offline Akool**: same calls, simulated (but real) audio, no credits."""),
    ("code", """import akool_nb as ak

client = ak.connect()
client"""),
    ("md", """## 1. Akool's voices
Filter by `gender`, `age`, `style`, `scenario`, `name` or `language`; each voice has a preview. The
`voice_model_name` matters later: only **Akool Multilingual 1** voices can be voice-changer targets."""),
    ("code", """voices = client.voices.list(language="en")
for v in voices[:6]:
    print(f"{v.name:18} {v.gender:7} {v.voice_model_name}")
client.voices.list(gender="Female", size=3)"""),
    ("md", """Or pick by listening: the **VoicePicker** filters the same lists (language, gender, age, style, scenario,
name), ▶ plays a voice's preview, and a click selects it (`picker.value` is its `voice_id`)."""),
    ("code", """from akool_nb.widgets import VoicePicker

picker = VoicePicker(client, language="en")
picker"""),
    ("code", """# The same choice in code (what runs when nobody clicks):
if picker.value is None:
    picker.select(voices[0].voice_id)
picker.value, picker.voice.name"""),
    ("md", """## 2. A recording to work with
With your own voice, record 10–30 seconds of clear speech (mp3, mp4 or wav, at most 30 MB) and pass its path.
Here a speech result stands in for it."""),
    ("code", """narrator = next(v for v in voices if v.gender == "Male")
recording = client.tts.create("Hello, this is a short recording of my voice for cloning.", voice_id=narrator).wait()
recording"""),
    ("md", """## 3. Clone it
`clone()` takes the sample (a path, URL, bytes or a result) and optional tags. The result's `data` is the new
voice: its `voice_id` works everywhere a voice does, and its preview plays below."""),
    ("code", """clone = client.voices.clone(recording, name="My narrator", gender="Male", style=["Calm"], language="en").wait()
my_voice = clone.data
print(my_voice.name, my_voice.voice_id, my_voice.status)
clone"""),
    ("code", """client.voices.list(mine=True)"""),
    ("code", """client.tts.create("Now my cloned voice reads any text you give it.", voice_id=my_voice).wait()"""),
    ("md", """## 4. Voice changer
`change(audio, voice_id)` keeps the words and timing of `audio` and speaks them in another voice. Options:
`speed` 0.7–1.2, `file_format` "mp3"/"wav", `stability`/`similarity_boost`/`style` 0–1."""),
    ("code", """target = next(v for v in voices if v.voice_model_name == "Akool Multilingual 1" and v.gender == "Female")
changed = client.voices.change(recording, target, speed=1.1).wait()
changed"""),
    ("code", """for r in client.voices.changes(size=3):
    print(r.id, r.status, r.duration, "ms")"""),
    ("md", """## 5. Delete clones
Akool may delete only some of the ids you send: the answer says which were deleted and which were not, and why
(you can only delete your own voices)."""),
    ("code", """outcome = client.voices.delete([my_voice, target])
outcome"""),
    ("md", """## Bad input is caught before anything is paid for"""),
    ("code", """for call in (lambda: client.voices.change(recording, target, speed=2),
             lambda: client.voices.change(recording, next(v for v in voices if v.voice_model_name != "Akool Multilingual 1")),
             lambda: client.voices.clone(recording, clone_prompt="Hello", voice_model_name="Akool Multilingual 1")):
    try:
        call()
    except ValueError as err:
        print(type(err).__name__, "-", err)"""),
]
