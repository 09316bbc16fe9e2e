"""Talking photo and talking avatar."""
from __future__ import annotations

#: The talking-avatar canvas: "width must be 3840", "height must be 2160" (catalog B.3.2).
TALKING_AVATAR_CANVAS = (3840, 2160)
#: ``elements[].type`` of a talking-avatar create: avatar, image, audio. There is no "video" type: a video
#: (your own presenter) is an ``avatar`` element with ``url`` (.mp4 .mov .avi) and ``avatar_from`` 3.
TALKING_AVATAR_ELEMENT_TYPES = ("avatar", "image", "audio")
#: Element types drawn on the canvas (they need scale_x/scale_y/offset_x/offset_y).
TALKING_AVATAR_VISUAL_TYPES = ("avatar", "image")
#: Video resolutions by name (image to video, the model list): width x height in pixels.
VIDEO_RESOLUTIONS = {"480p": (854, 480), "720p": (1280, 720), "768p": (1366, 768), "1080p": (1920, 1080),
                     "4k": TALKING_AVATAR_CANVAS}
