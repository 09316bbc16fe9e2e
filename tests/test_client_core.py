"""The client core, specified with scripted transports (unit level): envelope, error mapping, retry rules,
credentials and secret masking. The same rules are exercised over real HTTP in test_client_offline.py."""
from __future__ import annotations

import json
import logging

import httpx
import pytest

import akool_nb as ak
from akool_nb._base_client import APIRequest

KEY = "sk-live-SECRETSECRETSECRET-1234"


def scripted(*answers):
    """A transport that answers in order; each answer is a (status, body) pair or an exception."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        answer = answers[min(len(calls), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        headers = {}
        if isinstance(body, tuple):
            body, headers = body
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.Response(status, content=content, headers=headers)

    return httpx.MockTransport(handler), calls


def make(transport, **kw):
    kw.setdefault("journal", False)
    return ak.Akool(api_key=KEY, base_url="https://akool.test", transport=transport, **kw)


def fast(client):
    client._core.retry.initial_delay = 0.001
    client._core.retry.max_delay = 0.002
    return client


GET = APIRequest("GET", "/api/open/v3/avatar/list")
CREATE = APIRequest("POST", "/api/open/v3/content/video/createbytalkingphoto", json={}, paid=True)


# -- envelope and errors ----------------------------------------------------------------------------
def test_success_returns_data():
    transport, _ = scripted((200, {"code": 1000, "msg": "OK", "data": [{"avatar_id": "a"}]}))
    assert make(transport)._request(GET) == [{"avatar_id": "a"}]


@pytest.mark.parametrize("code, cls", [
    (1101, ak.AuthError), (1102, ak.AuthError), (1006, ak.QuotaError), (1104, ak.QuotaError),
    (1103, ak.QuotaError), (1003, ak.InvalidRequestError), (1008, ak.NotFoundError), (1014, ak.NotFoundError),
    (1009, ak.PermissionDeniedError), (1015, ak.APIError),
])
def test_business_codes_become_typed_errors(code, cls):
    transport, _ = scripted((200, {"code": code, "msg": "the service says no"}))
    with pytest.raises(cls) as info:
        make(transport)._request(GET)
    err = info.value
    assert err.code == code and isinstance(err, ak.AkoolError)
    assert err.endpoint == "GET /api/open/v3/avatar/list"
    assert "the service says no" in str(err) and str(code) in str(err)


def test_code_as_string_is_understood():
    transport, _ = scripted((200, {"code": "1000", "data": {"x": 1}}))
    assert make(transport)._request(GET) == {"x": 1}


def test_face_detection_envelope():
    transport, _ = scripted((400, {"error_code": 1, "error_msg": "Failed to download media from URL",
                                   "faces_obj": {}}))
    req = APIRequest("POST", "/interface/detect-api/detect_faces", json={}, envelope="detect")
    with pytest.raises(ak.APIError, match="Failed to download media"):
        make(transport)._request(req)
    transport, _ = scripted((200, {"error_code": 0, "faces_obj": {"0": {}}}))
    assert make(transport)._request(req)["faces_obj"] == {"0": {}}


def test_analyze_frames_envelope():
    req = APIRequest("POST", "/interface/detect-api/faceswap/analyze_frames", json={}, envelope="analyze")
    transport, _ = scripted((200, {"success": False, "error": "no frames"}))
    with pytest.raises(ak.APIError, match="no frames"):
        make(transport)._request(req)
    transport, _ = scripted((200, {"success": True, "persons": []}))
    assert make(transport)._request(req)["persons"] == []


# -- retries for reads --------------------------------------------------------------------------------
def test_reads_retry_connection_errors_5xx_and_1005():
    transport, calls = scripted(
        httpx.ConnectError("refused"), (502, b"bad gateway"), httpx.ReadTimeout("slow"),
        (200, {"code": 1005, "msg": "Frequent operation"}), (200, {"code": 1000, "data": "ok"}),
    )
    client = fast(make(transport, max_retries=4))
    assert client._request(GET) == "ok"
    assert len(calls) == 5


def test_reads_give_up_after_max_retries():
    transport, calls = scripted((503, b"down"))
    client = fast(make(transport, max_retries=2))
    with pytest.raises(ak.ServerError):
        client._request(GET)
    assert len(calls) == 3


def test_rate_limit_honours_retry_after(monkeypatch):
    slept = []
    monkeypatch.setattr("akool_nb._base_client.time.sleep", slept.append)
    transport, _ = scripted(
        (200, ({"code": 1005, "msg": "Frequent operation"}, {"Retry-After": "1.5"})),
        (200, {"code": 1000, "data": 1}),
    )
    assert make(transport)._request(GET) == 1
    assert slept == [1.5]


def test_backoff_is_capped_exponential_with_jitter():
    from akool_nb._base_client import RetryPolicy

    p = RetryPolicy(initial_delay=0.5, max_delay=4)
    for attempt, step in enumerate([0.5, 1, 2, 4, 4, 4]):
        delays = [p.backoff(attempt) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays), (attempt, min(delays), max(delays))
        assert max(delays) - min(delays) > 0  # jitter


# -- paid creates are never submitted twice --------------------------------------------------------------
def test_create_retries_when_request_never_reached_server():
    transport, calls = scripted(httpx.ConnectError("refused"), (200, {"code": 1000, "data": {"_id": "j1"}}))
    assert fast(make(transport))._request(CREATE) == {"_id": "j1"}
    assert len(calls) == 2


def test_create_retries_on_1005():
    transport, calls = scripted((200, {"code": 1005, "msg": "Frequent"}), (200, {"code": 1000, "data": {"_id": "j"}}))
    assert fast(make(transport))._request(CREATE) == {"_id": "j"}
    assert len(calls) == 2


@pytest.mark.parametrize("failure", [
    httpx.ReadTimeout("no answer"), httpx.RemoteProtocolError("peer closed"), httpx.ReadError("reset"),
])
def test_create_is_not_retried_after_ambiguous_failure(failure):
    transport, calls = scripted(failure, (200, {"code": 1000, "data": {"_id": "second"}}))
    with pytest.raises(ak.AmbiguousSubmitError) as info:
        fast(make(transport))._request(CREATE)
    assert len(calls) == 1
    text = str(info.value)
    assert "may have reached Akool" in text and "NOT retried" in text


def test_create_is_not_retried_after_5xx():
    transport, calls = scripted((500, b"oops"), (200, {"code": 1000, "data": {"_id": "second"}}))
    with pytest.raises(ak.AmbiguousSubmitError):
        fast(make(transport))._request(CREATE)
    assert len(calls) == 1


# -- credentials ---------------------------------------------------------------------------------------
def test_no_key_lists_the_three_ways(monkeypatch):
    monkeypatch.delenv("AKOOL_API_KEY", raising=False)
    with pytest.raises(ak.MissingCredentialsError) as info:
        ak.Akool()
    text = str(info.value)
    assert "api_key=" in text and "AKOOL_API_KEY" in text and "Colab" in text
    assert "not running in Google Colab" in text


def test_key_from_environment_is_sent_as_x_api_key(monkeypatch):
    monkeypatch.setenv("AKOOL_API_KEY", KEY)
    transport, calls = scripted((200, {"code": 1000, "data": []}))
    ak.Akool(base_url="https://akool.test", transport=transport, journal=False)._request(GET)
    assert calls[0].headers["x-api-key"] == KEY
    assert "authorization" not in calls[0].headers


def test_key_is_resolved_when_the_client_is_built_not_at_import(monkeypatch):
    monkeypatch.delenv("AKOOL_API_KEY", raising=False)
    with pytest.raises(ak.MissingCredentialsError):
        ak.Akool()
    monkeypatch.setenv("AKOOL_API_KEY", KEY)
    assert ak.Akool(journal=False)._credentials.source == "$AKOOL_API_KEY"


class _FakeColab:
    """Stands in for google.colab.userdata with its three behaviours."""

    def __init__(self, behaviour):
        self.behaviour = behaviour

    def install(self, monkeypatch):
        import sys
        import types

        behaviour = self.behaviour

        class SecretNotFoundError(Exception):
            pass

        class NotebookAccessError(Exception):
            pass

        def get(name):
            if behaviour == "missing":
                raise SecretNotFoundError(name)
            if behaviour == "denied":
                raise NotebookAccessError(name)
            return KEY

        userdata = types.SimpleNamespace(get=get)
        google = types.ModuleType("google")
        colab = types.ModuleType("google.colab")
        colab.userdata = userdata
        google.colab = colab
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
        monkeypatch.setitem(sys.modules, "google.colab.userdata", userdata)


@pytest.mark.parametrize("behaviour, expected", [
    ("missing", "Colab has no secret named 'AKOOL_API_KEY'"),
    ("denied", "was not granted access"),
])
def test_colab_failures_have_distinct_messages(monkeypatch, behaviour, expected):
    monkeypatch.delenv("AKOOL_API_KEY", raising=False)
    _FakeColab(behaviour).install(monkeypatch)
    with pytest.raises(ak.MissingCredentialsError, match=expected):
        ak.Akool()


def test_colab_secret_is_used(monkeypatch):
    monkeypatch.delenv("AKOOL_API_KEY", raising=False)
    _FakeColab("ok").install(monkeypatch)
    assert ak.Akool(journal=False)._credentials.source == "Colab secret"


def test_legacy_token_fetched_once_and_refreshed_once_on_1101():
    tokens = iter(["tok-1", "tok-2"])
    seen = []

    def handler(request):
        if request.url.path.endswith("/getToken"):
            body = json.loads(request.content)
            assert body == {"clientId": "cid", "clientSecret": "csecret-123456"}
            return httpx.Response(200, json={"code": 1000, "token": next(tokens)})
        seen.append(request.headers.get("authorization"))
        if request.headers.get("authorization") == "Bearer tok-1" and len(seen) == 2:
            return httpx.Response(200, json={"code": 1101, "msg": "token expired"})
        assert "x-api-key" not in request.headers
        return httpx.Response(200, json={"code": 1000, "data": len(seen)})

    client = ak.Akool(client_id="cid", client_secret="csecret-123456", base_url="https://akool.test",
                      transport=httpx.MockTransport(handler), journal=False)
    assert client._request(GET) == 1
    assert client._request(GET) == 3  # 2nd call got 1101, token refreshed, 3rd call succeeded
    assert seen == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


# -- secrets never show ----------------------------------------------------------------------------------
def test_key_never_in_repr_errors_or_logs(caplog):
    transport, _ = scripted((200, {"code": 1101, "msg": f"bad key {KEY}"}))
    client = make(transport)
    assert KEY not in repr(client) and KEY not in client._repr_html_()
    caplog.set_level(logging.DEBUG, logger="akool_nb")
    logging.getLogger("akool_nb").info("debugging with %s", KEY)
    with pytest.raises(ak.AuthError) as info:
        client._request(GET)
    assert caplog.records and all(KEY not in r.getMessage() for r in caplog.records)
    assert KEY not in str(info.value) and "bad key ***" in str(info.value)
    assert "***" in caplog.text


def test_secret_wrapper_hides_value():
    from akool_nb._auth import Secret

    s = Secret(KEY)
    assert KEY not in repr(s) and KEY not in str(s) and KEY not in f"{s}"
    assert s.reveal() == KEY


def test_per_request_timeout_via_with_options():
    seen = {}

    def handler(request):
        seen["timeout"] = request.extensions["timeout"]
        return httpx.Response(200, json={"code": 1000, "data": None})

    client = make(httpx.MockTransport(handler), timeout=30)
    client.with_options(timeout=2.5)._request(GET)
    assert seen["timeout"]["read"] == 2.5
    client._request(GET)
    assert seen["timeout"]["read"] == 30


def test_detection_endpoints_map_standard_auth_errors_too():
    transport, _ = scripted((200, {"code": 1101, "msg": "Illegal token"}))
    req = APIRequest("POST", "/interface/detect-api/detect_faces", json={}, envelope="detect")
    with pytest.raises(ak.AuthError):
        make(transport)._request(req)
