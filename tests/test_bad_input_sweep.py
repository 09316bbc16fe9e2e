"""Every public method refuses bad input before the wire (issue 8, item 6).

The sweep discovers every public method of every resource on ``Akool`` (``_RESOURCES``), calls it with valid
values for every parameter but one, and feeds that one each of the bad values below. Requests are counted
at the transport (and at the asset host, for uploads); each call must send nothing and raise
:class:`InvalidParameterError` naming the parameter the user passed, in words (no TypeError, no pydantic
text, no 100 KB echo). ``VALID`` holds the valid values per method: a new public method without an entry
fails ``test_every_public_method_has_valid_values``. ``AsyncAkool`` runs the same cases for a sample.

Run ``pytest tests/test_bad_input_sweep.py -q -s`` to see the tally (calls, requests sent, unclear errors).
"""
from __future__ import annotations

import asyncio
import inspect
import io
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

import akool_nb as ak
from akool_nb.client import Akool, AsyncAkool

from .conftest import API_KEY

# ------------------------------------------------------------------------------------------ bad values
BAD: dict[str, Any] = {
    "None": None,
    "True": True,
    "1.5": 1.5,
    "-1": -1,
    "10**30": 10**30,
    "nan": float("nan"),
    "inf": float("inf"),
    "empty": "",
    "blank": " \t\n ",
    "control": "ab\x00c\x1bd",
    "100KB": "x" * 100_000,
    "huge list": ["x"] * 100_000,
    "dict": {"unexpected": "value"},
    "object": object(),
    "bytes": b"\x00\x01junk",
}
assert len(BAD) == 15

# ----------------------------------------------------------------------------------- valid values
IMG, VID, AUD = "https://example.com/face.png", "https://example.com/clip.mp4", "https://example.com/speech.mp3"
OID = "64f8a1b2c3d4e5f6a7b8c9d0"
OPTS = "10,10:20,10:15,15:15,20"
FACE = {"path": IMG, "opts": OPTS}


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


