"""Face swap, reage and live face swap: faces per request and the landmarks string (``opts``)."""
from __future__ import annotations

import re

#: Faces one faceswap request may change ("cannot exceed 8").
MAX_FACES = 8
_NUM = r"-?\d+(?:\.\d+)?"
#: ``opts`` of faceswap/reage: a face's ``landmarks_str``, four points "x1,y1:x2,y2:x3,y3:x4,y4" (left eye,
#: right eye, nose tip, mouth centre); spaces around the numbers are tolerated and removed by the client.
LANDMARKS_STR = re.compile(rf"^\s*{_NUM}\s*,\s*{_NUM}\s*(?::\s*{_NUM}\s*,\s*{_NUM}\s*){{3}}$")
#: ``opts`` of live face swap: the same four points in whole pixels, no spaces.
LIVE_LANDMARKS_STR = re.compile(r"^\d+,\d+(?::\d+,\d+){3}$")
