"""Cells of notebooks/06_moderation_knowledge_streaming.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Moderation, knowledge bases and real-time avatars

This notebook covers the Akool APIs that are not about making a media file:

1. **Jarvis Moderator** checks text, images, audio and video against content policies.
2. **Knowledge bases** hold the documents and instructions a streaming avatar answers from.
3. **Streaming avatar sessions** put an avatar into a real-time video channel (Agora, LiveKit or TRTC).
4. **Live face swap** swaps a face into a live Agora video call.

The **offline Akool** answers these calls the way the docs describe. Its moderation is a small set of rules
that explain every result, not Akool's model. It streams no video: session credentials are placeholders
marked `SIMULATED`, and each session gets a still preview instead."""),
    ("code", """import akool_nb as ak

client = ak.connect()
client"""),
    ("md", """## 1. Jarvis Moderator
A check is a **job**, like every asynchronous product. `type` is `"text"`, `"image"`, `"video"` or
`"audio"`. The shortcuts are `client.moderation.text(...)`, `.image(...)`, `.video(...)` and `.audio(...)`.
`input=` takes your own words to look for. The result says **Compliant**, **Non-Compliant** or
**Unknown**, with one line per finding."""),
    ("code", """checked = client.moderation.text("Buy now! Limited offer, click here. Pineapple inside.",
                                 input="pineapple", language="en").wait()
checked"""),
    ("code", """analysis = checked.data          # the typed record: final_conclusion, result, findings
print(analysis.final_conclusion, "| compliant:", analysis.compliant)
for finding in analysis.findings:
    print(f"{finding.label:>14}: {finding.explanation}")"""),
    ("md", """An image, audio or video can be a URL, a local file, bytes, a PIL image or another job's result.
Local files are uploaded for you. The offline Akool knows the words of speech it synthesized itself, so
it can check what that speech says."""),
    ("code", """ak.samples.portrait("portrait.png", size=512)
client.moderation.image("portrait.png").wait()"""),
    ("code", """voice = client.voices.list(language="en")[0]
speech = client.tts.create(text="Nobody likes you, loser.", voice_id=voice).wait()
client.moderation.audio(speech).wait()"""),
    ("md", """The documented limits are checked before anything is sent: the types, the formats, ISO-639-1 language
codes, and the sizes (images up to 20MB, audio up to 25MB, video up to 1GB)."""),
    ("code", """for bad in (lambda: client.moderation.analyze("hello", type="pdf"),
            lambda: client.moderation.text("hello", language="english"),
            lambda: client.moderation.image("https://example.com/scan.bmp")):
    try:
        bad()
    except ValueError as err:
        print(type(err).__name__, "-", err)"""),
    ("md", """## 2. A knowledge base
A knowledge base has a name (unique on your account), a `prologue` (the avatar's greeting), a `prompt`
(its instructions), documents (PDF, DOC, DOCX, TXT, MD, JSON, XML, CSV; 100MB each, 500MB in total) and
web pages. A local document is uploaded, and its name and size are filled in. Because names are unique,
this cell first removes a knowledge base left by an earlier run."""),
    ("code", """from pathlib import Path

Path("faq.md").write_text("# Opening hours\\nWe are open 9:00-17:00, Monday to Friday.\\n")
name = "akool_nb tutorial KB"
for old in client.knowledge.list(name=name, size=100):
    if old.name == name:
        client.knowledge.delete(old)

kb = client.knowledge.create(
    name=name,
    prologue="Hello! Ask me about our opening hours.",
    prompt="Answer only from the documents. Keep answers short.",
    docs=[Path("faq.md")],
    urls=["https://example.com/help"],
)
kb"""),
    ("code", """kb = client.knowledge.update(kb, prompt="Answer from the documents, in one sentence.")
client.knowledge.detail(kb.id).prompt"""),
    ("md", """## 3. A streaming avatar session
Pick a streaming avatar, then open a session. `duration` is in seconds, at most 3600. Credits are charged
in advance and the unused time is refunded when you close the session. `knowledge_id` gives the avatar
its context. A session starts in **queueing** (status 1) and becomes **live** (status 2). It **ends**
(status 3) when you close it or when its time runs out."""),
    ("code", """avatar = client.streaming.avatars()[0]
avatar"""),
    ("code", """from PIL import Image

Image.new("RGB", (640, 360), (28, 72, 120)).save("studio.png")
session = client.streaming.create_session(avatar, duration=120, knowledge_id=kb, background_url="studio.png",
                                          mode_type=2, language="en")
session = client.streaming.wait_live(session)
session"""),
    ("md", """A browser joins the channel with `session.credentials`, for example with Agora's
`client.join(agora_app_id, agora_channel, agora_token, agora_uid)`. It then talks to the avatar over the
data channel (see the streaming guide). `stream_type="livekit"` or `"trtc"` returns that provider's
credentials. The docs give the TRTC fields under two names, and `session.credential("trtc_app_id")`
finds either one."""),
    ("code", """client.streaming.sessions(status=2)"""),
    ("code", """print(client.streaming.close_session(session))
try:
    client.streaming.close_session(session)      # closing twice
except ak.APIError as err:
    print(type(err).__name__, "-", err)"""),
    ("md", """## 4. Live face swap
A live session swaps the face in `sourceImage` into an Agora call. `opts` are the face's landmarks, the
`landmarks_str` of face detection: `"x,y:x,y:x,y:x,y"` for the eyes, the nose and the mouth. The values
below fit the 512 px sample portrait. When `faceswap_status` is 2, join channel `channel_id` as
`front_user_id` with `front_rtc_token`. No status endpoint is documented, so a session shows the status of
the last answer."""),
    ("code", """live = client.live_faceswap.create("portrait.png", opts="225,205:287,205:261,236:256,256")
live"""),
    ("code", """closed = client.live_faceswap.close(live)
closed.state.label"""),
    ("md", """## Clean up"""),
    ("code", """client.knowledge.delete(kb)
[k.name for k in client.knowledge.list(name=name)]"""),
]
