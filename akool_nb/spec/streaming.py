"""Streaming avatar sessions."""
from __future__ import annotations

#: Credential fields per RTC provider in a session's answer. TRTC appears under two spellings (§F.18).
CREDENTIAL_FIELDS: dict[str, tuple[str, ...]] = {
    "agora": ("agora_uid", "agora_app_id", "agora_channel", "agora_token"),
    "livekit": ("livekit_url", "livekit_token", "livekit_room_name", "livekit_server_identity",
                "livekit_client_identity"),
    "trtc": ("trtc_sdk_app_id", "trtc_sdk_room_id", "trtc_sdk_user_id", "trtc_sdk_user_sig",
             "trtc_app_id", "trtc_room_id", "trtc_user_id", "trtc_user_sig"),
}
#: The voices of the fast-dialogue mode.
FAST_DIALOGUE_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