@dataclass
class Case:
    """Valid keyword arguments for a method, and the bad values that are in fact valid for a parameter."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    ok: dict[str, set[str]] = field(default_factory=dict)


WEBHOOK = {"webhook_url": {"empty"}}  # "" is what the docs' examples send when there is no webhook

VALID: dict[str, Case] = {
    "talking_photo.create": Case(dict(photo=IMG, audio=AUD), WEBHOOK),
    "talking_avatar.create": Case(dict(elements=[
        {"type": "avatar", "avatar_id": "dvp_Tristan", "scale_x": 1, "scale_y": 1, "offset_x": 0, "offset_y": 0},
        {"type": "audio", "url": AUD}]), WEBHOOK),
    "talking_avatar.create_legacy": Case(dict(data=[{"avatar_id": "dvp_Tristan", "input_text": "Hello"}]), WEBHOOK),
    "avatars.create": Case(dict(video=VID, avatar_id="myavatar1", name="My avatar")),
    "avatars.detail": Case(dict(id=OID)),
    "avatars.list": Case(),
    "voices.change": Case(dict(audio=AUD, voice_id=OID), WEBHOOK),
    "voices.changes": Case(),
    "voices.clone": Case(dict(sample=AUD), WEBHOOK),
    "voices.delete": Case(dict(voices=OID)),
    "voices.detail": Case(dict(id=OID)),
    "voices.list": Case(),
    "voices.list_v3": Case(),
    "tts.clone_v3": Case(dict(text="Hello", voice_url=AUD), WEBHOOK),
    "tts.create": Case(dict(text="Hello", voice_id=OID), {**WEBHOOK, "pitch": {"-1"}, "extra_options": {"dict"}}),
    "tts.create_v3": Case(dict(text="Hello", voice_id=OID), WEBHOOK),
    "tts.results": Case(),
    "jobs.attach": Case(dict(job_id=OID, product="tts")),
    "jobs.recent": Case(dict(), {"limit": {"None"}, "meta": {"dict"}}),  # None: every entry; a dict of tags
    "jobs.reconcile": Case(dict(), {"entry": {"None"}, "job_id": {"None"}}),
    "jobs.save_pending": Case(dict(save_to="sweep-saved")),
    "jobs.tag": Case(dict(campaign="spring"), {"campaign": {"None", "True", "1.5", "-1"}}),
    "jobs.wait_all": Case(dict(jobs="DONE_JOB"), {"timeout": {"1.5", "None"}, "poll": {"1.5"}}),  # None: no deadline
    "faces.analyze_frames": Case(dict(frames=[IMG])),
    "faces.detect": Case(dict(media=IMG)),
    "faces.detect_legacy": Case(dict(image=IMG)),
    "faceswap.credit": Case(),
    "faceswap.delete": Case(dict(ids=OID)),
    "faceswap.image": Case(dict(modify_image=IMG, source=FACE, target=FACE), WEBHOOK),
    "faceswap.image_v4": Case(dict(target=IMG, source=IMG), WEBHOOK),
    "faceswap.pro": Case(dict(target=IMG, source=IMG), WEBHOOK),
    "faceswap.results": Case(dict(ids=OID)),
    "faceswap.video": Case(dict(modify_video=VID, source=FACE, target=FACE), WEBHOOK),
    "reage.cancel": Case(dict(jobs="20240102082900592-5653")),
    "reage.image": Case(dict(modify_image=IMG, face_reage=10, target=FACE), {**WEBHOOK, "face_reage": {"-1"}}),
    "reage.results": Case(dict(ids=OID)),
    "reage.video": Case(dict(modify_video=VID, face_reage=10, target=FACE), {**WEBHOOK, "face_reage": {"-1"}}),
    "live_faceswap.close": Case(dict(session=OID)),
    "live_faceswap.create": Case(dict(source_image=IMG, opts=OPTS)),
    "live_faceswap.update": Case(dict(session=OID, source_image=IMG, opts=OPTS)),
    "background.change": Case(dict(origin_img=IMG, modify_origin_img_size="64x64"),
                              {**WEBHOOK, "overlay_origin_x": {"-1"}, "overlay_origin_y": {"-1"}}),
    "background.preview": Case(dict(origin_img=PNG, max_side=64),
                               {"overlay_origin_x": {"-1"}, "overlay_origin_y": {"-1"}}),
    "images.button": Case(dict(image=OID, button="U1"), WEBHOOK),
    "images.generate": Case(dict(prompt="a red sun over blue mountains"), WEBHOOK),
    "images.info": Case(dict(id=OID)),
    "images.upscale": Case(dict(image=OID, n=1), WEBHOOK),
    "images.variation": Case(dict(image=OID, n=1), WEBHOOK),
    "ai_models.list": Case(),
    "image_to_video.create": Case(dict(image=IMG, prompt="slow zoom in"), {**WEBHOOK, "negative_prompt": {"empty"}}),
    "image_to_video.create_batch": Case(dict(image=IMG, prompt="slow zoom in"),
                                        {**WEBHOOK, "negative_prompt": {"empty"}}),
    "image_to_video.delete": Case(dict(ids=OID)),
    "image_to_video.effects": Case(),
    "image_to_video.results": Case(dict(ids=OID)),
    "image_to_video.update_audio": Case(dict(video=OID, audio=AUD)),
    "character_swap.create": Case(dict(image=IMG, video=VID), {**WEBHOOK, "duration": {"1.5"}}),
    "lip_sync.create": Case(dict(video=VID, audio=AUD), WEBHOOK),
    "translation.create": Case(dict(video=VID, language="es"), WEBHOOK),
    "translation.languages": Case(),
    "moderation.analyze": Case(dict(content="Buy now! Limited offer!", type=4), WEBHOOK),
    "moderation.audio": Case(dict(audio=AUD)),
    "moderation.image": Case(dict(image=IMG)),
    "moderation.result": Case(dict(id=OID)),
    "moderation.text": Case(dict(text="Buy now! Limited offer!")),
    "moderation.video": Case(dict(video=VID)),
    "knowledge.create": Case(dict(name="Support"), {"prologue": {"empty"}}),
    "knowledge.delete": Case(dict(id=OID)),
    "knowledge.detail": Case(dict(id=OID)),
    "knowledge.list": Case(),
    "knowledge.update": Case(dict(id=OID, name="Support"), {"prologue": {"empty"}}),  # "" clears it
    "streaming.avatar": Case(dict(avatar_id="dvp_Tristan")),
    "streaming.avatars": Case(),
    "streaming.close_session": Case(dict(id=OID)),
    "streaming.create_session": Case(dict(avatar_id="dvp_Tristan"), {"duration": {"1.5"}}),
    "streaming.session": Case(dict(id=OID)),
    "streaming.sessions": Case(),
    "streaming.upload_avatar": Case(dict(video=VID, avatar_id="myavatar1", name="My avatar")),
    "streaming.wait_live": Case(dict(session=OID), {"timeout": {"1.5"}, "poll": {"1.5"}}),
}


# ------------------------------------------------------------------------------------------- discovery
def public_methods() -> dict[str, tuple[inspect.Signature, Any]]:
    """``"resource.method"`` → (signature of the function the user calls, its defaults), discovered."""
    out = {}
    probe = Akool(api_key=API_KEY, base_url="https://sweep.invalid", journal=False)
    for name in Akool._RESOURCES:
        resource = getattr(probe, name)
        for attr, fn in inspect.getmembers(type(resource), inspect.isfunction):
            if not attr.startswith("_"):
                out[f"{name}.{attr}"] = inspect.signature(inspect.unwrap(fn))
    return out


METHODS = public_methods()


def parameters(key: str) -> list[inspect.Parameter]:
    return [p for p in list(METHODS[key].parameters.values())[1:]
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)]


def valid_here(key: str, param: inspect.Parameter, label: str) -> bool:
    """A "bad" value that is valid for this parameter: None where None is the default, True for a flag, or
    one the table lists."""
    if label == "None" and param.default is None:
        return True
    if label == "True" and "bool" in str(param.annotation):
        return True
    return label in VALID[key].ok.get(param.name, set())


def cases() -> list[tuple[str, str, str]]:
    return [(key, p.name, label) for key in sorted(METHODS) if key in VALID for p in parameters(key)
            for label in BAD]


# ------------------------------------------------------------------------------- counting the wire
class WireReached(Exception):
    """Raised by the transport (and the asset host): the call got as far as sending something."""


class Wire:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(f"{request.method} {request.url.path}")
        raise WireReached(self.sent[-1])

    def upload(self, data: bytes, filename: str, content_type: str) -> str:
        self.sent.append(f"upload {filename}")
        raise WireReached(self.sent[-1])


@pytest.fixture(scope="module")
def wire() -> Wire:
    return Wire()


@pytest.fixture(scope="module")
def sweep_client(wire, tmp_path_factory):
    journal = tmp_path_factory.mktemp("sweep") / "jobs.sqlite"
    with Akool(api_key=API_KEY, base_url="https://sweep.invalid", transport=httpx.MockTransport(wire.handler),
               asset_host=wire.upload, max_retries=0, journal=journal) as client:
        yield client


def kwargs_for(client: Any, key: str, param: str | None, value: Any) -> dict[str, Any]:
    kwargs = dict(VALID[key].kwargs)
    if kwargs.get("jobs") == "DONE_JOB":
        kwargs["jobs"] = [client._job_class(client, "tts", OID, record={"status": 3, "preview": AUD})]
    if param is not None:
        kwargs[param] = value
    return kwargs


@dataclass
class Outcome:
    sent: int
    error: BaseException | None


def call(client: Any, key: str, kwargs: dict[str, Any], wire: Wire) -> Outcome:
    resource, method = key.split(".")
    before = len(wire.sent)
    try:
        outcome = getattr(getattr(client, resource), method)(**kwargs)
        if inspect.isawaitable(outcome):
            outcome = asyncio.get_event_loop().run_until_complete(outcome)
        error = None
    except WireReached:
        error = None
    except BaseException as exc:  # noqa: BLE001 - the sweep judges every exception
        error = exc
    return Outcome(len(wire.sent) - before, error)


RAW = ("Input should", "Value error", "validation error", "For further information", "pydantic", "object at 0x",
       "[type=", "Traceback")


def unclear(error: BaseException | None, param: str) -> str | None:
    """Why ``error`` is not a clear refusal of ``param`` (None when it is)."""
    if not isinstance(error, ak.InvalidParameterError):
        return f"{type(error).__name__}: {str(error)[:300]}" if error is not None else "accepted"
    text = str(error)
    if not (error.param == param or error.param.startswith((f"{param}[", f"{param}."))):
        return f"names {error.param!r}, not {param!r}: {text[:300]}"
    if any(raw in text for raw in RAW):
        return f"raw library text: {text[:300]}"
    if len(text) > 1000:
        return f"a {len(text)}-character message (echoes the value?): {text[:200]}…"
    return None


TALLY: Counter[str] = Counter()


# -------------------------------------------------------------------------------------------- tests
def test_every_public_method_has_valid_values():
    missing = sorted(set(METHODS) - set(VALID))
    assert not missing, f"public methods without valid values in VALID (add them): {missing}"
    assert not sorted(set(VALID) - set(METHODS)), "VALID lists methods that no longer exist"
    assert len(METHODS) >= 70


@pytest.mark.parametrize("key", sorted(VALID))
def test_valid_values_pass_every_check(key, sweep_client, wire):
    """The table is right: with valid values nothing is refused (the call reaches the wire or finishes)."""
    outcome = call(sweep_client, key, kwargs_for(sweep_client, key, None, None), wire)
    assert not isinstance(outcome.error, ak.InvalidParameterError), outcome.error
    assert outcome.error is None, f"{type(outcome.error).__name__}: {outcome.error}"


@pytest.mark.parametrize("key,param,label", cases())
def test_bad_value_is_refused_before_the_wire(key, param, label, sweep_client, wire):
    spec = next(p for p in parameters(key) if p.name == param)
    outcome = call(sweep_client, key, kwargs_for(sweep_client, key, param, BAD[label]), wire)
    TALLY["calls"] += 1
    if valid_here(key, spec, label):
        TALLY["valid here"] += 1
        assert not isinstance(outcome.error, ak.InvalidParameterError) or outcome.sent == 0
        assert outcome.error is None or isinstance(outcome.error, ak.AkoolError), repr(outcome.error)
        return
    TALLY["requests sent"] += outcome.sent
    TALLY["calls that sent"] += bool(outcome.sent)
    problem = None if outcome.sent else unclear(outcome.error, param)
    TALLY["unclear errors"] += problem is not None and problem != "accepted"
    TALLY["accepted silently"] += problem == "accepted"
    assert outcome.sent == 0, f"{key}({param}={label}) sent {wire.sent[-outcome.sent:]}"
    assert problem is None, f"{key}({param}={label}): {problem}"


# ------------------------------------------------------------------- the examples, word for word
def refusal(client: Any, call: Any) -> ak.InvalidParameterError:
    with pytest.raises(ak.InvalidParameterError) as info:
        call(client)
    return info.value


@pytest.mark.parametrize("rate, sent", [("80%", "80%"), (" 50 % ", "50%"), (0.5, "50%"), (1, "100%"), (0, "0%"),
                                        (0.255, "25.5%"), (None, "100%")])
def test_rate_takes_percent_strings_and_fractions_of_normal_speed(sweep_client, wire, rate, sent, caplog):
    from akool_nb.models.voices import TTSV3Request

    with caplog.at_level("INFO", logger="akool_nb"):
        body = TTSV3Request.build(input_text="Hi", voice_id=OID, rate=rate).to_wire()
    assert body["rate"] == sent
    if isinstance(rate, (int, float)):
        assert f"rate={rate!r} sent as {sent!r}" in caplog.text  # says what it did


@pytest.mark.parametrize("rate, reason", [
    (1.5, "a number is a fraction of normal speed (0.5 = '50%', 1 = '100%'), so at most 1 (1.5 would be '150%'"),
    (50, "for 50 percent write rate='50%'"),
    ("50", "the % sign is missing; write rate='50%'"),
    ("150%", "is outside '0%'–'100%'"),
    ("fast", "is not a percentage"),
    (True, "must be a percentage string"),
])
def test_rate_refusals_give_the_right_reason(sweep_client, wire, rate, reason):
    for create in (lambda c: c.tts.create_v3("Hi", OID, rate=rate),
                   lambda c: c.tts.clone_v3("Hi", voice_url=AUD, rate=rate)):
        before = len(wire.sent)
        err = refusal(sweep_client, create)
        assert err.param == "rate" and reason in str(err) and len(wire.sent) == before, str(err)


def test_a_refusal_names_the_argument_the_wire_field_the_limit_and_the_fix(sweep_client):
    err = refusal(sweep_client, lambda c: c.tts.create("Hi", OID, speed=5))
    assert str(err).startswith("speed=5 (sent as voice_options.speed): must be between 0.7 and 1.2; pass e.g. "
                               "speed=1.0"), str(err)
    assert err.param == "speed" and err.field == "voice_options.speed" and isinstance(err, ValueError)
    err = refusal(sweep_client, lambda c: c.tts.create("", OID))
    assert (err.param, err.field) == ("text", "input_text") and "text='' (sent as input_text): is empty" in str(err)
    err = refusal(sweep_client, lambda c: c.knowledge.list(from_=3))
    assert (err.param, err.field) == ("from_", "from")


@pytest.mark.parametrize("bad, problem", [
    (["a"], "(a string), not a list"), (12345, "not an int"), (" ", "is empty"),
    ("ab cd", "contains whitespace"), ("ab\x00cd", "control or non-ASCII"), ("x" * 100_000, "at most 256"),
    ("../etc", "contains '/'"),
])
def test_ids_follow_one_rule_everywhere(sweep_client, wire, bad, problem):
    calls = [lambda c: c.tts.create("Hi", bad), lambda c: c.voices.change(AUD, bad),
             lambda c: c.streaming.create_session("dvp_Tristan", voice_id=bad)]
    for call in calls:
        before = len(wire.sent)
        err = refusal(sweep_client, call)
        assert err.param == "voice_id" and problem in str(err) and len(wire.sent) == before, str(err)
        assert len(str(err)) < 400  # a 100 KB id is never echoed back
    err = refusal(sweep_client, lambda c: c.voices.detail("../etc"))
    assert err.param == "id" and "contains '/'" in str(err)  # never interpolated into a path


ASYNC_SAMPLE = ["tts.create", "tts.create_v3", "voices.clone", "faceswap.image", "knowledge.update",
                "streaming.create_session", "image_to_video.results", "faces.detect", "jobs.wait_all",
                "moderation.text", "streaming.wait_live", "images.upscale"]


def test_async_client_refuses_the_same_values(wire, tmp_path):
    """AsyncAkool shares the request building: a sample of methods, every parameter, every bad value."""
    problems = []

    async def sweep() -> None:
        async with AsyncAkool(api_key=API_KEY, base_url="https://sweep.invalid",
                              transport=httpx.MockTransport(wire.handler), asset_host=wire.upload, max_retries=0,
                              journal=tmp_path / "jobs.sqlite") as client:
            for key in ASYNC_SAMPLE:
                for spec, label in itertools.product(parameters(key), BAD):
                    if valid_here(key, spec, label):
                        continue
                    before = len(wire.sent)
                    resource, method = key.split(".")
                    error = None
                    try:
                        await getattr(getattr(client, resource), method)(
                            **kwargs_for(client, key, spec.name, BAD[label]))
                    except WireReached:
                        pass
                    except Exception as exc:  # noqa: BLE001
                        error = exc
                    sent = len(wire.sent) - before
                    problem = f"sent {sent}" if sent else unclear(error, spec.name)
                    if problem:
                        problems.append(f"{key}({spec.name}={label}): {problem}")

    asyncio.run(sweep())
    assert not problems, "\n".join(problems[:40])


# ------------------------------------------------------------------ campaigns (client and campaign methods)
ROWS = [{"id": "r1", "text": "Hello"}]


def _make(c: Any, row: dict[str, Any]) -> Any:
    return c.tts.create(row["text"], OID)


CAMPAIGN_VALID = {("run", "budget"): {"None", "1.5"}, ("run", "timeout"): {"None", "1.5"},
                  ("run", "save_to"): {"None"}, ("run", "costs"): {"None"}, ("preview", "costs"): {"None"}}


@pytest.mark.parametrize("where,param", [("campaign", "name"), ("campaign", "rows"), ("campaign", "make"),
                                         ("run", "concurrency"), ("run", "budget"), ("run", "save_to"),
                                         ("run", "timeout"), ("run", "costs"), ("preview", "costs")])
def test_campaign_refuses_bad_arguments_before_the_wire(sweep_client, wire, where, param):
    problems = []
    for label, value in BAD.items():
        if label in CAMPAIGN_VALID.get((where, param), set()):
            continue
        before = len(wire.sent)
        error = None
        try:
            if where == "campaign":
                args = {"name": "sweep", "rows": ROWS, "make": _make, param: value}
                sweep_client.campaign(args["name"], args["rows"], args["make"])
            elif where == "preview":
                sweep_client.campaign("sweep", ROWS, _make).preview(**{param: value})
            else:
                sweep_client.campaign("sweep", ROWS, _make).run(**{param: value}, progress=False, panel=False)
        except WireReached:
            pass
        except BaseException as exc:  # noqa: BLE001
            error = exc
        sent = len(wire.sent) - before
        problem = f"sent {sent}" if sent else unclear(error, param)
        if problem:
            problems.append(f"{where}({param}={label}): {problem}")
    assert not problems, "\n".join(problems)


def test_zz_tally(capsys):
    """Printed for the lead (``-s``); figures of the cases above, in this run."""
    if TALLY["calls"]:
        with capsys.disabled():
            print(f"\nbad-input sweep: {len(VALID)} methods, {TALLY['calls']} calls ({TALLY['valid here']} with a "
                  f"value that is valid there); requests sent {TALLY['requests sent']} by "
                  f"{TALLY['calls that sent']} calls; unclear errors {TALLY['unclear errors']}; "
                  f"accepted silently {TALLY['accepted silently']}")


# ----------------------------------------------------------------------- the webhook receiver (issue 12)
RECEIVER_VALID = {"client_id": "akoolnbtestclient", "client_secret": API_KEY}
RECEIVER_PARAMS = ("client_id", "client_secret", "tolerance", "fallback_after", "public_url", "journal", "service",
                   "client")
RECEIVER_OPTIONAL = {"None"}  # None means "the default" for every parameter but the two credentials
RECEIVER_OK = {"tolerance": {"1.5"}, "fallback_after": {"1.5"}}  # valid there (seconds)


@pytest.mark.parametrize("param", RECEIVER_PARAMS)
def test_the_receiver_and_its_client_hook_refuse_every_bad_value(param, wire, tmp_path, monkeypatch):
    from akool_nb.webhook import Receiver

    for name in ("AKOOL_CLIENT_ID", "AKOOL_CLIENT_SECRET", "AKOOL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    problems, before = [], len(wire.sent)
    for label, value in BAD.items():
        if label in RECEIVER_OPTIONAL and param not in ("client_id", "client_secret") \
                or label in RECEIVER_OK.get(param, ()):
            continue
        if param == "client_secret" and label == "None":
            continue  # then the secret comes from a client or the environment: none here, see below
        try:
            Receiver(**{**RECEIVER_VALID, param: value})
            problems.append(f"Receiver({param}={label}): accepted")
        except Exception as exc:  # noqa: BLE001
            if (problem := unclear(exc, param)) is not None:
                problems.append(f"Receiver({param}={label}): {problem}")
    assert not problems, "\n".join(problems)
    assert len(wire.sent) == before


def test_serve_and_webhooks_refuse_bad_values_before_the_wire(wire, tmp_path):
    from akool_nb.webhook import Receiver

    receiver, problems, before = Receiver(**RECEIVER_VALID), [], len(wire.sent)
    for (param, label), value in {**{("host", k): v for k, v in BAD.items()},
                                  **{("port", k): v for k, v in BAD.items()}}.items():
        try:
            receiver.serve(**{"host": "127.0.0.1", "port": 0, param: value})
            receiver.close()
            problems.append(f"serve({param}={label}): accepted")
        except Exception as exc:  # noqa: BLE001
            if (problem := unclear(exc, param)) is not None:
                problems.append(f"serve({param}={label}): {problem}")
    for label, value in BAD.items():
        if label == "None":
            continue  # webhooks=None: no receiver
        try:
            Akool(api_key=API_KEY, base_url="https://sweep.invalid", transport=httpx.MockTransport(wire.handler),
                  journal=tmp_path / "jobs.sqlite", webhooks=value)
            problems.append(f"Akool(webhooks={label}): accepted")
        except Exception as exc:  # noqa: BLE001
            if (problem := unclear(exc, "webhooks")) is not None:
                problems.append(f"Akool(webhooks={label}): {problem}")
    for label, value in BAD.items():  # handle(): any body is an answer, never an exception
        status, answer = receiver.handle(value)
        if not 400 <= status < 500 or API_KEY in str(answer):
            problems.append(f"handle({label}): {status} {str(answer)[:100]}")
    assert not problems, "\n".join(problems)
    assert len(wire.sent) == before
