"""Image generate: text (or image) to a 2×2 grid of four images, then U1–U4 upscale / V1–V4 vary one of them."""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..jobs import Product, register
from ..models.images import BUTTONS, ImageButtonRequest, ImageInfo, ImagePromptRequest
from ._base import Resource, Steps, identifier, operation

HINT = "Check client.jobs.recent() and your webhook receiver."

# Both poll the shared image result endpoint (background change uses it too).
register(Product(
    "image_generate", "Image generate", "image",
    lambda i: APIRequest("GET", "/api/open/v3/content/image/infobymodelid", params={"image_model_id": i}),
    "image_status", ("image",), model="images:ImageInfo", find_hint=HINT,
    creates=("/api/open/v3/content/image/createbyprompt",),
))
register(Product(
    "image_button", "Image upscale / variation", "image",
    lambda i: APIRequest("GET", "/api/open/v3/content/image/infobymodelid", params={"image_model_id": i}),
    "image_status", ("image",), model="images:ImageInfo", find_hint=HINT,
    creates=("/api/open/v3/content/image/createbybutton",),
))


class Images(Resource):
    @operation
    def generate(self, prompt: str, *, scale: str | None = None, source_image: Any = None,
                 webhook_url: str | None = None) -> Steps[Any]:
        """Text to image (``createbyprompt``): a job whose result is a 2×2 grid of four candidates.

        ``scale`` is the aspect ratio: "1:1" (Akool's default), "4:3", "3:4", "16:9", "9:16", "3:2", "2:3".
        ``source_image`` (URL, path, bytes, PIL image or an image result) makes it image to image. Then
        ``upscale(job, n)`` or ``variation(job, n)`` picks candidate n (1–4, left to right, top to bottom)."""
        ref = self._prepare(source_image, "source_image", "image") if source_image is not None else None
        ImagePromptRequest.build(prompt=prompt, scale=scale, webhookUrl=webhook_url)  # check before uploading
        url = (yield from self._url(ref)) if ref is not None else None
        body = ImagePromptRequest.build(prompt=prompt, scale=scale, source_image=url,
                                        webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/image/createbyprompt", json=body, paid=True,
                                find_hint=HINT)
        return self._job("image_generate", data, body)

    @operation
    def button(self, image: Any, button: str, *, webhook_url: str | None = None) -> Steps[Any]:
        """``createbybutton``: "U1"–"U4" upscale candidate n to one 4K image, "V1"–"V4" make a variant of it.
        ``image`` is a ``generate()`` job, its result, or its ``_id``. Returns a new job (a new ``_id``)."""
        body = ImageButtonRequest.build(_id=_image_id(image, button), button=button,
                                        webhookUrl=webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/image/createbybutton", json=body, paid=True,
                                find_hint=HINT)
        return self._job("image_button", data, body)

    def upscale(self, image: Any, n: int, *, webhook_url: str | None = None) -> Any:
        """Candidate ``n`` (1–4) of a generated grid as one 4K image (button "U<n>")."""
        return self.button(image, _numbered("U", n), webhook_url=webhook_url)

    def variation(self, image: Any, n: int, *, webhook_url: str | None = None) -> Any:
        """A variant of candidate ``n`` (1–4) of a generated grid (button "V<n>")."""
        return self.button(image, _numbered("V", n), webhook_url=webhook_url)

    @operation
    def info(self, id: Any) -> Steps[ImageInfo]:
        """The shared image result record (``infobymodelid``) of any image job, by ``_id`` or job."""
        data = yield APIRequest("GET", "/api/open/v3/content/image/infobymodelid",
                                params={"image_model_id": identifier(getattr(id, "id", id), "id", "image _id")})
        return ImageInfo.model_validate(data or {})


def _numbered(kind: str, n: Any) -> str:
    if isinstance(n, bool) or n not in (1, 2, 3, 4):
        raise InvalidParameterError("n", f"{n!r} is not a candidate number; pass 1, 2, 3 or 4 (left to right, "
                                         "top to bottom in the grid)")
    return f"{kind}{n}"


def _image_id(image: Any, button: Any) -> str:
    """The ``_id`` to press ``button`` on, checked against what the record says is allowed."""
    if button not in BUTTONS:
        raise InvalidParameterError("button", f"{button!r} is not allowed; use one of {', '.join(BUTTONS)}",
                                    endpoint=ImageButtonRequest.endpoint)
    if isinstance(image, str):
        return identifier(image, "image", "image _id", field="_id")
    job = getattr(image, "job", image)  # a Result -> its job
    product = getattr(getattr(job, "product", None), "key", None)
    record = getattr(job, "record", None)
    if product is None or not isinstance(record, dict):
        raise InvalidParameterError("image", f"cannot use a {type(image).__name__}; pass the generate() job, "
                                             "its result or its _id")
    if product != "image_generate":
        raise InvalidParameterError("image", f"buttons apply to images made by images.generate(); this is a "
                                             f"result of {job.product.label}")
    allowed = record.get("buttons")
    if job.done and isinstance(allowed, list) and allowed and button not in allowed:
        raise InvalidParameterError("button", f"{button!r} is not offered for this image; it offers "
                                              f"{', '.join(allowed)}")
    return job.id
