"""The offline Akool's engines: real computation on real pixels, behind the face products.

* :mod:`.faces` detection (dlib), landmarks, descriptors, Akool's ``opts`` strings
* :mod:`.swap` face swap geometry and blending;  :mod:`.reage` the reage filter
* :mod:`.video_io` frames in and out, the face tracker;  :mod:`.samples` sample face pictures

The names below are the engines' surface (``from akool_nb.sim import engines as fe``: ``fe.detect``, ``fe.swap``).
"""
from __future__ import annotations

from .faces import (  # noqa: F401
    Found, MAX_SIDE, OPTS, SAME_PERSON, THRESHOLD, UPSAMPLE_BELOW, as_rgb, crop_box, descriptor_of, detect,
    face_from_opts, iou, opts_of, parse_opts)
from .swap import (  # noqa: F401
    apply, face_mask, gray, locate, match_score, similarity, swap, warp)
from .reage import (  # noqa: F401
    reage, texture)
from .video_io import (  # noqa: F401
    Tracker, VideoInfo, even, fit, frame_at, probe, read_frames, write_video)
from .samples import (  # noqa: F401
    make_face_clip, sample_group, sample_photo)
