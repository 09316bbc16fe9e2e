"""The conformance check (``python -m akool_nb.conformance``), end to end.

Nothing here reaches the real Akool: the "real" service is an offline Akool started with a deliberately
different answer profile (a field renamed, one dropped, one retyped), and the report must name exactly those
differences, nothing else, and nothing secret. Then: the saved shapes in tests/conformance/ hold the offline
Akool to them.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from akool_nb import sim as sim_module
from akool_nb.conformance import calls, runner
from akool_nb.conformance.__main__ import main
from akool_nb.conformance.shapes import diff, shape_of

SAVED = Path(__file__).parent / "conformance"
REAL_KEY = "real-looking-key-0123456789abcdef"  # what a user would pass; must never appear in any output


# ---------------------------------------------------------------------------------------------- shapes
def test_a_shape_keeps_names_and_types_and_no_value():
    answer = {"code": 1000, "msg": "OK", "data": {"result": [{"voice_id": "secret-ish", "n": 1, "ok": True},
                                                             {"voice_id": "b", "n": 2.5, "extra": None}],
                                                  "faces_obj": {"0": {"x": 1}}, "66a1a02d591ad336275eda62": 1}}
    shape = shape_of(answer)
    assert shape == {"code": "integer", "msg": "string", "data": {
        "result": [{"voice_id": "string", "n": "integer|number", "ok": "boolean", "extra": "null"}],
        "faces_obj": {"<n>": {"x": "integer"}}, "<id>": "integer"}}
    assert "secret-ish" not in json.dumps(shape) and "66a1a02d" not in json.dumps(shape)


def test_diff_names_missing_extra_and_retyped_fields():
    real = shape_of({"data": {"a": 1, "b": "x", "list": [{"c": 1}], "n": None, "f": 1}})
    offline = shape_of({"data": {"a": "1", "list": [{"c": 1, "d": 2}], "n": "s", "f": 1.5, "z": []}})
    assert sorted(map(str, diff(real, offline))) == sorted([
        "data.b: missing offline", "data.z: only offline", "data.list[].d: only offline",
        "data.a: type (real integer, offline string)"])  # null matches anything, integer matches number
    assert diff(shape_of([]), shape_of([{"a": 1}])) == []  # an empty list says nothing about its items


def _random_json(rng, depth: int = 0):
    kinds = ["null", "bool", "int", "float", "str"] + (["list", "dict"] if depth < 4 else [])
    kind = rng.choice(kinds)
    if kind == "list":
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == "dict":
        keys = ["a", "b", "0", "12", "66a1a02d591ad336275eda62", "x_y", ""]
        return {rng.choice(keys): _random_json(rng, depth + 1) for _ in range(rng.randrange(4))}
    return {"null": None, "bool": rng.random() < 0.5, "int": rng.randrange(-9, 9), "float": rng.random(),
            "str": "VALUE-" + str(rng.random())}[kind]


def _leaves(shape):
    if isinstance(shape, dict):
        return [leaf for v in shape.values() for leaf in _leaves(v)]
    if isinstance(shape, list):
        return [leaf for v in shape for leaf in _leaves(v)]
    return [shape]


def test_any_json_gives_a_value_free_shape_that_matches_itself():
    import random

    allowed = {"null", "boolean", "integer", "number", "string", "object", "array"}
    for seed in range(500):  # fuzzing with fixed seeds: a failure names its seed
        value = _random_json(random.Random(seed))
        shape = shape_of(value)
        assert all(set(leaf.split("|")) <= allowed for leaf in _leaves(shape)), seed
        assert "VALUE-" not in json.dumps(shape) and "66a1a02d" not in json.dumps(shape), seed
        assert diff(shape, shape) == [] and diff(shape, shape_of(json.loads(json.dumps(value)))) == [], seed


# ------------------------------------------------------------------------------ a differently-profiled Akool
def _profile(path: str, data):
    """The deliberately different service: three changes, each in one answer."""
    if path == "/api/open/v4/voice/list":
        data = {**data, "result": [{("voiceId" if k == "voice_id" else k): v for k, v in item.items()}
                                   for item in data["result"]]}
    elif path == "/api/open/v3/avatar/list":
        data = {k: v for k, v in data.items() if k != "count"}
    elif path == "/api/open/v3/faceswap/quota/info":
        data = {**data, "credit": str(data["credit"])}
    return data


EXPECTED = {
    "voice_list_v4": ["data.result[].voiceId: missing offline", "data.result[].voice_id: only offline"],
    "avatar_list": ["data.count: only offline"],
    "credit_balance": ["data.credit: type (real string, offline number)"],
}


@pytest.fixture(scope="module")
def profiled(tmp_path_factory):
    server = sim_module.start(api_key=REAL_KEY, fast=True, data_dir=tmp_path_factory.mktemp("profiled"),
                              answer_profile=_profile)
    server.state.catalog.avatars()  # made once, before the tool's first call (its client waits 30 s at most)
    yield server
    server.stop()


def run(*args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), out=out)
    return code, out.getvalue()


def sections(report: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for line in report.splitlines():
        if line.startswith(("same  ", "DIFFERENT  ")):
            current = line.split()[1]
            found[current] = []
        elif line.startswith("    - ") and current:
            found[current].append(line[6:])
    return found


def test_the_report_names_exactly_the_differences_it_was_given_and_nothing_secret(profiled, tmp_path):
    code, report = run("--api-key", REAL_KEY, "--base-url", profiled.base_url, "--save", str(tmp_path / "shapes"))
    found = sections(report)
    assert set(found) == {c.name for c in calls.FREE_CALLS}  # every free call, nothing paid
    assert {name: sorted(d) for name, d in found.items() if d} == {k: sorted(v) for k, v in EXPECTED.items()}
    assert code == 1 and f"{len(calls.FREE_CALLS)} calls, 3 with differences." in report
    saved = {p.stem: p.read_text() for p in (tmp_path / "shapes").glob("*.json")}
    assert set(saved) == {c.name for c in calls.FREE_CALLS}
    everything = report + "".join(saved.values())
    assert REAL_KEY not in everything and runner.OFFLINE_KEY not in everything
    assert "(sim)" not in everything and "Aria" not in everything and "127.0.0.1" not in "".join(saved.values())
    assert profiled.stats()["creates"] == {}  # free reads only


def test_a_job_detail_is_compared_with_an_offline_job_of_the_same_kind(profiled):
    created = httpx.post(f"{profiled.base_url}/api/open/v3/content/image/createbyprompt",
                         headers={"x-api-key": REAL_KEY}, json={"prompt": "a blue square", "scale": "1:1"}).json()["data"]
    code, report = run("--api-key", REAL_KEY, "--base-url", profiled.base_url, "--job", created["_id"],
                       "--job", "0" * 24, "--poll-every", "0.1")
    found = sections(report)
    assert found["detail_image"] == [], report
    assert "job 000000000000000000000000 was not found" in report and created["_id"] not in report


def test_paid_asks_first_and_a_no_spends_nothing(profiled):
    before = dict(profiled.stats()["creates"])
    code, report = run("--api-key", REAL_KEY, "--base-url", profiled.base_url, "--paid", stdin="no\n")
    total = sum(p.credits for p in calls.PAID_CALLS)
    assert f"total ~{total:g} credits" in report and all(p.create.path in report for p in calls.PAID_CALLS)
    assert "not confirmed: no paid calls made" in report and profiled.stats()["creates"] == before


def test_paid_confirmed_makes_one_job_per_product_and_compares_create_and_detail(profiled):
    before = dict(profiled.stats()["creates"])
    code, report = run("--api-key", REAL_KEY, "--base-url", profiled.base_url, "--paid", "--poll-every", "0.1",
                       stdin="yes\n")
    after = profiled.stats()["creates"]
    assert {p: n - before.get(p, 0) for p, n in after.items() if n != before.get(p, 0)} == \
        {p.create.path: 1 for p in calls.PAID_CALLS}
    found = sections(report)
    for p in calls.PAID_CALLS:
        assert found[p.create.name] == [] and found[f"{p.create.name}_detail"] == []


def test_no_key_is_a_usage_error(monkeypatch):
    monkeypatch.delenv("AKOOL_API_KEY", raising=False)
    code, report = run("--base-url", "http://127.0.0.1:9")
    assert code == 2 and "no API key" in report


def test_an_unreachable_service_records_nothing_and_says_so():
    code, report = run("--api-key", REAL_KEY, "--base-url", "http://127.0.0.1:9")
    assert code == 2 and "nothing could be recorded" in report and REAL_KEY not in report


# ---------------------------------------------------------------------------------- the saved shapes
SAVED_FILES = sorted(SAVED.glob("*.json"))


@pytest.mark.parametrize("path", SAVED_FILES, ids=[p.stem for p in SAVED_FILES])
def test_the_offline_akool_answers_every_saved_shape(sim, path):
    saved = json.loads(path.read_text(encoding="utf-8"))
    service = runner.Service(sim.base_url, "test-key-0123456789abcde")
    try:
        free = {c.name: c for c in calls.FREE_CALLS}
        if saved["name"] in free:
            rec, _ = runner.record(service, free[saved["name"]])
        elif saved["name"].startswith("detail_"):
            kind = saved["name"][len("detail_"):]
            rec, _ = runner.poll_detail(service, kind, runner.offline_job(service, kind), every=0.1, cap=60)
        else:
            paid = next(p for p in calls.PAID_CALLS if saved["name"].startswith(p.create.name))
            recs = {r.name: r for r in runner.run_paid(service, paid, every=0.1, cap=60)}
            rec = recs[saved["name"]]
    finally:
        service.close()
    assert rec.code == saved["code"]
    assert [str(d) for d in diff(saved["shape"], rec.shape)] == [], f"{path.name} ({saved['source']})"


def test_there_are_saved_shapes_for_every_free_call():
    assert {p.stem for p in SAVED_FILES} >= {c.name for c in calls.FREE_CALLS}
