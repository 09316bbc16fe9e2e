"""Voices and speech (TTS v3/v4, VoiceLab, streaming-avatar voice params)."""
from __future__ import annotations

#: ``speed`` of TTS / voice options (v4 ``voice_options.speed``, VoiceLab clone and change): 0.7 to 1.2.
TTS_SPEED = (0.7, 1.2)
#: ``voice_params.speed`` of a streaming-avatar session: 0.8 to 1.2.
LIVE_VOICE_SPEED = (0.8, 1.2)
