"""The first hour: the README's quickstart runs verbatim offline on the core install, a missing optional part
says which extra in one line, and the offline Akool comes back on the same address for its data directory."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_quickstart() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Quickstart"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.slow
def test_the_readme_quickstart_runs_verbatim_offline(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKOOL_")}
    env.update(AKOOL_NB_HOME=str(tmp_path / "home"), AKOOL_NB_SIM_FAST="1",
               PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    done = subprocess.run([sys.executable, "-c", readme_quickstart()], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "OFFLINE" in done.stderr  # connect() says loudly that it is offline
    assert (tmp_path / "hello.mp4").stat().st_size > 1000


def test_the_snippet_uses_only_what_exists():
    snippet = readme_quickstart()
    assert 'photo="portrait.png"' not in snippet and "ak.samples.portrait()" in snippet


def test_a_missing_face_detector_names_its_extra_in_one_line(client, monkeypatch):
    import akool_nb as ak
    from akool_nb.sim.engines import faces as face_engine  # where detection loads its models

    def missing():
        raise ImportError("the offline Akool's face detector needs dlib and face_recognition_models "
                          '(dlib is missing): pip install "akool_nb[faces]"')

    monkeypatch.setattr(face_engine, "_models", missing)
    photo = ak.samples.portrait(None, size=128)
    with pytest.raises(ak.APIError) as info:
        client.faces.detect(photo)
    message = str(info.value)
    assert 'pip install "akool_nb[faces]"' in message and "\n" not in message and "Traceback" not in message


def test_the_offline_akool_comes_back_on_its_port(tmp_path):
    from akool_nb import _connect, sim

    first = _connect._start_on_stable_port(sim, tmp_path, True)
    port = first.port
    first.stop()
    again = _connect._start_on_stable_port(sim, tmp_path, True)
    try:
        assert again.port == port and (tmp_path / "service.port").read_text() == str(port)
    finally:
        again.stop()
    with socket.socket() as taken:  # the old port is busy: any free one, remembered for next time
        taken.bind(("127.0.0.1", port))
        taken.listen()
        third = _connect._start_on_stable_port(sim, tmp_path, True)
        try:
            assert third.port != port and (tmp_path / "service.port").read_text() == str(third.port)
        finally:
            third.stop()
