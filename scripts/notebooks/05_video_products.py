"""Cells of notebooks/05_video_products.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Video products: image to video, character swap, lip sync, video translation

* **Image to video** animates a still for 5 or 10 s, driven by a prompt or an effect, with optional audio.
* **Character swap** puts the character of a picture into the motion of a video.
* **Lip sync** makes a video speak new audio.
* **Video translation** re-voices a video in other languages, optionally with lip sync and subtitles.

Without an API key this runs on the **offline Akool**: same calls, simulated videos, no credits."""),
    ("code", """import akool_nb as ak

client = ak.connect()
client"""),
    ("md", """## 0. Inputs
A picture, and a short video with speech to work on: here a talking photo made from text (with the real
service, use your own files; a path, URL, bytes, PIL image or earlier result all work)."""),
    ("code", """photo = ak.samples.portrait("portrait.png", size=512)
voice = client.voices.list(language="en")[0]
speech = client.tts.create(text="Hi! I am the presenter of this notebook.", voice_id=voice).wait()
presenter = client.talking_photo.create(photo="portrait.png", audio=speech).wait()
presenter"""),
    ("md", """## 1. Image to video
`resolution` is "720p", "1080p" or "4k", `video_length` 5 or 10 seconds. `audio_type` 1 lets Akool make
the audio, 2 uses yours (`audio=`), 3 is silent (the default without `audio=`). The prompt describes the
motion; `negative_prompt` what to avoid."""),
    ("code", """clip = client.image_to_video.create("portrait.png", "slow zoom in on the face, soft light",
                                   resolution="720p", video_length=5, audio_type=1).wait()
clip"""),
    ("md", """An **effect** replaces the prompt. The list comes with a preview of each."""),
    ("code", """from akool_nb.widgets import EffectPicker

effect_picker = EffectPicker(client)   # ▶ plays an effect's preview; a click picks it
effect_picker"""),
    ("code", """# The same in code:
effects = client.image_to_video.effects()
print([e.name for e in effects])
if effect_picker.value is None:
    effect_picker.select(effects[0].effect_code)
squish = client.image_to_video.create("portrait.png", effect_code=effect_picker.value).wait()
squish"""),
    ("md", """A **batch** makes up to 10 variations in one request (optionally with a model from
`client.ai_models.list("image_to_video")` and a last frame). `client.jobs.wait_all` follows them all with one
results request per poll."""),
    ("code", """batch = client.image_to_video.create_batch("portrait.png", "gentle pan to the right", count=2)
print(batch, batch.errors)
variations = client.jobs.wait_all(batch)
variations[1]"""),
    ("md", """New audio for a finished clip is a new job; the picture stays the same."""),
    ("code", """with_voice = client.image_to_video.update_audio(squish, speech).wait()
with_voice"""),
    ("code", """done = client.image_to_video.delete([squish, variations[0]])   # partial success is possible
print("deleted", done.deleted, "refused", done.refused)"""),
    ("md", """## 2. Character swap
`mode="animate"` (default) moves the character with the video's motion; `mode="replace"` puts the character
into the video. `resolution` "480p", "720p" or "1080p"; the video must be an MP4 of at most 120 s."""),
    ("code", """animated = client.character_swap.create(photo, presenter, mode="animate").wait()
animated"""),
    ("code", """replaced = client.character_swap.create(ak.samples.portrait(None, size=512, seed=3), presenter,
                                       mode="replace", resolution="480p").wait()
replaced"""),
    ("md", """## 3. Lip sync
The result keeps the video's length, so give audio of about the same length (videos: at most 60 s, 300 MB,
and preferably under 25 fps)."""),
    ("code", """new_line = client.tts.create(text="And now I say something else entirely.", voice_id=voice).wait()
synced = client.lip_sync.create(presenter, new_line).wait()
synced"""),
    ("md", """## 4. Video translation
Language codes come from `languages()`; pass one or several (several make one job per language). The source video needs speech (an audio track)
and may last at most 60 s at up to 30 fps. `caption_type` 2 adds subtitles in the target language."""),
    ("code", """languages = client.translation.languages()
print(len(languages), "languages, e.g.", [(l.lang_code, l.lang_name) for l in languages[:4]])"""),
    ("code", """jobs = client.translation.create(presenter, ["es", "fr"], caption_type=2)  # one job per language
results = [job.wait() for job in jobs]
print("languages:", [r.data.language for r in results])
translated = results[0]
translated"""),
    ("code", """path = translated.save("translated.mp4")
print(path, path.stat().st_size, "bytes;", translated.expires_at.strftime("the link expires %Y-%m-%d"))"""),
    ("md", """## Bad input is caught before anything is paid for"""),
    ("code", """for bad in (lambda: client.image_to_video.create("portrait.png", "zoom", video_length=7),
            lambda: client.character_swap.create(photo, presenter, mode="swap"),
            lambda: client.translation.create(presenter, "es", caption_type=9)):
    try:
        bad()
    except ValueError as err:
        print(type(err).__name__, "-", err)"""),
]
