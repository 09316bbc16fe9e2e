"""Cells of notebooks/03_faces_and_faceswap.ipynb: ("md"|"code", source)."""

CELLS = [
    ("md", """# Faces: detect, swap, reage

Face detection finds each face with **6 landmarks** (left eye, right eye, nose tip, mouth centre, left and right
mouth corner; "left" is the picture's left) and a region `(x, y, width, height)`. The first four landmarks as a
string, `landmarks_str` (`face.opts`), are what face swap and reage need to know which face to change.

Without an API key this runs on the **offline Akool**: a real face detector on your pictures, real (visibly
simulated) swaps and age filters, no credits."""),
    ("code", """import akool_nb as ak

client = ak.connect()
client"""),
    ("md", """## 1. Two real photos
Both ship inside installed packages (scikit-image and matplotlib), so nothing is downloaded. Use your own photos
the same way: a path, a URL, bytes or a PIL image."""),
    ("code", """from matplotlib import cbook
from PIL import Image
from skimage import data

astronaut = Image.fromarray(data.astronaut())
grace = Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB")

group = Image.new("RGB", (900, 500), (214, 218, 226))     # both on one picture: two faces
group.paste(astronaut.resize((400, 400)), (18, 50))
group.paste(grace.resize((300, 352)), (558, 80))
group.resize((450, 250))"""),
    ("md", """## 2. Detect faces
Local pictures are sent as base64 (no upload needed). The result lists the faces left to right; `face` is the
largest. `draw()` marks the boxes and landmarks."""),
    ("code", """scene = client.faces.detect(group)
scene"""),
    ("code", """face = scene.faces[0]
print("region (x, y, w, h):", face.region)
for name, point in face.points.items():
    print(f"{name:>13}: {point}")
print("opts:", face.opts)
scene.draw(group).resize((450, 250))"""),
    ("md", """`single_face=True` keeps only the largest face. `return_face_url=True` also returns each face cropped, with
landmarks relative to the crop: the best input for face swap targets. A picture without a face simply has no
faces."""),
    ("code", """crops = client.faces.detect(group, return_face_url=True)
print(len(client.faces.detect(group, single_face=True).faces), "face with single_face=True")
print(client.faces.detect(Image.new("RGB", (200, 200), "white")).faces, "in a blank picture")
crops"""),
    ("md", """## 3. Swap a face
Give the picture to change, the new face (`source`) and the face it replaces (`target`). Faces can be detected
faces, whole detections (their largest face), `{"path", "opts"}` dicts, or just pictures (their largest face is
found for you). Up to 8 pairs per request; `face_enhance=1` picks the HD model."""),
    ("code", """me = client.faces.detect(grace)
swapped = client.faceswap.image(scene, source=me, target=scene.faces[0]).wait()
swapped"""),
    ("md", """### By clicking
Two **FacePanels** show what detection found (boxes, the 6 landmarks numbered 0–5, face numbers); click the new
face on the left and the face(s) to replace on the right. The **FaceSwapPanel** pairs them in click order and
shows the exact request live; *Swap faces* submits it and follows the job. Switch to *Face Swap Pro* for a single
face without landmarks. To use your own picture or video, drop the file on a panel (or press *Choose file…*): it is
saved under `~/.akool_nb/uploads/` (`panel.uploaded`) and its faces are found at once."""),
    ("code", """from akool_nb.widgets import FacePanel, FaceSwapPanel

source = FacePanel(client, grace, title="Source: the new face", display_width=360)
target = FacePanel(client, group, title="Target: the faces to replace")
swap = FaceSwapPanel(client, source, target)
swap"""),
    ("code", """# The same in code: select by index (what the clicks do), then read or submit the request.
if not source.value:
    source.select(0)
if not target.value:
    target.select(0)
print(swap.value["endpoint"], swap.value["pairs"])
panel_job = swap.submit()          # = client.faceswap.image(scene, source=source.value, target=target.value)
swap.monitor.wait()[0]"""),
    ("md", """**Face Swap Pro** (v4) needs no landmarks, but swaps a single face."""),
    ("code", """pro = client.faceswap.pro(target=astronaut, source=grace, face_enhance=True).wait()
pro"""),
    ("md", """## 4. Reage
`face_reage` goes from -30 (younger) to 30 (older). Without `target`, every face in the picture is changed.
`wait_all` follows many jobs with one request per round."""),
    ("code", """older = client.reage.image(group, 30)
younger = client.reage.image(group, -30, target=scene.faces[1])
older_result, younger_result = client.jobs.wait_all([older, younger])
older_result"""),
    ("code", """younger_result"""),
    ("md", """## 5. Videos
Video face swap takes the video's faces as crops (`client.faces.detect(video, return_face_url=True)`), or finds
them for you. Here is a two-second clip made from the astronaut photo."""),
    ("code", """import tempfile
from pathlib import Path

from akool_nb.sim.engines import make_face_clip

clip = make_face_clip(astronaut, Path(tempfile.mkdtemp()) / "astronaut.mp4", seconds=2, fps=10, size=320)
frames = client.faces.detect(clip, num_frames=4)
[(index, time, len(faces)) for index, time, faces in frames.frames]"""),
    ("code", """video = client.faceswap.video(clip, source=grace).wait()
video"""),
    ("md", """## 6. Results, deleting, credit
Results stay for 7 days; `results()` lists them by id, `delete()` removes them for good, `credit()` is your
balance. A reage job can be stopped with `client.reage.cancel(job)`."""),
    ("code", """for record in client.faceswap.results([swapped, pro, video]):
    print(record.id, record.faceswap_status, record.url)
client.faceswap.delete(pro)
print("credit left:", client.faceswap.credit())"""),
    ("md", """## Bad input is caught before anything is paid for"""),
    ("code", """try:
    client.reage.image(group, 45)
except ValueError as err:
    print(type(err).__name__, "-", err)"""),
]
