"""Media parameters accept a URL, a path, bytes, a PIL image or a result; bad ones fail before any request."""
from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image

import akool_nb as ak
from akool_nb.media.inputs import Upload, prepare


def png_bytes(size=(8, 8)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_url_passes_through():
    assert prepare("https://cdn.example.com/a.png", "photo", ("image",)) == "https://cdn.example.com/a.png"


def test_url_without_extension_is_accepted():
    assert prepare("https://cdn.example.com/signed?x=1", "photo", ("image",)).startswith("https://")


@pytest.mark.parametrize("bad", ["ftp://host/a.png", "https://", "http:///nohost.png", "https://a b.com/x.png"])
def test_malformed_url_names_the_parameter(bad):
    with pytest.raises(ValueError, match="^photo: .*not a valid URL"):
        prepare(bad, "photo", ("image",))


def test_url_with_wrong_format():
    with pytest.raises(ak.InvalidParameterError, match=r"photo: \.gif files are not accepted.*\.png"):
        prepare("https://x.com/a.gif", "photo", ("image",))


def test_local_path_becomes_upload(tmp_path):
    path = tmp_path / "me.png"
    path.write_bytes(png_bytes())
    up = prepare(str(path), "photo", ("image",))
    assert isinstance(up, Upload) and up.filename == "me.png" and up.content_type == "image/png"


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="photo: file not found"):
        prepare(tmp_path / "nope.png", "photo", ("image",))


def test_unreadable_directory(tmp_path):
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ValueError, match="photo: .* is a directory"):
        prepare(tmp_path / "dir.png", "photo", ("image",))


def test_empty_file(tmp_path):
    (tmp_path / "e.png").write_bytes(b"")
    with pytest.raises(ValueError, match="photo: .* is empty"):
        prepare(tmp_path / "e.png", "photo", ("image",))


def test_unsupported_local_format(tmp_path):
    (tmp_path / "clip.gif").write_bytes(b"GIF89a....")
    with pytest.raises(ValueError, match=r"photo: 'clip.gif' has an unsupported format \.gif"):
        prepare(tmp_path / "clip.gif", "photo", ("image",))


def test_bytes_are_sniffed():
    up = prepare(png_bytes(), "photo", ("image",))
    assert up.filename == "photo.png"
    with pytest.raises(ValueError, match="audio: got .png data"):
        prepare(png_bytes(), "audio", ("audio",))
    with pytest.raises(ValueError, match="unrecognised format"):
        prepare(b"hello world", "audio", ("audio",))


def test_pil_image_becomes_png():
    up = prepare(Image.new("RGB", (4, 4)), "photo", ("image",))
    assert up.data.startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="audio: got an image"):
        prepare(Image.new("RGB", (4, 4)), "audio", ("audio",))


def test_other_types_rejected():
    with pytest.raises(ValueError, match="cannot use a int"):
        prepare(42, "photo", ("image",))


def test_local_file_against_real_service_without_host_fails_before_any_request(tmp_path):
    path = tmp_path / "me.png"
    path.write_bytes(png_bytes())
    calls = []
    client = ak.Akool(api_key="k" * 24, base_url="https://akool.test", journal=False,
                      transport=httpx.MockTransport(lambda r: calls.append(r) or httpx.Response(500)))
    with pytest.raises(ak.InvalidParameterError, match="photo: is local data.*asset_host") as info:
        client.talking_photo.create(photo=path, audio="https://x.com/a.mp3")
    assert info.value.param == "photo"
    assert calls == []


def test_custom_asset_host_is_used(tmp_path):
    uploaded = []

    def host(data, filename, content_type):
        uploaded.append((filename, content_type, len(data)))
        return f"https://my-bucket.example.com/{filename}"

    sent = []

    def handler(request):
        sent.append(request)
        return httpx.Response(200, json={"code": 1000, "data": {"_id": "v1", "video_status": 1}})

    client = ak.Akool(api_key="k" * 24, base_url="https://akool.test", journal=False, asset_host=host,
                      transport=httpx.MockTransport(handler))
    job = client.talking_photo.create(photo=png_bytes(), audio="https://x.com/a.mp3", resolution="720p")
    assert uploaded == [("photo.png", "image/png", len(png_bytes()))]
    import json

    assert json.loads(sent[0].content) == {"talking_photo_url": "https://my-bucket.example.com/photo.png",
                                           "audio_url": "https://x.com/a.mp3", "resolution": "720"}
    assert job.id == "v1" and job.status is ak.JobStatus.QUEUED
