"""Offline media shown in a notebook is kept beside it (akool_media/) and linked relatively first, so the saved
notebook still plays after the offline Akool is gone; the real service's URLs are never copied."""
from __future__ import annotations

import re

import pytest

from akool_nb import _kept_media
from akool_nb.display import media_html


@pytest.fixture
def notebook_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AKOOL_NB_KEEP_MEDIA", "1")
    monkeypatch.delenv("AKOOL_NB_MEDIA_DIR", raising=False)
    monkeypatch.setattr(_kept_media, "_kept", {})
    return tmp_path


def test_a_finished_offline_result_is_copied_and_linked_relatively_first(client, notebook_dir):
    speech = client.tts.create(text="Kept beside the notebook", voice_id=client.voices.list()[0]).wait(timeout=60)
    html = speech._repr_html_()
    src = re.search(r'<audio controls[^\n]*? src="(akool_media/[^"]+)"', html).group(1)
    assert src.startswith("akool_media/") and src.endswith(".mp3")
    copy = notebook_dir / src
    assert copy.read_bytes() == client._core._http.get(speech.url).content
    assert speech.url in html  # the live URL stays as the fallback (front ends that don't resolve relative links)
    assert f'href="{src}"' in html  # "open" links the copy too
    assert not list(notebook_dir.rglob("*.part"))


def test_the_copy_is_made_once_per_url(client, notebook_dir):
    speech = client.tts.create(text="Once", voice_id=client.voices.list()[0]).wait(timeout=60)
    first = media_html(speech.url, "audio")
    (notebook_dir / re.search(r'src="(akool_media/[^"]+)"', first).group(1)).write_bytes(b"kept")
    assert media_html(speech.url, "audio") == first  # no second download over the kept file
    assert len(list((notebook_dir / "akool_media").iterdir())) == 1


def test_video_uses_its_first_frame_instead_of_a_poster_that_would_die(client, notebook_dir):
    speech = client.tts.create(text="Frame", voice_id=client.voices.list()[0]).wait(timeout=60)
    html = media_html(speech.url, "video", poster=speech.url)
    assert "poster=" not in html and re.search(r'src="akool_media/[^"]+#t=0\.1"', html)


@pytest.mark.parametrize("url", ["https://d11fbe263bhqij.cloudfront.net/result.mp4", "https://openapi.akool.com/x.png"])
def test_the_real_services_urls_are_never_copied(notebook_dir, url):
    assert _kept_media.kept_src(url) is None
    assert media_html(url, "video").count(url) == 1 and not (notebook_dir / "akool_media").exists()


def test_off_outside_a_kernel_and_when_switched_off(client, notebook_dir, monkeypatch):
    speech = client.tts.create(text="Off", voice_id=client.voices.list()[0]).wait(timeout=60)
    monkeypatch.setenv("AKOOL_NB_KEEP_MEDIA", "0")
    assert _kept_media.kept_src(speech.url) is None
    monkeypatch.delenv("AKOOL_NB_KEEP_MEDIA")
    assert _kept_media.kept_src(speech.url) is None  # pytest is not a notebook kernel
    assert not (notebook_dir / "akool_media").exists()


def test_a_dead_link_keeps_nothing_and_falls_back_to_the_live_url(sim, notebook_dir):
    url = f"{sim.base_url}/_sim/files/results/nope/missing.mp4"
    assert _kept_media.kept_src(url) is None
    assert f'src="{url}#t=0.1"' in media_html(url, "video")
    assert not list(notebook_dir.rglob("*.mp4*"))


def test_the_media_dir_can_be_moved(client, notebook_dir, monkeypatch):
    monkeypatch.setenv("AKOOL_NB_MEDIA_DIR", "out/media")
    speech = client.tts.create(text="Moved", voice_id=client.voices.list()[0]).wait(timeout=60)
    assert _kept_media.kept_src(speech.url).startswith("out/media/")
