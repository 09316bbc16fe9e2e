"""The resources of ``Akool`` and ``AsyncAkool``, listed once: each a typed, lazily imported ``cached_property``.

As in openai-python: the editor completes ``client.tts.`` and goes to its definition (the return types are
imported for type checkers only), while ``import akool_nb`` loads no resource module; a family's module is
imported the first time its property is read. ``RESOURCES`` (the names) is derived from this class.
"""
from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .resources.talking_photo import TalkingPhoto
    from .resources.talking_avatar import TalkingAvatar
    from .resources.avatars import Avatars
    from .resources.voices import Voices
    from .resources.tts import TTS
    from .resources.jobs import Jobs
    from .resources.faces import Faces
    from .resources.faceswap import Faceswap
    from .resources.reage import Reage
    from .resources.live_faceswap import LiveFaceswap
    from .resources.background import Background
    from .resources.images import Images
    from .resources.ai_models import AIModels
    from .resources.image_to_video import ImageToVideo
    from .resources.character_swap import CharacterSwap
    from .resources.lip_sync import LipSync
    from .resources.translation import Translation
    from .resources.moderation import Moderation
    from .resources.knowledge import Knowledge
    from .resources.streaming import Streaming


class Resources:
    """One property per API family (the module of the same name in ``akool_nb/resources/``)."""

    @cached_property
    def talking_photo(self) -> TalkingPhoto:
        from .resources.talking_photo import TalkingPhoto

        return TalkingPhoto(self)

    @cached_property
    def talking_avatar(self) -> TalkingAvatar:
        from .resources.talking_avatar import TalkingAvatar

        return TalkingAvatar(self)

    @cached_property
    def avatars(self) -> Avatars:
        from .resources.avatars import Avatars

        return Avatars(self)

    @cached_property
    def voices(self) -> Voices:
        from .resources.voices import Voices

        return Voices(self)

    @cached_property
    def tts(self) -> TTS:
        from .resources.tts import TTS

        return TTS(self)

    @cached_property
    def jobs(self) -> Jobs:
        from .resources.jobs import Jobs

        return Jobs(self)

    @cached_property
    def faces(self) -> Faces:
        from .resources.faces import Faces

        return Faces(self)

    @cached_property
    def faceswap(self) -> Faceswap:
        from .resources.faceswap import Faceswap

        return Faceswap(self)

    @cached_property
    def reage(self) -> Reage:
        from .resources.reage import Reage

        return Reage(self)

    @cached_property
    def live_faceswap(self) -> LiveFaceswap:
        from .resources.live_faceswap import LiveFaceswap

        return LiveFaceswap(self)

    @cached_property
    def background(self) -> Background:
        from .resources.background import Background

        return Background(self)

    @cached_property
    def images(self) -> Images:
        from .resources.images import Images

        return Images(self)

    @cached_property
    def ai_models(self) -> AIModels:
        from .resources.ai_models import AIModels

        return AIModels(self)

    @cached_property
    def image_to_video(self) -> ImageToVideo:
        from .resources.image_to_video import ImageToVideo

        return ImageToVideo(self)

    @cached_property
    def character_swap(self) -> CharacterSwap:
        from .resources.character_swap import CharacterSwap

        return CharacterSwap(self)

    @cached_property
    def lip_sync(self) -> LipSync:
        from .resources.lip_sync import LipSync

        return LipSync(self)

    @cached_property
    def translation(self) -> Translation:
        from .resources.translation import Translation

        return Translation(self)

    @cached_property
    def moderation(self) -> Moderation:
        from .resources.moderation import Moderation

        return Moderation(self)

    @cached_property
    def knowledge(self) -> Knowledge:
        from .resources.knowledge import Knowledge

        return Knowledge(self)

    @cached_property
    def streaming(self) -> Streaming:
        from .resources.streaming import Streaming

        return Streaming(self)


#: The resource names, in the order above (clients copied by ``with_options`` leave these out, to rebind them).
RESOURCES: tuple[str, ...] = tuple(name for name, value in vars(Resources).items()
                                   if isinstance(value, cached_property))
